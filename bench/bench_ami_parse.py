"""Benchmark: AMI parse plus state update on one core, ours versus panoramisk 1.4.

Replays a trace (raw AMI bytes as Asterisk sent them; bench/traces/queue_traffic.ami
is real Asterisk 22 queue traffic recorded by
tests/integration/test_capture_ami_trace.py) in socket-sized chunks and measures
events per second for:

* ours         AmiProtocol + typed events (EventFactory) + the state update,
               configured as the controller runs it: VarSet and Newexten are
               skipped before their lines are split (AmiProtocol.ignore_events);
* ours, all    the same with nothing skipped: every frame is parsed;
* panoramisk   AMIProtocol.data_received with a stand-in Manager doing the
               channel-state part of the update through panoramisk's Message API;
* panoramisk + typed  the same, plus building our typed events from its Messages
               and the controller's update (the equivalent of "ours" on panoramisk).

The state update is the real one: an ``acd.controller.Controller`` (real ACD core
and sample site, stand-ins for the AMI client and the Redis publisher that fail if
used) gets every typed event through ``on_ami_event``, and a table of channel
states by Uniqueid follows Newchannel/Newstate/Hangup so the variants can be
checked against each other: every variant must end with the same table.

The trace is small, so each measurement replays it as often as needed to take at
least --min-seconds; variants run interleaved, best of --repeat, on one pinned CPU.
Events/s divides by the number of Event frames, so skipped frames count as handled
(the controller does not need them).

    .venv/bin/python bench/bench_ami_parse.py [--trace PATH] [--repeat N] [--no-write]
    .venv/bin/python bench/bench_ami_parse.py --synthesize /tmp/queue_traffic.ami [--calls N]
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, cast

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from panoramisk.ami_protocol import AMIProtocol  # noqa: E402
from results_file import merge_results  # noqa: E402
from sample_traffic import synthetic_queue_trace  # noqa: E402

from acd.ami import AmiClient  # noqa: E402
from acd.ami.events import EventFactory, Hangup  # noqa: E402
from acd.ami.frames import Event, MalformedFrame  # noqa: E402
from acd.ami.protocol import AmiProtocol  # noqa: E402
from acd.controller import Controller  # noqa: E402
from acd.core.acd import Acd  # noqa: E402
from acd.publisher import EventPublisher  # noqa: E402
from site_config import SiteConfig, load_site_config  # noqa: E402

DEFAULT_TRACE = ROOT / "bench" / "traces" / "queue_traffic.ami"
RESULTS_PATH = ROOT / "bench" / "results.json"
SITE_PATH = ROOT / "config" / "site.yaml"
CHUNK = 8192  # bytes per read, like a socket read on a busy connection
CONTROLLER_IGNORES = frozenset({"VarSet", "Newexten"})
CHANNEL_STATE_EVENTS = frozenset({"Newchannel", "Newstate"})
States = dict[str, int]
Run = Callable[[], States]


class _NoAmi:
    """The controller's AMI client; replaying a trace must not send anything."""

    def __getattr__(self, name: str) -> NoReturn:
        raise RuntimeError(f"the benchmark's controller tried to use AMI ({name})")


class _NoPublisher:
    """The controller's Redis publisher; nothing in a replay should publish."""

    def publish(self, *args: object) -> NoReturn:
        raise RuntimeError(f"the benchmark's controller tried to publish {args[:1]}")


def new_controller(site: SiteConfig) -> Controller:
    ami, publisher = cast(AmiClient, _NoAmi()), cast(EventPublisher, _NoPublisher())
    return Controller(site, Acd(site), ami, publisher)


def ours(chunks: list[bytes], ignore: frozenset[str], controller: Controller) -> States:
    protocol, factory = AmiProtocol(ignore_events=ignore), EventFactory()
    on_event = controller.on_ami_event
    states: States = {}
    for chunk in chunks:
        protocol.receive_data(chunk)
        while (frame := protocol.next_event()) is not None:
            if isinstance(frame, Event):
                event = factory.build(frame)
                if frame.name in CHANNEL_STATE_EVENTS:  # untyped: the controller needs neither
                    states[frame.headers["Uniqueid"]] = int(frame.headers["ChannelState"])
                elif isinstance(event, Hangup):
                    states.pop(event.channel.uniqueid, None)
                on_event(event)
    return states


class _StateFactory:
    """Stands in for panoramisk's Manager: its dispatch() gets every event Message."""

    def __init__(self, controller: Controller | None) -> None:
        self.states: States = {}
        self.controller = controller
        self.factory = EventFactory()

    def dispatch(self, message: Any) -> None:
        name = message["Event"]
        if name in CHANNEL_STATE_EVENTS:
            self.states[message["Uniqueid"]] = int(message["ChannelState"])
        elif name == "Hangup":
            self.states.pop(message["Uniqueid"], None)
        if self.controller is not None:  # our typed events, read through its Message API
            self.controller.on_ami_event(self.factory.build(Event(name, message, ())))


def panoramisk(chunks: list[bytes], controller: Controller | None) -> States:
    protocol = AMIProtocol()
    protocol.connection_made(None)  # no transport is used while only receiving
    protocol.encoding = "utf8"  # what panoramisk's Manager sets
    factory = _StateFactory(controller)
    protocol.factory = factory
    for chunk in chunks:
        protocol.data_received(chunk)
    return factory.states


