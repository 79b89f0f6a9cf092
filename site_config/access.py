"""Who may use the web interface: users with a role, and read-only display tokens.

Every person has their own login. An ``agent`` user is bound to one agent number and may
act only on that agent; a ``back_office`` user is bound to their back-office extension.
The other roles are not bound: floor managers and team leads act on any agent. Whether
the user names a configured agent or extension is a cross-check
(``site_config.crosscheck``).
"""

from __future__ import annotations

import enum
from typing import Annotated, Any

from pydantic import BeforeValidator, model_validator

from site_config.fields import (
    Boolean,
    Digits,
    FrozenModel,
    Hex64,
    Identifier,
    in_range,
    matches,
    not_allowed,
)
from site_config.passwords import HASH_FORMAT, parse_hash

_USER_NAME_ALLOWED = "lowercase letters, digits, '.', '_' and '-' (1-64 chars)"


class Role(enum.StrEnum):
    """What a web user may see and do."""

    AGENT = "agent"  # a TIC agent: acts only on their own agent number
    BACK_OFFICE = "back_office"  # a back-office colleague at their own extension
    FLOOR_MANAGER = "floor_manager"
    TEAM_LEAD = "team_lead"
    # Prometheus' scrape login: /metrics and nothing else, so the password in its
    # password file opens no person's data and changes nothing.
    METRICS = "metrics"
    ADMIN = "admin"


def _scrypt_hash(command: str) -> BeforeValidator:
    """A stored hash as ``kcc <command>`` prints it."""
    allowed = f"a hash from 'kcc {command}' ({HASH_FORMAT})"

    def check(value: Any) -> Any:
        if not isinstance(value, str):
            raise not_allowed(allowed)
        try:
            parse_hash(value)
        except ValueError as exc:
            raise not_allowed(allowed, f"not a valid password hash: {exc}") from None
        return value

    return BeforeValidator(check)


PasswordHash = Annotated[str, _scrypt_hash("hash-password")]
"""A web password's scrypt hash; never the password itself."""
PinHash = Annotated[str, _scrypt_hash("hash-pin")]
"""An agent's phone PIN, hashed with scrypt like a password."""


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
    password_hash: PasswordHash
    agent_id: Digits | None = None  # role agent: the agent number this login acts as
    extension: Digits | None = None  # role back_office: the colleague's own extension

    @model_validator(mode="after")
    def _bound_as_the_role_says(self) -> User:
        bindings = {Role.AGENT: "agent_id", Role.BACK_OFFICE: "extension"}
        for role, key in bindings.items():
            bound = getattr(self, key) is not None
            if self.role is role and not bound:
                raise not_allowed(f"{key} for a user with role {role.value}", f"{key} is missing")
            if self.role is not role and bound:
                raise not_allowed(
                    f"{key} only for a user with role {role.value}",
                    f"{key} is set for role {self.role.value}",
                )
        return self


class DisplayToken(FrozenModel, frozen=True):
    """A wallboard screen's read-only access token; only its sha256 is stored."""

    name: Identifier
    token_sha256: Hex64


class Access(FrozenModel, frozen=True):
    """Every web user and display token."""

    users: tuple[User, ...] = ()
    display_tokens: tuple[DisplayToken, ...] = ()
    # Every agent must then have a pin_hash, asked for after *51<agent> on the phone.
    phone_pin_required: Boolean = False
    # The controller's audit log (who did what, by web or phone) is kept this long.
    audit_retention_days: Annotated[int, in_range(30, 3650, "days")] = 365
