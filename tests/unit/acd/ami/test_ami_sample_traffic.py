"""The synthetic trace is well-formed Asterisk 22 traffic our parser fully types."""

from __future__ import annotations

from collections import Counter

from acd.ami.events import EventFactory, GenericEvent, InvalidEvent
from acd.ami.frames import Banner, Event
from acd.ami.protocol import AmiProtocol
from acd.ami.sample_traffic import synthetic_queue_trace


def test_trace_is_deterministic_and_parses_without_errors() -> None:
    data = synthetic_queue_trace(30)
    assert data == synthetic_queue_trace(30)
    protocol = AmiProtocol()
    protocol.receive_data(data)
    factory = EventFactory()
    kinds: Counter[str] = Counter()
    first = protocol.next_event()
    assert isinstance(first, Banner)
    while (frame := protocol.next_event()) is not None:
        assert isinstance(frame, Event), frame
        event = factory.build(frame)
        assert not isinstance(event, InvalidEvent), event
        kinds[type(event).__name__ if event is not None else "filtered"] += 1
    assert kinds["QueueCallerJoin"] == 30
    assert kinds["Hangup"] == kinds["Newchannel"]
    assert kinds["AgentConnect"] + kinds["QueueCallerAbandon"] == 30
    assert kinds["filtered"] > 0 and kinds[GenericEvent.__name__] > 0
