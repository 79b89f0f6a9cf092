"""The ``kcc`` command line: a small registry of subcommands and ``main()``.

Each feature package offers its subcommands as :class:`Command` values (see
:func:`kcc.site.commands.commands`); :func:`default_registry` is the one place they
are collected, so adding a feature's commands is one line there. Nothing registers
itself at import time: tests build their own :class:`CommandRegistry`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Command:
    """One subcommand: its name, a one-line help, its arguments and what it runs."""

    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], object]  # return value ignored
    run: Callable[[argparse.Namespace], int]  # returns the exit status


class CommandRegistry:
    """The subcommands ``kcc`` offers; names must be unique."""

    def __init__(self, commands: Iterable[Command] = ()) -> None:
        self._commands: dict[str, Command] = {}
        for command in commands:
            self.add(command)

    def add(self, command: Command) -> None:
        if command.name in self._commands:
            raise ValueError(f"subcommand {command.name!r} is registered twice")
        self._commands[command.name] = command

    def names(self) -> tuple[str, ...]:
        return tuple(self._commands)

    def build_parser(self) -> argparse.ArgumentParser:
        parser = argparse.ArgumentParser(
            prog="kcc", description="14023 contact-centre backend tools."
        )
        sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
        for command in self._commands.values():
            child = sub.add_parser(command.name, help=command.help, description=command.help)
            command.add_arguments(child)
            child.set_defaults(_run=command.run)
        return parser


def default_registry() -> CommandRegistry:
    """Every subcommand of the installed ``kcc``; other features add theirs here."""
    # Imported here, not at the top: feature modules import Command from this module.
    from acd.service import controller_command
    from ivr_flows.site_check import check_site_flow
    from kcc.site.commands import commands as site_commands
    from kcc.stack.commands import commands as stack_commands
    from realtime_stats.app import stats_serve_command
    from realtime_stats.report_cli import report_command
    from realtime_stats.staffing import staffing_command

    return CommandRegistry(
        (
            *site_commands(extra_checks=[check_site_flow]),
            *stack_commands(),
            staffing_command(),
            stats_serve_command(),
            controller_command(),
            report_command(),
        )
    )


def main(argv: Sequence[str] | None = None, *, registry: CommandRegistry | None = None) -> int:
    """Run one subcommand; returns its exit status (argparse errors exit with 2)."""
    parser = (registry or default_registry()).build_parser()
    args = parser.parse_args(list(argv) if argv is not None else None)
    run: Callable[[argparse.Namespace], int] = args._run
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
