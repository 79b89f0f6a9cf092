"""Benchmark: one wallboard push on a busy day, the kept figures against a fresh pass.

Builds a busy day in-process (``bench/busy_day.py``: 3,000 and 10,000 calls of varied
outcomes over the sample site's topics and municipalities, 240 agents with the intervals
their calls leave, 300 callback notes), restores it into a real ``EventFold`` and reads it
through the real ``ConsumerBoardFeed``, as the stats service does. Then, push by push,
a batch of real events is folded in (two callers queue, two agents change state) and the
clock moves on 0.2 s, and each push is rendered twice from the same inputs:

* kept    ``KeptSnapshot`` (the figures kept from push to push, what the service runs)
          plus the JSON dump: ``board_render_busy_day_ms`` at 10,000 calls;
* afresh  ``board_snapshot`` plus the JSON dump, every figure from every record: the
          render before the figures were kept, the baseline.

The two JSON texts must be equal at every push, or the run fails. Also measured, not
written: the feed's ``inputs()`` and folding one event, at each size.

    .venv/bin/python bench/bench_board_render.py [--pushes N] [--no-write] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from busy_day import BusyDay, busy_day  # noqa: E402
from results_file import merge_results  # noqa: E402

from contract.events import AgentStateChanged, CallQueued, CallStarted, StreamEvent  # noqa: E402
from contract.vocabulary import AgentState, PauseReason  # noqa: E402
from realtime_stats.figures.tracked_records import TrackedCall, TrackedInterval  # noqa: E402
from realtime_stats.ingest.consumer import EventConsumer  # noqa: E402
from realtime_stats.ingest.entries import StreamEntry  # noqa: E402
from realtime_stats.ingest.fold import EventFold  # noqa: E402
from realtime_stats.store import FoldSnapshot, StreamId  # noqa: E402
from realtime_stats.wallboard.consumer_feed import ConsumerBoardFeed  # noqa: E402
from realtime_stats.wallboard.feed import BoardInputs  # noqa: E402
from realtime_stats.wallboard.kept_snapshot import KeptSnapshot  # noqa: E402
from realtime_stats.wallboard.snapshot import board_snapshot  # noqa: E402
from site_config import SiteConfig, load_site_config  # noqa: E402

RESULTS_PATH = ROOT / "bench" / "results.json"
SITE_PATH = ROOT / "config" / "site.yaml"
SIZES = (3000, 10000)


class _Consumer:
    """What ``ConsumerBoardFeed`` reads of an ``EventConsumer``: its fold."""

    def __init__(self, fold: EventFold) -> None:
        self.fold = fold


class _Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def restored_fold(day: BusyDay) -> EventFold:
    """The day as the store gives it back: every call and interval, handling done."""
    fold = EventFold()
    fold.restore(
        FoldSnapshot(
            calls=tuple(
                TrackedCall(record=c, agent_done=c.ended_at is not None) for c in day.calls
            ),
            intervals=tuple(
                TrackedInterval(interval=i, position_id=day.positions.get(i.agent_id))
                for i in day.intervals
            ),
            notes=day.notes,
            last_stream_id=StreamId(1, 0),
        )
    )
    return fold


class _Events:
    """Each push's batch: two callers queue, two agents go on a break or come back."""

    def __init__(self, fold: EventFold, agents: list[str]) -> None:
        self._fold, self._agents = fold, agents
        self._ms, self._calls, self._turn = 2, 0, 0

    def fold_batch(self, now: datetime) -> None:
        for event in self._batch(now):
            self.fold_one(event)

    def fold_one(self, event: StreamEvent) -> None:
        self._ms += 1
        self._fold.apply(StreamEntry(StreamId(self._ms, 0), event))

    def _batch(self, now: datetime) -> list[StreamEvent]:
        events: list[StreamEvent] = []
        for _ in range(2):
            self._calls += 1
            call_id = f"push-{self._calls:06d}"
            events.append(CallStarted(at=now, call_id=call_id))
            events.append(CallQueued(at=now, call_id=call_id, topic="burgerzaken"))
        for _ in range(2):
            agent = self._agents[self._turn % len(self._agents)]
            pause = (self._turn // len(self._agents)) % 2 == 0
            self._turn += 1
            events.append(
                AgentStateChanged(
                    at=now,
                    agent_id=agent,
                    state=AgentState.PAUSED if pause else AgentState.AVAILABLE,
                    reason=PauseReason.BREAK if pause else None,
                    position_id=f"pos-{agent}",
                )
            )
        return events


def _dump(snapshot: dict[str, Any]) -> str:
    return json.dumps(snapshot, separators=(",", ":"), allow_nan=False)


def _ms(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return (time.perf_counter() - start) * 1000


def _push(site: SiteConfig, kept: KeptSnapshot, inputs: BoardInputs) -> tuple[float, float]:
    """One push rendered kept and afresh: (ms, ms); the two texts must be equal."""
    start = time.perf_counter()
    text = _dump(kept.snapshot(inputs))
    middle = time.perf_counter()
    fresh = _dump(board_snapshot(site, inputs))
    end = time.perf_counter()
    if text != fresh:
        raise SystemExit(f"{len(inputs.calls)} calls: the kept board differs from the fresh one")
    return (middle - start) * 1000, (end - middle) * 1000


def run_size(site: SiteConfig, calls: int, pushes: int) -> dict[str, float]:
    day = busy_day(site, calls=calls)
    fold = restored_fold(day)
    clock = _Clock(day.now)
    feed = ConsumerBoardFeed(cast(EventConsumer, _Consumer(fold)), clock=clock)
    events = _Events(fold, sorted(day.positions)[:60])
    kept = KeptSnapshot(site)
    first = feed.inputs()
    build = _ms(lambda: kept.snapshot(first))
    kept_ms, afresh_ms, inputs_ms, fold_ms = [], [], [], []
    for _ in range(pushes):
        clock.now += timedelta(milliseconds=200)
        fold_ms.append(_ms(lambda: events.fold_batch(clock.now)) / 6)
        inputs_ms.append(_ms(feed.inputs))
        kept_push, afresh_push = _push(site, kept, feed.inputs())
        kept_ms.append(kept_push)
        afresh_ms.append(afresh_push)
    figures = {
        "calls": float(len(first.calls)),
        "intervals": float(len(first.intervals)),
        "first_render_ms": build,
        "kept_ms": statistics.median(kept_ms),
        "kept_p95_ms": statistics.quantiles(kept_ms, n=20)[-1],
        "afresh_ms": statistics.median(afresh_ms),
        "inputs_ms": statistics.median(inputs_ms),
        "fold_event_ms": statistics.median(fold_ms),
    }
    print(
        f"{calls:>6} calls, {len(first.intervals):,} intervals: push kept "
        f"{figures['kept_ms']:.1f} ms (p95 {figures['kept_p95_ms']:.1f}), afresh "
        f"{figures['afresh_ms']:.1f} ms, first kept render {build:.0f} ms; feed inputs() "
        f"{figures['inputs_ms']:.2f} ms, one event folded {figures['fold_event_ms'] * 1000:.0f} us"
    )
    return figures


def profile(site: SiteConfig, calls: int) -> None:
    """Where a fresh render's time goes, and a kept one's (cProfile, by own time)."""
    day = busy_day(site, calls=calls)
    inputs = BoardInputs(
        calls=day.calls, intervals=day.intervals, callback_notes=day.notes, now=day.now
    )
    kept = KeptSnapshot(site)
    kept.snapshot(inputs)
    later = BoardInputs(
        calls=day.calls[:-1] + day.calls[-1:],
        intervals=day.intervals,
        callback_notes=day.notes,
        now=day.now + timedelta(seconds=1),
    )
    for name, work in (
        ("afresh", lambda: board_snapshot(site, inputs)),
        ("kept", lambda: kept.snapshot(later)),
    ):
        profiler = cProfile.Profile()
        profiler.runcall(work)
        print(f"\n== {name}, {calls} calls")
        pstats.Stats(profiler).sort_stats("tottime").print_stats(12)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pushes", type=int, default=40, help="pushes measured per size")
    parser.add_argument("--no-write", action="store_true", help="do not touch results.json")
    parser.add_argument("--results", type=Path, default=RESULTS_PATH)
    parser.add_argument("--profile", action="store_true", help="print cProfile tables too")
    args = parser.parse_args(argv)
    site = load_site_config(SITE_PATH)
    if args.profile:
        profile(site, SIZES[-1])
    measured = {size: run_size(site, size, args.pushes) for size in SIZES}
    busy, smaller = measured[10000], measured[3000]
    entries = {
        "board_render_busy_day_ms": {
            "value": round(busy["kept_ms"], 2),
            "unit": "ms per push, 10,000 calls",
            "baseline": "from-scratch render",
            "baseline_value": round(busy["afresh_ms"], 1),
        },
        "board_render_3000_calls_ms": {
            "value": round(smaller["kept_ms"], 2),
            "unit": "ms per push, 3,000 calls",
            "baseline": "from-scratch render",
            "baseline_value": round(smaller["afresh_ms"], 1),
        },
    }
    if not args.no_write:
        merge_results(args.results, entries)
        print(f"merged {len(entries)} figures into {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
