"""Records to table rows and back, one pair of functions per table.

Rows read back are rebuilt through the records' own constructors, so a row someone
edited into an impossible call is refused with its key named, not handed to a figure.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any, TypeVar

from contract.vocabulary import AgentState, RingEndedBy, RingFailure, RingKind
from realtime_stats.figures.backoffice_records import BackOfficeRing, parse_choice
from realtime_stats.figures.records import AgentInterval, CallRecord, IvrStep, RecordError
from realtime_stats.figures.tracked_records import IvrCall, MenuStep, TrackedCall, TrackedInterval
from realtime_stats.store.database import Database, StoreError

CALL_COLUMNS = (
    "call_id",
    "entered_at",
    "municipality_id",
    "topic_id",
    "answered_at",
    "ended_at",
    "agent_id",
    "talk_seconds",
    "after_call_seconds",
    "transferred",
    "transfer_department",
    "fell_back_from_department",
    "recorded",
    "agent_done",
    "end_unknown",
)
STEP_COLUMNS = ("call_id", "seq", "node", "digit", "outcome", "at")
IVR_CALL_COLUMNS = ("call_id", "started_at", "ended_at", "end_phase", "ended_by")
INTERVAL_COLUMNS = (
    "agent_id",
    "start_at",
    "state",
    "end_at",
    "pause_reason",
    "call_id",
    "position_id",
)
RING_COLUMNS = (
    "call_id",
    "extension",
    "ring",
    "kind",
    "department_id",
    "rang_at",
    "answered_at",
    "not_answered_at",
    "not_answered_reason",
    "ended_at",
    "ended_by",
    "end_unknown",
)

Row = tuple[Any, ...]
E = TypeVar("E", bound=enum.Enum)


def upsert(table: str, columns: tuple[str, ...], keys: tuple[str, ...]) -> str:
    """INSERT ... ON CONFLICT DO UPDATE, which SQLite and PostgreSQL both understand."""
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in keys)
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) "
        f"VALUES ({', '.join('?' for _ in columns)}) "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}"
    )


def call_row(db: Database, tracked: TrackedCall) -> Row:
    c = tracked.record
    return (
        c.call_id,
        db.to_db(c.entered_at),
        c.municipality_id,
        c.topic_id,
        db.to_db(c.answered_at),
        db.to_db(c.ended_at),
        c.agent_id,
        c.talk_seconds,
        c.after_call_seconds,
        c.transferred,
        c.transfer_department,
        c.fell_back_from_department,
        c.recorded,
        tracked.agent_done,
        c.end_unknown,
    )


def step_rows(db: Database, call_id: str, steps: Iterable[MenuStep]) -> list[Row]:
    return [
        (call_id, seq, s.node, s.digit, s.outcome, db.to_db(s.at)) for seq, s in enumerate(steps)
    ]


def ivr_call_row(db: Database, call: IvrCall) -> Row:
    ended = db.to_db(call.ended_at)
    return (call.call_id, db.to_db(call.started_at), ended, call.end_phase, call.ended_by)


def interval_row(db: Database, tracked: TrackedInterval) -> Row:
    i = tracked.interval
    state, reason = i.state.value, i.pause_reason
    start, end = db.to_db(i.start), db.to_db(i.end)
    return (i.agent_id, start, state, end, reason, tracked.call_id, tracked.position_id)


def ring_row(db: Database, ring: BackOfficeRing) -> Row:
    reason, by = ring.not_answered_reason, ring.ended_by
    return (
        ring.call_id,
        ring.extension,
        ring.ring,
        ring.kind.value,
        ring.department_id,
        db.to_db(ring.rang_at),
        db.to_db(ring.answered_at),
        db.to_db(ring.not_answered_at),
        None if reason is None else reason.value,
        db.to_db(ring.ended_at),
        None if by is None else by.value,
        ring.end_unknown,
    )


def steps_by_call(db: Database, rows: Iterable[Row]) -> dict[str, list[MenuStep]]:
    """Step rows (in `STEP_COLUMNS` order, sorted by call and seq) grouped per call."""
    steps: dict[str, list[MenuStep]] = defaultdict(list)
    for call_id, _seq, node, digit, outcome, at in rows:
        steps[call_id].append(MenuStep(node, digit, outcome, _time(db, at)))
    return steps


def tracked_call(db: Database, row: Row, steps: list[MenuStep]) -> TrackedCall:
    values = dict(zip(CALL_COLUMNS, row, strict=True))
    for name in ("entered_at", "answered_at", "ended_at"):
        values[name] = db.from_db(values[name])
    for name in ("transferred", "recorded", "end_unknown"):
        values[name] = bool(values[name])
    done = bool(values.pop("agent_done"))
    ivr_steps = tuple(IvrStep(s.node, s.at) for s in steps)
    try:
        record = CallRecord(**values, ivr_steps=ivr_steps)
    except RecordError as exc:
        raise StoreError(
            f"{db.where}: calls row {values['call_id']!r} is unusable: {exc}"
        ) from None
    return TrackedCall(record=record, steps=tuple(steps), agent_done=done)


def ivr_call(db: Database, row: Row, steps: list[MenuStep]) -> IvrCall:
    call_id, started, ended, phase, by = row
    try:
        return IvrCall(
            call_id=call_id,
            started_at=_time(db, started),
            steps=tuple(steps),
            ended_at=db.from_db(ended),
            end_phase=phase,
            ended_by=by,
        )
    except RecordError as exc:
        raise StoreError(f"{db.where}: ivr_calls row {call_id!r} is unusable: {exc}") from None


def tracked_interval(db: Database, row: Row) -> TrackedInterval:
    agent_id, start, state, end, reason, call_id, position_id = row
    try:
        interval = AgentInterval(
            agent_id=agent_id,
            state=AgentState(state),
            start=_time(db, start),
            end=db.from_db(end),
            pause_reason=reason,
        )
    except (RecordError, ValueError) as exc:
        raise StoreError(
            f"{db.where}: agent_intervals row ({agent_id!r}, {start}) is unusable: {exc}"
        ) from None
    return TrackedInterval(interval=interval, call_id=call_id, position_id=position_id)


def _time(db: Database, value: Any) -> datetime:
    moment = db.from_db(value)
    if moment is None:
        raise StoreError(f"{db.where}: a required timestamp is NULL")
    return moment


def backoffice_ring(db: Database, row: Row) -> BackOfficeRing:
    v = dict(zip(RING_COLUMNS, row, strict=True))
    try:
        return BackOfficeRing(
            call_id=v["call_id"],
            ring=v["ring"],
            kind=parse_choice(RingKind, v["kind"], "kind"),
            department_id=v["department_id"],
            extension=v["extension"],
            rang_at=_time(db, v["rang_at"]),
            answered_at=db.from_db(v["answered_at"]),
            not_answered_at=db.from_db(v["not_answered_at"]),
            not_answered_reason=_choice(RingFailure, v, "not_answered_reason"),
            ended_at=db.from_db(v["ended_at"]),
            ended_by=_choice(RingEndedBy, v, "ended_by"),
            end_unknown=bool(v["end_unknown"]),
        )
    except RecordError as exc:
        key = f"({v['call_id']!r}, {v['extension']!r}, {v['ring']!r})"
        raise StoreError(f"{db.where}: backoffice_rings row {key} is unusable: {exc}") from None


def _choice(choices: type[E], values: dict[str, Any], name: str) -> E | None:
    text = values[name]
    return None if text is None else parse_choice(choices, text, name)
