"""The prompt book: every text rendered once (on a fake synthesiser), the name Asterisk
plays it by under its own path, the closed messages, and live calamity texts."""

from __future__ import annotations

import shutil
from pathlib import Path, PurePosixPath

import pytest

from acd.agents.features import FEATURE_TEXTS
from acd.prompts import PromptBook, closed_texts
from acd.waiting import FRAGMENTS
from ivr_flows.site_check import load_site_flow
from tests.unit.acd.rig import ToneVoice, sample_site

ASTERISK = PurePosixPath("/var/lib/asterisk/sounds/kcc")


def build(host: Path, voice: ToneVoice, **extra: str) -> PromptBook:
    site = sample_site()
    return PromptBook.build(
        site,
        load_site_flow(site),
        host,
        ASTERISK,
        extra_texts={**FRAGMENTS, **FEATURE_TEXTS, **extra},
        synthesizer=voice,
    )


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with every prompt rendered once; a test copies it to change it."""
    host = tmp_path_factory.mktemp("prompts")
    build(host, ToneVoice())
    return host


@pytest.fixture
def host(rendered: Path, tmp_path: Path) -> Path:
    shutil.copytree(rendered, tmp_path / "prompts")
    return tmp_path / "prompts"


def test_every_text_is_rendered_once_and_played_by_its_asterisk_name(tmp_path: Path) -> None:
    voice = ToneVoice()
    book = build(tmp_path, voice)
    texts = book.texts()
    assert texts["welcome"] == "Welkom bij de gemeente."
    assert texts["feature-refused"] == FEATURE_TEXTS["feature-refused"]
    assert set(FRAGMENTS) <= set(texts)
    assert sorted(voice.spoken) == sorted(texts.values())
    name = book.name("welcome")
    assert name.startswith(f"{ASTERISK}/flow/welcome-") and "." not in name.rsplit("/", 1)[1]
    # ... and the file is there, under the controller's own path for the same folder.
    host_file = tmp_path / PurePosixPath(name).relative_to(ASTERISK)
    assert host_file.with_suffix(".sln").is_file()


def test_the_closed_message_of_each_municipality_names_its_website(host: Path) -> None:
    texts = closed_texts(sample_site())
    assert set(texts) == {"haarlem", "zandvoort"}
    assert texts["zandvoort"].startswith("U belt buiten onze openingstijden.")
    assert texts["zandvoort"].endswith("Veel zaken kunt u regelen op zandvoort.nl.")
    book = build(host, ToneVoice())
    assert book.texts()["closed-haarlem"] == texts["haarlem"]


def test_an_unknown_prompt_is_named_in_the_error(host: Path) -> None:
    book = build(host, ToneVoice())
    with pytest.raises(KeyError, match=r"no prompt 'no-such-prompt'; known: \d+ flow prompts"):
        book.name("no-such-prompt")


def test_a_live_text_is_rendered_once_into_its_own_folder(host: Path) -> None:
    book = build(host, ToneVoice())
    live = ToneVoice()
    prompt = book.render_live("Er is een storing in de telefonie.", synthesizer=live)
    assert prompt.startswith("live-")
    assert book.render_live("Er is een storing in de telefonie.", synthesizer=live) == prompt
    assert live.spoken == ["Er is een storing in de telefonie."]
    assert book.name(prompt).startswith(f"{ASTERISK}/live/{prompt}/{prompt}-")
    other = book.render_live("De storing is voorbij.", synthesizer=live)
    assert other != prompt and book.name(other) != book.name(prompt)
    assert prompt not in book.texts()  # the flow's prompts only


def test_a_rebuild_renders_only_what_changed_and_keeps_live_texts(host: Path) -> None:
    book = build(host, ToneVoice())
    prompt = book.render_live("Er is een storing.", synthesizer=ToneVoice())
    again = ToneVoice()
    rebuilt = build(host, again, **{"extra-notice": "Let op: gewijzigde tijden."})
    assert again.spoken == ["Let op: gewijzigde tijden."]
    assert rebuilt.name("welcome") == book.name("welcome")
    assert (host / "live" / prompt).is_dir()
