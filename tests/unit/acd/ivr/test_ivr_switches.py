"""The IVR's live switches (calamity message, topic menu), when each changed and by whom,
kept across restarts, the context the flow runs in, and the IVR's wall clock that a test
of opening hours may start."""

from __future__ import annotations

import json
import logging
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from acd.ivr.service import IvrSwitches, wall_clock
from acd.ivr.settings_file import LiveSettingsFile
from ivr_flows.inputs import LiveSwitches
from tests.unit.acd.rig import T0, NamedPrompts, sample_site

SATURDAY = datetime(2026, 6, 20, 10, 0, tzinfo=UTC)


def switches(now: datetime, folder: Path) -> tuple[IvrSwitches, NamedPrompts]:
    """The switches kept in ``folder`` (the controller's state dir), as a start builds them."""
    prompts = NamedPrompts()
    kept = LiveSettingsFile(folder / "ivr-live-settings.json")
    return IvrSwitches(sample_site(), prompts, now=lambda: now, kept=kept), prompts


def test_the_switches_start_as_the_site_says(tmp_path: Path) -> None:
    ivr, _ = switches(T0, tmp_path)
    assert ivr.switches() == LiveSwitches(calamity_prompt=None, topic_menu_enabled=True)
    site = sample_site()
    off = site.model_copy(update={"ivr": site.ivr.model_copy(update={"topic_menu_enabled": False})})
    kept = LiveSettingsFile(tmp_path / "ivr-live-settings.json")
    ivr_off = IvrSwitches(off, NamedPrompts(), now=lambda: T0, kept=kept)
    assert ivr_off.switches().topic_menu_enabled is False


async def test_a_calamity_message_is_rendered_once_and_played_until_switched_off(
    tmp_path: Path,
) -> None:
    ivr, prompts = switches(T0, tmp_path)
    prompt = await ivr.calamity_on("  Er is een storing in de telefonie.\n", by="fm1")
    assert prompts.live == ["Er is een storing in de telefonie."]  # rendered without the blanks
    assert ivr.switches().calamity_prompt == prompt
    assert ivr.settings.calamity_text == "  Er is een storing in de telefonie.\n"
    assert ivr.settings.changed_at == {"calamity": T0}
    ivr.calamity_off(by="fm1")
    assert ivr.switches().calamity_prompt is None and ivr.settings.calamity_text is None


def test_the_topic_menu_is_switched_and_the_moment_kept(tmp_path: Path) -> None:
    ivr, _ = switches(SATURDAY, tmp_path)
    ivr.topic_menu(False, by="tl2")
    assert ivr.switches().topic_menu_enabled is False
    assert ivr.settings.changed_at == {"topic_menu": SATURDAY}
    assert ivr.settings.changed_by == {"topic_menu": "tl2"}


def test_the_context_reads_the_clock_and_the_switches_as_they_are_at_each_input(
    tmp_path: Path,
) -> None:
    ivr, _ = switches(SATURDAY, tmp_path)
    context = ivr.context()
    assert context.now() == SATURDAY
    assert set(context.opening) == {"haarlem", "zandvoort"}
    assert context.opening["haarlem"].is_open(SATURDAY) is False
    assert context.opening["haarlem"].is_open(T0) is True  # Monday 09:00 in Haarlem
    ivr.topic_menu(False, by="fm1")
    assert context.switches().topic_menu_enabled is False  # the same context sees the change


def test_the_ivr_clock_is_the_wall_clock_unless_a_start_is_given() -> None:
    before = datetime.now(UTC)
    now = wall_clock(None)()
    assert before <= now <= datetime.now(UTC) and now.tzinfo is UTC


def test_an_ivr_clock_started_at_a_moment_runs_on_from_there() -> None:
    clock = wall_clock(SATURDAY)
    first, second = clock(), clock()
    assert SATURDAY <= first <= second < SATURDAY + timedelta(seconds=30)


async def test_the_switches_survive_a_restart_with_who_and_when(tmp_path: Path) -> None:
    ivr, _ = switches(T0, tmp_path)
    await ivr.calamity_on("Er is een storing.", by="fm1")
    ivr.topic_menu(False, by="tl2")
    again, prompts = switches(SATURDAY, tmp_path)  # a new controller on the same state dir
    assert prompts.live == ["Er is een storing."]  # rendered again before the first caller
    assert again.switches() == LiveSwitches(calamity_prompt="live-1", topic_menu_enabled=False)
    assert again.settings.calamity_text == "Er is een storing."
    assert again.settings.changed_at == {"calamity": T0, "topic_menu": T0}
    assert again.settings.changed_by == {"calamity": "fm1", "topic_menu": "tl2"}


async def test_a_calamity_switched_off_stays_off_after_a_restart(tmp_path: Path) -> None:
    ivr, _ = switches(T0, tmp_path)
    await ivr.calamity_on("Er is een storing.", by="fm1")
    ivr.calamity_off(by="fm2")
    again, prompts = switches(SATURDAY, tmp_path)
    assert again.switches().calamity_prompt is None and prompts.live == []
    assert again.settings.changed_by == {"calamity": "fm2"}


def test_the_settings_file_is_for_the_controller_only(tmp_path: Path) -> None:
    ivr, _ = switches(T0, tmp_path)
    ivr.topic_menu(False, by="fm1")
    kept = tmp_path / "ivr-live-settings.json"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert json.loads(kept.read_text())["changes"]["topic_menu"]["by"] == "fm1"
    assert not kept.with_suffix(".tmp").exists()


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        "[]",
        '{"version": 99, "calamity_text": null, "topic_menu_enabled": false}',
        '{"version": 1, "calamity_text": 5, "topic_menu_enabled": false}',
        '{"version": 1, "calamity_text": null, "topic_menu_enabled": "no"}',
        '{"version": 1, "calamity_text": null}',
        '{"version": 1, "calamity_text": null, "topic_menu_enabled": false,'
        ' "changes": {"topic_menu": {"at": "gisteren", "by": "fm1"}}}',
        '{"version": 1, "calamity_text": null, "topic_menu_enabled": false,'
        ' "changes": {"topic_menu": {"at": "2026-06-01T10:00:00", "by": "fm1"}}}',
        '{"version": 1, "calamity_text": null, "topic_menu_enabled": false,'
        ' "changes": {"lights": {"at": "2026-06-01T10:00:00+00:00", "by": "fm1"}}}',
    ],
)
def test_an_unreadable_settings_file_is_set_aside_and_the_defaults_apply(
    tmp_path: Path, content: str, caplog: pytest.LogCaptureFixture
) -> None:
    kept = tmp_path / "ivr-live-settings.json"
    kept.write_text(content)
    with caplog.at_level(logging.WARNING, logger="acd.ivr.settings_file"):
        ivr, prompts = switches(T0, tmp_path)
    assert ivr.switches() == LiveSwitches(calamity_prompt=None, topic_menu_enabled=True)
    assert prompts.live == [] and ivr.settings.changed_at == {}
    assert str(kept) in caplog.text and "unreadable" in caplog.text
    assert kept.with_suffix(".unreadable").read_text() == content and not kept.exists()


def test_a_switch_that_cannot_be_saved_is_in_force_all_the_same(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "state").write_text("")  # a file where the state dir should be
    ivr, _ = switches(T0, tmp_path / "state")
    with caplog.at_level(logging.ERROR, logger="acd.ivr.service"):
        ivr.topic_menu(False, by="fm1")
    assert ivr.switches().topic_menu_enabled is False
    assert "not saved to" in caplog.text and "will not remember it" in caplog.text
