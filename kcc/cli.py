"""The ``kcc`` command line: every subcommand collected, and ``main()``.

Each subcommand lives in ``kcc.commands`` as a thin wrapper around a plain function of
its feature; :func:`default_registry` is the one place they are collected, so adding a
feature's commands is one line there. Nothing registers itself at import time: tests
build their own :class:`~kcc.command.CommandRegistry`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from ivr_flows.site_check import check_site_flow
from kcc.command import Command, CommandRegistry
from kcc.commands import controller, recordings, report, site, stack, staffing, stats

__all__ = ["Command", "CommandRegistry", "default_registry", "main"]


def default_registry() -> CommandRegistry:
    """Every subcommand of the installed ``kcc``; other features add theirs here."""
    return CommandRegistry(
        (
            *site.commands(extra_checks=[check_site_flow]),
            *stack.commands(),
            staffing.command(),
            stats.command(),
            controller.command(),
            report.command(),
            recordings.command(),
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
