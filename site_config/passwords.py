"""Password and token hashing for the site configuration and the HTTP login.

Only hashes are ever written to ``config/site.yaml``:

* HTTP users: scrypt (stdlib ``hashlib.scrypt``) with a random salt, stored in a
  self-describing string ``scrypt$n$r$p$salt_b64$hash_b64`` so the cost can be raised
  later without breaking existing hashes.
* SIP endpoints: the HA1 digest Asterisk's PJSIP ``md5_cred`` auth expects,
  ``md5("<extension>:<realm>:<password>")``. MD5 is what SIP digest auth requires, not a
  choice made here; it keeps the clear-text SIP password out of the generated config.
* Agents' phone PINs (``*51<agent>`` then the PIN): 4 to 8 digits, scrypt like a
  password.
* Wallboard display tokens: sha256 of the token. Tokens are long random strings, so a
  fast hash is enough and lets the web layer look one up in constant time per request.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from dataclasses import dataclass

SCHEME = "scrypt"
# 2**14 / 8 / 1 is the cost recommended for interactive logins (~16 MiB, tens of ms).
DEFAULT_N = 2**14
DEFAULT_R = 8
DEFAULT_P = 1
SALT_BYTES = 16
HASH_BYTES = 32
# Upper bounds keep a tampered config from making one login eat gigabytes of memory.
MAX_N = 2**20
MAX_R = 32
MAX_P = 16

HASH_FORMAT = "scrypt$n$r$p$salt_b64$hash_b64"


@dataclass(frozen=True, kw_only=True)
class ScryptHash:
    """A parsed ``scrypt$n$r$p$salt_b64$hash_b64`` string."""

    n: int
    r: int
    p: int
    salt: bytes
    digest: bytes

    def encode(self) -> str:
        salt = base64.b64encode(self.salt).decode("ascii")
        digest = base64.b64encode(self.digest).decode("ascii")
        return f"{SCHEME}${self.n}${self.r}${self.p}${salt}${digest}"


def _scrypt(password: str, *, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    # OpenSSL needs about 128 * r * (n + p) bytes; the default maxmem (32 MiB) would
    # refuse the larger costs parse_hash accepts, so size the limit from the parameters.
    maxmem = 128 * r * (n + p + 2) + 1024 * 1024
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=dklen, maxmem=maxmem
    )


def hash_password(password: str) -> str:
    """Hash ``password`` with a fresh random salt; the result is safe to store."""
    if not password:
        raise ValueError("password is empty; allowed: at least 1 character")
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(password, salt=salt, n=DEFAULT_N, r=DEFAULT_R, p=DEFAULT_P, dklen=HASH_BYTES)
    return ScryptHash(n=DEFAULT_N, r=DEFAULT_R, p=DEFAULT_P, salt=salt, digest=digest).encode()


PIN_ALLOWED = "4 to 8 digits"


def hash_pin(pin: str) -> str:
    """Hash an agent's phone PIN like a password, after checking it is 4 to 8 digits.

    A PIN is short, so its hash alone would not stand up to a search of every PIN: it
    is one factor beside the phone's own SIP login, and the phone allows three tries.
    """
    if not (pin.isascii() and pin.isdigit() and 4 <= len(pin) <= 8):
        raise ValueError(f"the PIN is not allowed; allowed: {PIN_ALLOWED}")
    return hash_password(pin)


def _b64(text: str, label: str) -> bytes:
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise ValueError(f"{label} is not valid base64") from None
    if not raw:
        raise ValueError(f"{label} is empty")
    return raw


def _bounded_int(text: str, label: str, upper: int) -> int:
    if not text.isdigit() or not 1 <= int(text) <= upper:
        raise ValueError(f"{label} {text!r} is not a whole number from 1 to {upper}")
    return int(text)


def parse_hash(stored: str) -> ScryptHash:
    """Parse a stored hash, raising ``ValueError`` naming the first thing wrong."""
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        raise ValueError(f"not in the form {HASH_FORMAT}")
    n = _bounded_int(parts[1], "n", MAX_N)
    if n < 2 or n & (n - 1):
        raise ValueError(f"n {n} is not a power of two")
    return ScryptHash(
        n=n,
        r=_bounded_int(parts[2], "r", MAX_R),
        p=_bounded_int(parts[3], "p", MAX_P),
        salt=_b64(parts[4], "salt"),
        digest=_b64(parts[5], "hash"),
    )


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` matches ``stored``; ``ValueError`` if ``stored`` is malformed."""
    parsed = parse_hash(stored)
    candidate = _scrypt(
        password, salt=parsed.salt, n=parsed.n, r=parsed.r, p=parsed.p, dklen=len(parsed.digest)
    )
    return hmac.compare_digest(candidate, parsed.digest)


def sip_md5(extension: str, realm: str, password: str) -> str:
    """HA1 for SIP digest auth: md5 of ``<extension>:<realm>:<password>``, lowercase hex."""
    return hashlib.md5(f"{extension}:{realm}:{password}".encode()).hexdigest()


def token_sha256(token: str) -> str:
    """sha256 of a display token, lowercase hex; this is what the config stores."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def verify_token(token: str, stored_sha256: str) -> bool:
    """Constant-time check of a presented display token against its stored sha256."""
    return hmac.compare_digest(token_sha256(token), stored_sha256.lower())
