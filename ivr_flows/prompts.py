"""Every text a flow speaks, rendered once to Asterisk audio files, with a manifest.

Theory of operation: ``collect_texts`` turns a flow (plus closed messages and other
modules' fragments) into ``prompt id -> Dutch text``. ``build_prompts`` renders each
text to ``<id>-<digest>.sln`` (8 kHz signed linear, what Asterisk plays) and a matching
8 kHz ``.wav`` for people to listen to. The digest covers the text, the voice, the
speed, the espeak-ng version and the conversion, so a changed text gets a new file
and an unchanged one is reused untouched. A real recording ``<id>.wav`` in the
override folder replaces the synthetic voice; its digest covers the recording's bytes.
``manifest.json`` maps each id to its file, text and digest; files the previous
manifest listed and the new one does not are removed, nothing else is.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path

from ivr_flows.model import Flow, MenuNode, MessageNode
from ivr_flows.prompt_audio import (
    CONVERSION_VERSION,
    SLIN_BYTES_PER_SECOND,
    EspeakVoice,
    PromptBuildError,
    SpeechSynthesizer,
    synthesize_to_slin,
    wav_bytes,
    wav_to_slin,
)

MANIFEST_NAME = "manifest.json"
INVALID_CHOICE_ID = "invalid-choice"
NO_INPUT_ID = "no-input"
_PROMPT_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_DIGEST_CHARS = 12


class PromptSource(StrEnum):
    TTS = "tts"
    RECORDING = "recording"


@dataclass(frozen=True, slots=True)
class PromptEntry:
    """One rendered prompt; ``sln`` and ``wav`` are file names in the manifest's folder."""

    prompt_id: str
    text: str
    sln: str
    wav: str
    digest: str
    source: PromptSource
    seconds: float


@dataclass(frozen=True, slots=True)
class Manifest:
    """Prompt id to rendered audio, as written to ``<directory>/manifest.json``."""

    directory: Path
    entries: Mapping[str, PromptEntry]

    def path(self, prompt_id: str) -> Path:
        return self.directory / self.entries[prompt_id].sln

    def playback_name(self, prompt_id: str) -> str:
        """What Asterisk's Playback() takes: the path without extension."""
        return str(self.path(prompt_id).with_suffix(""))

    def to_json(self) -> str:
        prompts = {pid: asdict(entry) for pid, entry in sorted(self.entries.items())}
        return json.dumps({"format": CONVERSION_VERSION, "prompts": prompts}, indent=2) + "\n"

    @classmethod
    def load(cls, directory: Path) -> Manifest:
        path = directory / MANIFEST_NAME
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            entries = {
                pid: PromptEntry(**{**fields, "source": PromptSource(fields["source"])})
                for pid, fields in raw["prompts"].items()
            }
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise PromptBuildError(f"{path}: not a prompt manifest ({exc})") from exc
        return cls(directory, entries)


