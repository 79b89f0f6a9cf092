"""Validated settings for the AMI client, and its reconnect back-off policy."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from acd.ami.protocol import DEFAULT_MAX_FRAME_SIZE


@dataclass(frozen=True, kw_only=True)
class Backoff:
    """Capped exponential back-off with jitter.

    Attempt n waits ``min(maximum, initial * multiplier**n)`` scaled by a random
    factor in [1 - jitter, 1 + jitter] (and still capped), so controllers
    restarted together do not reconnect in lock-step.
    """

    initial: float = 0.5
    maximum: float = 30.0
    multiplier: float = 2.0
    jitter: float = 0.2

    def __post_init__(self) -> None:
        if not 0 < self.initial <= self.maximum:
            raise ValueError(f"Backoff needs 0 < initial <= maximum, got {self}")
        if self.multiplier < 1:
            raise ValueError(f"Backoff.multiplier must be >= 1, got {self.multiplier}")
        if not 0 <= self.jitter < 1:
            raise ValueError(f"Backoff.jitter must be in [0, 1), got {self.jitter}")

    def delay(self, attempt: int, random: Callable[[], float]) -> float:
        """Seconds to wait before reconnect attempt ``attempt`` (0-based)."""
        base = min(self.maximum, self.initial * self.multiplier ** min(attempt, 64))
        factor = 1 - self.jitter + 2 * self.jitter * random()
        return min(self.maximum, base * factor)


def _positive(name: str, value: float) -> None:
    if not value > 0:
        raise ValueError(f"AmiSettings.{name} must be > 0, got {value!r}")


@dataclass(frozen=True, kw_only=True)
class AmiSettings:
    """Where and how to reach Asterisk's manager interface. Times are in seconds.

    ``events`` is the Login Events mask ("on", "off", or e.g. "call,agent,system").
    ``ignore_events`` are skipped before parsing (see AmiProtocol); AmiClient
    always skips VarSet as well.
    """

    host: str = "127.0.0.1"
    port: int = 5038
    username: str
    secret: str = field(repr=False)
    events: str = "on"
    connect_timeout: float = 5.0
    startup_timeout: float = 30.0
    action_timeout: float = 10.0
    ping_interval: float = 20.0
    ping_timeout: float = 5.0
    backoff: Backoff = Backoff()
    event_queue_size: int = 10_000
    max_frame_size: int = DEFAULT_MAX_FRAME_SIZE
    ignore_events: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if not self.username:
            raise ValueError("AmiSettings.username must not be empty")
        if not 0 < self.port < 65536:
            raise ValueError(f"AmiSettings.port must be 1..65535, got {self.port}")
        for name in (
            "connect_timeout",
            "startup_timeout",
            "action_timeout",
            "ping_interval",
            "ping_timeout",
        ):
            _positive(name, getattr(self, name))
        if self.event_queue_size < 1:
            raise ValueError(
                f"AmiSettings.event_queue_size must be >= 1, got {self.event_queue_size}"
            )
