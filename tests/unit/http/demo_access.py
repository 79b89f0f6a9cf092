"""The sample site's demo credentials (docs/site-config.md) as request headers."""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from site_config import SiteConfig
from site_config.passwords import ScryptHash

REPO = Path(__file__).resolve().parents[3]
SAMPLE = REPO / "config" / "site.yaml"  # the demo secrets below belong to it
DISPLAY_TOKEN = "demo-wall-display"


def cheap_hash(password: str) -> str:
    """A valid scrypt hash at the smallest cost parse_hash allows (tests only)."""
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2, r=1, p=1, dklen=32)
    return ScryptHash(n=2, r=1, p=1, salt=salt, digest=digest).encode()


def cheaply_hashed(site: SiteConfig) -> SiteConfig:
    """``site`` with each user's demo password (``demo-<name>``) hashed by ``cheap_hash``:
    the sample's real scrypt cost would make every login in the tests take a while."""
    users = tuple(
        u.model_copy(update={"password_hash": cheap_hash(f"demo-{u.name}")})
        for u in site.access.users
    )
    return site.model_copy(update={"access": site.access.model_copy(update={"users": users})})


def basic(name: str, password: str | None = None) -> dict[str, str]:
    """Authorization header for a user; the password defaults to the demo one."""
    secret = f"demo-{name}" if password is None else password
    raw = base64.b64encode(f"{name}:{secret}".encode()).decode("ascii")
    return {"Authorization": f"Basic {raw}"}


def bearer(token: str = DISPLAY_TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
