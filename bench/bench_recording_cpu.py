"""Benchmark: Asterisk's CPU time per recorded call, against the same call unrecorded.

Runs Asterisk 22 alone (its chroot, as instance "bench-rec" on ports of its own, no
controller, Redis or stats service): a call to a back-office colleague's own number
then falls through the dialplan to ``Dial(PJSIP/301,...,t)``. One SIPp phone registered
as extension 301 answers --calls (20) calls at once; one SIPp caller places them
together. Both sides send continuous RTP (tone pcaps, PCMA) for the whole call.

* unrecorded call  the baseline: nobody presses a key;
* recorded call    the phone presses ``#3`` (RFC 4733, inside its pcap) 1 s after it
                   answers, on every call: Asterisk's own ``kcc-record`` subroutine starts
                   MixMonitor, writing each call's two channels to the capture folder.

Once all calls are up in their bridges (AMI ``CoreShowChannels``), --lead (3 s) after
that and, when recorded, once every call's segment holds a second of audio, the
Asterisk process's CPU time (/proc/<pid>/stat: user + system, all its threads, see
bench/process_cpu.py) is taken over a fixed window of --window (20) seconds, then
divided by the calls and the window: CPU milliseconds per second of one call. The
run fails if a call was not up at the window's end, or if a recorded run did not write
one closed segment per call of at least the window's length. With no controller
nothing keeps the segments: they are counted and removed. The variants run
interleaved, --repeat (3) times each; the figures are the medians.

    .venv/bin/python bench/bench_recording_cpu.py [--calls N] [--repeat N] [--no-write] [--keep]
"""

from __future__ import annotations

import argparse
import secrets
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ami_channels import AmiChannels  # noqa: E402
from process_cpu import (  # noqa: E402
    TICKS_PER_S,
    CpuTicks,
    Spread,
    command_name,
    ms_per_call_second,
    read_cpu_ticks,
)
from results_file import merge_results  # noqa: E402

from kcc.sipp.runner import AgentPhone, Caller, PortAllocator  # noqa: E402
from kcc.sipp.scenarios import Audio  # noqa: E402
from kcc.sipp.tones import Burst, KeyPress, write_tone_pcap  # noqa: E402
from kcc.stack.asterisk import Asterisk  # noqa: E402
from site_config import SiteConfig, load_site_config  # noqa: E402

SAMPLE = ROOT / "config" / "site.yaml"
RESULTS_PATH = ROOT / "bench" / "results.json"
# Ports of its own: the demo uses the sample's, the integration tests theirs, the
# wallboard benchmark a third set.
SERVICES = {
    "sip_port": 5180,
    "ami_port": 5158,
    "agi_port": 4693,
    "http_port": 8143,
    "control_port": 8144,
    "rtp_port_start": 24000,
    "rtp_port_end": 24999,
    "redis_url": "redis://127.0.0.1:6492/0",  # in the site file only: nothing starts it
}
SIPP_PORTS = (57000, 59000)  # tests take 31000-39000, the demo 40000-48000
INSTANCE = "bench-rec"
COLLEAGUE, PASSWORD = "301", "demo301"  # the sample site's Team Reisdocumenten
CALLER_ID = "0612345678"
NEW_CALLS_PER_S = 100
BYTES_PER_S = 8000 * 2 * 2  # MixMonitor D: two channels of 8 kHz 16-bit
KEY_AT_S = 1.0  # after the answer
IDLE_S = 5.0  # Asterisk with no call, printed for information
BASELINE, OURS = "unrecorded call", "recorded call"
UNIT = "Asterisk CPU ms per call-second"


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds the with-blocks: every process is stopped


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    """How long everything lasts, from the command line."""

    calls: int
    lead_s: float
    window_s: float
    repeat: int

    @property
    def hold_s(self) -> float:
        """How long the caller stays on: past the window, with room for a slow start."""
        return self.lead_s + self.window_s + 10.0


@dataclass(frozen=True, slots=True)
class Run:
    """One measured run of one variant."""

    variant: str
    ms_per_call_s: float
    used: CpuTicks
    window_s: float
    segments: int


def write_site(folder: Path) -> Path:
    """The sample site with this benchmark's ports and a recordings folder of its own."""
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    data["services"] = {**data.get("services", {}), **SERVICES}
    data["ivr"]["flow_file"] = str((SAMPLE.parent / data["ivr"]["flow_file"]).resolve())
    data["recording"] = {**data.get("recording", {}), "directory": str(folder / "recordings")}
    path = folder / "site.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def tone_audio(path: Path, hz: float, seconds: float, keys: list[KeyPress]) -> Audio:
    """A 0.3 s burst at ``hz`` every second over low noise: continuous RTP for ``seconds``."""
    bursts = [Burst(n + 0.5, 0.3, hz) for n in range(int(seconds) - 1)]
    write_tone_pcap(path, bursts, float(int(seconds)), keys=keys)
    return Audio(str(path), int(seconds) * 1000)


