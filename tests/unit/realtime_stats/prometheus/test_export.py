"""/metrics against /api/wallboard for one hand-built TIC morning: the same numbers.

The scenario (Europe/Amsterdam, 2026-06-15, now 11:00) and its figures worked out by hand:

    call  municipality topic        entered   outcome
    a1    haarlem      burgerzaken  10:00:00  answered after 10 s, ended, handled by the TIC
    a2    zandvoort    belastingen  10:10:00  answered after 30 s, ended, warm-transferred
    a3    haarlem      belastingen  10:20:00  answered after 15 s, still talking
    b1    haarlem      burgerzaken  10:30:00  hung up after 4 s (short abandon)
    b2    zandvoort    (none)       10:40:00  hung up after 40 s
    w1    haarlem      burgerzaken  10:58:30  waiting (90 s at 11:00)
    u1    haarlem      burgerzaken  10:50:00  waiting, its end unknown at 10:52 (a restart)
    y1    haarlem      burgerzaken  yesterday answered: in no count of today

Total: offered 5, answered 3, abandoned 2, short 1, unknown end 1 (in no other count);
answer rate 3/4, service level (<= 20 s: a1, a3) 2/4, direct handling (completed a1,
a2; a2 transferred) 1/2, ASA (10+30+15)/3 s. Agents: 1001 busy 25 of 55 staffed
minutes and talking now, 1002 available 60 minutes, 1003 available 30 minutes then
logged out: occupancy 25/145.

Callback notes: k1 (Belastingen, due today 10:00, open: late and overdue), k2 (Belastingen,
made today 09:00, due tomorrow), k3 (Burgerzaken, due today 17:00, done today 09:30: in
time). Belastingen made 1, open 2, overdue 1, in time 0 of 1; Burgerzaken done 1, in time
1 of 1; total made 1, done 1, open 2, overdue 1, in time 1 of 2.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from contract.vocabulary import AgentState, CallbackOutcome
from realtime_stats.app import create_app
from realtime_stats.figures.callback_records import CallbackNote
from realtime_stats.figures.records import AgentInterval, CallRecord
from realtime_stats.wallboard.feed import InMemoryBoardFeed
from site_config import SiteConfig, load_site_config
from tests.unit.http.demo_access import SAMPLE, basic, cheaply_hashed

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 6, 15, 11, 0, tzinfo=AMS)
HAARLEM, ZANDVOORT, BZ, BEL = "haarlem", "zandvoort", "burgerzaken", "belastingen"

Sample = tuple[str, tuple[tuple[str, str], ...]]  # (series name, sorted labels)


def at(clock: str, days_ago: int = 0) -> datetime:
    hour, minute, second = (int(part) for part in f"{clock}:00".split(":")[:3])
    return NOW.replace(hour=hour, minute=minute, second=second) - timedelta(days=days_ago)


def later(moment: datetime, seconds: float) -> datetime:
    return moment + timedelta(seconds=seconds)


def scenario_calls() -> list[CallRecord]:
    a1, a2, a3, y1 = at("10:00"), at("10:10"), at("10:20"), at("10:00", days_ago=1)
    return [
        CallRecord(
            call_id="a1", entered_at=a1, municipality_id=HAARLEM, topic_id=BZ,
            answered_at=later(a1, 10), ended_at=later(a1, 110), agent_id="1001",
            talk_seconds=100, after_call_seconds=30,
        ),
        CallRecord(
            call_id="a2", entered_at=a2, municipality_id=ZANDVOORT, topic_id=BEL,
            answered_at=later(a2, 30), ended_at=later(a2, 130), agent_id="1002",
            transferred=True, transfer_department=BEL, talk_seconds=100, after_call_seconds=30,
        ),
        CallRecord(
            call_id="a3", entered_at=a3, municipality_id=HAARLEM, topic_id=BEL,
            answered_at=later(a3, 15), agent_id="1001",
        ),
        CallRecord(
            call_id="b1", entered_at=at("10:30"), municipality_id=HAARLEM, topic_id=BZ,
            ended_at=later(at("10:30"), 4),
        ),
        CallRecord(
            call_id="b2", entered_at=at("10:40"), municipality_id=ZANDVOORT,
            ended_at=later(at("10:40"), 40),
        ),
        CallRecord(call_id="w1", entered_at=at("10:58:30"), municipality_id=HAARLEM, topic_id=BZ),
        CallRecord(
            call_id="u1", entered_at=at("10:50"), municipality_id=HAARLEM, topic_id=BZ,
            ended_at=at("10:52"), end_unknown=True,
        ),
        CallRecord(
            call_id="y1", entered_at=y1, municipality_id=HAARLEM, topic_id=BZ,
            answered_at=later(y1, 5), ended_at=later(y1, 60), agent_id="1001",
        ),
    ]  # fmt: skip


def scenario_intervals() -> list[AgentInterval]:
    def state(agent: str, what: AgentState, start: str, end: str | None) -> AgentInterval:
        return AgentInterval(
            agent_id=agent, state=what, start=at(start), end=None if end is None else at(end)
        )

    return [
        state("1001", AgentState.AVAILABLE, "10:00", "10:30"),
        state("1001", AgentState.TALKING, "10:30", "10:45"),
        state("1001", AgentState.AFTER_CALL_WORK, "10:45", "10:50"),
        state("1001", AgentState.PAUSED, "10:50", "10:55"),
        state("1001", AgentState.TALKING, "10:55", None),
        state("1002", AgentState.AVAILABLE, "10:00", None),
        state("1003", AgentState.AVAILABLE, "09:00", "09:30"),
    ]


def scenario_notes() -> list[CallbackNote]:
    tomorrow = at("10:00") + timedelta(days=1)
    return [
        CallbackNote(
            note_id="k1", department_id=BEL, noted_at=at("10:00", days_ago=1), due_at=at("10:00")
        ),
        CallbackNote(note_id="k2", department_id=BEL, noted_at=at("09:00"), due_at=tomorrow),
        CallbackNote(
            note_id="k3", department_id=BZ, noted_at=at("14:00", days_ago=1), due_at=at("17:00"),
            done_at=at("09:30"), outcome=CallbackOutcome.CALLED_BACK,
        ),
    ]  # fmt: skip


def scenario_feed() -> InMemoryBoardFeed:
    feed = InMemoryBoardFeed(clock=lambda: NOW)
    feed.set_records(
        calls=scenario_calls(), intervals=scenario_intervals(), callback_notes=scenario_notes()
    )
    return feed


def samples(exposition: str, prefix: str = "kcc_") -> dict[Sample, float]:
    """Every sample whose name starts with ``prefix``, keyed by name and labels."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
        if sample.name.startswith(prefix)
    }


