"""Agents' feature codes: ``*51N..*56`` parsed into core inputs, and a call to ``/feature``
carried out on the controller (fake AMI and clock) and confirmed by voice."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from acd.agents.features import (
    EXTEND_ACW_S,
    FEATURE_TEXTS,
    REFUSED,
    FeatureError,
    confirmation,
    parse_feature,
)
from acd.agi.fake import FakeAgiChannel
from acd.core import AgentState, PauseReason
from acd.core import inputs as ev
from tests.unit.acd.rig import (
    ANSWERED,
    Chan,
    Rig,
    hangup,
    log_in,
    queued,
    rig,
    sample_site,
    state_of,
)

AT = datetime(2026, 6, 15, 7, 0, tzinfo=UTC)


def parse(code: str, seated: str | None = "1001") -> object:
    return parse_feature(code, position_id="tic1", seated_agent=seated, at=AT)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("*511001", ev.AgentLogin(agent_id="1001", position_id="tic1", at=AT)),
        ("*52", ev.AgentLogout(agent_id="1001", at=AT)),
        ("*53", ev.AgentPause(agent_id="1001", reason=PauseReason.BREAK, at=AT)),
        ("*531", ev.AgentPause(agent_id="1001", reason=PauseReason.BREAK, at=AT)),
        ("*532", ev.AgentPause(agent_id="1001", reason=PauseReason.TRAINING, at=AT)),
        ("*533", ev.AgentPause(agent_id="1001", reason=PauseReason.BACKOFFICE, at=AT)),
        ("*54", ev.AgentUnpause(agent_id="1001", at=AT)),
        ("*55", ev.AgentEndAcw(agent_id="1001", at=AT)),
        ("*56", ev.AgentExtendAcw(agent_id="1001", seconds=EXTEND_ACW_S, at=AT)),
    ],
)
def test_each_code_is_the_core_input_for_the_seated_agent(code: str, expected: object) -> None:
    assert parse(code) == expected


def test_log_in_names_the_agent_and_needs_nobody_seated() -> None:
    assert parse("*511005", seated=None) == ev.AgentLogin(
        agent_id="1005", position_id="tic1", at=AT
    )


@pytest.mark.parametrize(
    ("code", "seated", "why"),
    [
        ("14023", "1001", "'14023' is not a feature code (*51..*56)"),
        ("*5", "1001", "'*5' is not a feature code (*51..*56)"),
        ("*51", None, "log in needs the agent number after *51, got '*51'"),
        ("*51abc", None, "log in needs the agent number after *51, got '*51abc'"),
        ("*52", None, "nobody is logged in at position tic1"),
        ("*54", None, "nobody is logged in at position tic1"),
        ("*521", "1001", "'*521': *52 takes no digits after it"),
        ("*5610", "1001", "'*5610': *56 takes no digits after it"),
        ("*534", "1001", "unknown feature code '*534'; known: *51N, *52, *53[1-3], *54, *55, *56"),
        ("*57", "1001", "unknown feature code '*57'; known: *51N, *52, *53[1-3], *54, *55, *56"),
    ],
)
def test_a_code_that_cannot_be_carried_out_says_why(
    code: str, seated: str | None, why: str
) -> None:
    assert parse(code, seated) == FeatureError(why)


def test_each_carried_out_code_has_a_spoken_confirmation() -> None:
    codes = ("*511001", "*52", "*53", "*54", "*55", "*56")
    confirmed = {code: confirmation(parse(code)) for code in codes}
    assert confirmed == {
        "*511001": "feature-logged-in",
        "*52": "feature-logged-out",
        "*53": "feature-paused",
        "*54": "feature-available",
        "*55": "feature-available",
        "*56": "feature-more-after-call-work",  # still in after-call work: not "available"
    }
    assert {*confirmed.values(), REFUSED} <= set(FEATURE_TEXTS)


# ------------------------------------------------------------ a call to /feature


def dialled(code: str, extension: str = "201") -> FakeAgiChannel:
    """The agent's phone at ``extension`` dials ``code`` (FastAGI ``/feature``)."""
    return FakeAgiChannel("feature", extension=code, channel=f"PJSIP/{extension}-0000000a")


async def dial(r: Rig, code: str, extension: str = "201", *, keys: str = "") -> list[str]:
    agi = dialled(code, extension)
    agi.press(keys)
    await r.controller.features.handle(agi)
    return agi.commands


def heard(prompt: str) -> list[str]:
    return ["SET VARIABLE KCC_HANDLED 1", "ANSWER", f"STREAM FILE kcc/prompts/{prompt}"]


PIN_KEYS = "0123456789#"
ASKED = ["ANSWER", f"STREAM FILE kcc/prompts/feature-pin {PIN_KEYS}"]
ASKED_AGAIN = [f"STREAM FILE kcc/prompts/feature-pin-again {PIN_KEYS}"]


def typed(keys: str) -> list[str]:
    """The waits for each key after the first, which the prompt itself took."""
    return ["WAIT FOR DIGIT 5000"] * (len(keys) - 1)


