"""Benchmark: event-to-wallboard latency under a steady load, pushed (ours) versus polled.

Runs the whole stack (Redis, Asterisk 22 in its chroot, the controller, the stats
service) as instance "bench" on ports of its own, in a temporary state folder, with a
steady load of real SIPp callers and auto-answering SIPp agents (bench/wallboard_load.py).
Two clients watch the board for the whole run:

* ours            the real wallboard page in headless Chromium, updated by the server's
                  push (SSE); the page logs, on the animation frame after each pushed
                  snapshot is applied, when it was shown and its ``events_through``;
* poll every 3 s  the baseline: what common wallboards do, GET /api/wallboard every 3 s,
                  logging when each reply arrived and its ``events_through``.

Afterwards every event the load caused is read back from the Redis Stream. The figures
are over the events that change what the board shows (``latency.board_changing``: a call's
start, its IVR steps and offers change nothing on it; their latencies are printed apart,
for information). An event's latency is the first sighting covering it minus its ``at``
(bench/latency.py). Both clients read the same server, so the difference is pushing
against polling. Events no sighting covered are counted; more than a handful, or none
measured at all, fails the run.

    .venv/bin/python bench/bench_wallboard_latency.py [--duration S] [--no-write] [--keep]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import redis  # noqa: E402
from latency import (  # noqa: E402
    Matching,
    Sighting,
    StreamEvent,
    Summary,
    board_changing,
    by_type,
    match,
    parse_through,
    result_entries,
    stream_event,
    summarize,
)
from playwright.sync_api import Error as PlaywrightError  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402
from results_file import merge_results  # noqa: E402
from wallboard_load import (  # noqa: E402
    Poller,
    SteadyLoad,
    place_calls,
    staff_agents,
    wait_callers_done,
    write_bench_site,
)

from kcc.sipp.runner import PortAllocator  # noqa: E402
from kcc.stack.stack import Stack  # noqa: E402
from realtime_stats.store import StreamId  # noqa: E402
from site_config import load_site_config  # noqa: E402
from site_config.demo_secrets import DEMO_DISPLAY_TOKEN  # noqa: E402

SAMPLE = ROOT / "config" / "site.yaml"
RESULTS_PATH = ROOT / "bench" / "results.json"
# A third set of ports: the demo uses the sample's, the integration tests their own.
SERVICES = {
    "sip_port": 5170,
    "ami_port": 5148,
    "agi_port": 4683,
    "http_port": 8133,
    "control_port": 8134,
    "rtp_port_start": 23000,
    "rtp_port_end": 23999,
    "redis_url": "redis://127.0.0.1:6491/0",
}
SIPP_PORTS = (50000, 56000)  # tests take 31000-39000, the demo 40000-48000
INSTANCE = "bench"
# The IVR's clock starts on a Monday morning, so it is open whatever the time of the run.
IVR_OPEN = ("--ivr-time", "2026-11-23T10:00:00+01:00")
STREAM = "kcc:events"
CHROMIUM = "/usr/bin/chromium"
POLL_EVERY_S = 3.0
BASELINE = "poll every 3 s"
OURS = "wallboard page (push)"
MAX_UNSHOWN = 5
AIM_P95_MS, AIM_P99_MS = 250.0, 500.0
RENDER_LOG_MAX = 5000  # board.js keeps at most this many renders


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds the with-blocks: every process is stopped


@contextmanager
def wallboard_page(url: str) -> Iterator[Page]:
    """The wallboard open in headless Chromium, once it has shown its first snapshot."""
    with sync_playwright() as playwright:
        # Chromium's sandbox refuses to run as root; this may run as root in a container.
        args = ["--no-sandbox"] if os.geteuid() == 0 else []
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        try:
            page = browser.new_page(viewport={"width": 1920, "height": 1080})
            page.goto(url)
            page.wait_for_function(
                "() => Number(document.body.dataset.snapshots || 0) >= 1", timeout=30_000
            )
            yield page
        finally:
            # After a Ctrl-C the driver, in our process group, may be gone already.
            with contextlib.suppress(PlaywrightError):
                browser.close()


def rendered(page: Page) -> list[Sighting]:
    log = page.evaluate("() => window.kccRenderLog.slice()")
    if len(log) >= RENDER_LOG_MAX:
        print(f"warning: the page's render log is full ({RENDER_LOG_MAX}): the oldest are gone")
    return [Sighting(r["shown_at_ms"] / 1000, parse_through(r["events_through"])) for r in log]


def last_id(client: redis.Redis) -> str:
    newest = client.xrevrange(STREAM, count=1)
    return str(newest[0][0]) if newest else "0-0"


def wait_quiet(client: redis.Redis, quiet_s: float, timeout_s: float) -> str:
    """The stream's last id once it has not moved for ``quiet_s``."""
    deadline = time.monotonic() + timeout_s
    last, since = last_id(client), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = last_id(client)
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            return last
    raise SystemExit(f"the event stream did not settle within {timeout_s:.0f} s")


