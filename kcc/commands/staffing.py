"""``kcc staffing``: the Erlang C advice for a forecast, printed as JSON."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import NoReturn

from kcc.command import Command
from realtime_stats.figures.staffing import StaffingInputError, StaffingResult, required_agents


def command() -> Command:
    """`kcc staffing` in the kcc command registry."""
    return Command(
        name="staffing",
        help="Erlang C: agents needed for the service norm and the occupancy cap (JSON)",
        add_arguments=add_staffing_arguments,
        run=run,
    )


class _ParserExit(Exception):
    """argparse wanting to exit (bad flag, --help), raised so `main` can return the code."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class _Parser(argparse.ArgumentParser):
    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            sys.stderr.write(message)
        raise _ParserExit(status)


def _parser() -> _Parser:
    parser = _Parser(
        prog="kcc staffing",
        description="Agents needed for a forecast (Erlang C), printed as JSON.",
    )
    add_staffing_arguments(parser)
    return parser


def add_staffing_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--arrivals-per-hour", type=float, required=True, help="calls per hour")
    parser.add_argument(
        "--handle-seconds", type=float, required=True, help="talk time incl. hold, s"
    )
    parser.add_argument("--after-call-seconds", type=float, default=0.0, help="after-call work, s")
    parser.add_argument("--service-level", type=float, default=0.8, help="target share, (0, 1]")
    parser.add_argument("--within", type=float, default=20.0, help="answer threshold, s")
    parser.add_argument("--max-occupancy", type=float, default=0.6, help="occupancy cap, (0, 1]")


def _as_json(result: StaffingResult) -> str:
    return json.dumps(
        {
            "agents": result.agents,
            "traffic_erlangs": round(result.traffic_erlangs, 4),
            "handle_seconds": round(result.handle_seconds, 3),
            "probability_of_waiting": round(result.probability_of_waiting, 4),
            "service_level": round(result.service_level, 4),
            "occupancy": round(result.occupancy, 4),
            "asa_seconds": round(result.asa_seconds, 2),
        }
    )


def main(argv: Sequence[str] | None = None) -> int:
    """`kcc staffing ...`: `argv` holds the arguments after "staffing". 0 ok, 2 bad input."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except _ParserExit as exc:
        return exc.status
    return run(args, prog=parser.prog)


def run(args: argparse.Namespace, *, prog: str = "kcc staffing") -> int:
    """Compute and print the advice for parsed arguments; 0 ok, 2 bad input."""
    try:
        result = required_agents(
            args.arrivals_per_hour,
            args.handle_seconds,
            after_call_seconds=args.after_call_seconds,
            service_level=args.service_level,
            within=args.within,
            max_occupancy=args.max_occupancy,
        )
    except StaffingInputError as exc:
        flag = "--" + exc.argument.replace("_", "-")
        print(f"{prog}: error: {flag} {exc.message}", file=sys.stderr)
        return 2
    print(_as_json(result))
    return 0
