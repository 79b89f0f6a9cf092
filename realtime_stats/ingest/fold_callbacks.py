"""The fold's callback-note part: `callback.*` events (docs/events.md) into `CallbackNote`s.

`realtime_stats.ingest.fold.EventFold` holds the notes by id and hands each callback
event to its handler here with them. A handler changes nothing: it returns the note's
new version, which the fold installs, or raises `RecordError` for an impossible event,
which the fold then skips whole and counts as rejected, naming the note: a note noted
twice (the first one stands), a `callback.done` for a note never noted (or noted before
the records this service holds), done twice, done for another department than it was
noted for, or done before it was noted, and a `due` that is no ISO 8601 time with a zone.

Only what the figures need is kept (`CallbackNote`): not the call, the writer, or the
login that closed the note.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime

from contract.events import CallbackDone, CallbackNoted
from realtime_stats.figures.callback_records import CallbackNote
from realtime_stats.figures.records import RecordError

Notes = Mapping[str, CallbackNote]


def _name(note_id: str) -> str:
    return f"callback note {note_id}"


def parse_due(note_id: str, text: str) -> datetime:
    """The `due` field as a moment in UTC; RecordError when it is not one."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise RecordError(f"{_name(note_id)}: due {text!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise RecordError(f"{_name(note_id)}: due {text!r} has no time zone")
    return moment.astimezone(UTC)


def noted(notes: Notes, event: CallbackNoted) -> CallbackNote:
    if event.note_id in notes:
        raise RecordError(f"{_name(event.note_id)}: noted twice")
    return CallbackNote(
        note_id=event.note_id,
        department_id=event.department,
        noted_at=event.at,
        due_at=parse_due(event.note_id, event.due),
        extension=event.extension or None,
        topic_id=event.topic or None,
    )


def done(notes: Notes, event: CallbackDone) -> CallbackNote:
    note = notes.get(event.note_id)
    name = _name(event.note_id)
    if note is None:
        raise RecordError(f"{name}: done, but it was never noted")
    if event.department != note.department_id:
        raise RecordError(
            f"{name}: department {event.department!r}, but it was noted for {note.department_id!r}"
        )
    if note.done:
        raise RecordError(f"{name}: done twice")
    return replace(note, done_at=event.at, outcome=event.outcome)


def forget_before(notes: Notes, moment: datetime) -> dict[str, CallbackNote]:
    """The notes to keep after a day roll: those a period from `moment` on still counts."""
    return {k: n for k, n in notes.items() if n.counts_from(moment)}
