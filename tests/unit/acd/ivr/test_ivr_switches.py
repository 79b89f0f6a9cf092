"""The IVR's live switches (calamity message, topic menu), when each changed, the context
the flow runs in, and the IVR's wall clock that a test of opening hours may start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from acd.ivr.service import IvrSwitches, wall_clock
from ivr_flows.inputs import LiveSwitches
from tests.unit.acd.rig import T0, NamedPrompts, sample_site

SATURDAY = datetime(2026, 6, 20, 10, 0, tzinfo=UTC)


def switches(now: datetime = T0) -> tuple[IvrSwitches, NamedPrompts]:
    prompts = NamedPrompts()
    return IvrSwitches(sample_site(), prompts, now=lambda: now), prompts


def test_the_switches_start_as_the_site_says() -> None:
    ivr, _ = switches()
    assert ivr.switches() == LiveSwitches(calamity_prompt=None, topic_menu_enabled=True)
    site = sample_site()
    off = site.model_copy(update={"ivr": site.ivr.model_copy(update={"topic_menu_enabled": False})})
    assert IvrSwitches(off, NamedPrompts(), now=lambda: T0).switches().topic_menu_enabled is False


async def test_a_calamity_message_is_rendered_once_and_played_until_switched_off() -> None:
    ivr, prompts = switches()
    prompt = await ivr.calamity_on("  Er is een storing in de telefonie.\n")
    assert prompts.live == ["Er is een storing in de telefonie."]  # rendered without the blanks
    assert ivr.switches().calamity_prompt == prompt
    assert ivr.settings.calamity_text == "  Er is een storing in de telefonie.\n"
    assert ivr.settings.changed_at == {"calamity": T0}
    ivr.calamity_off()
    assert ivr.switches().calamity_prompt is None and ivr.settings.calamity_text is None


def test_the_topic_menu_is_switched_and_the_moment_kept() -> None:
    ivr, _ = switches(SATURDAY)
    ivr.topic_menu(False)
    assert ivr.switches().topic_menu_enabled is False
    assert ivr.settings.changed_at == {"topic_menu": SATURDAY}


def test_the_context_reads_the_clock_and_the_switches_as_they_are_at_each_input() -> None:
    ivr, _ = switches(SATURDAY)
    context = ivr.context()
    assert context.now() == SATURDAY
    assert set(context.opening) == {"haarlem", "zandvoort"}
    assert context.opening["haarlem"].is_open(SATURDAY) is False
    assert context.opening["haarlem"].is_open(T0) is True  # Monday 09:00 in Haarlem
    ivr.topic_menu(False)
    assert context.switches().topic_menu_enabled is False  # the same context sees the change


def test_the_ivr_clock_is_the_wall_clock_unless_a_start_is_given() -> None:
    before = datetime.now(UTC)
    now = wall_clock(None)()
    assert before <= now <= datetime.now(UTC) and now.tzinfo is UTC


def test_an_ivr_clock_started_at_a_moment_runs_on_from_there() -> None:
    clock = wall_clock(SATURDAY)
    first, second = clock(), clock()
    assert SATURDAY <= first <= second < SATURDAY + timedelta(seconds=30)
