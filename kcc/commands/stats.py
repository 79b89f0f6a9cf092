"""``kcc stats-serve --site PATH [--host H] [--port P] [--database URL] [--recordings-dir DIR]``:
the stats service in the foreground."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kcc.command import Command
from realtime_stats.app import build_server
from site_config import ConfigError


def command() -> Command:
    return Command(
        name="stats-serve",
        help="serve the real-time stats API, the wallboard and /metrics",
        add_arguments=_arguments,
        run=_run,
    )


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not allowed; allowed: 1-65535")
    return int(text)


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--site", required=True, help="the site config, e.g. config/site.yaml")
    parser.add_argument("--host", help="listen address (default: services.http_bind_host)")
    parser.add_argument("--port", type=_port, help="listen port (default: services.http_port)")
    parser.add_argument(
        "--database", help="record store URL (default: services.database_url of the site)"
    )
    parser.add_argument(
        "--recordings-dir",
        type=Path,
        help="where the reports read the QA scores (coaching.db and the catalogue; "
        "default: the site's recording.directory)",
    )


def _run(args: argparse.Namespace) -> int:
    try:
        server = build_server(
            args.site, args.host, args.port, args.database, recordings_dir=args.recordings_dir
        )
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 1
    server.run()
    return 0
