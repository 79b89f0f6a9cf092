"""Running SIPp processes: callers and registered agent phones."""

from __future__ import annotations

import contextlib
import csv
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from kcc.sipp.scenarios import (
    SPEECH,
    Audio,
    Digit,
    Pause,
    Step,
    agent_xml,
    caller_xml,
    phone_dial_xml,
    register_xml,
)

__all__ = ["AgentPhone", "Caller", "Digit", "Pause", "PhoneBank", "PortAllocator", "SippResult"]


class SippError(RuntimeError):
    pass


@dataclass(frozen=True)
class SippResult:
    exit_code: int
    successful: int
    failed: int
    log: str

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and self.failed == 0 and self.successful > 0


class PortAllocator:
    """Hands out free loopback UDP ports (SIP port, media port, media+2) from a range."""

    def __init__(self, start: int = 31000, end: int = 39000) -> None:
        self._next, self._end = start, end

    def take(self) -> tuple[int, int]:
        while self._next + 8 < self._end:
            sip, media = self._next, self._next + 4
            self._next += 8
            if all(_udp_free(p) for p in (sip, media, media + 1, media + 2, media + 3)):
                return sip, media
        raise SippError("no free UDP ports left for SIPp")


def _udp_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _sipp() -> str:
    binary = shutil.which("sipp")
    if binary is None:
        raise SippError("sipp not found: run 'make deps' (Debian package sip-tester)")
    return binary


