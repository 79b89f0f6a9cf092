"""The back-office figures (the second pillar), each formula written once; docs/metrics.md
("Back-office figures") cites them.

Theory of operation: as `realtime_stats.figures.metrics` does for TIC calls, each
`BackOfficeRing` first becomes what it adds to each count of a `BackOfficeTally`, the
tallies are summed per department, and the ratios are taken only at the end with
`metrics.ratio` (None, a dash, when there is nothing to divide by). A ring belongs to the
period in which it started ringing; a ring still ringing has no outcome yet and is in no
count, nor is one whose end never came before an answer (`end_unknown`). "Within"
includes the boundary: a ring answered at exactly 15 s is within 3 rings.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, fields

from realtime_stats.figures.backoffice_records import BackOfficeRing
from realtime_stats.figures.metrics import ratio
from realtime_stats.figures.norms import Norm, Rated
from realtime_stats.figures.periods import Period
from site_config.norms import Norms


def answer_within_seconds(norms: Norms) -> float:
    """The back-office norm "answer within 3 rings" in seconds: 3 rings x 5 s = 15 s."""
    return float(norms.back_office_answer_within_rings * norms.ring_cycle_s)


def reachability(answered_within: int, offered: int) -> float | None:
    """Share of a department's direct calls answered within the norm's rings."""
    return ratio(answered_within, offered)


def direct_fallback_share(fell_back: int, offered: int) -> float | None:
    """Share of a department's direct calls that fell back to the TIC."""
    return ratio(fell_back, offered)


@dataclass(frozen=True, slots=True, kw_only=True)
class BackOfficeTally:
    """Counts over one department's rings that started in a period and have an outcome.

    Direct calls: offered (answered or not), answered, answered within the norm, the
    caller left while it rang, fell back to the TIC. Consults (warm transfers): started,
    answered, answered within the norm, and the summed seconds until they were answered.
    Camp-on rings (a caller waited for a colleague in a call, rung once the line was
    free): rung, and answered, which connected the caller. They are in neither the
    direct calls' reachability nor the consults: the caller chose to wait.
    """

    direct_offered: int = 0
    direct_answered: int = 0
    direct_answered_within: int = 0
    direct_caller_left: int = 0
    direct_fell_back: int = 0
    consults: int = 0
    consults_answered: int = 0
    consults_answered_within: int = 0
    consult_answer_seconds: float = 0.0
    camp_on_rings: int = 0
    camp_on_connected: int = 0


_TALLY_FIELDS = tuple(f.name for f in fields(BackOfficeTally))


def _contribution(ring: BackOfficeRing, within_seconds: float) -> dict[str, float]:
    """What one ring adds to each `BackOfficeTally` field; a ring still ringing adds nothing,
    nor does one a controller restart ended before it was answered: its outcome is unknown
    (docs/metrics.md), and calling it unanswered would blame the department."""
    if ring.ringing or (ring.end_unknown and not ring.answered):
        return {}
    seconds = ring.ring_seconds
    within = int(seconds is not None and seconds <= within_seconds)
    if ring.is_camp_on:
        return {"camp_on_rings": 1, "camp_on_connected": int(ring.answered)}
    if ring.is_direct:
        return {
            "direct_offered": 1,
            "direct_answered": int(ring.answered),
            "direct_answered_within": within,
            "direct_caller_left": int(ring.caller_left),
            "direct_fell_back": int(ring.fell_back),
        }
    return {
        "consults": 1,
        "consults_answered": int(ring.answered),
        "consults_answered_within": within,
        "consult_answer_seconds": seconds or 0.0,
    }


def tally_rings_per_department(
    rings: Iterable[BackOfficeRing], period: Period, within_seconds: float
) -> dict[str, BackOfficeTally]:
    """Per department id, the tally of its rings that started ringing in `period`."""
    sums: dict[str, dict[str, float]] = defaultdict(lambda: dict.fromkeys(_TALLY_FIELDS, 0))
    for ring in rings:
        if period.start <= ring.rang_at < period.end:
            totals = sums[ring.department_id]
            for name, value in _contribution(ring, within_seconds).items():
                totals[name] += value
    return {d: BackOfficeTally(**t) for d, t in sums.items()}  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True, kw_only=True)
class BackOfficeFigures:
    """One department's back-office figures for a period."""

    rings: BackOfficeTally
    reachability: Rated  # direct calls answered within the norm's rings, against the norm
    direct_fallback_share: float | None
    average_consult_answer_seconds: float | None


def backoffice_figures(tally: BackOfficeTally, norm: Norm) -> BackOfficeFigures:
    reached = reachability(tally.direct_answered_within, tally.direct_offered)
    return BackOfficeFigures(
        rings=tally,
        reachability=Rated(reached, norm.status(reached)),
        direct_fallback_share=direct_fallback_share(tally.direct_fell_back, tally.direct_offered),
        average_consult_answer_seconds=ratio(tally.consult_answer_seconds, tally.consults_answered),
    )


def transfer_share(transfers_in: int, tic_completed: int) -> float | None:
    """A department's warm transfers in, as a share of the TIC's completed calls."""
    return ratio(transfers_in, tic_completed)


def fallback_traffic_share(fell_back: int, tic_offered: int) -> float | None:
    """The TIC calls that fell back from a department, as a share of the TIC's offered calls."""
    return ratio(fell_back, tic_offered)
