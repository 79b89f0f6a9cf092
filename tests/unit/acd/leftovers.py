"""What a controller still holds about calls: every per-call table, by name.

A scenario on the fakes ends with ``assert_no_call_left(r)``: once its calls are over,
no table keyed by a call id, a channel or a uniqueid may still hold anything, on any
ending path (answered, abandoned in the IVR or the queue, transferred, fallen back,
camped on, vanished while AMI was away). A table that grew with the calls of the day
is a leak, found here rather than after a week in production.

Left out on purpose: the recordings' ``CallFactsBook`` (bounded: it keeps the last
calls so that a recording stored after its call ended is still labelled) and the
back office's ``RingNumbers`` (the ring serials; fixed and checked elsewhere). The
agents' desks keep the screen of the call an agent is still in after-call work for;
``assert_no_call_left`` counts only the ended calls no agent holds any more.
"""

from __future__ import annotations

from collections.abc import Sized

from acd.controller import Controller
from tests.unit.acd.rig import Rig


def call_tables(controller: Controller) -> dict[str, Sized]:
    """Every per-call table of the controller's rooms, by ``room.table``."""
    c = controller
    return {
        "ivr.in_menu": c.ivr._in_menu,
        "core.calls": c.acd._floor.calls,
        "queue.callers": c.queue._callers,
        "queue.call_timers": [k for k in c.queue._timers if k.startswith("overflow:")],
        "legs.legs": c.legs._legs,
        "legs.rings": c.legs._rings,
        "backoffice.answered": c.ringer._answered,
        "backoffice.gave_up": c.ringer._gave_up,
        "campon.moving": c.camp_on_requests._moving,
        "campon.waiting": c.camp_ons._waiting,
        "transfer.consults": c.transfer_events._consults,
        "transfer.consulted": c.transfer_events._consulted,
        "transfer.consult_legs": c.transfer_events._consult_legs,
        "desk.calls": _unheld(c, c.desks._calls),
        "desk.ended": _unheld(c, c.desks._ended),
        "recorder.keeping": c.recorder._keeping,
        "recorder.tapes": list(c.recorder._tapes),
    }


def _unheld(controller: Controller, calls: Sized) -> list[str]:
    """The calls of a desk table that no agent is in (ringing, talking, after-call work)."""
    held = {a.call_id for a in controller.queue.agents() if a.call_id}
    return [call_id for call_id in calls if call_id not in held]  # type: ignore[attr-defined]


def leftovers(controller: Controller) -> dict[str, Sized]:
    """The per-call tables that still hold something."""
    return {name: table for name, table in call_tables(controller).items() if len(table)}


def assert_no_call_left(r: Rig) -> None:
    """Every per-call table is empty: the scenario's calls left nothing behind."""
    left = leftovers(r.controller)
    assert not left, f"per-call state left after the calls ended: {left}"