def wait_covered(page: Page, poller: Poller, last: str, timeout_s: float) -> None:
    """Until both clients have seen the stream up to ``last`` (or the time is up)."""
    target = parse_through(last)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        shown = [s.through for s in rendered(page) if s.through is not None]
        polled = poller.sightings[-1].through if poller.sightings else None
        if target is None or (
            shown and max(shown) >= target and polled is not None and polled >= target
        ):
            return
        time.sleep(0.5)


@dataclass(frozen=True)
class Recorded:
    """What one run saw: the events after the mark, which of them change the board, and
    each client's sightings."""

    events: list[StreamEvent]
    on_board: frozenset[StreamId]
    sightings: dict[str, list[Sighting]]
    calls: int


def measure(args: argparse.Namespace, folder: Path) -> Recorded:
    """Run the load with both clients watching; the events it caused and their sightings."""
    load = SteadyLoad(duration_s=args.duration)
    site = load_site_config(write_bench_site(SAMPLE, folder, SERVICES, load))
    with ExitStack() as exits:
        print(f"starting the stack (instance {INSTANCE!r}, state in {folder})", flush=True)
        stack = exits.enter_context(
            # demo: the bench logs in with the sample site's published demo secrets.
            Stack(
                site,
                instance=INSTANCE,
                state_dir=folder / "state",
                controller_args=IVR_OPEN,
                demo=True,
            )
        )
        ports = PortAllocator(*SIPP_PORTS)
        for line in staff_agents(stack, exits, ports, load):
            print(f"agent {line}", flush=True)
        page = exits.enter_context(
            wallboard_page(f"{stack.http_url}/wallboard?token={DEMO_DISPLAY_TOKEN}")
        )
        client = exits.enter_context(
            redis.Redis.from_url(site.services.redis_url, decode_responses=True)
        )
        poller = exits.enter_context(Poller(stack.http_url, DEMO_DISPLAY_TOKEN, POLL_EVERY_S))
        mark = StreamId.parse(last_id(client))  # both clients watch every event after this
        low, high = load.interval_s
        print(f"load: a call every {low:g}-{high:g} s for {load.duration_s:g} s", flush=True)
        callers = place_calls(stack, exits, ports, load)
        still_on = wait_callers_done(callers, timeout_s=120)
        last = wait_quiet(client, quiet_s=load.after_call_work_s + 4, timeout_s=120)
        wait_covered(page, poller, last, timeout_s=30)
        entries = client.xrange(STREAM, min="-", max=last)  # all: the fold replays them
        events = [stream_event(i, fields) for i, fields in entries]
        sightings = {OURS: rendered(page), BASELINE: list(poller.sightings)}
        if poller.errors:
            print(f"poller: {len(poller.errors)} failed polls, first: {poller.errors[0]}")
        print(f"{len(callers)} calls placed, {still_on} still on after the wait", flush=True)
    return Recorded(
        events=[e for e in events if e.stream_id > mark],
        on_board=board_changing(entries),
        sightings=sightings,
        calls=len(callers),
    )


