"""Recently verified Basic credentials, so a run of requests pays scrypt once.

The key is an HMAC of user name and password under a random per-process key: the
plain password is never kept, and a different password is a different key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

P = TypeVar("P")


@dataclass(frozen=True)
class _CacheEntry(Generic[P]):
    principal: P
    expires_at: float


class CredentialCache(Generic[P]):
    """Recently verified Basic credentials, so a run of requests pays scrypt once.

    Only successes are stored, under an HMAC of the credentials; entries expire after
    ``ttl_s`` and the oldest go first when ``max_entries`` is reached. Verification runs
    in worker threads, hence the lock.
    """

    def __init__(self, *, ttl_s: float, max_entries: int, clock: Callable[[], float]) -> None:
        if ttl_s < 0 or max_entries < 1:
            raise ValueError("cache ttl_s must be >= 0 and max_entries >= 1")
        self._ttl_s, self._max_entries, self._clock = ttl_s, max_entries, clock
        self._key = secrets.token_bytes(32)
        self._entries: dict[bytes, _CacheEntry[P]] = {}
        self._lock = threading.Lock()

    def _fingerprint(self, username: str, password: str) -> bytes:
        # Length prefix: ("ab", "c") and ("a", "bc") must not share a key.
        material = f"{len(username)}:{username}:{password}".encode()
        return hmac.new(self._key, material, hashlib.sha256).digest()

    def get(self, username: str, password: str) -> P | None:
        key = self._fingerprint(username, password)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry.expires_at <= self._clock():
                del self._entries[key]
                return None
            return entry.principal

    def put(self, username: str, password: str, principal: P) -> None:
        key = self._fingerprint(username, password)
        now = self._clock()
        with self._lock:
            if key not in self._entries and len(self._entries) >= self._max_entries:
                self._evict(now)
            self._entries[key] = _CacheEntry(principal, now + self._ttl_s)

    def __len__(self) -> int:
        return len(self._entries)

    def _evict(self, now: float) -> None:
        for key in [k for k, entry in self._entries.items() if entry.expires_at <= now]:
            del self._entries[key]
        while len(self._entries) >= self._max_entries:
            del self._entries[next(iter(self._entries))]
