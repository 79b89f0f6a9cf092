"""The phonebook on a fake clock: entries from the site, lines from hints, own statuses
kept in their file, search, and the changes a live page waits on."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

import pytest

from acd.ami.events import HintState
from acd.clock import FakeClock
from acd.phonebook.machine import Availability, Line
from acd.phonebook.service import Phonebook, UnknownExtension
from acd.phonebook.status_file import StatusFile
from tests.unit.acd.rig import sample_site


def book(tmp_path: Path, clock: FakeClock | None = None) -> Phonebook:
    return Phonebook(sample_site(), clock or FakeClock(), StatusFile(tmp_path / "statuses.json"))


def test_every_back_office_phone_is_in_it_by_department_then_name(tmp_path: Path) -> None:
    entries = book(tmp_path).entries()
    assert [(e.colleague.department, e.colleague.name) for e in entries] == [
        ("Belastingen", "Team Heffingen en WOZ"),
        ("Burgerzaken", "Team Basisregistratie"),
        ("Burgerzaken", "Team Reisdocumenten"),
        ("Vergunningen en handhaving", "Team Vergunningen"),
    ]
    # Before Asterisk said anything, a line counts as not registered.
    assert {e.line for e in entries} == {Line.NOT_REGISTERED}
    assert not any(e.reachable for e in entries)


def test_search_matches_every_word_ignoring_case_and_accents(tmp_path: Path) -> None:
    phonebook = book(tmp_path)

    def found(query: str) -> list[str]:
        return [e.colleague.extension for e in phonebook.entries(query)]

    assert found("reisdoc") == ["301"]
    assert found("BURGERZAKEN") == ["302", "301"]
    assert found("burger basis") == ["302"]
    assert found("3") == ["311", "302", "301", "321"]
    assert found("vergünningen") == ["321"]
    assert found("paspoort") == []


def test_a_line_follows_its_hint_and_wakes_the_watchers(tmp_path: Path) -> None:
    async def scenario() -> None:
        clock = FakeClock()
        phonebook = book(tmp_path, clock)
        changes = phonebook.changes()
        first = asyncio.ensure_future(anext(changes))
        await asyncio.sleep(0)
        phonebook.line_changed("301", HintState.NOT_INUSE)
        await asyncio.wait_for(first, 1)
        assert phonebook.entry("301").line is Line.FREE and phonebook.entry("301").reachable
        await clock.advance(5)
        phonebook.line_changed("301", HintState.RINGING)
        phonebook.line_changed("301", HintState.RINGING)  # the same again: no change
        phonebook.line_changed("299", HintState.INUSE)  # no colleague: ignored
        entry = phonebook.entry("301")
        assert (entry.line, entry.line_since) == (Line.RINGING, clock.now())
        await asyncio.wait_for(anext(changes), 1)
        second = asyncio.ensure_future(anext(changes))
        await asyncio.sleep(0.01)
        assert not second.done(), "a repeat or an unknown extension woke the watchers"
        second.cancel()
        await asyncio.gather(second, return_exceptions=True)
        await changes.aclose()

    asyncio.run(scenario())


def test_an_own_status_is_kept_in_its_file_and_read_back(tmp_path: Path) -> None:
    clock = FakeClock()
    phonebook = book(tmp_path, clock)
    phonebook.line_changed("311", HintState.NOT_INUSE)
    status = phonebook.set_status("311", Availability.MEETING)
    assert (status.availability, status.since) == (Availability.MEETING, clock.now())
    assert not phonebook.entry("311").reachable, "in a meeting: not to be put through"
    again = book(tmp_path, clock)
    assert again.entry("311").status == status
    assert again.entry("301").status.availability is Availability.AVAILABLE


def test_an_absence_ends_by_itself_and_says_so(tmp_path: Path) -> None:
    async def scenario() -> None:
        clock = FakeClock()
        phonebook = book(tmp_path, clock)
        phonebook.set_status("321", Availability.ABSENT, clock.now() + timedelta(minutes=30))
        changes = phonebook.changes()
        woken = asyncio.ensure_future(anext(changes))
        await asyncio.sleep(0)
        await clock.advance(29 * 60)
        assert not woken.done()
        assert phonebook.entry("321").status.availability is Availability.ABSENT
        await clock.advance(60)
        await asyncio.wait_for(woken, 1)
        assert phonebook.entry("321").status.availability is Availability.AVAILABLE
        await changes.aclose()
        phonebook.close()

    asyncio.run(scenario())


def test_a_status_for_nobody_or_ending_in_the_past_is_refused(tmp_path: Path) -> None:
    clock = FakeClock()
    phonebook = book(tmp_path, clock)
    with pytest.raises(UnknownExtension, match="extension '201' is in no department; known: 301"):
        phonebook.set_status("201", Availability.HOME)
    with pytest.raises(ValueError, match="has passed already"):
        phonebook.set_status("301", Availability.ABSENT, clock.now())
    assert not (tmp_path / "statuses.json").exists(), "a refused status was saved"


def test_a_damaged_status_file_is_set_aside_and_everyone_starts_available(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "statuses.json").write_text("{not json")
    phonebook = book(tmp_path)
    assert phonebook.entry("301").status.availability is Availability.AVAILABLE
    assert (tmp_path / "statuses.unreadable").read_text() == "{not json"
    assert "unreadable" in caplog.text
    (tmp_path / "statuses.json").write_text(json.dumps({"version": 99, "statuses": {}}))
    book(tmp_path)
    assert "version 99, this code reads 1" in caplog.text


def test_statuses_of_phones_no_longer_in_the_site_are_dropped(tmp_path: Path) -> None:
    data = {"version": 1, "statuses": {"399": {"availability": "home"}}}
    (tmp_path / "statuses.json").write_text(json.dumps(data))
    with pytest.raises(UnknownExtension):
        book(tmp_path).entry("399")
