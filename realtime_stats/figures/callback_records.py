"""One callback note ("terugbelnotitie") as the statistics keep it: without personal data.

A TIC agent writes a note for a department, or one colleague in it, when someone there
must call the caller back; the back-office norm (003 app. 6) is to do that within one
working day. The note itself (the caller's name and number, the question) stays with the
controller. The stream carries its id, department, colleague's extension, topic and due
moment (`callback.noted`), then its outcome (`callback.done`);
`realtime_stats.ingest.fold_callbacks` folds the two into a `CallbackNote`. Neither the
writer nor the login that closed it is kept: no figure needs them.

A note is checked when it is built, like the other records: an impossible one (done
before it was noted, an outcome without a done time) is refused with the note named.
The moments a figure asks about (`open_at`, `overdue_at`, `judged_at`) are defined here
once; `realtime_stats.figures.callback_metrics` counts with them. All times are UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from contract.vocabulary import CallbackOutcome
from realtime_stats.figures.periods import PeriodError, as_utc
from realtime_stats.figures.records import RecordError


def _utc(owner: str, name: str, value: datetime) -> datetime:
    try:
        return as_utc(f"{owner}: {name}", value)
    except PeriodError as exc:
        raise RecordError(str(exc)) from None


@dataclass(frozen=True, slots=True, kw_only=True)
class CallbackNote:
    """One callback note, open or done.

    `noted_at` is when the agent saved it, `due_at` the moment it must be done by (the
    end of the working day the controller worked out), `done_at` and `outcome` when and
    how the addressee closed it; a note without them is open. `extension` is the one
    colleague it is for (None: the whole department).
    """

    note_id: str
    department_id: str
    noted_at: datetime
    due_at: datetime
    extension: str | None = None
    topic_id: str | None = None
    done_at: datetime | None = None
    outcome: CallbackOutcome | None = None

    def __post_init__(self) -> None:
        for name in ("note_id", "department_id"):
            if not getattr(self, name):
                raise RecordError(f"CallbackNote: {name} must not be empty")
        owner = f"CallbackNote {self.note_id}"
        for name in ("noted_at", "due_at", "done_at"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, _utc(owner, name, value))
        if self.outcome is not None and not isinstance(self.outcome, CallbackOutcome):
            allowed = ", ".join(str(c.value) for c in CallbackOutcome)
            raise RecordError(f"{owner}: outcome {self.outcome!r} is not one of {allowed}")
        if (self.done_at is None) != (self.outcome is None):
            raise RecordError(f"{owner}: done_at and outcome go together")
        if self.done_at is not None and self.done_at < self.noted_at:
            raise RecordError(f"{owner}: done_at is before noted_at")

    @property
    def done(self) -> bool:
        return self.done_at is not None

    def open_at(self, moment: datetime) -> bool:
        """Noted by `moment` and not done by then."""
        moment = _utc(f"CallbackNote {self.note_id}", "moment", moment)
        return self.noted_at <= moment and (self.done_at is None or self.done_at > moment)

    def overdue_at(self, moment: datetime) -> bool:
        """Open at `moment`, which is past its due moment (at the due moment itself it is
        not late yet: done at exactly `due_at` is in time)."""
        return self.open_at(moment) and moment > self.due_at

    def done_in_time_by(self, now: datetime) -> bool:
        """Done by `now`, at or before its due moment: the norm met."""
        return self.done_at is not None and self.done_at <= min(self.due_at, now)

    def judged_at(self, now: datetime) -> bool:
        """Whether the norm was met is known at `now`: it is done, or its due moment has
        passed (then a later done can only be late)."""
        done = self.done_at is not None and self.done_at <= now
        return done or now > self.due_at

    def counts_from(self, moment: datetime) -> bool:
        """Whether a period starting at `moment` or later can still count this note: it
        is open, or was noted, done or is due after `moment`. The fold keeps, and the
        store's snapshot gives back, exactly these (an open note however old)."""
        if self.done_at is None:
            return True
        return self.noted_at >= moment or self.done_at >= moment or self.due_at > moment
