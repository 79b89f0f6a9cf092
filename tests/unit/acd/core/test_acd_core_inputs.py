"""Inputs and effects check their own shape when made."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from acd.core import inputs as ev
from acd.core.effects import Publish
from contract import events as stream
from tests.unit.acd.core.acd_driver import T0


@pytest.mark.parametrize(
    ("at", "why"),
    [
        (datetime(2026, 11, 23, 8, 0), "naive"),
        (datetime(2026, 11, 23, 9, 0, tzinfo=timezone(timedelta(hours=1))), "not UTC"),
        ("2026-11-23T08:00:00Z", "not a datetime"),
    ],
)
def test_at_must_be_aware_utc(at: Any, why: str) -> None:
    with pytest.raises(ValueError, match=r"AgentLogout\.at must be an aware datetime in UTC"):
        ev.AgentLogout(agent_id="1001", at=at)


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: ev.AgentLogin(agent_id="", position_id="tic1", at=T0), "AgentLogin.agent_id"),
        (lambda: ev.AgentLogin(agent_id="1001", position_id="", at=T0), "AgentLogin.position_id"),
        (
            lambda: ev.CallQueued(
                call_id="c", topic="", municipality=None, fell_back_from=None, at=T0
            ),
            "CallQueued.topic",
        ),
        (
            lambda: ev.CallQueued(
                call_id="c", topic="a", municipality="", fell_back_from=None, at=T0
            ),
            "CallQueued.municipality",
        ),
        (lambda: ev.TimerFired(key="", at=T0), "TimerFired.key"),
        (
            lambda: ev.OfferFailed(call_id="c", agent_id="1", reason="timeout", at=T0),
            "OfferFailed.reason",
        ),
        (
            lambda: ev.AgentPause(agent_id="1001", reason="break", at=T0),  # type: ignore[arg-type]
            "AgentPause.reason",
        ),
        (
            lambda: ev.AgentSetTopics(agent_id="1001", topics=frozenset(), at=T0),
            "AgentSetTopics.topics",
        ),
        (
            lambda: ev.AgentSetTopics(agent_id="1001", topics={"algemeen"}, at=T0),  # type: ignore[arg-type]
            "AgentSetTopics.topics",
        ),
    ],
)
def test_bad_fields_are_named(make: Any, field: str) -> None:
    with pytest.raises(ValueError, match=field.replace(".", r"\.")):
        make()


@pytest.mark.parametrize("seconds", [0, -5, math.nan, math.inf, ev.MAX_ACW_EXTENSION_S + 1])
def test_acw_extension_must_be_a_sensible_number_of_seconds(seconds: float) -> None:
    with pytest.raises(ValueError, match=r"AgentExtendAcw\.seconds"):
        ev.AgentExtendAcw(agent_id="1001", seconds=seconds, at=T0)


def test_every_failure_reason_is_accepted() -> None:
    for reason in sorted(ev.FAILURE_REASONS):
        assert ev.OfferFailed(call_id="c", agent_id="1", reason=reason, at=T0).reason == reason


def test_inputs_are_frozen() -> None:
    login = ev.AgentLogin(agent_id="1001", position_id="tic1", at=T0)
    with pytest.raises(AttributeError):
        login.agent_id = "1002"  # type: ignore[misc]


def test_publish_reads_its_event_as_the_stream_spells_it_and_read_only() -> None:
    offered = stream.CallOffered(at=T0, call_id="c", agent_id="1", position_id="tic1")
    event = Publish(offered)
    assert (event.type, event.at, event.call_id, event.agent_id) == ("call.offered", T0, "c", "1")
    assert dict(event.fields) == {"position_id": "tic1"}
    with pytest.raises(TypeError):
        event.fields["position_id"] = "tic3"  # type: ignore[index]
