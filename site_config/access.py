"""Who may use the web interface: users with a role, and read-only display tokens."""

from __future__ import annotations

import enum
from typing import Annotated, Any

from pydantic import BeforeValidator

from site_config.fields import FrozenModel, Hex64, Identifier, matches, not_allowed
from site_config.passwords import HASH_FORMAT, parse_hash

_USER_NAME_ALLOWED = "lowercase letters, digits, '.', '_' and '-' (1-64 chars)"


class Role(enum.StrEnum):
    """What a web user may see and do."""

    AGENT = "agent"
    FLOOR_MANAGER = "floor_manager"
    TEAM_LEAD = "team_lead"
    ADMIN = "admin"


def _password_hash(value: Any) -> Any:
    allowed = f"a hash from 'kcc hash-password' ({HASH_FORMAT})"
    if not isinstance(value, str):
        raise not_allowed(allowed)
    try:
        parse_hash(value)
    except ValueError as exc:
        raise not_allowed(allowed, f"not a valid password hash: {exc}") from None
    return value


def _role(value: Any) -> Any:
    if isinstance(value, Role):
        return value
    if isinstance(value, str) and value in {role.value for role in Role}:
        return Role(value)
    raise not_allowed(", ".join(role.value for role in Role))


class User(FrozenModel, frozen=True):
    """A person logging in to the web interface (floor manager, team lead, ...)."""

    name: Annotated[str, matches(r"[a-z0-9._-]{1,64}", _USER_NAME_ALLOWED)]
    role: Annotated[Role, BeforeValidator(_role)]
    # Never the password itself; the hash does not reveal it, so the file may be shared.
    password_hash: Annotated[str, BeforeValidator(_password_hash)]


class DisplayToken(FrozenModel, frozen=True):
    """A wallboard screen's read-only access token; only its sha256 is stored."""

    name: Identifier
    token_sha256: Hex64


class Access(FrozenModel, frozen=True):
    """Every web user and display token."""

    users: tuple[User, ...] = ()
    display_tokens: tuple[DisplayToken, ...] = ()
