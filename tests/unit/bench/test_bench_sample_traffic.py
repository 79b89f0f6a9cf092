"""bench/sample_traffic.py: the synthetic trace is well-formed Asterisk 22 traffic we parse."""

from __future__ import annotations

import importlib
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from acd.ami.events import EventFactory, GenericEvent, InvalidEvent
from acd.ami.frames import Banner, Event
from acd.ami.protocol import AmiProtocol

BENCH_DIR = Path(__file__).resolve().parents[3] / "bench"


@pytest.fixture
def traffic(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """bench/ is not an installed package; import it the way the benchmark does."""
    monkeypatch.syspath_prepend(str(BENCH_DIR))
    return importlib.import_module("sample_traffic")


def test_trace_is_deterministic_and_parses_without_errors(traffic: ModuleType) -> None:
    data = traffic.synthetic_queue_trace(30)
    assert data == traffic.synthetic_queue_trace(30)
    protocol = AmiProtocol()
    protocol.receive_data(data)
    factory = EventFactory()
    names: Counter[str] = Counter()
    types: Counter[str] = Counter()
    first = protocol.next_event()
    assert isinstance(first, Banner)
    while (frame := protocol.next_event()) is not None:
        assert isinstance(frame, Event), frame
        event = factory.build(frame)
        assert not isinstance(event, InvalidEvent), event
        names[frame.name] += 1
        types[type(event).__name__] += 1
    assert names["QueueCallerJoin"] == 30
    assert names["Hangup"] == names["Newchannel"] == types["Hangup"]
    assert names["AgentConnect"] + names["QueueCallerAbandon"] == 30
    assert types["DialEnd"] > 0 and types[GenericEvent.__name__] > 0