def wait_for(check: Callable[[], bool], *, timeout_s: float, what: str) -> float:
    """Poll ``check`` until it holds; the time it did, or SystemExit naming ``what``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return time.monotonic()
        time.sleep(0.1)
    raise SystemExit(f"{what}: not within {timeout_s:g} s")


def segments(capture: Path, suffix: str = ".raw") -> list[Path]:
    return sorted(capture.glob(f"*_{COLLEAGUE}_*{suffix}"))


def clear_capture(capture: Path) -> int:
    """Remove what MixMonitor wrote for the colleague (nothing keeps it here); how many."""
    found = segments(capture, "")
    for path in found:
        path.unlink(missing_ok=True)
    return len([p for p in found if p.suffix == ".raw"])


class Bench:
    """Asterisk running for the whole benchmark, and the means to place a run of calls."""

    def __init__(self, site: SiteConfig, asterisk: Asterisk, ami: AmiChannels, folder: Path):
        self.site, self.asterisk, self.ami, self.folder = site, asterisk, ami, folder
        self.ports = PortAllocator(*SIPP_PORTS)
        self.pid = int((asterisk.host_dir / "run" / "asterisk.pid").read_text().strip())
        if command_name(self.pid) != "asterisk":
            raise SystemExit(f"pid {self.pid} is {command_name(self.pid)!r}, not asterisk")
        self.target = f"{site.services.bind_host}:{site.services.sip_port}"

    def run(self, plan: Plan, recorded: bool, number: int) -> Run:
        variant = OURS if recorded else BASELINE
        work = self.folder / "sipp" / f"{number:02d}-{'recorded' if recorded else 'unrecorded'}"
        work.mkdir(parents=True)
        seconds = plan.hold_s + 10
        keys = [KeyPress(KEY_AT_S, "#"), KeyPress(KEY_AT_S + 0.3, "3")] if recorded else []
        capture = self.asterisk.capture_dir
        with ExitStack() as exits:
            exits.enter_context(
                AgentPhone(
                    target=self.target, ports=self.ports, extension=COLLEAGUE,
                    password=PASSWORD, answer_after_s=0.2, talk_s=plan.hold_s + 30,
                    calls=plan.calls, workdir=work, registration_s=600,
                    audio=tone_audio(work / "phone.pcap", 600.0, seconds, keys),
                )
            )  # fmt: skip
            caller = exits.enter_context(
                Caller(
                    target=self.target, ports=self.ports, caller_id=CALLER_ID,
                    dial=COLLEAGUE, hangup_after_s=plan.hold_s, calls=plan.calls,
                    rate_per_s=NEW_CALLS_PER_S, workdir=work,
                    audio=tone_audio(work / "caller.pcap", 1100.0, seconds, []),
                )
            )  # fmt: skip
            up = wait_for(
                lambda: self.ami.bridged_calls() >= plan.calls,
                timeout_s=30,
                what=f"{plan.calls} calls up in their bridges",
            )
            if recorded:
                wait_for(
                    lambda: _recording(capture, plan.calls, BYTES_PER_S),
                    timeout_s=15,
                    what=f"{plan.calls} recordings with a second of audio each",
                )
            time.sleep(max(0.0, up + plan.lead_s - time.monotonic()))
            used, window_s = self.measure_cpu(plan.window_s)
            still_up = self.ami.bridged_calls()
            if still_up != plan.calls:
                raise SystemExit(f"{variant}: {still_up} of {plan.calls} calls up at the end")
            result = caller.wait(plan.hold_s + 60)
            if result.successful != plan.calls or result.failed:
                raise SystemExit(f"{variant}: caller {result}\n{result.log}")
        wait_for(lambda: not self.ami.channels(), timeout_s=30, what="every channel gone")
        written = self._segments(recorded, plan)
        return Run(
            variant, ms_per_call_second(used, calls=plan.calls, window_s=window_s),
            used, window_s, written,
        )  # fmt: skip

    def measure_cpu(self, window_s: float) -> tuple[CpuTicks, float]:
        """Asterisk's CPU ticks over ``window_s``, and the window as it was."""
        before, started = read_cpu_ticks(self.pid), time.monotonic()
        time.sleep(window_s)
        after, ended = read_cpu_ticks(self.pid), time.monotonic()
        return after - before, ended - started

    def _segments(self, recorded: bool, plan: Plan) -> int:
        """Check what MixMonitor wrote (one closed file a call, or none), then remove it."""
        capture = self.asterisk.capture_dir
        expected = plan.calls if recorded else 0
        wait_for(
            lambda: len(segments(capture, ".raw.closed")) >= expected,
            timeout_s=30,
            what=f"{expected} recordings closed",
        )
        raws = segments(capture)
        short = [p.name for p in raws if p.stat().st_size < plan.window_s * BYTES_PER_S]
        removed = clear_capture(capture)
        if len(raws) != expected or short:
            raise SystemExit(
                f"{len(raws)} segments written, {expected} expected; shorter than the "
                f"window: {short}"
            )
        return removed