def census(data: bytes) -> tuple[int, int]:
    """Event frames and malformed frames in the trace, by our parser."""
    protocol, events, malformed = AmiProtocol(), 0, 0
    protocol.receive_data(data)
    protocol.receive_data(b"")
    while (frame := protocol.next_event()) is not None:
        events += isinstance(frame, Event)
        malformed += isinstance(frame, MalformedFrame)
    return events, malformed


def calibrate(variants: dict[str, Run], min_seconds: float) -> dict[str, int]:
    """Replays per measurement so that each takes at least ``min_seconds``."""
    passes = {}
    for name, run in variants.items():
        run()  # warm up
        start = time.perf_counter()
        run()
        once = time.perf_counter() - start
        passes[name] = max(1, math.ceil(min_seconds / max(once, 1e-6)))
    return passes


def measure(
    variants: dict[str, Run], passes: dict[str, int], repeat: int
) -> dict[str, list[float]]:
    """Seconds per replay of each variant, interleaved so load changes hit all alike."""
    times: dict[str, list[float]] = {name: [] for name in variants}
    reference: States | None = None
    for _ in range(repeat):
        for name, run in variants.items():
            gc.collect()
            start = time.perf_counter()
            for _ in range(passes[name]):
                states = run()
            times[name].append((time.perf_counter() - start) / passes[name])
            if reference is None:
                reference = states
            elif states != reference:
                raise SystemExit(f"{name} ended with different channel states: not comparable")
    return times


# Result key: (variant, baseline variant). The baseline doing equivalent work is
# panoramisk + typed; panoramisk alone (no typed events) is reported beside it.
ROWS = {
    "ami_parse_ours": ("ours", "panoramisk + typed"),
    "ami_parse_ours_all_frames": ("ours, all frames", "panoramisk + typed"),
    "ami_parse_panoramisk_typed": ("panoramisk + typed", None),
    "ami_parse_panoramisk": ("panoramisk", None),
}
KEYS = {variant: key for key, (variant, _) in ROWS.items()}


def report(events: int, times: dict[str, list[float]]) -> dict[str, dict[str, Any]]:
    best = {name: events / min(t) for name, t in times.items()}
    median = {name: events / statistics.median(t) for name, t in times.items()}
    typed, plain = best["panoramisk + typed"], best["panoramisk"]
    print(
        f"\n{'variant':<20}{'best ev/s':>11}{'median ev/s':>13}{'vs pano+typed':>15}{'vs pano':>9}"
    )
    for name in times:
        print(
            f"{name:<20}{best[name]:>11,.0f}{median[name]:>13,.0f}"
            f"{best[name] / typed:>14.2f}x{best[name] / plain:>8.2f}x"
        )
    entries = {}
    for key, (variant, baseline) in ROWS.items():
        entries[key] = {
            "value": round(best[variant]),
            "unit": "events/s",
            "baseline": KEYS[baseline] if baseline else None,
            "baseline_value": round(best[baseline]) if baseline else None,
        }
    return entries


def pin_one_cpu() -> str:
    """Keep the run on one CPU, so "one core" holds and the scheduler does not move it."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity here)"
    cpu = max(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return f"pinned to CPU {cpu}"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trace", type=Path, default=DEFAULT_TRACE)
    parser.add_argument("--repeat", type=int, default=5, help="measurements per variant")
    parser.add_argument("--min-seconds", type=float, default=1.0, help="per measurement")
    parser.add_argument("--no-write", action="store_true", help="do not touch results.json")
    parser.add_argument("--results", type=Path, default=RESULTS_PATH)
    parser.add_argument("--synthesize", type=Path, help="write a synthetic trace here and exit")
    parser.add_argument("--calls", type=int, default=1000, help="calls in a synthetic trace")
    args = parser.parse_args(argv)
    if args.synthesize:
        args.synthesize.write_bytes(synthetic_queue_trace(args.calls))
        print(f"wrote a synthetic trace of {args.calls} calls to {args.synthesize}")
        return 0
    if not args.trace.is_file():
        print(
            f"trace {args.trace} not found: run tests/integration/test_capture_ami_trace.py"
            " to record one, or pass --trace; --synthesize PATH makes a synthetic one",
            file=sys.stderr,
        )
        return 2
    data = args.trace.read_bytes()
    chunks = [data[i : i + CHUNK] for i in range(0, len(data), CHUNK)]
    events, malformed = census(data)
    if not events:
        print(f"trace {args.trace} holds no AMI events: nothing to measure", file=sys.stderr)
        return 2
    site = load_site_config(SITE_PATH)
    print(f"{args.trace}: {len(data):,} bytes, {events:,} events, {malformed} malformed frames")
    print(
        "state update: acd.controller.Controller.on_ami_event (real controller, sample site)"
        " + channel states by Uniqueid"
    )
    # One long-lived controller per variant, as in the running service.
    c1, c2, c3 = new_controller(site), new_controller(site), new_controller(site)
    variants: dict[str, Run] = {
        "ours": lambda: ours(chunks, CONTROLLER_IGNORES, c1),
        "ours, all frames": lambda: ours(chunks, frozenset(), c2),
        "panoramisk": lambda: panoramisk(chunks, None),
        "panoramisk + typed": lambda: panoramisk(chunks, c3),
    }
    print(pin_one_cpu())
    passes = calibrate(variants, args.min_seconds)
    print("replays per measurement: " + ", ".join(f"{k} {v}" for k, v in passes.items()))
    entries = report(events, measure(variants, passes, args.repeat))
    if not args.no_write:
        merge_results(args.results, entries)
        print(f"merged {len(entries)} figures into {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
