"""The prompt builder: real espeak-ng runs, 8 kHz slin output, caching and overrides."""

from __future__ import annotations

import json
import math
import struct
import subprocess
import wave
from pathlib import Path

import pytest

import ivr_flows
from ivr_flows.loader import load_flow
from ivr_flows.prompt_audio import PromptBuildError
from ivr_flows.prompts import (
    INVALID_CHOICE_ID,
    MANIFEST_NAME,
    NO_INPUT_ID,
    Manifest,
    PromptSource,
    build_prompts,
    collect_texts,
)

TEXTS = {
    "welcome": "Welkom bij de gemeente.",
    "invalid-choice": "Deze keuze is niet geldig.",
    "municipality": "Kies 1 voor Haarlem. Kies 2 voor Zandvoort.",
}


def _espeak_seconds(text: str, tmp_path: Path) -> float:
    """Duration of espeak-ng's own output, measured independently of the builder."""
    wav_path = tmp_path / "reference.wav"
    subprocess.run(["espeak-ng", "-v", "nl", "-s", "150", "-w", str(wav_path), text], check=True)
    with wave.open(str(wav_path)) as reference:
        frames: int = reference.getnframes()
        rate: int = reference.getframerate()
    return frames / rate


def _write_tone(path: Path, *, rate: int, channels: int, seconds: float) -> None:
    frames = int(rate * seconds)
    samples = (int(8000 * math.sin(2 * math.pi * 440 * n / rate)) for n in range(frames))
    data = b"".join(struct.pack("<h", s) * channels for s in samples)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(data)


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    return tmp_path / "prompts"


@pytest.fixture
def override_dir(tmp_path: Path) -> Path:
    path = tmp_path / "recordings"
    path.mkdir()
    return path


def test_espeak_output_is_8khz_mono_16bit(
    out_dir: Path, override_dir: Path, tmp_path: Path
) -> None:
    manifest = build_prompts(TEXTS, out_dir, override_dir)
    assert set(manifest.entries) == set(TEXTS)
    for prompt_id, text in TEXTS.items():
        entry = manifest.entries[prompt_id]
        assert entry.source is PromptSource.TTS and entry.text == text
        slin = (out_dir / entry.sln).read_bytes()
        assert len(slin) % 2 == 0 and len(slin) > 2 * 8000 * 0.5
        samples = struct.unpack(f"<{len(slin) // 2}h", slin)
        assert max(map(abs, samples)) > 1000  # speech, not silence
        assert (out_dir / entry.sln).stat().st_mode & 0o044 == 0o044  # Asterisk can read it
        with wave.open(str(out_dir / entry.wav)) as wav:
            assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (8000, 1, 2)
            assert wav.readframes(wav.getnframes()) == slin
        seconds = len(slin) / (2 * 8000)
        assert seconds == pytest.approx(_espeak_seconds(text, tmp_path), abs=0.01)
        assert entry.seconds == pytest.approx(seconds, abs=0.001)


