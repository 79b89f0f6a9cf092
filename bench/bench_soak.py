"""Soak: an hour of steady calls; the controller's and the stats service's memory stay
flat, and every per-call table is empty once the calls are over.

Runs the whole stack (Redis, Asterisk 22 in its chroot, the controller, the stats
service) as instance "soak" on ports of its own, in a temporary state folder, with the
load benchmark's floor (bench/load_site.py, bench/load_floor.py): --agents (60)
positions answered by one SIPp phone bank, who talk --talk (6 s) and hang up. One SIPp
caller per load topic places its share of --rate (2) new calls a second for
--duration (3600) seconds, every call through the real IVR with keypad digits into
the controller's queues, RTP both ways the whole call.

Every --sample (30) seconds it records the controller's and the stats service's RSS
(VmRSS) and the controller's per-call tables (``kcc_controller_call_entries`` on its
/metrics, read with a metrics-only login). When the callers are done it waits, at most
--settle (60) seconds, for every table to read 0.

At the first sample after the --warmup (300 s) and at the last it also reads the stats
service's day's records from the run's store and measures what they take
(bench/soak_records.py). It passes (exit 0) when the controller grew no more than 20 MB
an hour after the warm-up, the stats service no more than 10 MB an hour beyond its day's
records' own growth, the tables emptied, and every call placed was answered with no
SIPp failure (bench/soak_figures.py).

Not in ``make bench`` (bench/run.py leaves it out: it takes over an hour): ``make soak``.

    .venv/bin/python bench/bench_soak.py [--duration S] [--rate R] [--agents N] [--no-write]
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from load_floor import Plan, finished, menu_keys, rss_mb, staff  # noqa: E402
from load_site import LOAD_KEYS, LoadSite, write_load_site  # noqa: E402
from prometheus_client.parser import text_string_to_metric_families  # noqa: E402
from results_file import merge_results  # noqa: E402
from run import write_doc  # noqa: E402
from soak_figures import (  # noqa: E402
    MAX_BEYOND_RECORDS_MB_PER_H,
    MAX_GROWTH_MB_PER_H,
    Calls,
    Records,
    Sample,
    memory,
    result_rows,
    shortfalls,
    stats_growth,
)
from soak_records import RecordsGauge  # noqa: E402
from wallboard_load import menu_start_s  # noqa: E402

from kcc.sipp.runner import Caller, PhoneBank, PortAllocator  # noqa: E402
from kcc.stack.stack import Stack  # noqa: E402
from site_config import load_site_config  # noqa: E402

SAMPLE = ROOT / "config" / "site.yaml"
RESULTS_PATH = ROOT / "bench" / "results.json"
SAMPLES_PATH = ROOT / "bench" / "soak_samples.json"
# Ports of its own: the demo, the tests, bench_load.py (RTP 25000-28999, SIPp
# 60000-64000) and the other benchmarks use theirs.
SERVICES = {
    "sip_port": 5290,
    "ami_port": 5268,
    "agi_port": 4803,
    "http_port": 8253,
    "control_port": 8254,
    "rtp_port_start": 29000,
    "rtp_port_end": 29999,
    "redis_url": "redis://127.0.0.1:6593/0",
}
SIPP_PORTS = (51000, 55000)
INSTANCE = "soak"
IVR_OPEN = ("--ivr-time", "2026-11-23T10:00:00+01:00")  # a Monday morning: open
CALL_ENTRIES = "kcc_controller_call_entries"


@dataclass(frozen=True, kw_only=True)
class SoakPlan:
    """The load's shape and the watch's timing, from the command line."""

    duration_s: float = 3600.0
    rate_per_s: float = 2.0
    agents: int = 60
    talk_s: float = 6.0
    sample_s: float = 30.0
    warmup_s: float = 300.0
    settle_s: float = 60.0  # the longest the tables may take to empty after the calls
    drain_s: float = 120.0  # the longest the last calls may take to end
    max_growth_mb_per_h: float = MAX_GROWTH_MB_PER_H
    max_beyond_records_mb_per_h: float = MAX_BEYOND_RECORDS_MB_PER_H

    @property
    def calls_per_topic(self) -> int:
        return max(1, round(self.rate_per_s / len(LOAD_KEYS) * self.duration_s))


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds the with-blocks: every process is stopped


class Watch:
    """What the soak looks at: the two processes' memory and the controller's tables."""

    def __init__(self, stack: Stack, site: LoadSite, bank: PhoneBank) -> None:
        assert stack.controller is not None and stack.stats is not None
        self._controller, self._stats = stack.controller.proc.pid, stack.stats.proc.pid
        self._bank = bank
        self.records = RecordsGauge(stack.state_dir / "kcc.db")  # the stats service's store
        self._metrics = httpx.Client(
            base_url=stack.control_url, auth=site.metrics_login, timeout=10
        )

    def close(self) -> None:
        self._metrics.close()

    def call_entries(self) -> int:
        """All the controller's per-call tables together, as its /metrics says."""
        reply = self._metrics.get("/metrics")
        reply.raise_for_status()
        found = [
            s.value
            for family in text_string_to_metric_families(reply.text)
            for s in family.samples
            if s.name == CALL_ENTRIES
        ]
        if not found:
            raise SystemExit(f"the controller's /metrics has no {CALL_ENTRIES}")
        return int(sum(found))

    def sample(self, at_s: float, callers: list[Caller]) -> Sample:
        _, failed = finished(callers)
        return Sample(
            at_s=round(at_s, 1),
            controller_rss_mb=rss_mb(self._controller),
            stats_rss_mb=rss_mb(self._stats),
            call_entries=self.call_entries(),
            answered=self._bank.counts().get("SuccessfulCall(C)", 0),
            failed=failed,
        )


