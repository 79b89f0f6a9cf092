"""The recording keys: a ring read once from the environment, the first key the current one.

Theory of operation
-------------------
``KCC_RECORDING_KEYS`` holds comma-separated ``id:base64key`` entries, each a 32-byte
AES-256 key in standard or URL-safe base64 (padding optional). The first entry is the
*current* key, the one new files are sealed with; the others only open files sealed
before a rotation, until ``vault.rekey`` has moved those files to the current key and the
old entry can be dropped. A file names the id of its key in its header, so a reader
picks the key by id and never tries keys in turn.

The keys live in the environment, not in the site configuration, so they are never in
the repository, a config file or a backup of either. Parsing fails at start with a
message naming the variable, the entry and what is allowed; no message and no ``repr``
ever shows key material.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field

ENVIRONMENT_VARIABLE = "KCC_RECORDING_KEYS"
KEY_BYTES = 32  # AES-256
KEY_ID = re.compile(r"[a-z0-9-]{1,32}")
_KEY_ID_ALLOWED = "1 to 32 of a-z, 0-9 and '-'"


class KeyRingError(ValueError):
    """The key ring's setting is missing or wrong; the message says which entry and why."""


@dataclass(frozen=True, slots=True)
class RecordingKey:
    """One key of the ring; ``secret`` is kept out of ``repr``."""

    id: str
    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if not KEY_ID.fullmatch(self.id):
            raise KeyRingError(f"key id {self.id!r}: allowed: {_KEY_ID_ALLOWED}")
        if len(self.secret) != KEY_BYTES:
            raise KeyRingError(
                f"key {self.id!r} is {len(self.secret)} bytes; allowed: {KEY_BYTES} (AES-256)"
            )


@dataclass(frozen=True, slots=True)
class KeyRing:
    """The keys a process may use; ``keys[0]`` seals new files, all of them open files."""

    keys: tuple[RecordingKey, ...]

    def __post_init__(self) -> None:
        if not self.keys:
            raise KeyRingError("a key ring needs at least one key")
        ids = [key.id for key in self.keys]
        twice = sorted({key_id for key_id in ids if ids.count(key_id) > 1})
        if twice:
            raise KeyRingError(f"key id(s) given more than once: {', '.join(twice)}")

    @property
    def current(self) -> RecordingKey:
        return self.keys[0]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(key.id for key in self.keys)

    def find(self, key_id: str) -> RecordingKey | None:
        return next((key for key in self.keys if key.id == key_id), None)

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> KeyRing:
        """The ring of ``KCC_RECORDING_KEYS``; :class:`KeyRingError` names what is wrong."""
        text = environ.get(ENVIRONMENT_VARIABLE)
        if text is None or not text.strip():
            raise KeyRingError(
                f"{ENVIRONMENT_VARIABLE} is not set; allowed: comma-separated 'id:base64key' "
                "entries, the current key first (generate_key() makes an entry)"
            )
        entries = text.split(",")
        keys = tuple(_entry(number, entry) for number, entry in enumerate(entries, 1))
        try:
            return cls(keys)
        except KeyRingError as exc:
            raise KeyRingError(f"{ENVIRONMENT_VARIABLE}: {exc}") from None


def generate_key(key_id: str | None = None) -> str:
    """A new ``id:base64key`` entry (URL-safe base64) to put first in the ring.

    Without ``key_id`` the id is ``k`` and eight random hex digits, so two keys made on
    different machines do not clash.
    """
    chosen = f"k{secrets.token_hex(4)}" if key_id is None else key_id
    key = RecordingKey(chosen, secrets.token_bytes(KEY_BYTES))
    return f"{key.id}:{base64.urlsafe_b64encode(key.secret).decode('ascii')}"


def _entry(number: int, entry: str) -> RecordingKey:
    where = f"{ENVIRONMENT_VARIABLE}: entry {number}"
    key_id, colon, encoded = (part.strip() for part in entry.partition(":"))
    if not colon:
        raise KeyRingError(f"{where} is not 'id:base64key' (no ':')")
    if not KEY_ID.fullmatch(key_id):
        raise KeyRingError(f"{where}: key id {key_id!r}; allowed: {_KEY_ID_ALLOWED}")
    secret = _decode(encoded)
    if secret is None:
        raise KeyRingError(f"{where} ({key_id!r}): the key is not base64")
    if len(secret) != KEY_BYTES:
        raise KeyRingError(
            f"{where} ({key_id!r}): the key is {len(secret)} bytes; "
            f"allowed: {KEY_BYTES} bytes (AES-256), base64-encoded"
        )
    return RecordingKey(key_id, secret)


def _decode(text: str) -> bytes | None:
    # Standard and URL-safe alphabets both, with or without the '=' padding.
    standard = text.replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(standard + "=" * (-len(standard) % 4), validate=True)
    except binascii.Error:
        return None
