"""A real redis-server on loopback with its own port and data directory."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path
from types import TracebackType

from kcc.stack.process import ManagedProcess, ProcessError, wait_until


class RedisServer:
    def __init__(self, *, port: int, data_dir: Path, host: str = "127.0.0.1") -> None:
        self.host, self.port, self.data_dir = host, port, data_dir
        self._proc: ManagedProcess | None = None

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}/0"

    def __enter__(self) -> RedisServer:
        binary = shutil.which("redis-server")
        if binary is None:
            raise ProcessError(
                "redis-server not found: run 'make deps' (Debian package redis-server)"
            )
        self.data_dir.mkdir(parents=True, exist_ok=True)
        argv = [
            binary,
            "--bind",
            self.host,
            "--port",
            str(self.port),
            "--dir",
            str(self.data_dir),
            "--save",
            "",
            "--appendonly",
            "yes",
            "--daemonize",
            "no",
            "--protected-mode",
            "yes",
        ]
        self._proc = ManagedProcess("redis-server", argv, self.data_dir / "redis.log")
        wait_until(self._pong, timeout_s=15, what="PONG", proc=self._proc)
        return self

    def _pong(self) -> bool:
        try:
            with socket.create_connection((self.host, self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def __exit__(self, *exc: object | TracebackType) -> None:
        if self._proc is not None:
            self._proc.stop()