def place_load(stack: Stack, ports: PortAllocator, plan: SoakPlan, menu_s: float) -> list[Caller]:
    """One SIPp caller per load topic, their rates adding up to the plan's."""
    svc = stack.site.services
    return [
        Caller(
            target=f"{svc.bind_host}:{svc.sip_port}",
            ports=ports,
            caller_id=f"0677{i + 1}{10000:05d}",
            steps=menu_keys(menu_s, key),
            calls=plan.calls_per_topic,
            rate_per_s=plan.rate_per_s / len(LOAD_KEYS),
            timeout_s=plan.duration_s + plan.drain_s + 60,
            workdir=stack.state_dir / "sipp" / f"soak-topic{key}",
        )
        for i, key in enumerate(LOAD_KEYS)
    ]


def watch_load(
    watch: Watch, callers: list[Caller], plan: SoakPlan
) -> tuple[list[Sample], list[Records]]:
    """Sample every ``sample_s`` until the callers are done (or the run's bound); the
    day's records at the first sample after the warm-up and at the last."""
    samples: list[Sample] = []
    records: list[Records] = []
    start = time.monotonic()
    next_at, deadline = start, start + plan.duration_s + plan.drain_s
    while time.monotonic() < deadline and any(c.running() for c in callers):
        now = time.monotonic()
        if now >= next_at:
            samples.append(watch.sample(now - start, callers))
            _print_sample(samples[-1])
            if not records and samples[-1].at_s >= plan.warmup_s:
                records.append(_measure(watch, samples[-1].at_s))
            next_at += plan.sample_s
        time.sleep(0.5)
    time.sleep(2.0)  # SIPp writes its statistics once a second: let the last row land
    samples.append(watch.sample(time.monotonic() - start, callers))
    _print_sample(samples[-1])
    records.append(_measure(watch, samples[-1].at_s))
    return samples, records


def _measure(watch: Watch, at_s: float) -> Records:
    found = watch.records.measure(at_s)
    print(f"{at_s:7.0f} s: the day's records take {found.mb:.2f} MB ({found.calls} calls, "
          f"{found.ivr_calls} IVR calls, {found.intervals} agent intervals; read in "
          f"{found.load_s:.2f} s)", flush=True)  # fmt: skip
    return found


def settle(watch: Watch, plan: SoakPlan) -> int | None:
    """The tables' total once it reads 0, waiting at most ``settle_s``; None if never."""
    deadline = time.monotonic() + plan.settle_s
    while True:
        if (left := watch.call_entries()) == 0:
            return 0
        if time.monotonic() >= deadline:
            print(f"per-call tables still hold {left} entries after {plan.settle_s:g} s")
            return None
        time.sleep(1.0)


def _print_sample(s: Sample) -> None:
    print(f"{s.at_s:7.0f} s: controller {s.controller_rss_mb:.1f} MB, stats "
          f"{s.stats_rss_mb:.1f} MB, {s.call_entries} per-call entries, "
          f"{s.answered} answered, {s.failed} failed", flush=True)  # fmt: skip


def soak(plan: SoakPlan, folder: Path) -> tuple[list[Sample], list[Records], Calls]:
    site_files = write_load_site(SAMPLE, folder, SERVICES, agents=plan.agents)
    site = load_site_config(site_files.path)
    floor_plan = replace(Plan(), agents=plan.agents, talk_s=plan.talk_s)
    # The phones stay registered past the run: the bank's own hour would end too soon.
    registration_s = int(plan.duration_s + plan.drain_s + plan.settle_s + 600)
    with ExitStack() as exits:
        print(f"starting the stack (instance {INSTANCE!r}, state in {folder})", flush=True)
        stack = exits.enter_context(
            Stack(site, instance=INSTANCE, state_dir=folder / "state", controller_args=IVR_OPEN)
        )
        ports = PortAllocator(*SIPP_PORTS)
        bank = staff(stack, site_files, floor_plan, exits, ports, registration_s=registration_s)
        watch = Watch(stack, site_files, bank)
        exits.callback(watch.close)
        load = place_load(stack, ports, plan, menu_start_s(stack))
        callers = [exits.enter_context(c) for c in load]  # stopped however the run ends
        print(f"{plan.agents} agents; {plan.calls_per_topic * len(callers)} calls at "
              f"{plan.rate_per_s:g}/s over {plan.duration_s:g} s", flush=True)  # fmt: skip
        samples, records = watch_load(watch, callers, plan)
        ok, failed = finished(callers)
        placed = plan.calls_per_topic * len(callers)
        after = settle(watch, plan)
        calls = Calls(
            placed=placed,
            answered=samples[-1].answered,
            failed=failed + max(0, placed - ok - failed),  # unfinished ones failed too
            peak_call_entries=max(s.call_entries for s in samples),
            call_entries_after=after,
        )
    return samples, records, calls


