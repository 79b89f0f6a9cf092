"""The I/O-free authentication core: header parsing, users, tokens, the cache, rules."""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator

import pytest

from http_access.auth import (
    AccessRule,
    Authenticator,
    BasicCredentials,
    BearerToken,
    MalformedCredentials,
    Principal,
    PrincipalKind,
    parse_authorization,
    require,
)
from http_access.credential_cache import CredentialCache
from http_access.redaction import QueryTokenRedactor, redact_query_token
from site_config import SiteConfig
from site_config.access import Role
from site_config.passwords import verify_password
from tests.unit.http.demo_access import DISPLAY_TOKEN


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class CountingCheck:
    """verify_password, counting how often the slow scrypt check really runs."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, password: str, stored: str) -> bool:
        self.calls += 1
        return verify_password(password, stored)


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode("ascii")


def test_parse_basic_and_bearer() -> None:
    assert parse_authorization(f"Basic {_b64('floor:pa:ss')}") == BasicCredentials(
        username="floor", password="pa:ss"
    )
    assert parse_authorization("bearer  abc ") == BearerToken(token="abc")


@pytest.mark.parametrize(
    ("header", "why"),
    [
        ("Digest abc", "scheme 'Digest' is not supported"),
        ("Basic !!!", "not base64"),
        (f"Basic {_b64('no-colon')}", "user:password"),
        (f"Basic {_b64(':password')}", "user:password"),
        ("Basic " + base64.b64encode(b"floor:\xff").decode(), "UTF-8"),
        ("Bearer", "the Bearer token is empty"),
        ("Bearer   ", "the Bearer token is empty"),
    ],
)
def test_parse_names_what_is_malformed(header: str, why: str) -> None:
    with pytest.raises(MalformedCredentials, match=why):
        parse_authorization(header)


@pytest.fixture
def counting() -> CountingCheck:
    return CountingCheck()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def auth(site: SiteConfig, counting: CountingCheck, clock: FakeClock) -> Authenticator:
    return Authenticator(site.access, cache_ttl_s=60, clock=clock, check_password=counting)


def test_user_with_right_password_gets_their_role(auth: Authenticator) -> None:
    who = auth.verify_user("teamlead", "demo-teamlead")
    assert who == Principal(name="teamlead", kind=PrincipalKind.USER, role=Role.TEAM_LEAD)


def test_wrong_password_and_unknown_user_both_cost_one_scrypt(
    auth: Authenticator, counting: CountingCheck
) -> None:
    assert auth.verify_user("floor", "demo-admin") is None
    assert auth.verify_user("nobody", "demo-floor") is None
    assert counting.calls == 2  # the unknown name was checked against a decoy hash


def test_cache_spares_scrypt_for_the_same_credentials(
    auth: Authenticator, counting: CountingCheck
) -> None:
    assert auth.cached_user("floor", "demo-floor") is None
    first = auth.verify_user("floor", "demo-floor")
    assert auth.cached_user("floor", "demo-floor") == first
    assert counting.calls == 1


def test_cache_does_not_accept_a_wrong_password_after_a_right_one(
    auth: Authenticator, counting: CountingCheck
) -> None:
    assert auth.verify_user("floor", "demo-floor") is not None
    assert auth.cached_user("floor", "demo-floorX") is None
    assert auth.cached_user("floor", "") is None
    assert auth.verify_user("floor", "demo-floorX") is None
    assert counting.calls == 2


def test_cache_entries_expire(
    auth: Authenticator, counting: CountingCheck, clock: FakeClock
) -> None:
    auth.verify_user("admin", "demo-admin")
    clock.now += 59.9
    assert auth.cached_user("admin", "demo-admin") is not None
    clock.now += 0.2
    assert auth.cached_user("admin", "demo-admin") is None


def test_failures_are_not_cached(auth: Authenticator) -> None:
    auth.verify_user("admin", "wrong")
    assert auth.cached_user("admin", "wrong") is None


def _strings_in(value: object, seen: set[int] | None = None) -> Iterator[str | bytes]:
    """Every str/bytes reachable from ``value`` through attributes and containers."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, str | bytes):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings_in(key, seen)
            yield from _strings_in(item, seen)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _strings_in(item, seen)
    elif hasattr(value, "__dict__") and not callable(value):
        yield from _strings_in(vars(value), seen)


