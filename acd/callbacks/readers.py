"""Who may see callback notes, and which: their callback numbers are personal data.

Only the addressee and those who steer the back office see a note: a ``back_office``
colleague sees the notes of their own department that are for the whole department or
for their own extension, and closes only those; team leads and the admin see and close
every note. Agents write notes but do not read them back, and the floor manager steers
the TIC, not the back office: both are refused, as are display tokens. Whoever may see
a note may close it, so a note never waits on someone who cannot find it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from acd.callbacks.machine import CallbackNote
from http_access.auth import Principal
from site_config.access import Role


class NotAllowed(PermissionError):
    """This login may not read (or close) these notes; the message says why (403)."""


@dataclass(frozen=True, slots=True)
class Scope:
    """The notes a reader sees: every department's (``department`` None), or one's; with
    ``colleague``, only that department's notes for all of it and for that extension."""

    department: str | None = None
    colleague: str | None = None

    def covers(self, note: CallbackNote) -> bool:
        if self.department is not None and note.department != self.department:
            return False
        return self.colleague is None or note.extension in (None, self.colleague)

    def narrowed(self, department: str | None, who: Principal) -> Scope:
        """This scope within ``department`` (None: as it is); ``NotAllowed`` outside it."""
        if department is None or department == self.department:
            return self
        if self.department is not None:
            raise NotAllowed(
                f"{who.name!r} is in department {self.department} and sees only its "
                f"callback notes, not those of {department}"
            )
        return Scope(department)


def scope_of(who: Principal, department_of: Callable[[str], str | None]) -> Scope:
    """The notes ``who`` may see; ``NotAllowed`` for agents, the floor and displays."""
    if who.role in (Role.TEAM_LEAD, Role.ADMIN):
        return Scope()
    if who.role is Role.BACK_OFFICE and who.extension is not None:
        department = department_of(who.extension)
        if department is not None:
            return Scope(department, who.extension)
    role = who.role.value if who.role else "a display"
    raise NotAllowed(
        f"{who.name!r} ({role}) may not see callback notes: they hold callers' numbers; "
        "only the addressee in the back office, team leads and the admin see them"
    )
