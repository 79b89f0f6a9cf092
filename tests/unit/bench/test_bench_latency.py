"""bench/latency.py: stream-id order, first covering sighting per event, percentiles."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

import pytest

from realtime_stats.store import StreamId
from tests.unit.realtime_stats.test_fold_script import Script, stream_fields

BENCH_DIR = Path(__file__).resolve().parents[3] / "bench"


@pytest.fixture
def lat(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """bench/ is not an installed package; import it the way the benchmark does."""
    monkeypatch.syspath_prepend(str(BENCH_DIR))
    return importlib.import_module("latency")


def ev(lat: ModuleType, sid: str, at_s: float, kind: str = "call.queued") -> object:
    return lat.StreamEvent(StreamId.parse(sid), at_s, kind)


def seen(lat: ModuleType, at_s: float, through: str) -> object:
    return lat.Sighting(at_s, lat.parse_through(through))


def test_through_is_parsed_as_an_id_and_empty_means_none(lat: ModuleType) -> None:
    assert lat.parse_through("1732000000000-7") == StreamId(1_732_000_000_000, 7)
    assert lat.parse_through("") is None
    with pytest.raises(ValueError, match="events_through: stream id '17-x'"):
        lat.parse_through("17-x")


def test_ids_compare_as_numbers_not_strings(lat: ModuleType) -> None:
    # As strings "999-0" > "1000-0" and "5-10" < "5-9": a render through 1000-0 covers
    # 999-0, and one through 5-9 does not cover 5-10.
    events = [ev(lat, "999-0", 0.0), ev(lat, "5-10", 0.0)]
    m = lat.match(events, [seen(lat, 1.0, "5-9"), seen(lat, 2.0, "1000-0")])
    assert [(e.stream_id, latency) for e, latency in m.shown] == [
        (StreamId(5, 10), 2.0),
        (StreamId(999, 0), 2.0),
    ]


def test_each_event_takes_the_first_sighting_in_time_that_covers_it(lat: ModuleType) -> None:
    events = [ev(lat, "10-0", 100.0), ev(lat, "10-1", 100.5), ev(lat, "12-0", 101.0)]
    sightings = [  # given out of time order on purpose
        seen(lat, 101.25, "12-0"),
        seen(lat, 100.25, "10-0"),
        seen(lat, 100.0, ""),
        seen(lat, 100.75, "10-1"),
    ]
    m = lat.match(events, sightings)
    assert m.latencies_s == [0.25, 0.25, 0.25]
    assert m.unshown == ()


def test_a_sighting_that_goes_back_does_not_unshow(lat: ModuleType) -> None:
    # A reconnect may show an older cached snapshot; what was shown stays shown, and a
    # later event needs a sighting at or past its own id.
    events = [ev(lat, "10-0", 0.0), ev(lat, "11-0", 0.0)]
    m = lat.match(events, [seen(lat, 1.0, "10-0"), seen(lat, 2.0, "9-0"), seen(lat, 3.0, "11-0")])
    assert m.latencies_s == [1.0, 3.0]


def test_events_after_the_last_sighting_are_unshown_not_dropped(lat: ModuleType) -> None:
    events = [ev(lat, "1-0", 0.0), ev(lat, "2-0", 0.0), ev(lat, "3-0", 0.0)]
    m = lat.match(events, [seen(lat, 0.5, "1-0")])
    assert len(m.shown) == 1
    assert [e.stream_id for e in m.unshown] == [StreamId(2, 0), StreamId(3, 0)]
    assert lat.summarize(m).unshown == 2


def test_nearest_rank_percentiles(lat: ModuleType) -> None:
    values = [float(v) for v in range(100, 0, -1)]  # 1..100, unsorted
    assert lat.percentile(values, 50) == 50.0
    assert lat.percentile(values, 95) == 95.0
    assert lat.percentile(values, 99) == 99.0
    assert lat.percentile(values, 100) == 100.0
    assert lat.percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert lat.percentile([7.0], 99) == 7.0
    with pytest.raises(ValueError, match="percentile of no values"):
        lat.percentile([], 50)
    with pytest.raises(ValueError, match="must be in"):
        lat.percentile([1.0], 0)


def test_summary_in_ms_and_by_type(lat: ModuleType) -> None:
    events = [
        ev(lat, f"{i}-0", 0.0, "agent.state" if i % 2 else "call.queued") for i in range(1, 5)
    ]
    sightings = [seen(lat, i / 10, f"{i}-0") for i in range(1, 5)]
    m = lat.match(events, sightings)
    summary = lat.summarize(m)
    assert (summary.count, summary.p50_ms, summary.max_ms, summary.min_ms) == (
        4,
        200.0,
        400.0,
        100.0,
    )
    kinds = lat.by_type(m)
    assert list(kinds) == ["agent.state", "call.queued"]
    assert (kinds["agent.state"].count, kinds["agent.state"].max_ms) == (2, 300.0)
    with pytest.raises(ValueError, match="no event was shown"):
        lat.summarize(lat.match(events, []))


def test_stream_entries_are_read_with_their_at(lat: ModuleType) -> None:
    fields = {"type": "call.ended", "at": "2026-11-23T09:00:01.250000+00:00"}
    event = lat.stream_event("1795424401250-0", fields)
    assert (event.stream_id, event.type) == (StreamId(1_795_424_401_250, 0), "call.ended")
    assert event.at_s == pytest.approx(1_795_424_401.25)
    with pytest.raises(ValueError, match="stream entry 1-0: 'at' 'yesterday' is not an ISO"):
        lat.stream_event("1-0", {"type": "x", "at": "yesterday"})
    with pytest.raises(ValueError, match="has no time zone"):
        lat.stream_event("1-0", {"type": "x", "at": "2026-11-23T09:00:00"})


def test_result_rows_carry_the_baseline(lat: ModuleType) -> None:
    ours = lat.Summary(
        count=9, unshown=0, p50_ms=40.04, p95_ms=90, p99_ms=120, min_ms=1, max_ms=130
    )
    base = lat.Summary(
        count=9, unshown=1, p50_ms=1500, p95_ms=2900, p99_ms=3000, min_ms=5, max_ms=3100
    )
    rows = lat.result_entries("wallboard_latency", ours, base, "poll every 3 s")
    assert rows["wallboard_latency_p50_ms"] == {
        "value": 40.0,
        "unit": "ms",
        "baseline": "poll every 3 s",
        "baseline_value": 1500,
    }
    assert sorted(rows) == [f"wallboard_latency_p{q}_ms" for q in (50, 95, 99)]


def test_board_changing_leaves_out_what_the_board_does_not_show(lat: ModuleType) -> None:
    script = Script()
    script.answered_call("c1", "1001", 60)
    script.abandoned_call("c2", 90)
    entries = [(str(e.stream_id), stream_fields(e)) for e in script.events]
    entries.insert(3, ("1003-1", {"type": "call.ivr_step"}))  # undecodable: no v, no at
    changing = lat.board_changing(entries)
    kinds = {
        (e.event.TYPE, str(getattr(e.event, "state", "")))
        for e in script.events
        if e.stream_id in changing
    }
    assert kinds == {
        ("call.queued", ""),
        ("agent.state", "ringing"),
        ("call.answered", ""),
        ("agent.state", "talking"),
        ("call.ended", ""),
        ("agent.state", "after_call_work"),
        ("agent.state", "available"),
    }
    # A call's start, its IVR steps and the offer (a ring, not a record) change nothing.
    assert {e.event.TYPE for e in script.events if e.stream_id not in changing} == {
        "call.started",
        "call.ivr_step",
        "call.offered",
    }
    assert StreamId(1003, 1) not in changing