def test_the_cache_never_holds_the_plain_password(auth: Authenticator) -> None:
    password = "demo-admin"
    assert auth.verify_user("admin", password) is not None
    found = [s for s in _strings_in(auth) if password in (s if isinstance(s, str) else str(s))]
    found += [s for s in _strings_in(auth) if isinstance(s, bytes) and password.encode() in s]
    assert found == []
    assert any(isinstance(s, bytes) and len(s) == 32 for s in _strings_in(auth))  # an HMAC key


def test_cache_evicts_oldest_when_full(clock: FakeClock) -> None:
    cache = CredentialCache(ttl_s=60, max_entries=2, clock=clock)
    who = Principal(name="x", kind=PrincipalKind.USER, role=Role.AGENT)
    for password in ("a", "b", "c"):
        cache.put("x", password, who)
    assert (cache.get("x", "a"), len(cache)) == (None, 2)
    assert cache.get("x", "c") == who


def test_display_token_maps_to_read_only_display(auth: Authenticator) -> None:
    assert auth.display(DISPLAY_TOKEN) == Principal(
        name="wall", kind=PrincipalKind.DISPLAY, role=None
    )
    assert auth.display(DISPLAY_TOKEN + "x") is None
    assert auth.display("") is None
    assert auth.display("demo-admin") is None  # a password is not a token


@pytest.mark.parametrize(
    ("rule", "role", "permitted"),
    [
        (AccessRule(roles=frozenset({Role.TEAM_LEAD}), allow_display=False), Role.TEAM_LEAD, True),
        (AccessRule(roles=frozenset({Role.TEAM_LEAD}), allow_display=False), Role.ADMIN, True),
        (AccessRule(roles=frozenset({Role.TEAM_LEAD}), allow_display=False), Role.AGENT, False),
        (AccessRule(roles=frozenset(), allow_display=True), Role.FLOOR_MANAGER, False),
        (AccessRule(roles=frozenset(), allow_display=True), None, True),
        (AccessRule(roles=frozenset(Role), allow_display=False), None, False),
    ],
)
def test_access_rule(rule: AccessRule, role: Role | None, permitted: bool) -> None:
    kind = PrincipalKind.DISPLAY if role is None else PrincipalKind.USER
    assert rule.permits(Principal(name="p", kind=kind, role=role)) is permitted


def test_refusal_names_the_roles_needed() -> None:
    rule = AccessRule(roles=frozenset({Role.TEAM_LEAD, Role.FLOOR_MANAGER}), allow_display=False)
    agent = Principal(name="agent", kind=PrincipalKind.USER, role=Role.AGENT)
    wall = Principal(name="wall", kind=PrincipalKind.DISPLAY, role=None)
    assert rule.refusal(agent) == (
        "this needs role floor_manager, team_lead or admin; 'agent' has role agent"
    )
    assert "display token may only read the wallboard" in rule.refusal(wall)


def test_an_agent_acts_on_themself_and_the_floor_on_anyone() -> None:
    anouk = Principal(name="anouk", kind=PrincipalKind.USER, role=Role.AGENT, agent_id="1001")
    assert anouk.may_act_on_agent("1001") is None
    assert anouk.may_act_on_agent("1002") == (
        "'anouk' is agent 1001 and may act only on agent 1001, not on agent 1002"
    )
    for role in (Role.FLOOR_MANAGER, Role.TEAM_LEAD, Role.ADMIN):
        assert (
            Principal(name="p", kind=PrincipalKind.USER, role=role).may_act_on_agent("1002") is None
        )


def test_require_refuses_an_empty_rule() -> None:
    with pytest.raises(ValueError, match="needs a role"):
        require()


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("GET /wallboard?token=s3cret HTTP/1.1", "GET /wallboard?token=<redacted> HTTP/1.1"),
        ("/wallboard?x=1&TOKEN=s3cret&y=2", "/wallboard?x=1&TOKEN=<redacted>&y=2"),
        ("/api/health?mytoken=keep", "/api/health?mytoken=keep"),
    ],
)
def test_redact_query_token(line: str, expected: str) -> None:
    assert redact_query_token(line) == expected


def test_redactor_filters_uvicorn_style_access_records() -> None:
    args = ("127.0.0.1:5000", "GET", "/wallboard?token=s3cret", "1.1", 200)
    record = logging.LogRecord("uvicorn.access", logging.INFO, "", 0, "%s - %s %s", args, None)
    assert QueryTokenRedactor().filter(record)
    assert record.args == ("127.0.0.1:5000", "GET", "/wallboard?token=<redacted>", "1.1", 200)