def group(scope: str, name: str) -> tuple[tuple[str, str], ...]:
    return (("name", name), ("scope", scope))


# Snapshot field -> series, written out here rather than taken from the exporter, so
# a wrong mapping in the exporter cannot agree with itself.
RATED = {
    "answer_rate": "kcc_answer_rate",
    "service_level": "kcc_service_level",
    "direct_handling": "kcc_direct_handling",
    "occupancy": "kcc_occupancy",
}
PLAIN = {
    "offered": "kcc_calls_offered",
    "answered": "kcc_calls_answered",
    "abandoned": "kcc_calls_abandoned",
    "short_abandoned": "kcc_calls_short_abandoned",
    "unknown_end": "kcc_calls_unknown_end",
    "waiting": "kcc_callers_waiting",
    "longest_wait_s": "kcc_longest_wait_seconds",
    "asa_s": "kcc_asa_seconds",
}


NOTES_RATED = {"done_in_time_share": "kcc_callback_notes_done_in_time_ratio"}
NOTES_PLAIN = {
    "made": "kcc_callback_notes_made",
    "done": "kcc_callback_notes_done",
    "open": "kcc_callback_notes_open",
    "overdue": "kcc_callback_notes_overdue",
}


def _rows(snap: Mapping[str, Any]) -> Iterable[tuple[str, str, Mapping[str, Any]]]:
    yield "total", "total", snap["totals"]
    for scope, key in (("topic", "topics"), ("municipality", "municipalities")):
        for row in snap[key]:
            yield scope, "(none)" if row["id"] is None else row["id"], row


