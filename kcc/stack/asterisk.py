"""Asterisk 22 started for real inside the Debian sid chroot.

The generated configuration is copied to `<rootfs>/kcc/<instance>/etc` and
Asterisk runs in the foreground (`asterisk -f`) as a child of this process, so
stopping it is a signal to a process we own. Readiness is the `FullyBooted`
event on AMI, not a delay.
"""

from __future__ import annotations

import shutil
import socket
import time
from pathlib import Path
from types import TracebackType

from acd.ami.actions import Login, Logoff
from acd.ami.frames import Event, Response, ResponseKind
from acd.ami.protocol import AmiProtocol
from asterisk_conf import SECURITY_LOG, AsteriskPaths, generate
from kcc.stack.holdmusic import write_hold_music
from kcc.stack.process import ManagedProcess, ProcessError
from kcc.stack.rootfs import ensure_rootfs
from site_config import SiteConfig


class Asterisk:
    """One Asterisk for ``site``. ``harness_secret``: also the test harness's AMI user
    (``asterisk_conf.static.HARNESS_USERNAME``, CLI commands); only the integration
    tests pass one, so ``make up`` and the demo run with the controller's user alone."""

    def __init__(
        self,
        site: SiteConfig,
        *,
        instance: str,
        ami_secret: str,
        harness_secret: str | None = None,
        rootfs: Path | None = None,
    ) -> None:
        self.site, self.instance, self.ami_secret = site, instance, ami_secret
        self.harness_secret = harness_secret
        self._rootfs = rootfs
        self._proc: ManagedProcess | None = None

    @property
    def rootfs(self) -> Path:
        if self._rootfs is None:
            self._rootfs = ensure_rootfs()
        return self._rootfs

    @property
    def inside(self) -> str:
        """The instance folder as Asterisk sees it, inside the chroot."""
        return f"/kcc/{self.instance}"

    @property
    def host_dir(self) -> Path:
        return self.rootfs / "kcc" / self.instance

    def host_path(self, inside_path: str) -> Path:
        """Where a path Asterisk names (inside the chroot) lies on the host."""
        return self.rootfs / inside_path.lstrip("/")

    @property
    def paths(self) -> AsteriskPaths:
        base = self.inside
        return AsteriskPaths(
            etc=f"{base}/etc",
            lib=f"{base}/lib",
            spool=f"{base}/spool",
            run=f"{base}/run",
            log=f"{base}/log",
            moh=f"{base}/moh",
            capture=f"{base}/recordings",
        )

    @property
    def log_path(self) -> Path:
        return self.host_dir / "log" / "console.log"

    @property
    def security_log_path(self) -> Path:
        """Asterisk's security events (failed logins, refused INVITEs), on the host."""
        return self.host_path(f"{self.paths.log}/{SECURITY_LOG}")

    def __enter__(self) -> Asterisk:
        self._prepare()
        argv = [
            "chroot",
            str(self.rootfs),
            "/usr/sbin/asterisk",
            "-f",
            "-n",
            "-C",
            f"{self.inside}/etc/asterisk.conf",
        ]
        self._proc = ManagedProcess(f"asterisk[{self.instance}]", argv, self.log_path)
        try:
            self._wait_fully_booted(timeout_s=60)
        except BaseException:
            self.stop()
            raise
        return self

    @property
    def capture_dir(self) -> Path:
        """Where MixMonitor's recording segments land, on the host.

        Outside Asterisk's spool and kept across restarts: a segment of a call that
        ended while the controller was away waits here until it comes back to store it.
        """
        return self.host_path(self.paths.capture)

    def _prepare(self) -> None:
        self._kill_stale()
        if self.host_dir.exists():
            for entry in self.host_dir.iterdir():
                if entry.name != "recordings":
                    shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        for sub in ("etc", "lib/cache", "spool", "run", "log", "sounds", "recordings", "moh"):
            (self.host_dir / sub).mkdir(parents=True, exist_ok=True)
        write_hold_music(self.host_dir / "moh" / "kcc-hold.sln")
        generate(
            self.site,
            self.host_dir / "etc",
            paths=self.paths,
            ami_secret=self.ami_secret,
            harness_secret=self.harness_secret,
        )

    def _kill_stale(self) -> None:
        """A run that was killed outright may have left its Asterisk behind."""
        pidfile = self.host_dir / "run" / "asterisk.pid"
        try:
            pid = int(pidfile.read_text().strip())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, ValueError):
            return
        if b"asterisk" in cmdline:
            import os
            import signal

            os.kill(pid, signal.SIGKILL)
            for _ in range(100):
                if not Path(f"/proc/{pid}").exists():
                    break
                time.sleep(0.05)

    def _wait_fully_booted(self, *, timeout_s: float) -> None:
        assert self._proc is not None
        svc = self.site.services
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not self._proc.alive():
                raise self._proc.fail(
                    f"exited with status {self._proc.proc.returncode} during start"
                )
            try:
                if _ami_fully_booted(
                    svc.bind_host, svc.ami_port, svc.ami_username, self.ami_secret
                ):
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise self._proc.fail(f"no FullyBooted on AMI within {timeout_s:.0f} s")

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.stop()
            self._proc = None
        for stale in ("asterisk.ctl", "asterisk.pid"):
            (self.host_dir / "run" / stale).unlink(missing_ok=True)

    def __exit__(self, *exc: object | TracebackType) -> None:
        self.stop()

    def log_errors(self) -> list[str]:
        """ERROR and WARNING lines Asterisk logged so far."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return [line for line in text.splitlines() if "ERROR[" in line or "WARNING[" in line]


def _ami_fully_booted(host: str, port: int, user: str, secret: str) -> bool:
    """Log in and wait for FullyBooted, which Asterisk sends on login once booted.

    The project's one AMI protocol core frames the bytes; this is a blocking probe only.
    """
    protocol = AmiProtocol(action_id_prefix="boot-")
    with socket.create_connection((host, port), timeout=2) as sock:
        sock.settimeout(2)
        sock.sendall(protocol.send(Login(username=user, secret=secret, events="system")).data)
        end = time.monotonic() + 2
        while time.monotonic() < end:
            chunk = sock.recv(4096)
            protocol.receive_data(chunk)
            while (frame := protocol.next_event()) is not None:
                if isinstance(frame, Response) and frame.kind is ResponseKind.ERROR:
                    raise ProcessError("AMI login refused: the secret does not match manager.conf")
                if isinstance(frame, Event) and frame.name == "FullyBooted":
                    sock.sendall(protocol.send(Logoff()).data)
                    return True
            if not chunk:
                return False
    return False
