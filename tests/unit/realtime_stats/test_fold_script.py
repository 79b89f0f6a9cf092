"""The event scripts the fold, store and consumer tests share, and the checks on them.

A `Script` writes a contact-centre morning as docs/events.md entries, each with the next
stream id and a time in seconds after T0, read as the consumer reads them
(`read_entry`, through `contract.decode`): a typed `StreamEntry`, or an `UnreadableEntry`
for fields the contract refuses. `stream_fields` gives the strings the controller's
publisher puts on the Redis Stream (`contract.encode`), so the same script feeds the fold
directly and a real redis-server.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from contract.codec import encode
from realtime_stats.ingest.entries import ReadEntry, StreamEntry, read_entry
from realtime_stats.ingest.fold import EventFold
from realtime_stats.store import StreamId

T0 = datetime(2026, 6, 15, 7, 0, tzinfo=UTC)  # 09:00 in Amsterdam


class Script:
    def __init__(self, start: datetime = T0, first_ms: int = 1_000) -> None:
        self.start = start
        self.events: list[ReadEntry] = []
        self._ms = first_ms

    def at(self, seconds: float) -> datetime:
        return self.start + timedelta(seconds=seconds)

    def add(
        self, type_: str, seconds: float, *, call: str = "", agent: str = "", **fields: str
    ) -> ReadEntry:
        self._ms += 1
        entry = read_entry(
            StreamId(self._ms, 0),
            {
                "v": fields.pop("v", "1"),
                "type": type_,
                "at": self.at(seconds).isoformat(timespec="microseconds"),
                "call_id": call,
                "agent_id": agent,
                **fields,
            },
        )
        self.events.append(entry)
        return entry

    def state(
        self, agent: str, seconds: float, state: str, call: str = "", **extra: str
    ) -> ReadEntry:
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
            self.add(
                "call.recording",
                at + wait + 1,
                call=call,
                agent=agent,
                state="started",
                extension="tic1",
                segment="1",
            )
        self.add(
            "call.ended", at + wait + talk, call=call, agent=agent, phase="talking", by="agent"
        )
        self.state(agent, at + wait + talk, "after_call_work", call, position_id="tic1")
        self.state(agent, at + wait + talk + acw, "available", position_id="tic1")

    def abandoned_call(self, call: str, at: float, *, wait: float = 30) -> None:
        self.add("call.started", at - 3, call=call)
        self.add("call.queued", at, call=call, topic="afval")
        self.add("call.ended", at + wait, call=call, phase="queue", by="caller")


def stream_fields(entry: ReadEntry) -> dict[str, str]:
    """The entry the controller's publisher XADDs for the entry's event."""
    assert isinstance(entry, StreamEntry), f"no event to publish: {entry}"
    return encode(entry.event)


def folded(events: list[ReadEntry], fold: EventFold | None = None) -> EventFold:
    fold = fold or EventFold()
    for event in events:
        fold.apply(event)
    return fold


def test_script_events_survive_the_stream_encoding() -> None:
    script = Script()
    script.answered_call("c1", "anna", 60)
    script.abandoned_call("c2", 90)

    for entry in script.events:
        assert isinstance(entry, StreamEntry), entry
        raw = {k.encode(): v.encode() for k, v in stream_fields(entry).items()}
        assert read_entry(str(entry.stream_id).encode(), raw) == entry


def test_script_ids_and_times_increase() -> None:
    script = Script()
    script.answered_call("c1", "anna", 60)
    ids = [e.stream_id for e in script.events]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    first = script.events[0]
    assert isinstance(first, StreamEntry) and first.event.at == T0 + timedelta(seconds=52)
