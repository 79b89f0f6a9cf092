"""Who is calling, and may they? Authentication and roles for every HTTP service.

Theory of operation
-------------------
Every request proves who it is in one of two ways (docs/http-api.md):

* **HTTP Basic** with a user of ``access.users`` in the site config. The password is
  checked with scrypt (:func:`site_config.passwords.verify_password`, ~0.1 s of CPU), so a
  successful check is remembered for ``cache_ttl_s`` in a :class:`CredentialCache`. The
  cache key is an HMAC of user name and password under a random per-process key: the
  plain password is never kept, and a different password is a different key, so a
  wrong password after a right one is checked (and refused) like any other.
* **A display token** (``Authorization: Bearer <token>``) of ``access.display_tokens``:
  a read-only wall screen. Only on routes that allow displays (the wallboard and its
  event stream) may the token also come as ``?token=``, because a wall screen's kiosk
  browser and ``EventSource`` cannot set headers.

:class:`Authenticator` is the I/O-free core: credentials in, a :class:`Principal` or
``None`` out. :func:`require` turns it into FastAPI dependencies; the composition root
of each app puts one Authenticator on the app with :func:`install_authenticator`.
No credentials or bad credentials give 401 with ``WWW-Authenticate``; a known caller
without the needed role gets 403 naming the roles that would do. Admin may do anything.
"""

from __future__ import annotations

import base64
import binascii
import enum
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import FastAPI, HTTPException, Request, status
from starlette.concurrency import run_in_threadpool

from http_access.credential_cache import CredentialCache
from http_access.login_guard import LoginGuard, ScryptBusy, retry_after_header
from http_access.redaction import QUERY_TOKEN
from site_config.access import Access, Role
from site_config.passwords import (
    DEFAULT_N,
    DEFAULT_P,
    DEFAULT_R,
    HASH_BYTES,
    SALT_BYTES,
    ScryptHash,
    parse_hash,
    verify_password,
    verify_token,
)

REALM = "kcc14023"
DEFAULT_CACHE_TTL_S = 60.0
DEFAULT_CACHE_SIZE = 1024

_STATE_KEY = "kcc_authenticator"
_GUARD_KEY = "kcc_login_guard"

log = logging.getLogger("http_access.login")


class PrincipalKind(enum.StrEnum):
    USER = "user"  # a person from access.users, logged in with HTTP Basic
    DISPLAY = "display"  # a read-only wall screen from access.display_tokens


@dataclass(frozen=True, kw_only=True)
class Principal:
    """The authenticated caller of one request."""

    name: str
    kind: PrincipalKind
    role: Role | None  # None for a display: it has no role, only wallboard access
    agent_id: str | None = None  # an agent user: the one agent they may act on
    extension: str | None = None  # a back-office user: their own extension

    def may_act_on_agent(self, agent_id: str) -> str | None:
        """``None`` when this caller may change agent ``agent_id``, else the 403 message.

        An agent acts only on themself; the floor manager, team leads and the admin act
        on any agent (``require`` has already checked the role).
        """
        if self.role is not Role.AGENT or self.agent_id == agent_id:
            return None
        return (
            f"{self.name!r} is agent {self.agent_id} and may act only on agent "
            f"{self.agent_id}, not on agent {agent_id}"
        )

    def may_act_on_extension(self, extension: str) -> str | None:
        """``None`` when this caller may set the status of the colleague at ``extension``.

        A back-office colleague sets only their own; an agent sets nobody's; the floor
        manager, team leads and the admin anyone's.
        """
        if self.role is Role.BACK_OFFICE and self.extension != extension:
            return (
                f"{self.name!r} is at extension {self.extension} and may set only their own "
                f"status, not that of extension {extension}"
            )
        if self.role is Role.AGENT:
            return f"{self.name!r} is an agent; a colleague sets their own status"
        return None


@dataclass(frozen=True, kw_only=True)
class AccessRule:
    """Who may use one route: users with one of ``roles`` (admin always), maybe displays."""

    roles: frozenset[Role]
    allow_display: bool

    def permits(self, principal: Principal) -> bool:
        if principal.kind is PrincipalKind.DISPLAY:
            return self.allow_display
        return principal.role is Role.ADMIN or principal.role in self.roles

    def refusal(self, principal: Principal) -> str:
        """The 403 message: what this route needs, and what the caller is."""
        needed = [role.value for role in Role if role in self.roles or role is Role.ADMIN]
        wanted = ", ".join(needed[:-1]) + " or " + needed[-1] if len(needed) > 1 else needed[0]
        if principal.kind is PrincipalKind.DISPLAY:
            return f"a display token may only read the wallboard; this needs role {wanted}"
        role = principal.role.value if principal.role else "none"
        return f"this needs role {wanted}; {principal.name!r} has role {role}"