def report(
    samples: list[Sample],
    records: list[Records],
    calls: Calls,
    plan: SoakPlan,
    args: argparse.Namespace,
) -> list[str]:
    """Print and write the soak's figures; what did not hold."""
    controller = memory(samples, plan.warmup_s, "controller_rss_mb")
    stats = memory(samples, plan.warmup_s, "stats_rss_mb")
    if len(records) < 2:
        raise SystemExit(f"the day's records were read {len(records)} time(s): need two")
    growth = stats_growth(stats, records[0], records[-1])
    for name, mem in (("controller", controller), ("stats service", stats)):
        print(f"{name}: {mem.start_mb:.1f} MB after warm-up, {mem.end_mb:.1f} MB at the "
              f"end, {mem.growth_mb_per_h:+.1f} MB/h (halves {mem.first_half_mb_per_h:+.1f}"
              f", {mem.second_half_mb_per_h:+.1f})")  # fmt: skip
    print(f"stats service's day's records: {growth.records_start_mb:.2f} MB after warm-up, "
          f"{growth.records_end_mb:.2f} MB at the end, {growth.records_mb_per_h:+.1f} MB/h; "
          f"RSS beyond them {growth.beyond_records_mb_per_h:+.1f} MB/h")  # fmt: skip
    after = "not 0" if calls.call_entries_after is None else calls.call_entries_after
    print(f"calls: {calls.placed} placed, {calls.answered} answered, {calls.failed} failed; "
          f"per-call entries: peak {calls.peak_call_entries}, after {after}")  # fmt: skip
    kept = {
        "plan": asdict(plan),
        "samples": [asdict(s) for s in samples],
        "records": [asdict(r) for r in records],
    }
    args.samples.write_text(json.dumps(kept, indent=1) + "\n")
    print(f"samples in {args.samples}")
    if not args.no_write:
        merge_results(args.results, result_rows(controller, stats, growth, calls))
        write_doc(json.loads(args.results.read_text()))
        print(f"merged the soak's figures into {args.results}; docs/benchmarks.md written")
    return shortfalls(
        controller, growth, calls, max_growth=plan.max_growth_mb_per_h,
        max_beyond=plan.max_beyond_records_mb_per_h,
    )  # fmt: skip


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    defaults = SoakPlan()
    for flag, value, what in (
        ("--duration", defaults.duration_s, "seconds of calls"),
        ("--rate", defaults.rate_per_s, "new calls a second"),
        ("--talk", defaults.talk_s, "seconds an agent talks"),
        ("--sample", defaults.sample_s, "seconds between samples"),
        ("--warmup", defaults.warmup_s, "seconds left out of the memory figures"),
        ("--settle", defaults.settle_s, "seconds the tables may take to empty"),
        ("--max-growth", defaults.max_growth_mb_per_h, "MB/h the controller may grow"),
        (
            "--max-beyond",
            defaults.max_beyond_records_mb_per_h,
            "MB/h the stats service may grow beyond its day's records",
        ),
    ):
        parser.add_argument(flag, type=float, default=value, help=f"{what} ({value:g})")
    parser.add_argument("--agents", type=int, default=defaults.agents)
    parser.add_argument("--no-write", action="store_true", help="do not touch results.json")
    parser.add_argument("--results", type=Path, default=RESULTS_PATH)
    parser.add_argument("--samples", type=Path, default=SAMPLES_PATH, help="the samples file")
    parser.add_argument("--keep", action="store_true", help="keep the state folder and logs")
    args = parser.parse_args(argv)
    plan = SoakPlan(
        duration_s=args.duration, rate_per_s=args.rate, agents=args.agents, talk_s=args.talk,
        sample_s=args.sample, warmup_s=args.warmup, settle_s=args.settle,
        max_growth_mb_per_h=args.max_growth, max_beyond_records_mb_per_h=args.max_beyond,
    )  # fmt: skip
    signal.signal(signal.SIGTERM, _terminate)
    folder = Path(tempfile.mkdtemp(prefix="kcc-bench-soak-"))
    started, code = time.monotonic(), 1
    try:
        samples, records, calls = soak(plan, folder)
        problems = report(samples, records, calls, plan, args)
        for problem in problems:
            print(f"SOAK FAILED: {problem}", file=sys.stderr)
        code = 1 if problems else 0
        print("soak passed" if code == 0 else f"soak failed ({len(problems)})")
        return code
    finally:
        print(f"run time {time.monotonic() - started:.0f} s")
        if code == 0 and not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            print(f"state folder and logs kept in {folder}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
