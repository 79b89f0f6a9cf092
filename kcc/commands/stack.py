"""`kcc up`, `kcc down`, `kcc demo`, `kcc gen-asterisk`: the stack from the command line."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from asterisk_conf import AsteriskPaths, generate
from kcc.command import Command
from kcc.demo import run_demo
from kcc.stack.process import ProcessError
from kcc.stack.stack import STATE_DIR, Stack, ami_secret
from site_config import ConfigError, SiteConfig, load_site_config

PIDFILE = STATE_DIR / "up.pid"
UP_LOG = STATE_DIR / "up.log"
READY = "stack ready"


def _site_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--site", default="config/site.yaml", help="site configuration file")


def _load(path: str) -> SiteConfig | None:
    try:
        return load_site_config(path)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return None


def run_foreground(args: argparse.Namespace) -> int:
    """The stack without simulated load, until SIGTERM or Ctrl-C."""
    site = _load(args.site)
    if site is None:
        return 1
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    try:
        with Stack(site, instance="dev") as stack:
            svc = site.services
            print(
                f"{READY}: SIP {svc.bind_host}:{svc.sip_port}, AMI {svc.ami_port}, "
                f"stats {stack.http_url}",
                flush=True,
            )
            while not stopping:
                time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    except ProcessError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


def up(args: argparse.Namespace) -> int:
    if _running_pid() is not None:
        print(f"already up (pid {_running_pid()}); 'make down' stops it")
        return 0
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    with UP_LOG.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kcc", "stack-run", "--site", args.site],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    PIDFILE.write_text(str(proc.pid))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        text = UP_LOG.read_text(errors="replace")
        if READY in text:
            print(text.strip().splitlines()[-1])
            print("softphones: register to the positions with the passwords in docs/site-config.md")
            return 0
        if proc.poll() is not None:
            print(text, file=sys.stderr)
            PIDFILE.unlink(missing_ok=True)
            return 1
        time.sleep(0.2)
    print(f"stack not ready within 120 s; see {UP_LOG}", file=sys.stderr)
    return 1


def down(args: argparse.Namespace) -> int:
    pid = _running_pid()
    if pid is None:
        print("not running")
        return 0
    os.kill(pid, signal.SIGTERM)
    for _ in range(300):
        if _running_pid() is None:
            break
        time.sleep(0.1)
    else:
        os.killpg(pid, signal.SIGKILL)
    PIDFILE.unlink(missing_ok=True)
    print("stack stopped")
    return 0


def _running_pid() -> int | None:
    try:
        pid = int(PIDFILE.read_text())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def demo(args: argparse.Namespace) -> int:
    site = _load(args.site)
    if site is None:
        return 1
    try:
        return run_demo(site, duration_s=args.duration, instance=args.instance)
    except ProcessError as exc:
        print(exc, file=sys.stderr)
        return 1


def gen_asterisk(args: argparse.Namespace) -> int:
    """Write the Asterisk configuration for a server install (docker-compose)."""
    site = _load(args.site)
    if site is None:
        return 1
    paths = AsteriskPaths(
        etc="/etc/asterisk",
        lib="/var/lib/asterisk",
        spool="/var/spool/asterisk",
        run="/var/run/asterisk",
        log="/var/log/asterisk",
        moh="/var/lib/asterisk/moh",
    )
    secret = os.environ.get("KCC_AMI_SECRET") or ami_secret(STATE_DIR)
    for path in generate(site, Path(args.out), paths=paths, ami_secret=secret):
        print(path)
    return 0


def commands() -> tuple[Command, ...]:
    def demo_args(p: argparse.ArgumentParser) -> None:
        _site_arg(p)
        p.add_argument("--duration", type=float, default=None, help="stop after this many seconds")
        p.add_argument("--instance", default="demo", help="name of this stack's state folders")

    def gen_args(p: argparse.ArgumentParser) -> None:
        _site_arg(p)
        p.add_argument("--out", default="build/asterisk/etc", help="output directory")

    return (
        Command(
            name="up",
            help="start the stack in the background (no simulated load)",
            add_arguments=_site_arg,
            run=up,
        ),
        Command(
            name="down",
            help="stop the stack started by 'up'",
            add_arguments=lambda p: None,
            run=down,
        ),
        Command(
            name="stack-run",
            help="run the stack in the foreground",
            add_arguments=_site_arg,
            run=run_foreground,
        ),
        Command(
            name="demo",
            help="the stack with simulated agents and callers, until Ctrl-C",
            add_arguments=demo_args,
            run=demo,
        ),
        Command(
            name="gen-asterisk",
            help="write the Asterisk configuration for a server install",
            add_arguments=gen_args,
            run=gen_asterisk,
        ),
    )
