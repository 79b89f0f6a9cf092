"""What a controller still holds about calls, checked at the end of a scenario.

A scenario on the fakes ends with ``assert_no_call_left(r)``: once its calls are over,
no table keyed by a call id, a channel or a uniqueid may still hold anything, on any
ending path (answered, abandoned in the IVR or the queue, transferred, fallen back,
camped on, vanished while AMI was away). The tables, and what is left out of them on
purpose, are the product's own (``acd.call_tables``, the controller's
``kcc_controller_call_entries`` gauge), so the tests check what production exports.
"""

from __future__ import annotations

from acd.controller import Controller
from tests.unit.acd.rig import Rig


def call_tables(controller: Controller) -> dict[str, int]:
    """Every per-call table of the controller's rooms and its entries, by ``room.table``."""
    return controller.call_tables.entries()


def leftovers(controller: Controller) -> dict[str, int]:
    """The per-call tables that still hold something, and how many entries."""
    return {name: count for name, count in call_tables(controller).items() if count}


def assert_no_call_left(r: Rig) -> None:
    """Every per-call table is empty: the scenario's calls left nothing behind."""
    left = leftovers(r.controller)
    assert not left, f"per-call state left after the calls ended: {left}"
