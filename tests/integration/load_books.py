"""What the books must say after a fault under load: SIPp's call list, the controller's
events, the store's records and the wallboard agree.

* SIPp       every call it placed succeeded: 0 failed;
* the stream each caller number started once (``call.started``): its call id;
* the store  exactly one record per call id (a ``CallRecord`` once queued, else an
             ``IvrCall``), ended; answered exactly when the stream says so; an unknown
             end exactly when the stream never said the end (a killed controller's);
* the board  ``/api/wallboard``'s totals are what the store's records of the same day
             give, counted here by the definitions of docs/metrics.md.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from kcc.sipp.runner import SippResult
from realtime_stats.figures.periods import Period, local_day
from realtime_stats.figures.records import CallRecord
from realtime_stats.figures.tracked_records import IvrCall
from realtime_stats.store import open_store
from realtime_stats.store.database import store_target
from site_config import SiteConfig
from tests.integration.acd_harness import EventLog
from tests.integration.load_harness import FLOOR_AGENTS, Rig

LOST_PHASE = "lost"  # an IVR call whose end never came (realtime_stats.ingest.fold_calls)


@dataclass(frozen=True)
class Ledger:
    """The load's calls as the controller's event stream tells them."""

    call_of: dict[str, str]  # caller number -> call id, from call.started
    answered: frozenset[str]
    ended: frozenset[str]

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(self.call_of.values())


def read_ledger(events: EventLog, numbers: Collection[str]) -> Ledger:
    seen = events.all()
    started = [e for e in seen if e.type == "call.started" and e.fields.get("caller") in numbers]
    twice = sorted(n for n, k in Counter(e.fields["caller"] for e in started).items() if k > 1)
    assert not twice, f"caller numbers started more than once: {twice}"
    call_of = {e.fields["caller"]: e.call_id for e in started}
    ids = set(call_of.values())
    assert len(ids) == len(call_of), f"two numbers share a call id: {call_of}"

    def of(kind: str) -> frozenset[str]:
        return frozenset(e.call_id for e in seen if e.type == kind and e.call_id in ids)

    return Ledger(call_of=call_of, answered=of("call.answered"), ended=of("call.ended"))


def wait_ended(events: EventLog, call_ids: Collection[str], timeout_s: float = 90) -> None:
    """Until every one of ``call_ids`` has its ``call.ended`` (published on Asterisk's
    Hangup, a moment after SIPp counted the call)."""
    deadline = time.monotonic() + timeout_s
    while missing := set(call_ids) - {e.call_id for e in events.all() if e.type == "call.ended"}:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"no call.ended for {sorted(missing)}")
        events.wait(lambda e: e.type == "call.ended" and e.call_id in missing, timeout_s=left)


def assert_every_call_succeeded(result: SippResult, placed: int) -> None:
    assert (result.successful, result.failed, result.exit_code) == (placed, 0, 0), result.log


@dataclass(frozen=True)
class StoredDay:
    """The store's records of one day, read as the reports read them."""

    calls: list[CallRecord]
    ivr_calls: list[IvrCall]


def board_day(board: dict[str, Any], site: SiteConfig) -> Period:
    """The day the wallboard shows (its ``day``, in the site's time zone)."""
    return local_day(date.fromisoformat(board["day"]), ZoneInfo(site.timezone))


def read_store(database: str, period: Period) -> StoredDay:
    with open_store(store_target(database)) as store:
        return StoredDay(
            calls=store.calls_between(period.start, period.end),
            ivr_calls=store.ivr_calls_between(period.start, period.end),
        )


def assert_one_complete_record_each(day: StoredDay, ledger: Ledger) -> None:
    kept = Counter([c.call_id for c in day.calls] + [i.call_id for i in day.ivr_calls])
    assert set(kept) == ledger.ids, (
        f"without a record: {sorted(ledger.ids - set(kept))}; "
        f"records of no load call: {sorted(set(kept) - ledger.ids)}"
    )
    assert all(n == 1 for n in kept.values()), f"more than one record: {kept}"
    for call in day.calls:
        assert call.ended_at is not None, call
        assert (call.answered_at is not None) == (call.call_id in ledger.answered), call
        assert call.end_unknown == (call.call_id not in ledger.ended), call
    for ivr in day.ivr_calls:
        assert ivr.ended_at is not None, ivr
        assert (ivr.end_phase == LOST_PHASE) == (ivr.call_id not in ledger.ended), ivr


def store_totals(day: StoredDay, rules: dict[str, Any]) -> dict[str, Any]:
    """The wallboard's totals as the store's records give them (docs/metrics.md)."""
    calls = day.calls
    answered = [c for c in calls if c.answered_at is not None]
    unanswered_ended = [c for c in calls if c.answered_at is None and c.ended_at is not None]
    abandoned = [c for c in unanswered_ended if not c.end_unknown]
    short = [c for c in abandoned if _wait_s(c) <= rules["short_abandon_s"]]
    in_time = [c for c in answered if _wait_s(c) <= rules["answer_within_s"]]
    completed = [c for c in answered if c.ended_at is not None and not c.end_unknown]
    offered = len(answered) + len(abandoned)
    base = offered - len(short)
    return {
        "offered": offered,
        "answered": len(answered),
        "abandoned": len(abandoned),
        "short_abandoned": len(short),
        "unknown_end": sum(c.end_unknown for c in calls),
        "transferred": sum(c.transferred for c in completed),
        "waiting": sum(c.answered_at is None and c.ended_at is None for c in calls),
        "answer_rate": None if base == 0 else len(answered) / base,
        "service_level": None if base == 0 else len(in_time) / base,
    }


def _wait_s(call: CallRecord) -> float:
    until = call.answered_at or call.ended_at
    assert until is not None, call
    return (until - call.entered_at).total_seconds()


def assert_board_equals_store(board: dict[str, Any], day: StoredDay) -> None:
    expected = store_totals(day, board["rules"])
    totals = board["totals"]
    shown = {key: totals[key] for key in expected if key not in ("answer_rate", "service_level")}
    shown["answer_rate"] = totals["answer_rate"]["value"]
    shown["service_level"] = totals["service_level"]["value"]
    assert shown == pytest.approx(expected), f"wallboard {shown} != store {expected}"


def check_books(rig: Rig, numbers: Sequence[str], result: SippResult) -> Ledger:
    """Every call placed succeeded, reached the controller, was answered by the floor
    and has one complete record; the wallboard shows what the store holds."""
    assert_every_call_succeeded(result, len(numbers))
    ledger = read_ledger(rig.events, numbers)
    assert set(ledger.call_of) == set(numbers), (
        f"never reached the controller: {sorted(set(numbers) - set(ledger.call_of))}"
    )
    wait_ended(rig.events, ledger.ids)
    ledger = read_ledger(rig.events, numbers)
    assert ledger.answered == ledger.ids, f"not answered: {sorted(ledger.ids - ledger.answered)}"
    board, day = settled_books(rig)
    assert_one_complete_record_each(day, ledger)
    assert all(c.agent_id in FLOOR_AGENTS for c in day.calls), day.calls
    assert (board["totals"]["offered"], board["totals"]["answered"]) == (len(numbers),) * 2
    assert_board_equals_store(board, day)
    return ledger


def settled_books(rig: Rig) -> tuple[dict[str, Any], StoredDay]:
    """The wallboard and the store's day, once every event now in the stream is stored."""
    rig.stats.wait_stored()
    board = rig.stats.wallboard()
    return board, read_store(rig.stats.database, board_day(board, rig.site))
