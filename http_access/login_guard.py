"""Guards around the password check: back-off after failed logins, and a cap on scrypt.

Theory of operation
-------------------
Each wrong Basic login costs one scrypt (~16 MiB, ~0.1 s of CPU) in the thread pool
that also renders the wallboard's snapshots. Two guards keep bad attempts from
starving it; a login the :class:`~http_access.credential_cache.CredentialCache` already knows
passes neither, so people who are logged in stay fast.

* :class:`LoginThrottle` counts failed logins per key - the client's address and the
  user name, each on its own - within ``window_s``. The ``free_failures``-th failure
  locks the key for ``first_lockout_s``, and each failure after it for twice as long
  as the one before, at most ``max_lockout_s``. A locked key
  is answered 429 with ``Retry-After`` without running scrypt. A success clears the
  user name's count and the address's. Pure: the clock is passed in.
* :class:`ScryptGate` lets at most ``concurrent`` checks run at once; a check that
  cannot start within ``max_wait_s`` is answered 503 with ``Retry-After`` instead of
  queueing without end.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

DEFAULT_FREE_FAILURES = 5
ADDRESS_FREE_FAILURES = 20
DEFAULT_WINDOW_S = 300.0
DEFAULT_FIRST_LOCKOUT_S = 2.0
DEFAULT_MAX_LOCKOUT_S = 300.0
DEFAULT_MAX_KEYS = 10_000
DEFAULT_SCRYPT_CONCURRENCY = 2
DEFAULT_SCRYPT_WAIT_S = 2.0


@dataclass(frozen=True, slots=True, kw_only=True)
class ThrottlePolicy:
    """When failed logins lock a key, and for how long; see the module docstring."""

    free_failures: int = DEFAULT_FREE_FAILURES
    window_s: float = DEFAULT_WINDOW_S
    first_lockout_s: float = DEFAULT_FIRST_LOCKOUT_S
    max_lockout_s: float = DEFAULT_MAX_LOCKOUT_S
    max_keys: int = DEFAULT_MAX_KEYS  # the oldest are forgotten first beyond this

    def __post_init__(self) -> None:
        if self.free_failures < 1 or self.max_keys < 1:
            raise ValueError(f"ThrottlePolicy needs free_failures and max_keys >= 1: {self}")
        if not 0 < self.first_lockout_s <= self.max_lockout_s or self.window_s <= 0:
            raise ValueError(f"ThrottlePolicy needs 0 < first_lockout_s <= max_lockout_s: {self}")

    def lockout_s(self, failures: int) -> float:
        """How long the key is locked after its ``failures``-th failure in the window."""
        beyond = failures - self.free_failures
        if beyond < 0:
            return 0.0
        doubled: float = self.first_lockout_s * float(2 ** min(beyond, 32))
        return min(doubled, self.max_lockout_s)


@dataclass(slots=True)
class _Failures:
    count: int
    first_at: float
    locked_until: float


class LoginThrottle:
    """Failed logins per key with exponential lockouts; no I/O, the clock passed in."""

    def __init__(self, policy: ThrottlePolicy, *, clock: Callable[[], float]) -> None:
        self._policy, self._clock = policy, clock
        self._keys: OrderedDict[str, _Failures] = OrderedDict()

    def retry_after(self, *keys: str) -> float | None:
        """Seconds until every one of ``keys`` may try again; ``None`` when they may now."""
        now = self._clock()
        waits = [f.locked_until - now for f in self._current(keys, now)]
        longest = max(waits, default=0.0)
        return longest if longest > 0 else None

    def failed(self, *keys: str) -> float | None:
        """Count a failure against each key; the lockout it starts, if any, in seconds."""
        now = self._clock()
        started: float | None = None
        for key in keys:
            found = self._find(key, now) or _Failures(0, now, now)
            found.count += 1
            lockout = self._policy.lockout_s(found.count)
            found.locked_until = now + lockout
            self._store(key, found)
            if lockout > 0:
                started = max(started or 0.0, lockout)
        return started

    def succeeded(self, *keys: str) -> None:
        for key in keys:
            self._keys.pop(key, None)

    def failures(self, key: str) -> int:
        found = self._find(key, self._clock())
        return 0 if found is None else found.count

    def _current(self, keys: tuple[str, ...], now: float) -> Iterator[_Failures]:
        for key in keys:
            found = self._find(key, now)
            if found is not None:
                yield found

    def _find(self, key: str, now: float) -> _Failures | None:
        found = self._keys.get(key)
        if found is None:
            return None
        # The window runs from the first failure; a lockout still running keeps it.
        if now - found.first_at > self._policy.window_s and now >= found.locked_until:
            del self._keys[key]
            return None
        return found

    def _store(self, key: str, failures: _Failures) -> None:
        self._keys[key] = failures
        self._keys.move_to_end(key)
        while len(self._keys) > self._policy.max_keys:
            self._keys.popitem(last=False)


def retry_after_header(seconds: float) -> str:
    """``Retry-After`` in whole seconds, rounded up, at least 1."""
    return str(max(1, math.ceil(seconds)))


class ScryptBusy(Exception):
    """Too many password checks are waiting already; try again in ``retry_after_s``."""

    def __init__(self, retry_after_s: float) -> None:
        super().__init__("too many logins are being checked at once; try again in a second")
        self.retry_after_s = retry_after_s


class ScryptGate:
    """At most ``concurrent`` password checks at once, each waiting at most ``max_wait_s``."""

    def __init__(
        self,
        *,
        concurrent: int = DEFAULT_SCRYPT_CONCURRENCY,
        max_wait_s: float = DEFAULT_SCRYPT_WAIT_S,
    ) -> None:
        if concurrent < 1 or max_wait_s < 0:
            raise ValueError("ScryptGate needs concurrent >= 1 and max_wait_s >= 0")
        self._slots = asyncio.Semaphore(concurrent)
        self._max_wait_s = max_wait_s

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one of the slots while checking; ``ScryptBusy`` when none frees in time."""
        try:
            await asyncio.wait_for(self._slots.acquire(), self._max_wait_s)
        except TimeoutError:
            raise ScryptBusy(max(1.0, self._max_wait_s)) from None
        try:
            yield
        finally:
            self._slots.release()