class _SippProcess:
    """One sipp run in its own work dir; always killed on exit."""

    def __init__(
        self,
        *,
        name: str,
        xml: str,
        target: str | None,
        sip_port: int,
        media_port: int,
        calls: int,
        timeout_s: float,
        workdir: Path,
        rate_per_s: float | None = None,
    ) -> None:
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        scenario = workdir / f"{name}.xml"
        scenario.write_text(xml)
        self.stat_file = workdir / f"{name}-stat.csv"
        self.log_file = workdir / f"{name}.log"
        argv = [
            _sipp(),
            *([target] if target else []),
            "-sf",
            str(scenario),
            "-i",
            "127.0.0.1",
            "-p",
            str(sip_port),
            "-mp",
            str(media_port),
            "-m",
            str(calls),
            "-l",
            str(max(calls, 1)),
            # New calls per second (SIPp's default is 10), for many calls at once.
            *([] if rate_per_s is None else ["-r", f"{rate_per_s:g}", "-rp", "1000"]),
            "-timeout",
            f"{int(timeout_s)}s",
            "-timeout_error",
            "-trace_err",
            "-trace_stat",
            "-stf",
            str(self.stat_file),
            "-fd",
            "1",
            "-nostdin",
            "-aa",
        ]
        self._log = self.log_file.open("wb")
        self.proc = subprocess.Popen(
            argv,
            cwd=workdir,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait(self, timeout_s: float) -> SippResult:
        try:
            code = self.proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.kill()
            code = self.proc.wait()
        return self._result(code)

    def kill(self) -> None:
        if self._log.closed:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()

    def _result(self, code: int) -> SippResult:
        self._log.close()
        ok, failed = _final_counts(self.stat_file)
        errors = "".join(p.read_text(errors="replace") for p in self.workdir.glob("*_errors.log"))
        return SippResult(
            exit_code=code,
            successful=ok,
            failed=failed,
            log=self.log_file.read_text(errors="replace")[-4000:] + errors[-4000:],
        )


def _final_counts(stat_file: Path) -> tuple[int, int]:
    counts = latest_counts(stat_file)
    return counts.get("SuccessfulCall(C)", 0), counts.get("FailedCall(C)", 0)


def latest_counts(stat_file: Path) -> dict[str, int]:
    """The newest row of a SIPp statistics file (``-trace_stat``, one row a second with
    ``-fd 1``): its integer columns by name; empty before the first row."""
    if not stat_file.exists():
        return {}
    rows = list(csv.reader(stat_file.read_text().splitlines(), delimiter=";"))
    if len(rows) < 2:
        return {}
    header, last = rows[0], rows[-1]
    if len(last) < len(header):  # a row SIPp is writing right now
        if len(rows) < 3:
            return {}
        last = rows[-2]
    return {name: int(value) for name, value in zip(header, last, strict=False) if value.isdigit()}


class Caller:
    """A caller on the public network dialling the public number.

    ``calls`` above 1 places that many calls at once from one SIPp process (all up
    together: SIPp's ``-l``), ``rate_per_s`` new ones a second."""

    def __init__(
        self,
        *,
        target: str,
        ports: PortAllocator,
        caller_id: str,
        dial: str = "14023",
        steps: Sequence[Step] = (),
        hangup_after_s: float | None = None,
        timeout_s: float = 300,
        workdir: Path | None = None,
        receive_port: int | None = None,
        audio: Audio = SPEECH,
        calls: int = 1,
        rate_per_s: float | None = None,
    ) -> None:
        self.caller_id = caller_id
        sip_port, media_port = ports.take()
        xml = caller_xml(
            dial=dial,
            caller_id=caller_id,
            steps=steps,
            hangup_after_s=hangup_after_s,
            receive_port=receive_port,
            audio=audio,
        )
        root = workdir or Path(tempfile.mkdtemp(prefix="kcc-sipp-"))
        self._run = _SippProcess(
            name=f"caller-{caller_id}",
            xml=xml,
            target=target,
            sip_port=sip_port,
            media_port=media_port,
            calls=calls,
            timeout_s=timeout_s,
            workdir=root,
            rate_per_s=rate_per_s,
        )
        self.media_port = media_port

    def wait(self, timeout_s: float = 300) -> SippResult:
        return self._run.wait(timeout_s)

    def running(self) -> bool:
        return self._run.proc.poll() is None

    def counts(self) -> dict[str, int]:
        """Its statistics so far (SIPp's columns: CurrentCall, SuccessfulCall(C), ...)."""
        return latest_counts(self._run.stat_file)

    def stop(self) -> None:
        self._run.kill()

    def __enter__(self) -> Caller:
        return self

    def __exit__(self, *exc: object | TracebackType) -> None:
        self.stop()


def dial_from_phone(
    *,
    target: str,
    ports: PortAllocator,
    extension: str,
    password: str,
    dial: str,
    steps: Sequence[Step] = (),
    workdir: Path | None = None,
    timeout_s: float = 30,
) -> SippResult:
    """The phone at ``extension`` dials ``dial`` (e.g. a feature code), presses ``steps``
    once answered (a PIN), and stays on until hung up."""
    sip_port, media_port = ports.take()
    run = _SippProcess(
        name=f"dial-{extension}-{dial.replace('*', 'star')}",
        xml=phone_dial_xml(user=extension, password=password, dial=dial, steps=steps),
        target=target,
        sip_port=sip_port,
        media_port=media_port,
        calls=1,
        timeout_s=timeout_s,
        workdir=workdir or Path(tempfile.mkdtemp(prefix=f"kcc-dial-{extension}-")),
    )
    try:
        return run.wait(timeout_s + 5)
    finally:
        run.kill()


class AgentPhone:
    """A registered softphone at a position or back-office extension."""

    def __init__(
        self,
        *,
        target: str,
        ports: PortAllocator,
        extension: str,
        password: str,
        answer_after_s: float | None = 1.0,
        talk_s: float | None = 5.0,
        calls: int = 1,
        workdir: Path | None = None,
        registration_s: int = 600,
        steps: Sequence[Step] = (),
        audio: Audio = SPEECH,
    ) -> None:
        # SIPp does not renew a registration: it lasts ``registration_s`` (at most the
        # AOR's maximum_expiration, 12 h), which the phone must outlive no longer than.
        self.registration_s = registration_s
        self.target, self.extension, self.password = target, extension, password
        self.sip_port, self.media_port = ports.take()
        self.workdir = workdir or Path(tempfile.mkdtemp(prefix=f"kcc-agent-{extension}-"))
        self._xml = agent_xml(
            answer_after_s=answer_after_s, talk_s=talk_s, steps=steps, audio=audio
        )
        self._calls = calls
        self._uas: _SippProcess | None = None

    def _register(self, expires_s: int) -> None:
        reg = _SippProcess(
            name=f"register-{self.extension}-{expires_s}",
            xml=register_xml(user=self.extension, password=self.password, expires_s=expires_s),
            target=self.target,
            sip_port=self.sip_port,
            media_port=self.media_port,
            calls=1,
            timeout_s=10,
            workdir=self.workdir,
        )
        result = reg.wait(15)
        if not result.ok:
            raise SippError(
                f"agent {self.extension}: REGISTER failed (exit {result.exit_code})\n{result.log}"
            )

    def __enter__(self) -> AgentPhone:
        self._register(expires_s=self.registration_s)
        # The registration's socket is closed now; the phone listens on the same port.
        self._uas = _SippProcess(
            name=f"agent-{self.extension}",
            xml=self._xml,
            target=None,
            sip_port=self.sip_port,
            media_port=self.media_port,
            calls=self._calls,
            timeout_s=max(3600, self.registration_s),
            workdir=self.workdir,
        )
        _wait_bound(self.sip_port, self._uas)
        return self

    def wait(self, timeout_s: float) -> SippResult:
        assert self._uas is not None
        return self._uas.wait(timeout_s)

    def __exit__(self, *exc: object | TracebackType) -> None:
        if self._uas is not None:
            self._uas.kill()
        # Asterisk may be gone already; the registration then simply expires.
        with contextlib.suppress(SippError):
            self._register(expires_s=0)


def _wait_bound(port: int, proc: _SippProcess, timeout_s: float = 5) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.proc.poll() is not None:
            raise SippError(
                f"sipp on port {port} exited at start:\n{proc.log_file.read_text(errors='replace')}"
            )
        if not _udp_free(port):
            return
        time.sleep(0.02)
    raise SippError(f"sipp did not bind UDP port {port}")


def iter_steps(*items: float | str) -> Iterator[Step]:
    """Shorthand: numbers are pauses in seconds, strings are keys."""
    for item in items:
        yield Pause(float(item)) if isinstance(item, int | float) else Digit(item)


class PhoneBank:
    """Many registered extensions answered by one SIPp process: a floor in one phone.

    Each extension is registered from the same port in turn (a short SIPp run each),
    then one SIPp server listens there and answers every call Asterisk sends to any of
    them, as ``agent_xml`` says. A load of hundreds of agents then costs one process
    instead of hundreds. ``counts`` reads its statistics while it runs.
    """

    def __init__(
        self,
        *,
        target: str,
        ports: PortAllocator,
        extensions: Sequence[tuple[str, str]],
        answer_after_s: float | None = 1.0,
        talk_s: float | None = 5.0,
        workdir: Path,
        registration_s: int = 3600,
        audio: Audio = SPEECH,
    ) -> None:
        self.target, self.extensions, self.workdir = target, list(extensions), workdir
        self.registration_s = registration_s
        self.sip_port, self.media_port = ports.take()
        self._xml = agent_xml(answer_after_s=answer_after_s, talk_s=talk_s, audio=audio)
        self._uas: _SippProcess | None = None

    def _register(self, user: str, password: str, expires_s: int) -> None:
        reg = _SippProcess(
            name=f"register-{user}-{expires_s}",
            xml=register_xml(user=user, password=password, expires_s=expires_s),
            target=self.target,
            sip_port=self.sip_port,
            media_port=self.media_port,
            calls=1,
            timeout_s=10,
            workdir=self.workdir / "register",
        )
        result = reg.wait(15)
        if not result.ok:
            raise SippError(f"phone bank {user}: REGISTER failed (exit {result.exit_code})")

    def __enter__(self) -> PhoneBank:
        for user, password in self.extensions:
            self._register(user, password, self.registration_s)
        self._uas = _SippProcess(
            name="phone-bank",
            xml=self._xml,
            target=None,
            sip_port=self.sip_port,
            media_port=self.media_port,
            calls=1_000_000,
            timeout_s=max(3600, self.registration_s),
            workdir=self.workdir,
        )
        _wait_bound(self.sip_port, self._uas)
        return self

    def counts(self) -> dict[str, int]:
        assert self._uas is not None
        return latest_counts(self._uas.stat_file)

    def __exit__(self, *exc: object | TracebackType) -> None:
        if self._uas is not None:
            self._uas.kill()
        # Unregistered as a phone switched off, so Asterisk does not ring a dead port
        # for the registration's hour; Asterisk may be gone already, and then it expires.
        for user, password in self.extensions:
            with contextlib.suppress(SippError):
                self._register(user, password, 0)
