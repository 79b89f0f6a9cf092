"""The automatic recording policy, and its sink on answered calls."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from acd.recording.automatic import AutomaticRecording
from acd.recording.facts import CallFactsBook
from acd.recording.policy import records, share_bucket
from contract.events import CallAnswered, CallEnded, CallQueued, CallRecording
from contract.vocabulary import CallPhase, EndedBy, RecordingState
from site_config.recording import Automatic, AutomaticMode, CoachedAgent

DAY = date(2026, 12, 3)
T0 = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def decide(policy: Automatic, call: str = "c1", topic: str | None = "afval") -> bool:
    return records(policy, call_id=call, topic=topic, agent_id="1001", today=DAY)


def test_none_and_all() -> None:
    assert not decide(Automatic())
    assert decide(Automatic(mode=AutomaticMode.ALL))


def test_a_share_is_the_same_for_a_call_every_time_and_near_the_percentage() -> None:
    policy = Automatic(mode=AutomaticMode.SHARE, share_percent=20)
    calls = [f"1796{n}.{n % 7}" for n in range(2000)]
    chosen = [c for c in calls if decide(policy, c)]
    assert chosen == [c for c in calls if decide(policy, c)]
    assert 0.17 < len(chosen) / len(calls) < 0.23
    assert all(0 <= share_bucket(c) < 100 for c in calls)


def test_topics_and_a_coaching_period_that_ends() -> None:
    assert decide(Automatic(mode=AutomaticMode.TOPICS, topics=("afval",)))
    assert not decide(Automatic(mode=AutomaticMode.TOPICS, topics=("afval",)), topic="parkeren")
    assert not decide(Automatic(mode=AutomaticMode.TOPICS, topics=("afval",)), topic=None)
    period = Automatic(
        mode=AutomaticMode.AGENTS, agents=(CoachedAgent(agent_id="1001", until=DAY),)
    )
    assert decide(period)
    after = records(period, call_id="c", topic=None, agent_id="1001", today=date(2026, 12, 4))
    other = records(period, call_id="c", topic=None, agent_id="1002", today=DAY)
    assert not after and not other


@pytest.mark.parametrize(
    ("policy", "started"),
    [
        (Automatic(mode=AutomaticMode.TOPICS, topics=("burgerzaken",)), [("1001", "c1")]),
        (Automatic(mode=AutomaticMode.TOPICS, topics=("afval",)), []),
    ],
)
def test_the_sink_starts_on_the_answer_with_the_calls_topic(
    policy: Automatic, started: list[tuple[str, str]]
) -> None:
    facts = CallFactsBook({})
    seen: list[tuple[str, str]] = []
    sink = AutomaticRecording(
        policy, facts, ZoneInfo("Europe/Amsterdam"), lambda a, c: seen.append((a, c))
    )
    for event in (
        CallQueued(at=T0, call_id="c1", topic="burgerzaken"),
        CallAnswered(at=T0, call_id="c1", agent_id="1001", position_id="tic1"),
        CallEnded(at=T0, call_id="c1", phase=CallPhase.TALKING, by=EndedBy.AGENT),
    ):
        facts.publish(event)
        sink.publish(event)
    assert seen == started


def test_the_timeline_labels_are_dutch_and_bounded() -> None:
    facts = CallFactsBook({"afval": "Afval"}, kept=2)
    facts.publish(CallQueued(at=T0, call_id="c1", topic="afval", municipality="haarlem"))
    facts.publish(
        CallRecording(at=T0, call_id="c1", state=RecordingState.STARTED, extension="201", segment=1)
    )
    facts.publish(CallQueued(at=T0, call_id="c2", topic="afval"))
    facts.publish(CallQueued(at=T0, call_id="c3", topic="afval"))
    assert facts.of("c1").marks == ()  # forgotten: only the newest two calls are kept
    assert [m.label for m in facts.of("c3").marks] == ["In de wachtrij: Afval"]
    facts.publish(CallRecording(at=T0, call_id="c3", state=RecordingState.STORED, extension="2"))
    assert len(facts.of("c3").marks) == 1, "stored is not a moment of the call"
