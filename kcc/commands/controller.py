"""``kcc controller``: the ACD controller in the foreground (``acd.controller``)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from datetime import datetime
from pathlib import Path, PurePosixPath

from acd.controller import ControllerOptions
from acd.serve import run_controller
from kcc.command import Command
from site_config import ConfigError, load_site_config

LOG_FORMAT = "%(asctime)s %(name)s %(levelname)s %(message)s"


def command() -> Command:
    return Command(
        name="controller",
        help="run the ACD controller (AMI, FastAGI IVR and queues, events to Redis)",
        add_arguments=_arguments,
        run=_run,
    )


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--site", default="config/site.yaml", help="site configuration file")
    parser.add_argument("--prompts-dir", required=True, help="where prompts are rendered")
    parser.add_argument(
        "--prompts-asterisk-dir",
        help="the same folder as Asterisk sees it (default: the same path)",
    )
    parser.add_argument("--stream", default="kcc:events", help="Redis Stream for events")
    parser.add_argument(
        "--ivr-time",
        type=datetime.fromisoformat,
        help="start the IVR's clock at this ISO time (tests of opening hours)",
    )
    parser.add_argument(
        "--state-dir",
        default=str(Path(os.environ.get("KCC_STATE_DIR", "/var/lib/kcc")) / "controller"),
        help="the controller's own files: the audit log, colleagues' statuses, the "
        "spool of events not yet in Redis, the IVR's live settings "
        "(default: $KCC_STATE_DIR/controller)",
    )
    parser.add_argument(
        "--ami-port", type=int, help="connect to AMI on this port instead (a test's proxy)"
    )
    parser.add_argument(
        "--recordings-dir",
        help="where kept recordings go (default: the site's recording.directory)",
    )
    parser.add_argument(
        "--capture-dir",
        help="where Asterisk's MixMonitor writes segments (default: <recordings>/capture)",
    )
    parser.add_argument(
        "--capture-asterisk-dir",
        help="the capture folder as Asterisk sees it (default: the same path)",
    )


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None


def _run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    try:
        site = load_site_config(args.site)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 1
    secret = os.environ.get("KCC_AMI_SECRET", "")
    if not secret:
        print("KCC_AMI_SECRET is not set: the controller cannot log in to AMI", file=sys.stderr)
        return 2
    prompts = Path(args.prompts_dir)
    options = ControllerOptions(
        site_path=Path(args.site),
        ami_secret=secret,
        prompts_dir=prompts,
        prompts_asterisk_dir=PurePosixPath(args.prompts_asterisk_dir or prompts.as_posix()),
        stream=args.stream,
        ivr_time=args.ivr_time,
        ami_port=args.ami_port,
        state_dir=Path(args.state_dir),
        recordings_dir=_path(args.recordings_dir),
        capture_dir=_path(args.capture_dir),
        capture_asterisk_dir=(
            PurePosixPath(args.capture_asterisk_dir) if args.capture_asterisk_dir else None
        ),
    )
    try:
        run_controller(site, options)
    except ConfigError as exc:  # a published demo secret outside the demo
        print(exc, file=sys.stderr)
        return 1
    return 0
