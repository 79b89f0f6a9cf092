"""Failed logins are throttled and scrypt is capped (``http_access.login_guard``), on
the pure throttle and through the stats app."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator

import httpx
import pytest

from http_access.auth import Authenticator, install_authenticator
from http_access.login_guard import (
    LoginGuard,
    LoginThrottle,
    ScryptBusy,
    ScryptGate,
    ThrottlePolicy,
    retry_after_header,
)
from realtime_stats.app import create_app
from site_config import SiteConfig
from site_config.passwords import verify_password
from tests.unit.http.demo_access import basic


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


POLICY = ThrottlePolicy(free_failures=3, window_s=60, first_lockout_s=2, max_lockout_s=10)


def test_the_nth_failure_locks_and_each_next_one_doubles_up_to_the_cap() -> None:
    clock = Clock()
    throttle = LoginThrottle(POLICY, clock=clock)
    assert [throttle.failed("k") for _ in range(2)] == [None, None]
    assert throttle.retry_after("k") is None
    assert throttle.failed("k") == 2
    assert throttle.retry_after("k") == 2
    assert [throttle.failed("k") for _ in range(3)] == [4, 8, 10]  # capped at 10
    clock.now += 10
    assert throttle.retry_after("k") is None


def test_failures_older_than_the_window_are_forgotten() -> None:
    clock = Clock()
    throttle = LoginThrottle(POLICY, clock=clock)
    throttle.failed("k")
    throttle.failed("k")
    clock.now += 61
    assert throttle.failures("k") == 0
    assert throttle.failed("k") is None  # counting starts again


def test_a_success_clears_the_count_and_other_keys_are_apart() -> None:
    throttle = LoginThrottle(POLICY, clock=Clock())
    for _ in range(3):
        throttle.failed("a")
    assert throttle.retry_after("b") is None
    throttle.succeeded("a")
    assert throttle.retry_after("a") is None and throttle.failures("a") == 0


def test_the_oldest_keys_are_forgotten_beyond_max_keys() -> None:
    throttle = LoginThrottle(ThrottlePolicy(free_failures=1, max_keys=2), clock=Clock())
    for key in ("a", "b", "c"):
        throttle.failed(key)
    assert [throttle.failures(k) for k in ("a", "b", "c")] == [0, 1, 1]


@pytest.mark.parametrize(
    "kwargs",
    [{"free_failures": 0}, {"first_lockout_s": 0}, {"first_lockout_s": 5, "max_lockout_s": 1}],
)
def test_a_policy_that_makes_no_sense_is_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="ThrottlePolicy"):
        ThrottlePolicy(**kwargs)  # type: ignore[arg-type]


def test_retry_after_is_whole_seconds_rounded_up() -> None:
    assert [retry_after_header(s) for s in (0.1, 1.0, 1.2, 30)] == ["1", "1", "2", "30"]


async def test_the_gate_lets_two_in_and_a_third_waits_only_so_long() -> None:
    gate = ScryptGate(concurrent=2, max_wait_s=0.01)
    async with gate.slot(), gate.slot():
        with pytest.raises(ScryptBusy):
            async with gate.slot():
                pass
    async with gate.slot():  # freed again
        pass


# ---------------------------------------------------------------- through the stats app


class CountedCheck:
    """verify_password that counts its calls, and can be held to fill the gate."""

    def __init__(self) -> None:
        self.calls = 0
        self.hold = threading.Event()
        self.hold.set()
        self.two_in = threading.Event()  # two checks are running at once

    def __call__(self, password: str, stored: str) -> bool:
        self.calls += 1
        if self.calls == 2:
            self.two_in.set()
        self.hold.wait(5)
        return verify_password(password, stored)


@pytest.fixture
def check() -> CountedCheck:
    return CountedCheck()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def guarded(
    site: SiteConfig, check: CountedCheck, clock: Clock
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(site)
    authenticator = Authenticator(site.access, check_password=check, clock=clock)
    guard = LoginGuard(
        per_user=ThrottlePolicy(free_failures=3, first_lockout_s=30),
        per_address=ThrottlePolicy(free_failures=6, first_lockout_s=30),
        gate=ScryptGate(concurrent=2, max_wait_s=0.05),
        clock=clock,
    )
    install_authenticator(app, authenticator, guard)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://stats") as client:
        yield client


async def test_after_failures_the_user_gets_429_without_scrypt(
    guarded: httpx.AsyncClient, check: CountedCheck, clock: Clock
) -> None:
    for _ in range(3):
        assert (await guarded.get("/api/whoami", headers=basic("floor", "x"))).status_code == 401
    calls = check.calls
    refused = await guarded.get("/api/whoami", headers=basic("floor"))  # even the right one
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "30"
    assert refused.json() == {"detail": "too many failed logins; try again in 30 s"}
    assert check.calls == calls  # no scrypt for a locked login
    clock.now += 30
    assert (await guarded.get("/api/whoami", headers=basic("floor"))).status_code == 200


async def test_a_login_already_verified_stays_fast_through_a_lockout(
    guarded: httpx.AsyncClient, check: CountedCheck
) -> None:
    assert (await guarded.get("/api/whoami", headers=basic("floor"))).status_code == 200
    for _ in range(3):
        await guarded.get("/api/whoami", headers=basic("floor", "guess"))
    calls = check.calls
    assert (await guarded.get("/api/whoami", headers=basic("floor"))).status_code == 200
    assert check.calls == calls  # from the cache: no scrypt, no throttle


async def test_one_address_guessing_at_many_names_is_locked_too(
    guarded: httpx.AsyncClient,
) -> None:
    names = ["floor", "teamlead", "admin", "anouk", "bram", "fatima"]
    for name in names:  # one failure each: no user name reaches its limit
        assert (await guarded.get("/api/whoami", headers=basic(name, "x"))).status_code == 401
    refused = await guarded.get("/api/whoami", headers=basic("joost"))
    assert refused.status_code == 429


async def test_when_scrypt_is_busy_a_login_gets_503_not_a_queue(
    guarded: httpx.AsyncClient, check: CountedCheck
) -> None:
    check.hold.clear()
    slow = [
        asyncio.create_task(guarded.get("/api/whoami", headers=basic(n)))
        for n in ("floor", "admin")
    ]
    try:
        assert await asyncio.to_thread(check.two_in.wait, 5)
        busy = await guarded.get("/api/whoami", headers=basic("teamlead"))
        assert busy.status_code == 503
        assert busy.headers["Retry-After"] == "1"
        assert "too many logins are being checked at once" in busy.json()["detail"]
    finally:
        check.hold.set()
        replies = await asyncio.gather(*slow)
    assert [r.status_code for r in replies] == [200, 200]


async def test_refusals_are_logged_with_the_name_never_the_password(
    guarded: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="http_access.login")
    for _ in range(4):
        await guarded.get("/api/whoami", headers=basic("floor", "s3cret-guess"))
    text = caplog.text
    assert "'floor'" in text and "wrong password; locked for 30 s" in text
    assert "locked after failed logins" in text
    assert "s3cret-guess" not in text


def test_a_made_up_name_kilobytes_long_is_counted_under_its_first_65_characters() -> None:
    guard = LoginGuard(clock=Clock())
    guard.failed("x" * 100_000, "192.0.2.1")
    assert guard.users.failures("x" * 65) == 1  # no 100 kB of state per attempt
    assert guard.addresses.failures("192.0.2.1") == 1
