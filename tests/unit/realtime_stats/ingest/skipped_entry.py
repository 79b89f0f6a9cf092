"""One bad entry among good ones, folded: the checks that the fold skips it whole.

The fold tests of each kind of event (back-office rings, callback notes) feed it entries
it must refuse; what differs between them is how the refusal is counted and named, not
what "skipped whole" means.
"""

from __future__ import annotations

from collections.abc import Callable

from realtime_stats.ingest.entries import ReadEntry
from realtime_stats.ingest.fold import EventFold
from tests.unit.realtime_stats.test_fold_script import Script, folded


def fold_past_bad_entry(
    script: Script, at: int, state: Callable[[EventFold], tuple[object, ...]]
) -> tuple[EventFold, ReadEntry]:
    """Fold ``script``, whose entry number ``at`` is bad, and a good call after it.

    Checks that the bad entry changed no record, that the stream position moved past it,
    and that ``state`` (the position, its last item, aside) is what it would be had the
    entry never been there. Returns the fold and the bad entry, for the caller to check
    how the fold counted and named it.
    """
    script.answered_call("c9", "anna", 100)  # what follows still folds
    fold = EventFold()
    changes = [fold.apply(e) for e in script.events]

    bad = script.events[at]
    assert not changes[at].records_changed
    assert changes[at].stream_id == bad.stream_id  # moved past it
    good = folded([e for e in script.events if e is not bad])
    assert state(fold)[:-1] == state(good)[:-1]
    return fold, bad