@dataclass(frozen=True, kw_only=True)
class BasicCredentials:
    username: str
    password: str


@dataclass(frozen=True, kw_only=True)
class BearerToken:
    token: str


class MalformedCredentials(ValueError):
    """An ``Authorization`` header that cannot be read; the message says why."""


def parse_authorization(header: str) -> BasicCredentials | BearerToken:
    """Read an ``Authorization`` header; ``MalformedCredentials`` names what is wrong."""
    scheme, _, value = header.strip().partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer":
        if not value:
            raise MalformedCredentials("the Bearer token is empty")
        return BearerToken(token=value)
    if scheme.lower() != "basic":
        raise MalformedCredentials(f"scheme {scheme!r} is not supported; allowed: Basic, Bearer")
    try:
        decoded = base64.b64decode(value.encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError):
        raise MalformedCredentials("Basic credentials are not base64 of UTF-8 text") from None
    username, colon, password = decoded.partition(":")
    if not colon or not username:
        raise MalformedCredentials("Basic credentials are not in the form 'user:password'")
    return BasicCredentials(username=username, password=password)


PasswordCheck = Callable[[str, str], bool]  # (password, stored hash) -> matches


class Authenticator:
    """Checks credentials against one site's ``access`` section; no I/O of its own."""

    def __init__(
        self,
        access: Access,
        *,
        cache_ttl_s: float = DEFAULT_CACHE_TTL_S,
        cache_size: int = DEFAULT_CACHE_SIZE,
        clock: Callable[[], float] = time.monotonic,
        check_password: PasswordCheck = verify_password,
    ) -> None:
        self._users = {user.name: user for user in access.users}
        self._tokens = access.display_tokens
        self._check_password = check_password
        self._cache = CredentialCache[Principal](
            ttl_s=cache_ttl_s, max_entries=cache_size, clock=clock
        )
        self._decoy_hash = _decoy_hash(access)

    def cached_user(self, username: str, password: str) -> Principal | None:
        """The user if these exact credentials were verified recently; never runs scrypt."""
        return self._cache.get(username, password)

    def verify_user(self, username: str, password: str) -> Principal | None:
        """Check a user's password with scrypt (slow: call it off the event loop)."""
        user = self._users.get(username)
        # An unknown name still costs one scrypt, so timing does not reveal user names.
        matches = self._check_password(password, user.password_hash if user else self._decoy_hash)
        if user is None or not matches:
            return None
        principal = Principal(
            name=user.name,
            kind=PrincipalKind.USER,
            role=user.role,
            agent_id=user.agent_id,
            extension=user.extension,
        )
        self._cache.put(username, password, principal)
        return principal

    def display(self, token: str) -> Principal | None:
        """The display whose token this is; every stored token is compared, in constant time."""
        found = [entry for entry in self._tokens if verify_token(token, entry.token_sha256)]
        if not token or not found:
            return None
        return Principal(name=found[0].name, kind=PrincipalKind.DISPLAY, role=None)


def _decoy_hash(access: Access) -> str:
    """A hash no password matches, with the cost of the site's own hashes."""
    params = parse_hash(access.users[0].password_hash) if access.users else None
    return ScryptHash(
        n=params.n if params else DEFAULT_N,
        r=params.r if params else DEFAULT_R,
        p=params.p if params else DEFAULT_P,
        salt=secrets.token_bytes(SALT_BYTES),
        digest=secrets.token_bytes(HASH_BYTES),
    ).encode()


def install_authenticator(
    app: FastAPI, authenticator: Authenticator, guard: LoginGuard | None = None
) -> None:
    """Give ``app``'s routes their Authenticator and login guard (``guard=None``: the
    defaults of ``http_access.login_guard``); called by the app's composition root."""
    setattr(app.state, _STATE_KEY, authenticator)
    setattr(app.state, _GUARD_KEY, guard or LoginGuard())


def _authenticator(request: Request) -> Authenticator:
    found = getattr(request.app.state, _STATE_KEY, None)
    if not isinstance(found, Authenticator):
        raise RuntimeError("no Authenticator on this app: call install_authenticator(app, ...)")
    return found