def expected_from_wallboard(snap: Mapping[str, Any]) -> dict[Sample, float]:
    """What /metrics must show for the wallboard snapshot ``snap``."""
    expected: dict[Sample, float] = {("kcc_norm_target", ()): snap["rules"]["norm_target"]}
    for scope, name, row in _rows(snap):
        values = {RATED[f]: row[f]["value"] for f in RATED} | {PLAIN[f]: row[f] for f in PLAIN}
        for series, value in values.items():
            if value is not None:
                expected[(series, group(scope, name))] = value
    notes = snap["callback_notes"]
    for scope, name, row in [
        ("total", "total", notes["total"]),
        *(("department", d["id"], d) for d in notes["departments"]),
    ]:
        values = {NOTES_RATED[f]: row[f]["value"] for f in NOTES_RATED}
        for series, value in (values | {NOTES_PLAIN[f]: row[f] for f in NOTES_PLAIN}).items():
            if value is not None:
                expected[(series, group(scope, name))] = value
    for state in AgentState:
        count = sum(agent["state"] == state.value for agent in snap["agents"])
        expected[("kcc_agents", (("state", state.value),))] = count
    return expected


@pytest.fixture(scope="module")
def site() -> SiteConfig:
    """The sample site, its demo passwords re-hashed cheaply."""
    return cheaply_hashed(load_site_config(SAMPLE))


@pytest.fixture
async def client(site: SiteConfig) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(site, feed=scenario_feed())
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
    ):
        yield client


async def scrape(client: httpx.AsyncClient) -> dict[Sample, float]:
    response = await client.get("/metrics", headers=basic("admin"))
    assert response.status_code == 200, response.text
    return samples(response.text)


async def test_metrics_show_exactly_the_wallboards_numbers(client: httpx.AsyncClient) -> None:
    snap = (await client.get("/api/wallboard", headers=basic("admin"))).json()
    exported = await scrape(client)
    own = {"kcc_build_info", "kcc_stats_up", "kcc_board_figures_ok"}
    assert {key: v for key, v in exported.items() if key[0] not in own} == (
        expected_from_wallboard(snap)
    )
    assert exported[("kcc_board_figures_ok", ())] == 1


async def test_hand_computed_totals(client: httpx.AsyncClient) -> None:
    exported = await scrape(client)
    total = group("total", "total")
    assert {
        series: exported.get((series, total)) for series in [*RATED.values(), *PLAIN.values()]
    } == {
        "kcc_answer_rate": 3 / 4,
        "kcc_service_level": 2 / 4,
        "kcc_direct_handling": 1 / 2,
        "kcc_occupancy": 25 / 145,
        "kcc_calls_offered": 5,
        "kcc_calls_answered": 3,
        "kcc_calls_abandoned": 2,
        "kcc_calls_short_abandoned": 1,
        "kcc_calls_unknown_end": 1,
        "kcc_callers_waiting": 1,
        "kcc_longest_wait_seconds": 90,
        "kcc_asa_seconds": pytest.approx((10 + 30 + 15) / 3),
    }
    assert exported[("kcc_norm_target", ())] == 0.8


