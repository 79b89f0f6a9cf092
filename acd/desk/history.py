"""How often a number called in the last 7 days, without keeping the number.

Each call's caller-id number is reduced to an HMAC-SHA256 under the site's secret key
(``KCC_CALLER_KEY`` in the environment): the same number gives the same hash, so calls
can be counted, but the number cannot be read back from the file, and without the key a
list of all Dutch numbers cannot be hashed to match it either. Rows are (hash, moment),
in SQLite in the controller's state folder, deleted once older than the 7 days the
count looks back. A withheld number is not counted.

Without a key in the environment the controller makes a random one for the run and says
so: the counts then start again at each restart.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import sqlite3
import threading
from datetime import datetime, timedelta
from pathlib import Path

log = logging.getLogger(__name__)

WINDOW = timedelta(days=7)
KEY_VARIABLE = "KCC_CALLER_KEY"
_NOT_DIGITS = re.compile(r"[^0-9]")


def caller_key(environ: dict[str, str]) -> bytes:
    """The key from the environment, or a random one for this run (with a warning)."""
    key = environ.get(KEY_VARIABLE, "")
    if len(key) >= 16:
        return key.encode()
    if key:
        log.warning("%s is shorter than 16 characters: a random key is used", KEY_VARIABLE)
    else:
        log.warning("%s is not set: callers' history restarts with the controller", KEY_VARIABLE)
    return secrets.token_bytes(32)


def normalised(number: str) -> str | None:
    """The number's digits with 0031/+31 as 0; None when withheld or not a number."""
    digits = _NOT_DIGITS.sub("", number)
    if number.strip().startswith("+31") or digits.startswith("0031"):
        digits = "0" + digits.removeprefix("00").removeprefix("31")
    return digits if len(digits) >= 3 else None


class CallerHistory:
    """``seen`` records a call and tells how many came from that number before it."""

    def __init__(self, path: Path, key: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._key, self._lock = key, threading.Lock()
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS calls (caller TEXT NOT NULL, at REAL NOT NULL)"
        )
        self._db.execute("CREATE INDEX IF NOT EXISTS calls_by_caller ON calls (caller, at)")

    def seen(self, number: str, at: datetime) -> int | None:
        """Calls from ``number`` in the 7 days before ``at``; then this one is counted."""
        digits = normalised(number)
        if digits is None:
            return None
        caller = hmac.new(self._key, digits.encode(), hashlib.sha256).hexdigest()
        moment, start = at.timestamp(), (at - WINDOW).timestamp()
        with self._lock:
            self._db.execute("DELETE FROM calls WHERE at < ?", (start,))
            (count,) = self._db.execute(
                "SELECT COUNT(*) FROM calls WHERE caller = ? AND at >= ?", (caller, start)
            ).fetchone()
            self._db.execute("INSERT INTO calls (caller, at) VALUES (?, ?)", (caller, moment))
        return int(count)

    def close(self) -> None:
        with self._lock:
            self._db.close()