def collect_texts(
    flow: Flow,
    *,
    closed_texts: Mapping[str, str] | None = None,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Every text ``flow`` speaks, by prompt id, plus ``extra`` fragments.

    ``closed_texts`` maps municipality to its closed message (see
    ``hours.next_opening_text``), for message nodes with ``opening_hours_of``.
    """
    closed = closed_texts or {}
    texts = {INVALID_CHOICE_ID: flow.invalid_text, NO_INPUT_ID: flow.no_input_text}
    for node in flow.nodes.values():
        match node:
            case MenuNode():
                _add(texts, node.id, node.spoken_text)
            case MessageNode(opening_hours_of=str(municipality)):
                if municipality not in closed:
                    raise PromptBuildError(
                        f"node {node.id!r} plays the opening hours of {municipality!r}, "
                        f"but no closed text was given for it; given: {sorted(closed)}"
                    )
                _add(texts, node.id, closed[municipality])
            case MessageNode():
                _add(texts, node.id, node.text)
    for prompt_id, text in (extra or {}).items():
        _add(texts, prompt_id, text)
    return texts


def build_prompts(
    texts: Mapping[str, str],
    out_dir: Path,
    override_dir: Path | None,
    *,
    synthesizer: SpeechSynthesizer | None = None,
) -> Manifest:
    """Render every text (or its override recording) into ``out_dir`` and write the manifest."""
    _check_texts(texts)
    overrides = _find_overrides(override_dir, texts)
    out_dir.mkdir(parents=True, exist_ok=True)
    voice = synthesizer or EspeakVoice()
    # Asked once per build, and only if something is spoken: it runs espeak-ng --version.
    identity = voice.identity() if set(texts) - set(overrides) else ""
    entries = {}
    for prompt_id, text in texts.items():
        recording = overrides.get(prompt_id)
        if recording is not None:
            entries[prompt_id] = _from_recording(prompt_id, text, recording, out_dir)
        else:
            entries[prompt_id] = _from_speech(prompt_id, text, voice, identity, out_dir)
    manifest = Manifest(out_dir, entries)
    _remove_stale_files(out_dir, manifest)
    _write_atomically(out_dir / MANIFEST_NAME, manifest.to_json().encode())
    return manifest


def _add(texts: dict[str, str], prompt_id: str, text: str) -> None:
    if texts.get(prompt_id, text) != text:
        raise PromptBuildError(f"prompt id {prompt_id!r} is used for two different texts")
    texts[prompt_id] = text


def _check_texts(texts: Mapping[str, str]) -> None:
    problems = [
        f"prompt id {pid!r} is not a slug; allowed: lower-case letters, digits, single hyphens"
        for pid in texts
        if not _PROMPT_ID.fullmatch(pid)
    ]
    problems += [f"prompt {pid!r} has no text" for pid, text in texts.items() if not text.strip()]
    if problems:
        raise PromptBuildError("\n".join(problems))


def _find_overrides(override_dir: Path | None, texts: Mapping[str, str]) -> dict[str, Path]:
    if override_dir is None:
        return {}
    if not override_dir.is_dir():
        raise PromptBuildError(f"{override_dir}: override folder does not exist")
    found = {p.stem: p for p in override_dir.iterdir() if p.suffix.lower() == ".wav"}
    # A recording that matches no prompt would silently never be played: say so.
    unknown = sorted(set(found) - set(texts))
    if unknown:
        names = ", ".join(found[pid].name for pid in unknown)
        raise PromptBuildError(
            f"{override_dir}: recordings {names} match no prompt; allowed: <prompt id>.wav "
            f"with one of {', '.join(sorted(texts))}"
        )
    return found


def _from_speech(
    prompt_id: str, text: str, voice: SpeechSynthesizer, identity: str, out_dir: Path
) -> PromptEntry:
    digest = _digest(CONVERSION_VERSION, identity, text)
    return _render(
        prompt_id, text, digest, PromptSource.TTS, out_dir, lambda: synthesize_to_slin(voice, text)
    )


def _from_recording(prompt_id: str, text: str, recording: Path, out_dir: Path) -> PromptEntry:
    data = recording.read_bytes()
    digest = _digest(CONVERSION_VERSION, hashlib.sha256(data).hexdigest())
    return _render(
        prompt_id,
        text,
        digest,
        PromptSource.RECORDING,
        out_dir,
        lambda: wav_to_slin(data, source=str(recording)),
    )


def _render(
    prompt_id: str,
    text: str,
    digest: str,
    source: PromptSource,
    out_dir: Path,
    make_slin: Callable[[], bytes],
) -> PromptEntry:
    sln, wav = out_dir / f"{prompt_id}-{digest}.sln", out_dir / f"{prompt_id}-{digest}.wav"
    if not (sln.is_file() and wav.is_file()):
        slin = make_slin()
        _write_atomically(wav, wav_bytes(slin))
        _write_atomically(sln, slin)  # last: its presence marks the pair complete
    seconds = sln.stat().st_size / SLIN_BYTES_PER_SECOND
    return PromptEntry(prompt_id, text, sln.name, wav.name, digest, source, round(seconds, 3))


def _remove_stale_files(out_dir: Path, manifest: Manifest) -> None:
    """Delete files only the previous manifest listed - never anything we did not write."""
    try:
        previous = Manifest.load(out_dir)
    except PromptBuildError:
        return  # no or unreadable old manifest: keep every file rather than guess
    keep = {name for e in manifest.entries.values() for name in (e.sln, e.wav)}
    for entry in previous.entries.values():
        for name in (entry.sln, entry.wav):
            if name not in keep and Path(name).name == name:
                (out_dir / name).unlink(missing_ok=True)


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:_DIGEST_CHARS]


def _write_atomically(path: Path, data: bytes) -> None:
    # Write then rename, so a crash never leaves a half file that looks cached.
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as tmp:
        tmp.write(data)
    # NamedTemporaryFile makes files private (0600); Asterisk runs as another user.
    os.chmod(tmp.name, 0o644)
    os.replace(tmp.name, path)
