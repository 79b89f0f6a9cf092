"""Benchmark: AMI parsing throughput on one core, ours versus panoramisk 1.4.

Reads a trace (raw AMI bytes as received from Asterisk), feeds it in socket-sized
chunks and measures events per second for:

* ours         AmiProtocol + typed events (EventFactory) + a channel-state dict,
               configured as the controller runs it: VarSet and Newexten are
               skipped before their lines are split (AmiProtocol.ignore_events);
* ours, all    the same with nothing skipped: every frame is parsed;
* panoramisk   AMIProtocol.data_received with a dummy factory doing the same
               channel-state update through panoramisk's Message API;
* panoramisk + typed  the same, plus building our typed events from its Messages
               (what the controller would have to do on top of panoramisk).

All variants run in the same process and run, interleaved, several times; the
table shows best-of and median, and every variant must end with the same channel
states. Events/s always divides by the number of Event frames in the trace, so
skipped frames count as handled (the controller does not need them).

    .venv/bin/python bench/bench_ami_parse.py [--trace PATH] [--repeat N] [--no-write]
    .venv/bin/python bench/bench_ami_parse.py --synthesize /tmp/queue_traffic.ami [--calls N]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from panoramisk.ami_protocol import AMIProtocol  # noqa: E402
from results_file import merge_results  # noqa: E402

from acd.ami.events import EventFactory, Hangup, Newchannel, Newstate  # noqa: E402
from acd.ami.frames import Event  # noqa: E402
from acd.ami.protocol import AmiProtocol  # noqa: E402
from acd.ami.sample_traffic import synthetic_queue_trace  # noqa: E402

DEFAULT_TRACE = ROOT / "bench" / "traces" / "queue_traffic.ami"
RESULTS_PATH = ROOT / "bench" / "results.json"
CHUNK = 8192  # bytes per read, like a socket read on a busy connection
CONTROLLER_IGNORES = frozenset({"VarSet", "Newexten"})
States = dict[str, int]


def ours(chunks: list[bytes], ignore: frozenset[str]) -> States:
    protocol, factory = AmiProtocol(ignore_events=ignore), EventFactory()
    states: States = {}
    for chunk in chunks:
        protocol.receive_data(chunk)
        while (frame := protocol.next_event()) is not None:
            if isinstance(frame, Event):
                event = factory.build(frame)
                if isinstance(event, Newstate | Newchannel):
                    states[event.channel.uniqueid] = event.channel.state
                elif isinstance(event, Hangup):
                    states.pop(event.channel.uniqueid, None)
    return states


class _StateFactory:
    """Stands in for panoramisk's Manager: its dispatch() gets every event Message."""

    def __init__(self, typed: bool) -> None:
        self.states: States = {}
        self.factory = EventFactory() if typed else None

    def dispatch(self, message: Any) -> None:
        name = message["Event"]
        if self.factory is not None:  # our typed events, read through its Message API
            self.factory.build(Event(name, message, ()))
        if name in ("Newstate", "Newchannel"):
            self.states[message["Uniqueid"]] = int(message["ChannelState"])
        elif name == "Hangup":
            self.states.pop(message["Uniqueid"], None)


def panoramisk(chunks: list[bytes], typed: bool) -> States:
    protocol = AMIProtocol()
    protocol.connection_made(None)  # no transport is used while only receiving
    protocol.encoding = "utf8"  # what panoramisk's Manager sets
    factory = _StateFactory(typed)
    protocol.factory = factory
    for chunk in chunks:
        protocol.data_received(chunk)
    return factory.states


def count_events(data: bytes) -> int:
    protocol, n = AmiProtocol(), 0
    protocol.receive_data(data)
    while (frame := protocol.next_event()) is not None:
        n += isinstance(frame, Event)
    return n


def measure(variants: dict[str, Callable[[], States]], repeat: int) -> dict[str, list[float]]:
    """Seconds per run of each variant, interleaved so load changes hit all alike."""
    times: dict[str, list[float]] = {name: [] for name in variants}
    reference: States | None = None
    for _ in range(repeat):
        for name, run in variants.items():
            gc.collect()
            start = time.perf_counter()
            states = run()
            times[name].append(time.perf_counter() - start)
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


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trace", type=Path, default=DEFAULT_TRACE)
    parser.add_argument("--repeat", type=int, default=7)
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
            f"trace {args.trace} not found: capture real AMI traffic there (the integration"
            " tests do), or pass --trace; --synthesize PATH makes a synthetic one",
            file=sys.stderr,
        )
        return 2
    data = args.trace.read_bytes()
    chunks = [data[i : i + CHUNK] for i in range(0, len(data), CHUNK)]
    events = count_events(data)
    print(f"{args.trace}: {len(data):,} bytes, {events:,} events, {args.repeat} runs each")
    variants: dict[str, Callable[[], States]] = {
        "ours": lambda: ours(chunks, CONTROLLER_IGNORES),
        "ours, all frames": lambda: ours(chunks, frozenset()),
        "panoramisk": lambda: panoramisk(chunks, typed=False),
        "panoramisk + typed": lambda: panoramisk(chunks, typed=True),
    }
    entries = report(events, measure(variants, args.repeat))
    if not args.no_write:
        merge_results(args.results, entries)
        print(f"merged {len(entries)} figures into {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