def _row(name: str, s: Summary) -> str:
    return (
        f"{name:<24}{s.count:>7}{s.unshown:>9}{s.p50_ms:>9.1f}{s.p95_ms:>9.1f}"
        f"{s.p99_ms:>9.1f}{s.max_ms:>9.1f}"
    )


def _head(first: str) -> str:
    heads = ("events", "unshown", "p50 ms", "p95 ms", "p99 ms", "max ms")
    return f"\n{first:<24}{heads[0]:>7}" + "".join(f"{h:>9}" for h in heads[1:])


def report(matchings: dict[str, Matching], off_board: Matching | None) -> dict[str, Summary]:
    summaries = {name: summarize(m) for name, m in matchings.items()}
    print(_head("events on the board"))
    for name, summary in summaries.items():
        print(_row(name, summary))
    ours = summaries[OURS]
    met = ours.p95_ms < AIM_P95_MS and ours.p99_ms < AIM_P99_MS
    print(f"aim p95 < {AIM_P95_MS:g} ms, p99 < {AIM_P99_MS:g} ms: {'met' if met else 'NOT met'}")
    if ours.min_ms < 0:
        print(f"warning: a render before its event ({ours.min_ms:.1f} ms): clocks disagree?")
    print(_head(f"{OURS}, by type"))
    for kind, summary in by_type(matchings[OURS]).items():
        print(_row(kind, summary))
    if off_board is not None and off_board.shown:
        # Not in the figures: these change nothing on screen, see latency.board_changing.
        print(_head("not on the board (info)"))
        print(_row(OURS, summarize(off_board)))
    return summaries


def evaluate(args: argparse.Namespace, run: Recorded) -> int:
    shown = [e for e in run.events if e.stream_id in run.on_board]
    off = [e for e in run.events if e.stream_id not in run.on_board]
    answered = sum(e.type == "call.answered" for e in run.events)
    print(
        f"{len(run.events)} events after the mark: {len(shown)} change the board, {len(off)}"
        f" do not (call starts, IVR steps, offers); {answered} of {run.calls} calls answered"
    )
    if not shown or not answered:
        print("no board events, or no answered call: the load did not run", file=sys.stderr)
        return 1
    matchings = {name: match(shown, seen) for name, seen in run.sightings.items()}
    if any(not m.shown for m in matchings.values()):
        print("a client showed no event at all", file=sys.stderr)
        return 1
    summaries = report(matchings, match(off, run.sightings[OURS]) if off else None)
    unshown = {n: len(m.unshown) for n, m in matchings.items() if len(m.unshown) > MAX_UNSHOWN}
    if unshown:
        print(f"too many events never shown (more than {MAX_UNSHOWN}): {unshown}", file=sys.stderr)
        return 1
    if not args.no_write:
        rows = result_entries("wallboard_latency", summaries[OURS], summaries[BASELINE], BASELINE)
        merge_results(args.results, rows)
        print(f"merged {len(rows)} figures into {args.results}")
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=150.0, help="seconds of new calls")
    parser.add_argument("--no-write", action="store_true", help="do not touch results.json")
    parser.add_argument("--results", type=Path, default=RESULTS_PATH)
    parser.add_argument("--keep", action="store_true", help="keep the state folder and logs")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    folder = Path(tempfile.mkdtemp(prefix="kcc-bench-latency-"))
    started, code = time.monotonic(), 1
    try:
        code = evaluate(args, measure(args, folder))
        return code
    finally:
        print(f"run time {time.monotonic() - started:.0f} s")
        if code == 0 and not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            print(f"state folder and logs kept in {folder}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
