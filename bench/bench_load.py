"""Benchmark: the calls a second and at once the stack holds, through the controller and
through plain app_queue.

Runs the whole stack (Redis, Asterisk 22 in its chroot, the controller, the stats
service) as instance "load" on ports of its own, in a temporary state folder, with a
floor of --agents (240) positions answered by one SIPp phone bank (bench/load_floor.py).
The load rises in steps (--rates, new calls a second, each offered for --arrivals 30 s):
SIPp callers dial 14023, go through the real IVR with keypad digits (RFC 4733) into the
four load topics and are answered by an agent who talks --talk (6 s) and hangs up, with
RTP both ways the whole call. Each step also places one probe caller into a topic whose
only agent is on a break, listening for the waiting message; a display reads the
wallboard's push stream the whole run.

A step *held* (bench/load_figures.py) when every call was answered with no SIPp failure,
the probe heard the first waiting message within 0.5 s of 20 s, and the wallboard's p95
event-to-screen latency stayed under 250 ms. The variant's capacity is its last step
held before one that was not:

* through the controller   ours: FastAGI IVR, the controller's queues over AMI;
* plain app_queue          the baseline, in the same run: the controller stopped, the
                           dialplan's fallback sends callers straight into app_queue
                           (no IVR: their digits go nowhere, so their calls are shorter
                           by the menu's time; no waiting message and no events, so
                           only the first two conditions apply).

Also reported, at each variant's capacity: Asterisk's and the controller's CPU time per
call (/proc/<pid>/stat over the step, bench/process_cpu.py) and the controller's memory
(VmRSS after the step).

    .venv/bin/python bench/bench_load.py [--rates 5,10,...] [--agents N] [--no-write] [--keep]
"""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import redis  # noqa: E402
from latency import board_changing, match, parse_through, stream_event, summarize  # noqa: E402
from load_figures import BASELINE, OURS, StepRun, capacity, result_rows  # noqa: E402
from load_floor import (  # noqa: E402
    BoardWatcher,
    Plan,
    Probe,
    finished,
    peak_concurrent,
    place_step,
    rss_mb,
    staff,
)
from load_site import LoadSite, write_load_site  # noqa: E402
from process_cpu import TICKS_PER_S, read_cpu_ticks  # noqa: E402
from results_file import merge_results  # noqa: E402
from wallboard_load import menu_start_s  # noqa: E402

from kcc.sipp.runner import PhoneBank, PortAllocator  # noqa: E402
from kcc.stack.stack import Stack  # noqa: E402
from site_config import load_site_config  # noqa: E402

SAMPLE = ROOT / "config" / "site.yaml"
RESULTS_PATH = ROOT / "bench" / "results.json"
# Ports of its own: the demo, the tests and the other benchmarks use theirs.
SERVICES = {
    "sip_port": 5190,
    "ami_port": 5168,
    "agi_port": 4703,
    "http_port": 8153,
    "control_port": 8154,
    "rtp_port_start": 25000,
    "rtp_port_end": 28999,
    "redis_url": "redis://127.0.0.1:6493/0",
}
SIPP_PORTS = (60000, 64000)
INSTANCE = "load"
IVR_OPEN = ("--ivr-time", "2026-11-23T10:00:00+01:00")  # a Monday morning: open
STREAM = "kcc:events"


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds the with-blocks: every process is stopped


class Floor:
    """What one run shares across its steps."""

    def __init__(
        self, stack: Stack, site: LoadSite, plan: Plan, bank: PhoneBank, ports: PortAllocator
    ) -> None:
        assert stack.asterisk is not None
        self.stack, self.site, self.plan, self.bank, self.ports = stack, site, plan, bank, ports
        self.asterisk_pid = int((stack.asterisk.host_dir / "run" / "asterisk.pid").read_text())
        self.menu_start_s = menu_start_s(stack)
        self.redis = redis.Redis.from_url(stack.site.services.redis_url, decode_responses=True)

    def controller_pid(self) -> int | None:
        proc = self.stack.controller
        return proc.proc.pid if proc is not None and proc.alive() else None