class LoginGuard:
    """Both guards of one app: a throttle per user name, one per client address, the gate.

    An office behind one NAT address shares its address's count, so that one allows
    more failures than a user name does before it locks.
    """

    def __init__(
        self,
        *,
        per_user: ThrottlePolicy = ThrottlePolicy(),
        per_address: ThrottlePolicy = ThrottlePolicy(free_failures=ADDRESS_FREE_FAILURES),
        gate: ScryptGate | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.users = LoginThrottle(per_user, clock=clock)
        self.addresses = LoginThrottle(per_address, clock=clock)
        self.gate = gate or ScryptGate()

    def retry_after(self, username: str, address: str | None) -> float | None:
        """Seconds until this user name from this address may try again; None: now."""
        waits = (
            self.users.retry_after(_user_key(username)),
            self.addresses.retry_after(address or ""),
        )
        return max((wait for wait in waits if wait is not None), default=None)

    def failed(self, username: str, address: str | None) -> float | None:
        """Count one failure on both; the lockout it starts, if any."""
        starts = [self.users.failed(_user_key(username)), self.addresses.failed(address or "")]
        return max((s for s in starts if s is not None), default=None)

    def succeeded(self, username: str) -> None:
        # Only the user name's count: one good login must not wipe out an address's
        # failures, or an attacker with one account could keep guessing at others.
        self.users.succeeded(_user_key(username))


MAX_USER_NAME = 64  # site_config.access allows no longer name


def _user_key(username: str) -> str:
    """The name, cut to the longest a user may have: a header of made-up names many
    kilobytes long must not become as many kilobytes of throttle state."""
    return username[: MAX_USER_NAME + 1]
