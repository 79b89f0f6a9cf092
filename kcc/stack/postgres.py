"""A throwaway PostgreSQL cluster on loopback, from Debian's `postgresql` package.

`initdb` makes a new cluster in a fresh temporary directory, `postgres` serves it on
127.0.0.1 and the given port only (no Unix socket), and on exit the server is stopped and
the directory removed. PostgreSQL refuses to run as root, so when we are root both run as
the `postgres` system user (`setpriv`, which execs: the process we own *is* the server)
and the directory is handed to that user. The superuser gets a random password, so
another local user cannot walk in while tests run. Durability is switched off
(`fsync=off`): nothing here outlives the context.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

import psycopg

from kcc.stack.process import ManagedProcess, ProcessError, wait_until

POSTGRES_ROOT = Path("/usr/lib/postgresql")
SYSTEM_USER = "postgres"
SUPERUSER = "kcc"


def find_bin_dir(root: Path = POSTGRES_ROOT) -> Path:
    """The newest installed major version's bin directory (e.g. /usr/lib/postgresql/15/bin)."""
    found = sorted(
        (p.parent for p in root.glob("*/bin/postgres")),
        key=lambda d: int(d.parent.name) if d.parent.name.isdigit() else -1,
    )
    if not found:
        raise ProcessError(
            f"PostgreSQL not found under {root}: run 'make deps' (Debian package postgresql)"
        )
    return found[-1]


class PostgresServer:
    def __init__(self, *, port: int, host: str = "127.0.0.1", bin_dir: Path | None = None) -> None:
        self.host, self.port = host, port
        self._bin_dir = bin_dir
        self._password = secrets.token_hex(16)
        self._base: Path | None = None
        self._proc: ManagedProcess | None = None

    @property
    def base_dir(self) -> Path | None:
        """The cluster's temporary directory while it runs (removed on exit)."""
        return self._base

    @property
    def url(self) -> str:
        return self.database_url("postgres")

    def database_url(self, name: str) -> str:
        return f"postgresql://{SUPERUSER}:{self._password}@{self.host}:{self.port}/{name}"

    @property
    def version(self) -> str:
        with psycopg.connect(self.url) as conn:
            row = conn.execute("SHOW server_version").fetchone()
        return "unknown" if row is None else str(row[0])

    def create_database(self, name: str) -> str:
        """A new empty database (name: letters, digits, underscores); returns its URL."""
        if not name.replace("_", "").isalnum() or not name.isascii():
            raise ValueError(f"database name {name!r}: use ASCII letters, digits and '_' only")
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.database_url(name)

    def __enter__(self) -> PostgresServer:
        bin_dir = self._bin_dir or find_bin_dir()
        self._base = Path(tempfile.mkdtemp(prefix="kcc-postgres-"))
        try:
            self._initdb(bin_dir, self._base)
            self._serve(bin_dir, self._base)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def restart(self) -> None:
        """Stop the server (a fast shutdown) and start it again on the same cluster, as an
        operator's restart would: its databases stay, its clients' connections are cut."""
        if self._base is None:
            raise ProcessError("PostgreSQL restart: the server is not running")
        self._stop_server()
        self._serve(self._bin_dir or find_bin_dir(), self._base)

    def _serve(self, bin_dir: Path, base: Path) -> None:
        argv = [
            str(bin_dir / "postgres"),
            *("-D", str(base / "data"), "-p", str(self.port)),
            *("-c", f"listen_addresses={self.host}", "-c", "unix_socket_directories="),
            *("-c", "fsync=off", "-c", "synchronous_commit=off"),
            *("-c", "full_page_writes=off"),
        ]
        self._proc = ManagedProcess("postgres", _as_system_user(argv), base / "postgres.log")
        wait_until(self._accepts, timeout_s=30, what="a connection", proc=self._proc)

    def _initdb(self, bin_dir: Path, base: Path) -> None:
        pwfile = base / "password"
        pwfile.write_text(self._password)
        if os.geteuid() == 0:
            try:
                user = pwd.getpwnam(SYSTEM_USER)
            except KeyError:
                raise ProcessError(
                    f"no system user {SYSTEM_USER!r} to run PostgreSQL as (we are root, which "
                    "PostgreSQL refuses): install Debian's postgresql package"
                ) from None
            for path in (base, pwfile):
                os.chown(path, user.pw_uid, user.pw_gid)
        argv = [
            str(bin_dir / "initdb"),
            *("-D", str(base / "data"), "-U", SUPERUSER, "--pwfile", str(pwfile)),
            *("-A", "scram-sha-256", "-E", "UTF8", "--no-locale", "--no-sync"),
        ]
        done = subprocess.run(
            _as_system_user(argv), capture_output=True, text=True, check=False, timeout=120
        )
        pwfile.unlink()
        if done.returncode != 0:
            raise ProcessError(
                f"initdb exited with status {done.returncode}:\n{done.stdout}{done.stderr}"
            )

    def _accepts(self) -> bool:
        try:
            with psycopg.connect(self.url, connect_timeout=1):
                return True
        except psycopg.OperationalError:
            return False

    def _stop_server(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.alive():
                # SIGINT is PostgreSQL's "fast" shutdown: it does not wait for clients
                # to leave, unlike SIGTERM, which ManagedProcess.stop would send.
                os.kill(proc.proc.pid, signal.SIGINT)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.proc.wait(timeout=15)
            proc.stop()

    def __exit__(self, *exc: object | TracebackType) -> None:
        self._stop_server()
        base, self._base = self._base, None
        if base is not None:
            shutil.rmtree(base, ignore_errors=True)


def _as_system_user(argv: Sequence[str]) -> list[str]:
    """Run as `postgres` when we are root (PostgreSQL refuses root), else as ourselves."""
    if os.geteuid() != 0:
        return list(argv)
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        raise ProcessError("setpriv not found: it is in Debian's util-linux package")
    switch = [setpriv, f"--reuid={SYSTEM_USER}", f"--regid={SYSTEM_USER}", "--init-groups"]
    return [*switch, "--", *argv]
