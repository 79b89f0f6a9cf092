"""One ``kcc`` subcommand, and the registry ``kcc`` builds its parser from.

A subcommand is a thin wrapper at the top of the layers (``kcc.commands``) around a
plain function of a feature; features never import this module.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable
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