async def test_an_agents_day_on_feature_codes() -> None:
    async with rig() as r:
        logged_in = await dial(r, "*511001", keys="9001#")  # the sample's demo PIN
        assert logged_in == ASKED + typed("9001#") + heard("feature-logged-in")
        assert r.controller.queue.agent_at("tic1") == "1001"
        assert state_of(r, "1001") is AgentState.AVAILABLE
        assert await dial(r, "*532") == heard("feature-paused")
        agent = next(a for a in r.controller.queue.agents() if a.agent_id == "1001")
        assert (agent.state, agent.pause_reason) == (AgentState.PAUSED, PauseReason.TRAINING)
        assert await dial(r, "*54") == heard("feature-available")
        assert state_of(r, "1001") is AgentState.AVAILABLE
        assert await dial(r, "*52") == heard("feature-logged-out")
        assert r.controller.queue.agent_at("tic1") is None


async def test_after_call_work_is_ended_or_extended_by_code() -> None:
    async with rig() as r:
        log_in(r, "1001", "tic1")
        r.asterisk.outcomes["201"] = ANSWERED
        caller = await queued(r, "c1")
        await caller.gone()
        r.emit(hangup(Chan("PJSIP/201-00000002", "kcc-c1-1", "c1")))
        await r.settle()
        assert state_of(r, "1001") is AgentState.AFTER_CALL_WORK
        assert await dial(r, "*56") == heard("feature-more-after-call-work")
        await r.clock.advance(60)  # the site's minute is over, the extra one is not
        assert state_of(r, "1001") is AgentState.AFTER_CALL_WORK
        assert await dial(r, "*55") == heard("feature-available")
        assert state_of(r, "1001") is AgentState.AVAILABLE


async def test_a_code_the_core_refuses_is_answered_with_the_refusal() -> None:
    async with rig() as r:
        log_in(r, "1001", "tic1")
        refused = await dial(r, "*511002", keys="9002#")  # tic1 is taken by 1001
        assert refused == ASKED + typed("9002#") + heard(REFUSED)
        assert r.controller.queue.agent_at("tic1") == "1001"
        assert await dial(r, "*55") == heard(REFUSED)  # not in after-call work


async def test_a_code_that_does_not_parse_is_refused_without_asking_the_core(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with rig() as r:
        assert await dial(r, "*52") == heard(REFUSED)
        assert "feature code at tic1: nobody is logged in at position tic1" in caplog.text
        assert r.sink.events == []


async def test_a_phone_that_is_no_tic_position_is_refused(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with rig() as r:
        assert await dial(r, "*511001", extension="301") == heard(REFUSED)
        assert "feature code *511001 from 301, which is no TIC position" in caplog.text
        assert r.controller.queue.agent_at("tic1") is None


async def test_a_wrong_pin_is_asked_again_and_three_wrong_ones_log_nobody_in(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with rig() as r:
        wrong = await dial(r, "*511001", keys="1234#0000#9999#")
        assert wrong == (
            ASKED + typed("1234#") + ASKED_AGAIN + typed("0000#") + ASKED_AGAIN + typed("9999#")
            + heard(REFUSED)
        )  # fmt: skip
        assert r.controller.queue.agent_at("tic1") is None
        assert "wrong PIN 3 times for agent 1001 at tic1" in caplog.text
        again = await dial(r, "*511001", keys="1234#9001#")
        assert again == ASKED + typed("1234#") + ASKED_AGAIN + typed("9001#") + heard(
            "feature-logged-in"
        )
        assert r.controller.queue.agent_at("tic1") == "1001"
        entries = r.audit.day(r.clock.now().date()).entries
        assert [(e.user, e.via, e.action, e.outcome, e.detail) for e in entries] == [
            ("agent 1001", "phone", "login", "forbidden", {"position": "tic1"}),
            ("agent 1001", "phone", "login", "done", {"position": "tic1"}),
        ]
        assert "9001" not in (r.audit.folder / "audit-2026-06-15.jsonl").read_text()


async def test_a_pin_left_unfinished_is_read_until_the_keys_stop() -> None:
    async with rig() as r:
        # No "#": the PIN ends when no key comes for 5 s; nothing at all is a wrong PIN.
        assert await dial(r, "*511001", keys="9001") == (
            ASKED + typed("9001") + ["WAIT FOR DIGIT 5000"] + heard("feature-logged-in")
        )


async def test_without_a_pin_the_agent_number_logs_in() -> None:
    site = sample_site()
    agents = tuple(a.model_copy(update={"pin_hash": None}) for a in site.agents)
    access = site.access.model_copy(update={"phone_pin_required": False})
    async with rig(site.model_copy(update={"agents": agents, "access": access})) as r:
        assert await dial(r, "*511001") == heard("feature-logged-in")


async def test_every_code_is_audited_as_done_or_refused_by_phone() -> None:
    async with rig() as r:
        await dial(r, "*511001", keys="9001#")
        await dial(r, "*533")
        await dial(r, "*55")  # paused, not in after-call work: refused
        await dial(r, "*52")
        entries = r.audit.day(r.clock.now().date()).entries
        assert [(e.action, e.outcome, e.agent_id, e.detail) for e in entries] == [
            ("login", "done", "1001", {"position": "tic1"}),
            ("pause", "done", "1001", {"position": "tic1", "reason": "backoffice"}),
            ("after-call-work/end", "refused", "1001", {"position": "tic1"}),
            ("logout", "done", "1001", {"position": "tic1"}),
        ]
        assert {e.via for e in entries} == {"phone"}