async def test_hand_computed_groups(client: httpx.AsyncClient) -> None:
    exported = await scrape(client)

    def figures(scope: str, name: str) -> dict[str, float | None]:
        wanted = ("kcc_answer_rate", "kcc_service_level", "kcc_direct_handling", "kcc_asa_seconds")
        return {series: exported.get((series, group(scope, name))) for series in wanted}

    # belastingen: a2 (30 s, transferred) and a3 (15 s, still talking).
    assert figures("topic", BEL) == {
        "kcc_answer_rate": 1.0,
        "kcc_service_level": 0.5,
        "kcc_direct_handling": 0.0,  # a real 0: a2, the only completed call, was transferred
        "kcc_asa_seconds": 22.5,
    }
    # No topic: b2 hung up after 40 s; nothing answered, so no direct handling, no ASA.
    assert figures("topic", "(none)") == {
        "kcc_answer_rate": 0.0,
        "kcc_service_level": 0.0,
        "kcc_direct_handling": None,
        "kcc_asa_seconds": None,
    }
    # haarlem: a1, a3 answered within 20 s, b1 a short abandon, w1 waiting.
    assert figures("municipality", HAARLEM) == {
        "kcc_answer_rate": 1.0,
        "kcc_service_level": 1.0,
        "kcc_direct_handling": 1.0,
        "kcc_asa_seconds": 12.5,
    }
    assert exported[("kcc_callers_waiting", group("municipality", ZANDVOORT))] == 0
    # u1's unknown end, in its groups and a real 0 in the others.
    unknown = {
        key[1]: value for key, value in exported.items() if key[0] == "kcc_calls_unknown_end"
    }
    assert unknown[group("topic", BZ)] == unknown[group("municipality", HAARLEM)] == 1
    assert unknown[group("topic", BEL)] == unknown[group("municipality", ZANDVOORT)] == 0


async def test_figures_without_a_value_have_no_sample(client: httpx.AsyncClient) -> None:
    exported = await scrape(client)
    quiet = group("topic", "bouwen-wonen")  # configured, no calls today
    assert exported[("kcc_calls_offered", quiet)] == 0  # a count is known: 0
    for series in ("kcc_answer_rate", "kcc_service_level", "kcc_asa_seconds"):
        assert (series, quiet) not in exported
    # Occupancy is not split by topic or municipality: only the total has it.
    assert [key for key in exported if key[0] == "kcc_occupancy"] == [
        ("kcc_occupancy", group("total", "total"))
    ]
    assert ("kcc_longest_wait_seconds", group("topic", BEL)) not in exported  # nobody waits


async def test_hand_computed_callback_notes(client: httpx.AsyncClient) -> None:
    exported = await scrape(client)

    def notes(scope: str, name: str) -> dict[str, float | None]:
        wanted = [*NOTES_PLAIN.values(), *NOTES_RATED.values()]
        return {series: exported.get((series, group(scope, name))) for series in wanted}

    def row(made: int, done: int, open_: int, late: int, ratio: float | None) -> dict[str, Any]:
        return dict(zip([*NOTES_PLAIN.values(), *NOTES_RATED.values()],
                        (made, done, open_, late, ratio), strict=True))  # fmt: skip

    assert notes("department", BEL) == row(1, 0, 2, 1, 0.0)  # a real 0: k1 is late
    assert notes("department", BZ) == row(0, 1, 0, 0, 1.0)
    assert notes("department", "vergunningen") == row(0, 0, 0, 0, None)  # quiet: no ratio
    assert notes("total", "total") == row(1, 1, 2, 1, 0.5)


async def test_agents_per_state(client: httpx.AsyncClient) -> None:
    exported = await scrape(client)
    counts = {
        dict(labels)["state"]: value
        for (series, labels), value in exported.items()
        if series == "kcc_agents"
    }
    assert counts == {
        "logged_out": 1,  # 1003, who worked this morning
        "available": 1,
        "ringing": 0,
        "talking": 1,
        "after_call_work": 0,
        "paused": 0,
    }


async def test_metrics_stay_admin_only(client: httpx.AsyncClient) -> None:
    for user in ("floor", "teamlead"):
        assert (await client.get("/metrics", headers=basic(user))).status_code == 403


async def test_the_wallboard_and_metrics_follow_the_day_once(
    site: SiteConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One set of running figures per app: a second would fold every record twice."""
    from realtime_stats.wallboard import kept_snapshot

    boards: list[object] = []

    class CountedBoard(kept_snapshot.DayBoard):
        def __init__(self, board_site: SiteConfig) -> None:
            super().__init__(board_site)
            boards.append(self)

    monkeypatch.setattr(kept_snapshot, "DayBoard", CountedBoard)
    app = create_app(site, feed=scenario_feed())
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
    ):
        snap = (await client.get("/api/wallboard", headers=basic("admin"))).json()
        exported = await scrape(client)
    assert len(boards) == 1
    assert exported[("kcc_calls_offered", group("total", "total"))] == snap["totals"]["offered"]