def _recording(capture: Path, calls: int, min_bytes: int) -> bool:
    found = segments(capture)
    return len(found) >= calls and all(p.stat().st_size >= min_bytes for p in found)


def measure(plan: Plan, folder: Path) -> list[Run]:
    site = load_site_config(write_site(folder))
    secret = secrets.token_hex(16)
    with ExitStack() as exits:
        print(f"starting Asterisk (instance {INSTANCE!r}, state in {folder})", flush=True)
        asterisk = Asterisk(site, instance=INSTANCE, ami_secret=secret)
        # Runs after Asterisk has stopped (and closed its files), also on a failure or a
        # Ctrl-C: a run cut short leaves no segment behind.
        exits.callback(clear_capture, asterisk.capture_dir)
        exits.enter_context(asterisk)
        svc = site.services
        ami = exits.enter_context(
            AmiChannels(svc.bind_host, svc.ami_port, svc.ami_username, secret)
        )
        bench = Bench(site, asterisk, ami, folder)
        left = clear_capture(asterisk.capture_dir)
        if left:
            print(f"removed {left} segments an earlier run left in {asterisk.capture_dir}")
        idle, idle_s = bench.measure_cpu(IDLE_S)
        print(f"Asterisk idle: {idle.total / TICKS_PER_S * 1000 / idle_s:.1f} CPU ms per second")
        runs = []
        for number in range(plan.repeat * 2):
            run = bench.run(plan, recorded=number % 2 == 1, number=number)
            print(
                f"{run.variant:<17}{run.ms_per_call_s:>8.2f} ms per call-second "
                f"({run.used.user} user + {run.used.system} system ticks in "
                f"{run.window_s:.2f} s, {run.segments} segments)",
                flush=True,
            )
            runs.append(run)
        # Without the controller every call's FastAGI attempt fails: expected, not counted.
        errors = [e for e in asterisk.log_errors() if "res_agi.c" not in e]
        if errors:
            print(f"Asterisk logged {len(errors)} errors or warnings; the first: {errors[0]}")
    return runs


def result_entries(recorded: Spread, unrecorded: Spread) -> dict[str, dict[str, Any]]:
    return {
        "recording_asterisk_cpu_per_call": {
            "value": round(recorded.median, 3),
            "unit": UNIT,
            "baseline": BASELINE,
            "baseline_value": round(unrecorded.median, 3),
        }
    }


def report(runs: list[Run]) -> tuple[Spread, Spread]:
    spreads = {
        variant: Spread.of([r.ms_per_call_s for r in runs if r.variant == variant])
        for variant in (BASELINE, OURS)
    }
    print(f"\n{'variant':<17}{'best':>8}{'median':>8}{'worst':>8}  {UNIT}")
    for variant, spread in spreads.items():
        print(f"{variant:<17}{spread.best:>8.2f}{spread.median:>8.2f}{spread.worst:>8.2f}")
    ours, base = spreads[OURS], spreads[BASELINE]
    print(
        f"recording adds {ours.median - base.median:.2f} ms per call-second "
        f"({ours.median / base.median:.2f}x the unrecorded call)"
    )
    return ours, base


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20, help="concurrent calls a run")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each variant")
    parser.add_argument("--window", type=float, default=20.0, help="seconds measured a run")
    parser.add_argument("--lead", type=float, default=3.0, help="seconds from up to window")
    parser.add_argument("--no-write", action="store_true", help="do not touch results.json")
    parser.add_argument("--results", type=Path, default=RESULTS_PATH)
    parser.add_argument("--keep", action="store_true", help="keep the state folder and logs")
    args = parser.parse_args(argv)
    plan = Plan(calls=args.calls, lead_s=args.lead, window_s=args.window, repeat=args.repeat)
    signal.signal(signal.SIGTERM, _terminate)
    folder = Path(tempfile.mkdtemp(prefix="kcc-bench-reccpu-"))
    started, code = time.monotonic(), 1
    try:
        ours, base = report(measure(plan, folder))
        if not args.no_write:
            merge_results(args.results, result_entries(ours, base))
            print(f"merged 1 figure into {args.results}")
        code = 0
        return code
    finally:
        print(f"run time {time.monotonic() - started:.0f} s")
        if code == 0 and not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            print(f"state folder and logs kept in {folder}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
