"""CallbackNotes in the controller on fakes: a written note is kept, due at the close of
the next working day and announced without personal data; its addressee closes it
once; an open note past its due moment is overdue."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from acd.callbacks.machine import AlreadyDone, NoteState
from acd.callbacks.new_note import NewNote
from acd.callbacks.readers import Scope
from acd.callbacks.service import UnknownNote
from contract.events import CallbackDone, CallbackNoted
from contract.vocabulary import CallbackOutcome
from ivr_flows.hours import AMSTERDAM
from tests.unit.acd.rig import by_type, rig

FRIDAY = datetime(2026, 5, 22, 9, 15, tzinfo=UTC)  # 11:15 in Haarlem; Whit Monday follows
TUESDAY_CLOSE = datetime(2026, 5, 26, 17, 0, tzinfo=AMSTERDAM)


def new(**changes: str) -> NewNote:
    fields = {
        "agent_id": "1001",
        "department": "burgerzaken",
        "caller_name": "Jan Smit",
        "callback_number": "+31 6 1234 5678",
        "question": "Is mijn paspoort al klaar?",
        **changes,
    }
    return NewNote(**fields)


async def test_a_note_written_on_friday_before_whit_monday_is_due_at_the_end_of_tuesday() -> None:
    async with rig(start=FRIDAY) as r:
        note = r.controller.callbacks.write(new(extension="301", call_id="1718000000.7"))
        assert note.due_at == TUESDAY_CLOSE
        [noted] = r.sink.of_type(CallbackNoted)
        assert (noted.note_id, noted.department, noted.extension, noted.due) == (
            note.id, "burgerzaken", "301", "2026-05-26T15:00:00+00:00",
        )  # fmt: skip
        assert (noted.call_id, noted.agent_id, noted.at) == ("1718000000.7", "1001", FRIDAY)
        [entry] = by_type(r.sink, "callback.noted")
        flat = " ".join(entry.values())
        assert "Smit" not in flat and "612345678" not in flat and "paspoort" not in flat


async def test_the_call_of_zandvoort_is_due_by_zandvoorts_hours() -> None:
    wednesday = datetime(2026, 6, 17, 10, tzinfo=UTC)
    async with rig(start=wednesday) as r:
        haarlem = r.controller.callbacks.write(new())
        zandvoort = r.controller.callbacks.write(new(municipality="zandvoort"))
        assert haarlem.due_at == datetime(2026, 6, 18, 20, tzinfo=AMSTERDAM)  # late opening
        assert zandvoort.due_at == datetime(2026, 6, 18, 17, tzinfo=AMSTERDAM)


async def test_a_refused_note_is_neither_kept_nor_announced() -> None:
    async with rig() as r:
        with pytest.raises(ValueError, match=r"^extension: unknown"):
            r.controller.callbacks.write(new(extension="311"))
        assert r.controller.callbacks.notes(NoteState.OPEN, Scope()) == []
        assert r.types("callback.") == []


async def test_the_addressee_closes_a_note_once_and_it_is_announced() -> None:
    async with rig() as r:
        notes = r.controller.callbacks
        note = notes.write(new())
        done = notes.mark_done(note.id, CallbackOutcome.NOT_REACHED, by="els")
        assert (done.state, done.done_by, done.done_at) == (NoteState.DONE, "els", r.clock.now())
        [closed] = r.sink.of_type(CallbackDone)
        assert (closed.note_id, closed.department, closed.outcome, closed.by) == (
            note.id, "burgerzaken", CallbackOutcome.NOT_REACHED, "els",
        )  # fmt: skip
        await r.clock.advance(600)
        with pytest.raises(AlreadyDone, match="done already: closed by 'els' on 2026-06-15 09:00"):
            notes.mark_done(note.id, CallbackOutcome.CALLED_BACK, by="mark")
        assert len(r.sink.of_type(CallbackDone)) == 1
        assert notes.note(note.id).outcome is CallbackOutcome.NOT_REACHED
        with pytest.raises(UnknownNote, match="no callback note 'nope'"):
            notes.mark_done("nope", CallbackOutcome.CALLED_BACK, by="els")


async def test_an_open_note_past_its_due_moment_is_overdue_a_done_one_never() -> None:
    async with rig(start=FRIDAY) as r:
        notes = r.controller.callbacks
        late = notes.write(new())
        settled = notes.write(new())
        notes.mark_done(settled.id, CallbackOutcome.CALLED_BACK, by="els")
        await r.clock.advance((TUESDAY_CLOSE - FRIDAY).total_seconds())
        [still_open] = notes.notes(NoteState.OPEN, Scope("burgerzaken"))
        assert (still_open.note.id, still_open.overdue) == (late.id, False)  # at 17:00 sharp
        await r.clock.advance(1)
        [overdue] = notes.notes(NoteState.OPEN, Scope("burgerzaken"))
        assert overdue.overdue
        [done] = notes.notes(NoteState.DONE, Scope())
        assert (done.note.id, done.overdue) == (settled.id, False)
