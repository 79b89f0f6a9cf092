"""How long callback notes are kept: their callback numbers are personal data.

A callback note ("terugbelnotitie") holds a caller's name, number and question. The
controller keeps it only as long as this section says, then deletes the whole note,
done or not; the figures of the second pillar live on in the stats service, which
never had the personal fields.
"""

from __future__ import annotations

from typing import Annotated

from site_config.fields import FrozenModel, in_range


class CallbackNotes(FrozenModel, frozen=True):
    """The optional ``callback_notes`` section; every key has a default."""

    # Counted from the moment a note was written; at least a week, so a note written
    # before a long weekend is still there when its addressee is back.
    retention_days: Annotated[int, in_range(7, 3650, "days")] = 90