def run_step(
    floor: Floor, variant: str, step: int, rate: float, watcher: BoardWatcher | None
) -> StepRun:
    """Offer ``rate`` calls a second for the plan's arrival time, then wait for them all."""
    plan, ctl = floor.plan, floor.controller_pid()
    ast_before = read_cpu_ticks(floor.asterisk_pid)
    ctl_before = read_cpu_ticks(ctl) if ctl else None
    bank_before = floor.bank.counts().get("SuccessfulCall(C)", 0)
    mark = _last_id(floor.redis)
    menu = floor.menu_start_s if ctl else None  # no controller, no IVR
    callers = place_step(floor.stack, floor.ports, plan, rate, menu, step)
    probe = Probe(floor.stack, floor.ports, plan, floor.menu_start_s, step) if ctl else None
    placed = sum(max(1, round(rate / len(callers) * plan.arrivals_s)) for _ in callers)
    peak, deadline = 0, time.monotonic() + plan.arrivals_s + plan.drain_s
    while time.monotonic() < deadline and (
        any(c.running() for c in callers) or (probe is not None and probe.running())
    ):
        peak = max(peak, peak_concurrent(callers))
        time.sleep(0.5)
    time.sleep(2.0)  # SIPp writes its statistics once a second: let the last row land
    ok, failed = finished(callers)
    for caller in callers:
        caller.stop()
    answered = floor.bank.counts().get("SuccessfulCall(C)", 0) - bank_before
    calls = max(answered, 1)
    ast_used = read_cpu_ticks(floor.asterisk_pid) - ast_before
    ctl_used = read_cpu_ticks(ctl) - ctl_before if ctl and ctl_before else None
    return StepRun(
        variant=variant,
        rate_per_s=rate,
        placed=placed,
        answered=answered,
        failed=failed + max(0, placed - ok - failed),
        peak_concurrent=peak,
        first_message_s=probe.first_message_s() if probe is not None else None,
        wallboard_p95_ms=_wallboard_p95(floor, watcher, mark) if watcher else None,
        asterisk_cpu_ms_per_call=ast_used.total / TICKS_PER_S * 1000 / calls,
        controller_cpu_ms_per_call=(
            None if ctl_used is None else ctl_used.total / TICKS_PER_S * 1000 / calls
        ),
        controller_rss_mb=rss_mb(ctl) if ctl else None,
    )


def _last_id(client: redis.Redis) -> str:
    newest = client.xrevrange(STREAM, count=1)
    return str(newest[0][0]) if newest else "0-0"


def _wallboard_p95(floor: Floor, watcher: BoardWatcher, mark: str) -> float | None:
    """p95 of the board-changing events since ``mark``, once the board has caught up."""
    last = parse_through(_last_id(floor.redis))
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and last is not None:
        seen = [s.through for s in watcher.sightings if s.through is not None]
        if seen and max(seen) >= last:
            break
        time.sleep(0.2)
    entries = floor.redis.xrange(STREAM, min="-", max="+")  # all: the fold replays them
    on_board = board_changing(entries)
    since = parse_through(mark) if mark != "0-0" else None
    events = [stream_event(i, f) for i, f in entries]
    shown = [
        e for e in events if e.stream_id in on_board and (since is None or e.stream_id > since)
    ]
    if not shown:
        return None
    matching = match(shown, watcher.sightings)
    return summarize(matching).p95_ms if matching.shown else None


def run_variant(floor: Floor, variant: str, watcher: BoardWatcher | None) -> list[StepRun]:
    runs: list[StepRun] = []
    checks = {"probe": watcher is not None, "wallboard": watcher is not None}
    for step, rate in enumerate(floor.plan.rates, start=1):
        run = run_step(floor, variant, step, rate, watcher)
        runs.append(run)
        _print_step(run, run.shortfalls(**checks))
        if not run.held(**checks):
            break
    return runs


