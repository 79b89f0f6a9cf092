"""The phonebook: every back-office colleague of the site, their line and own status.

Theory of operation
-------------------
The entries come from the site config (``departments[].extensions[]``: name, role,
photo, department). The line of each comes from Asterisk through ``line_changed``
(the consumer feeds it ``ExtensionStatus``; before the first, a line counts as not
registered). Own statuses are set by the colleague (or the floor) with ``set_status``
and kept in a ``StatusFile``. Every change wakes the subscribers of ``changes``, which
is what the live stream of the phonebook waits on; an absence that ends by itself
wakes them at that moment too.

Search matches every word of the query against name, department, role and extension,
ignoring case and accents ("andre" finds "André").
"""

from __future__ import annotations

import unicodedata
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from acd.ami.events import HintState
from acd.changes import ChangeFeed
from acd.clock import Clock, Timer
from acd.phonebook.machine import Availability, Line, OwnStatus, line_of, reachable
from acd.phonebook.status_file import StatusFile
from site_config import SiteConfig


@dataclass(frozen=True, slots=True)
class Colleague:
    extension: str
    name: str
    department_id: str
    department: str
    role: str | None
    photo: Path | None


@dataclass(frozen=True, slots=True)
class Entry:
    """A colleague as the phonebook shows them now."""

    colleague: Colleague
    line: Line
    status: OwnStatus
    line_since: datetime | None

    @property
    def reachable(self) -> bool:
        return reachable(self.line, self.status)


class UnknownExtension(LookupError):
    """No colleague of the phonebook has this extension."""


class Phonebook:
    def __init__(self, site: SiteConfig, clock: Clock, statuses: StatusFile) -> None:
        self._clock, self._file = clock, statuses
        self._colleagues = {
            phone.extension: Colleague(
                phone.extension, phone.name, d.id, d.name, phone.role, phone.photo
            )
            for d in site.departments
            for phone in d.extensions
        }
        self._lines: dict[str, tuple[Line, datetime]] = {}
        saved = statuses.load()
        self._statuses = {ext: s for ext, s in saved.items() if ext in self._colleagues}
        self._feed: ChangeFeed[None] = ChangeFeed()
        self._ends: dict[str, Timer] = {}
        for extension, status in self._statuses.items():
            self._watch_end(extension, status)

    # ------------------------------------------------------------ reading

    def colleague(self, extension: str) -> Colleague:
        try:
            return self._colleagues[extension]
        except KeyError:
            known = ", ".join(sorted(self._colleagues))
            raise UnknownExtension(
                f"extension {extension!r} is in no department; known: {known}"
            ) from None

    def entries(self, query: str = "") -> list[Entry]:
        """The colleagues matching ``query`` (all for ""), by department then name."""
        now = self._clock.now()
        words = _fold(query).split()
        found = []
        for colleague in self._colleagues.values():
            text = _fold(
                " ".join((colleague.name, colleague.department, colleague.role or "",
                          colleague.extension))
            )  # fmt: skip
            if all(word in text for word in words):
                found.append(self._entry(colleague, now))
        return sorted(found, key=lambda e: (e.colleague.department, e.colleague.name))

    def entry(self, extension: str) -> Entry:
        return self._entry(self.colleague(extension), self._clock.now())

    def _entry(self, colleague: Colleague, now: datetime) -> Entry:
        line, since = self._lines.get(colleague.extension, (Line.NOT_REGISTERED, None))
        status = self._statuses.get(colleague.extension, OwnStatus()).at(now)
        return Entry(colleague, line, status, since)

    # ------------------------------------------------------------ changing

    def line_changed(self, extension: str, state: HintState) -> None:
        """A hint's new state; extensions outside the phonebook are ignored."""
        if extension not in self._colleagues:
            return
        line = line_of(state)
        current = self._lines.get(extension)
        if current is not None and current[0] is line:
            return
        self._lines[extension] = (line, self._clock.now())
        self._wake()

    def set_status(
        self, extension: str, availability: Availability, until: datetime | None = None
    ) -> OwnStatus:
        """The colleague's own status from now; ``ValueError`` names what is wrong."""
        self.colleague(extension)
        now = self._clock.now()
        if until is not None and until <= now:
            raise ValueError(f"'until' {until.isoformat()} has passed already")
        status = OwnStatus(availability, until, now)
        self._statuses[extension] = status
        self._file.save(self._statuses)
        self._watch_end(extension, status)
        self._wake()
        return status

    def _watch_end(self, extension: str, status: OwnStatus) -> None:
        timer = self._ends.pop(extension, None)
        if timer is not None:
            timer.cancel()
        if status.until is not None:
            seconds = max(0.0, (status.until - self._clock.now()).total_seconds())
            self._ends[extension] = self._clock.call_later(seconds, self._wake)

    # ------------------------------------------------------------ watching

    def changes(self) -> AsyncGenerator[None]:
        """Yields once per change (changes in between are merged), until closed."""
        return self._feed.changes(None)

    def _wake(self) -> None:
        self._feed.wake(None)

    def close(self) -> None:
        for timer in self._ends.values():
            timer.cancel()
        self._ends.clear()


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
