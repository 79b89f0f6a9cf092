"""bench/sample_traffic.py: the synthetic trace is well-formed Asterisk 22 traffic we fully type."""

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