def _unauthorized(detail: str, *, allow_display: bool) -> HTTPException:
    challenge = f'Basic realm="{REALM}", charset="UTF-8"'
    if allow_display:
        challenge += f', Bearer realm="{REALM}"'
    headers = {"WWW-Authenticate": challenge}
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail=detail, headers=headers)


async def authenticate(request: Request, *, allow_display: bool) -> Principal:
    """The caller of ``request``, or a 401 ``HTTPException`` saying what is missing."""
    auth = _authenticator(request)
    header = request.headers.get("authorization")
    if header is None:
        return _from_query_token(request, auth, allow_display=allow_display)
    try:
        credentials = parse_authorization(header)
    except MalformedCredentials as exc:
        detail = f"malformed Authorization header: {exc}"
        raise _unauthorized(detail, allow_display=allow_display) from None
    if isinstance(credentials, BearerToken):
        principal = auth.display(credentials.token)
        if principal is None:
            raise _unauthorized("unknown display token", allow_display=allow_display)
        return principal
    # A login verified recently passes no guard: people who are logged in stay fast.
    cached = auth.cached_user(credentials.username, credentials.password)
    if cached is not None:
        return cached
    return await _verified(request, auth, credentials, allow_display=allow_display)


async def _verified(
    request: Request, auth: Authenticator, credentials: BasicCredentials, *, allow_display: bool
) -> Principal:
    """Check a login not in the cache with scrypt, behind the app's :class:`LoginGuard`.

    Refusals are logged with the user name and the address, never the password.
    """
    guard: LoginGuard = getattr(request.app.state, _GUARD_KEY, None) or _missing_guard()
    name, address = credentials.username[:80], _client(request)  # cut for the log
    wait = guard.retry_after(name, address)
    if wait is not None:
        log.warning("login of %r from %s refused: locked after failed logins", name, address)
        detail = f"too many failed logins; try again in {retry_after_header(wait)} s"
        headers = {"Retry-After": retry_after_header(wait)}
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, detail=detail, headers=headers)
    try:
        async with guard.gate.slot():
            principal = await run_in_threadpool(
                auth.verify_user, credentials.username, credentials.password
            )
    except ScryptBusy as busy:
        log.warning("login of %r from %s refused: %s", name, address, busy)
        headers = {"Retry-After": retry_after_header(busy.retry_after_s)}
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(busy), headers) from None
    if principal is None:
        lockout = guard.failed(name, address)
        locked = "" if lockout is None else f"; locked for {lockout:.0f} s"
        log.warning("login of %r from %s refused: wrong password%s", name, address, locked)
        raise _unauthorized("wrong user name or password", allow_display=allow_display)
    guard.succeeded(name)
    return principal


def _missing_guard() -> LoginGuard:
    raise RuntimeError("no LoginGuard on this app: call install_authenticator(app, ...)")


def _client(request: Request) -> str | None:
    """The TCP peer: neither service trusts ``X-Forwarded-For`` (``proxy_headers`` off)."""
    return None if request.client is None else request.client.host


def _from_query_token(request: Request, auth: Authenticator, *, allow_display: bool) -> Principal:
    token = request.query_params.get(QUERY_TOKEN)
    if token is None:
        raise _unauthorized(
            "log in: HTTP Basic with a user name and password", allow_display=allow_display
        )
    if not allow_display:
        raise _unauthorized(
            f"?{QUERY_TOKEN}= is only accepted by the wallboard; log in with HTTP Basic",
            allow_display=allow_display,
        )
    principal = auth.display(token)
    if principal is None:
        raise _unauthorized("unknown display token", allow_display=allow_display)
    return principal


def require(*roles: Role, allow_display: bool = False) -> Callable[[Request], Awaitable[Principal]]:
    """A FastAPI dependency admitting users with one of ``roles`` (admin always).

    ``allow_display=True`` also admits display tokens, in the header or as ``?token=``;
    use it only for the wallboard and its event stream. Usage::

        @router.get("/x")
        async def x(who: Annotated[Principal, Depends(require(Role.TEAM_LEAD))]) -> ...
    """
    if not roles and not allow_display:
        raise ValueError("require() needs a role (admin is always allowed) or allow_display=True")
    rule = AccessRule(roles=frozenset(roles), allow_display=allow_display)

    async def dependency(request: Request) -> Principal:
        principal = await authenticate(request, allow_display=allow_display)
        if not rule.permits(principal):
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail=rule.refusal(principal))
        return principal

    return dependency
