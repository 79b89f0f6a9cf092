"""The event scripts the fold, store and consumer tests share, and the checks on them.

A `Script` writes a contact-centre morning as docs/events.md events, each with the next
stream id and a time in seconds after T0. `stream_fields` gives the raw strings a
publisher puts on the Redis Stream, so the same script feeds the fold directly and a real
redis-server.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from realtime_stats.ingest.entries import Event, decode
from realtime_stats.ingest.fold import EventFold
from realtime_stats.store import StreamId

T0 = datetime(2026, 6, 15, 7, 0, tzinfo=UTC)  # 09:00 in Amsterdam


class Script:
    def __init__(self, start: datetime = T0, first_ms: int = 1_000) -> None:
        self.start = start
        self.events: list[Event] = []
        self._ms = first_ms

    def at(self, seconds: float) -> datetime:
        return self.start + timedelta(seconds=seconds)

    def add(
        self, type_: str, seconds: float, *, call: str = "", agent: str = "", **fields: str
    ) -> Event:
        self._ms += 1
        event = Event(
            stream_id=StreamId(self._ms, 0),
            v=fields.pop("v", "1"),
            type=type_,
            at=self.at(seconds),
            call_id=call or None,
            agent_id=agent or None,
            fields=fields,
        )
        self.events.append(event)
        return event

    def state(self, agent: str, seconds: float, state: str, call: str = "", **extra: str) -> Event:
        return self.add("agent.state", seconds, agent=agent, call=call, state=state, **extra)

    def answered_call(
        self,
        call: str,
        agent: str,
        at: float,
        *,
        wait: float = 10,
        talk: float = 60,
        acw: float = 30,
        topic: str = "burgerzaken",
        recorded: bool = False,
    ) -> None:
        """A call through a two-step menu, answered, talked and wrapped up; agent free after."""
        self.add("call.started", at - 8, call=call, caller="0612345678", dialled="14023")
        self.add(
            "call.ivr_step", at - 5, call=call, node="municipality", digit="1", outcome="chosen"
        )
        self.add("call.ivr_step", at - 2, call=call, node="topic", digit="2", outcome="chosen")
        self.add("call.queued", at, call=call, topic=topic, municipality="haarlem")
        self.add("call.offered", at + wait - 3, call=call, agent=agent, position_id="tic1")
        self.state(agent, at + wait - 3, "ringing", call, position_id="tic1")
        self.add("call.answered", at + wait, call=call, agent=agent, position_id="tic1")
        self.state(agent, at + wait, "talking", call, position_id="tic1")
        if recorded:
            self.add("call.recording", at + wait + 1, call=call, agent=agent, file=f"{call}.wav")
        self.add(
            "call.ended", at + wait + talk, call=call, agent=agent, phase="talking", by="agent"
        )
        self.state(agent, at + wait + talk, "after_call_work", call, position_id="tic1")
        self.state(agent, at + wait + talk + acw, "available", position_id="tic1")

    def abandoned_call(self, call: str, at: float, *, wait: float = 30) -> None:
        self.add("call.started", at - 3, call=call)
        self.add("call.queued", at, call=call, topic="afval")
        self.add("call.ended", at + wait, call=call, phase="queue", by="caller")


def stream_fields(event: Event) -> dict[str, str]:
    """The entry a publisher XADDs for `event`: every field a string, empty for none."""
    return {
        "v": event.v,
        "type": event.type,
        "at": event.at.isoformat(timespec="microseconds"),
        "call_id": event.call_id or "",
        "agent_id": event.agent_id or "",
        **event.fields,
    }


def folded(events: list[Event], fold: EventFold | None = None) -> EventFold:
    fold = fold or EventFold()
    for event in events:
        fold.apply(event)
    return fold


def test_script_events_survive_the_stream_encoding() -> None:
    script = Script()
    script.answered_call("c1", "anna", 60)
    script.abandoned_call("c2", 90)

    for event in script.events:
        raw = {k.encode(): v.encode() for k, v in stream_fields(event).items()}
        assert decode(str(event.stream_id).encode(), raw) == event


def test_script_ids_and_times_increase() -> None:
    script = Script()
    script.answered_call("c1", "anna", 60)
    ids = [e.stream_id for e in script.events]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert script.events[0].at == T0 + timedelta(seconds=52)