def _print_step(run: StepRun, shortfalls: list[str]) -> None:
    parts = [
        f"{run.variant}: {run.rate_per_s:g}/s",
        f"{run.answered}/{run.placed} answered",
        f"peak {run.peak_concurrent} at once",
        f"Asterisk {run.asterisk_cpu_ms_per_call:.1f} ms/call",
    ]
    if run.controller_cpu_ms_per_call is not None:
        parts.append(f"controller {run.controller_cpu_ms_per_call:.1f} ms/call")
    if run.controller_rss_mb is not None:
        parts.append(f"{run.controller_rss_mb:.0f} MB")
    if run.first_message_s is not None:
        parts.append(f"message at {run.first_message_s:.2f} s")
    if run.wallboard_p95_ms is not None:
        parts.append(f"board p95 {run.wallboard_p95_ms:.0f} ms")
    verdict = "held" if not shortfalls else "NOT held: " + "; ".join(shortfalls)
    print(", ".join(parts) + f" -> {verdict}", flush=True)


def measure(plan: Plan, folder: Path) -> tuple[list[StepRun], list[StepRun]]:
    site_files = write_load_site(SAMPLE, folder, SERVICES, agents=plan.agents)
    site = load_site_config(site_files.path)
    with ExitStack() as exits:
        print(f"starting the stack (instance {INSTANCE!r}, state in {folder})", flush=True)
        stack = exits.enter_context(
            Stack(site, instance=INSTANCE, state_dir=folder / "state", controller_args=IVR_OPEN)
        )
        ports = PortAllocator(*SIPP_PORTS)
        started = time.monotonic()
        bank = staff(stack, site_files, plan, exits, ports)
        print(f"{len(site_files.seats)} phones registered, agents logged in "
              f"in {time.monotonic() - started:.0f} s", flush=True)  # fmt: skip
        floor = Floor(stack, site_files, plan, bank, ports)
        with BoardWatcher(stack.http_url, site_files.display_token) as watcher:
            ours = run_variant(floor, OURS, watcher)
            if watcher.errors:
                print(f"wallboard stream: {len(watcher.errors)} errors, first: {watcher.errors[0]}")
        assert stack.controller is not None
        stack.controller.stop()  # the agents stay app_queue's members (acd/agents/mirror.py)
        base = run_variant(floor, BASELINE, None)
    return ours, base


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="5,10,15,20,25,30", help="calls a second, by step")
    parser.add_argument("--arrivals", type=float, default=30.0, help="seconds each step lasts")
    parser.add_argument("--agents", type=int, default=240)
    parser.add_argument("--talk", type=float, default=6.0, help="seconds an agent talks")
    parser.add_argument("--no-write", action="store_true", help="do not touch results.json")
    parser.add_argument("--results", type=Path, default=RESULTS_PATH)
    parser.add_argument("--keep", action="store_true", help="keep the state folder and logs")
    args = parser.parse_args(argv)
    rates = tuple(float(r) for r in args.rates.split(","))
    plan = replace(Plan(), rates=rates, arrivals_s=args.arrivals, agents=args.agents,
                   talk_s=args.talk)  # fmt: skip
    signal.signal(signal.SIGTERM, _terminate)
    folder = Path(tempfile.mkdtemp(prefix="kcc-bench-load-"))
    started, code = time.monotonic(), 1
    try:
        ours, base = measure(plan, folder)
        best_ours = capacity(ours, probe=True, wallboard=True)
        best_base = capacity(base, probe=False, wallboard=False)
        for name, best in ((OURS, best_ours), (BASELINE, best_base)):
            held = "nothing" if best is None else (
                f"{best.rate_per_s:g} calls/s, {best.peak_concurrent} at once")  # fmt: skip
            print(f"capacity {name}: {held}")
        if best_ours is not None and best_base is not None:
            print(f"ratio (calls/s): {best_ours.rate_per_s / best_base.rate_per_s:.2f}")
        if not args.no_write:
            rows = result_rows(best_ours, best_base)
            merge_results(args.results, rows)
            print(f"merged {len(rows)} figures into {args.results}")
        code = 0 if best_ours is not None and best_base is not None else 1
        return code
    finally:
        print(f"run time {time.monotonic() - started:.0f} s")
        if code == 0 and not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            print(f"state folder and logs kept in {folder}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
