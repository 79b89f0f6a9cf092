"""What a running controller still holds about calls: every per-call table, by name.

Each room that keeps something per call (keyed by a call id, a channel or a uniqueid)
says how many entries each of its tables holds (its ``call_entries()``); ``CallTables``
names them ``room.table`` (``queue.callers``, ``legs.rings``, ...) for the controller's
``/metrics`` gauge ``kcc_controller_call_entries`` and for the unit tests' leftovers check
(``tests/unit/acd/leftovers.py``). Once the calls are over every one of them is 0, on
every ending path; a table that grows with the calls of the day is a leak, seen on a
graph (and in ``bench/bench_soak.py``) rather than after a week in production.

Left out on purpose: the recordings' ``CallFactsBook`` (bounded: it keeps the last calls
so that a recording stored after its call ended is still labelled) and the back
office's ``RingNumbers`` (the ring serials; fixed and checked elsewhere). The agents'
desks keep the screen of a call an agent is still ringing, talking or in after-call
work for; ``desk.*`` counts only the calls no agent holds any more.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol


class HoldsCalls(Protocol):
    """A room with per-call tables: each table's entries now, by the table's name."""

    def call_entries(self) -> Mapping[str, int]: ...


@dataclass(frozen=True, slots=True)
class CallTables:
    """The controller's rooms with per-call tables, each under its room's name (a room
    name may serve two parts, as camp-on's request service and its callers' sessions)."""

    rooms: Sequence[tuple[str, HoldsCalls]]

    def entries(self) -> dict[str, int]:
        """Every per-call table's entries now, by ``room.table``."""
        return {
            f"{room}.{table}": count
            for room, part in self.rooms
            for table, count in part.call_entries().items()
        }

    def total(self) -> int:
        """All the tables' entries together: 0 once the calls are over."""
        return sum(self.entries().values())