def test_manifest_json_maps_ids_to_files(out_dir: Path, override_dir: Path) -> None:
    manifest = build_prompts(TEXTS, out_dir, override_dir)
    raw = json.loads((out_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert raw["prompts"]["welcome"]["text"] == TEXTS["welcome"]
    assert raw["prompts"]["welcome"]["sln"] == manifest.entries["welcome"].sln
    assert Manifest.load(out_dir) == manifest
    assert manifest.playback_name("welcome") == str(out_dir / manifest.entries["welcome"].sln)[:-4]


def test_cache_reuses_unchanged_and_regenerates_changed(out_dir: Path, override_dir: Path) -> None:
    first = build_prompts(TEXTS, out_dir, override_dir)
    mtimes = {pid: first.path(pid).stat().st_mtime_ns for pid in TEXTS}
    changed = {**TEXTS, "welcome": "Welkom bij de gemeente Haarlem."}
    second = build_prompts(changed, out_dir, override_dir)
    for pid in ("invalid-choice", "municipality"):
        assert second.entries[pid] == first.entries[pid]
        assert second.path(pid).stat().st_mtime_ns == mtimes[pid]
    assert second.entries["welcome"].digest != first.entries["welcome"].digest
    assert second.path("welcome").is_file()
    assert not first.path("welcome").exists()  # the stale rendering is cleaned up
    assert second.entries["welcome"].seconds > first.entries["welcome"].seconds


def test_override_recording_wins(out_dir: Path, override_dir: Path) -> None:
    _write_tone(override_dir / "welcome.wav", rate=16000, channels=2, seconds=0.5)
    manifest = build_prompts(TEXTS, out_dir, override_dir)
    entry = manifest.entries["welcome"]
    assert entry.source is PromptSource.RECORDING
    assert entry.text == TEXTS["welcome"]
    assert abs(manifest.path("welcome").stat().st_size - 2 * 8000 * 0.5) <= 4
    assert manifest.entries["municipality"].source is PromptSource.TTS

    _write_tone(override_dir / "welcome.wav", rate=44100, channels=1, seconds=1.0)
    replaced = build_prompts(TEXTS, out_dir, override_dir)
    assert replaced.entries["welcome"].digest != entry.digest
    assert abs(replaced.path("welcome").stat().st_size - 2 * 8000 * 1.0) <= 4


def test_override_without_matching_prompt_is_refused(out_dir: Path, override_dir: Path) -> None:
    _write_tone(override_dir / "welkom.wav", rate=8000, channels=1, seconds=0.1)
    with pytest.raises(PromptBuildError, match=r"welkom\.wav match no prompt"):
        build_prompts(TEXTS, out_dir, override_dir)


def test_override_that_is_not_wav_is_refused(out_dir: Path, override_dir: Path) -> None:
    (override_dir / "welcome.wav").write_bytes(b"ID3 this is an mp3")
    with pytest.raises(PromptBuildError, match=r"welcome\.wav: cannot read it as WAV"):
        build_prompts({"welcome": TEXTS["welcome"]}, out_dir, override_dir)


def test_missing_espeak_fails_clearly(
    out_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PromptBuildError) as caught:
        build_prompts(TEXTS, out_dir, None)
    assert str(caught.value) == "espeak-ng not found: run make deps"


def test_bad_prompt_ids_and_empty_texts(out_dir: Path) -> None:
    with pytest.raises(PromptBuildError) as caught:
        build_prompts({"Welkom Tekst": "Welkom.", "leeg": " "}, out_dir, None)
    assert str(caught.value).splitlines() == [
        "prompt id 'Welkom Tekst' is not a slug; "
        "allowed: lower-case letters, digits, single hyphens",
        "prompt 'leeg' has no text",
    ]


def test_collect_texts_from_the_sample_flow() -> None:
    sample = Path(ivr_flows.__file__).parent / "flows" / "14023.yaml"
    topics = {
        "burgerzaken",
        "parkeren-vergunningen",
        "afval-openbare-ruimte",
        "belastingen",
        "bouwen-wonen",
        "algemeen",
    }
    flow = load_flow(sample, known_topics=topics, known_municipalities={"haarlem", "zandvoort"})
    closed = {"haarlem": "Haarlem is gesloten.", "zandvoort": "Zandvoort is gesloten."}
    texts = collect_texts(flow, closed_texts=closed, extra={"wait-ahead-1": "Er is 1 wachtende."})
    assert texts[INVALID_CHOICE_ID] == "Deze keuze is niet geldig."
    assert texts[NO_INPUT_ID] == flow.no_input_text
    assert (
        texts["recording-notice"] == "Gesprekken kunnen worden opgenomen voor trainingsdoeleinden."
    )
    assert texts["closed-zandvoort"] == "Zandvoort is gesloten."
    assert texts["topics-haarlem"].startswith("Waarover gaat uw vraag? Kies 1 voor paspoort")
    assert texts["wait-ahead-1"] == "Er is 1 wachtende."
    assert "queue-algemeen" not in texts  # queues say nothing themselves

    with pytest.raises(PromptBuildError, match="no closed text was given"):
        collect_texts(flow, closed_texts={"haarlem": "Gesloten."})
    with pytest.raises(PromptBuildError, match="'welcome' is used for two different texts"):
        collect_texts(flow, closed_texts=closed, extra={"welcome": "Hallo."})
