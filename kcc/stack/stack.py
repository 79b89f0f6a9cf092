"""The whole stack for one site on loopback: Redis, Asterisk, the stats service.

`make up`, `make demo` and the end-to-end tests all start it through `Stack`,
so they run the same parts the same way.
"""

from __future__ import annotations

import os
import secrets
import socket
import sys
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

from kcc.stack.asterisk import Asterisk
from kcc.stack.process import ManagedProcess, wait_until
from kcc.stack.redis import RedisServer
from recordings.keys import ENVIRONMENT_VARIABLE as KEYS_VARIABLE
from recordings.keys import generate_key
from site_config import SiteConfig
from site_config.demo_secrets import DEMO_VARIABLE

PROMPTS_INSIDE = "/kcc/prompts"
STATE_DIR = Path(os.environ.get("KCC_STATE_DIR", "/var/lib/kcc"))


def ami_secret(state_dir: Path) -> str:
    """KCC_AMI_SECRET, or a random secret kept (mode 0600) for this machine's dev stack."""
    if env := os.environ.get("KCC_AMI_SECRET"):
        return env
    path = state_dir / "ami-secret"
    if path.exists():
        return path.read_text().strip()
    state_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_hex(16)
    path.touch(mode=0o600)
    path.write_text(secret)
    return secret


def recording_keys(state_dir: Path) -> str:
    """KCC_RECORDING_KEYS, or a key ring made once (mode 0600) for this dev stack's
    recordings; tests read it to decrypt what was recorded."""
    if env := os.environ.get(KEYS_VARIABLE):
        return env
    path = state_dir / "recording-keys"
    if path.exists():
        return path.read_text().strip()
    state_dir.mkdir(parents=True, exist_ok=True)
    ring = generate_key("dev1")
    path.touch(mode=0o600)
    path.write_text(ring)
    return ring


class Stack:
    def __init__(
        self,
        site: SiteConfig,
        *,
        instance: str = "dev",
        state_dir: Path = STATE_DIR,
        controller_args: Sequence[str] = (),
        demo: bool = False,
    ) -> None:
        """``demo=True``: the controller and the stats service run as the demo, so they
        accept the sample site's published secrets (``site_config.demo_secrets``)."""
        self.site, self.instance = site, instance
        self.demo = demo
        self.state_dir = state_dir / instance
        self.ami_secret = ami_secret(state_dir)
        self._exit = ExitStack()
        self.asterisk: Asterisk | None = None
        self.controller: ManagedProcess | None = None
        self.stats: ManagedProcess | None = None  # its memory is watched (bench/bench_soak.py)
        self.controller_args = list(controller_args)

    @property
    def http_url(self) -> str:
        svc = self.site.services
        return f"http://{svc.http_bind_host}:{svc.http_port}"

    def __enter__(self) -> Stack:
        try:
            redis_url = urlsplit(self.site.services.redis_url)
            self._exit.enter_context(
                RedisServer(
                    port=redis_url.port or 6379,
                    data_dir=self.state_dir / "redis",
                    host=redis_url.hostname or "127.0.0.1",
                )
            )
            self.asterisk = self._exit.enter_context(
                Asterisk(self.site, instance=self.instance, ami_secret=self.ami_secret)
            )
            self._start_controller()
            self._start_stats()
        except BaseException:
            self._exit.close()
            raise
        return self

    @property
    def control_url(self) -> str:
        svc = self.site.services
        return f"http://{svc.control_bind_host}:{svc.control_port}"

    def _start_controller(self) -> None:
        assert self.asterisk is not None
        proc = start_controller(
            self.site,
            self.asterisk,
            self.ami_secret,
            self.state_dir / "controller.log",
            self.controller_args,
            demo=self.demo,
        )
        self.controller = proc
        self._exit.callback(proc.stop)

    def _start_stats(self) -> None:
        svc = self.site.services
        # The record store is per instance, so tests and the demo never share one.
        database = f"sqlite:///{self.state_dir / 'kcc.db'}"
        argv = [
            sys.executable, "-m", "kcc", "stats-serve",
            "--site", str(self.site.source_path),
            "--database", database,
            # The controller's recordings folder (start_controller): the reports' QA scores.
            "--recordings-dir", str(self.state_dir / "recordings"),
        ]  # fmt: skip
        env = demo_environment(demo=self.demo)
        proc = ManagedProcess("stats service", argv, self.state_dir / "stats.log", env=env)
        self.stats = proc
        self._exit.callback(proc.stop)
        wait_until(
            lambda: _tcp_open(svc.http_bind_host, svc.http_port),
            timeout_s=30,
            what=f"HTTP on {svc.http_bind_host}:{svc.http_port}",
            proc=proc,
        )

    def __exit__(self, *exc: object | TracebackType) -> None:
        self._exit.close()


def demo_environment(*, demo: bool) -> dict[str, str]:
    """What a child process is given to run as the demo; nothing otherwise (it then
    inherits ``KCC_DEMO`` from this process's environment, if set there)."""
    return {DEMO_VARIABLE: "1"} if demo else {}


def _tcp_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def start_controller(
    site: SiteConfig,
    asterisk: Asterisk,
    ami_secret: str,
    log_path: Path,
    extra_args: Sequence[str] = (),
    *,
    demo: bool = False,
) -> ManagedProcess:
    """``kcc controller`` for ``site`` as a child process, returned once its API answers.

    ``demo=True`` runs it as the demo: it accepts the published demo secrets.

    Prompts live in the rootfs, outside the instance folder Asterisk's start clears, so
    they are rendered once and reused by every run.
    """
    svc = site.services
    argv = [
        sys.executable, "-m", "kcc", "controller",
        "--site", str(site.source_path),
        "--prompts-dir", str(asterisk.host_path(PROMPTS_INSIDE)),
        "--prompts-asterisk-dir", PROMPTS_INSIDE,
        "--state-dir", str(log_path.parent / "controller"),
        "--recordings-dir", str(log_path.parent / "recordings"),
        "--capture-dir", str(asterisk.capture_dir),
        "--capture-asterisk-dir", asterisk.paths.capture,
        *extra_args,
    ]  # fmt: skip
    env = {"KCC_AMI_SECRET": ami_secret, KEYS_VARIABLE: recording_keys(log_path.parent)}
    env |= demo_environment(demo=demo)
    proc = ManagedProcess("controller", argv, log_path, env=env)
    try:
        wait_until(
            lambda: _tcp_open(svc.control_bind_host, svc.control_port),
            timeout_s=60,
            what=f"the controller's API on {svc.control_bind_host}:{svc.control_port}",
            proc=proc,
        )
    except BaseException:
        proc.stop()
        raise
    return proc
