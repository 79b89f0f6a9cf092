"""DirectCallSession: a caller on a back-office extension's own number, answered or fallen back.

A real AgiServer session with a scripted FakeAsterisk on one side, a BackOffice on a
fake AMI on the other, and a recording stand-in for the TIC queue.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass

import pytest

from acd import direct_call
from acd.agi import AgiSession
from acd.agi.testing import DEAD_CHANNEL, FakeAsterisk, asterisk_env, result
from acd.backoffice import ANSWERED
from acd.direct_call import DirectCallSession
from site_config import SiteConfig
from tests.unit.acd.agi.agi_calls import Script, live_call
from tests.unit.acd.backoffice_fakes import (
    ANSWERED_AT_ONCE,
    REFUSED,
    STILL_RINGING,
    BackOfficeRig,
    OriginateOutcome,
    QueueJoin,
    TicQueueLog,
    backoffice_rig,
    failed,
    load_sample_site,
)

LINKEDID = "1718000000.7"
UNIQUEID = "1718000000.9"
CALLER_NUMBER = "0612345678"
TRUNK_CHANNEL = "PJSIP/trunk-0000000b"
PLAYTONES = "EXEC Playtones ring"
STOP_PLAYTONES = "EXEC StopPlaytones"
LIMIT_S = 2.0  # every call here ends in milliseconds; this only stops a hung test


@pytest.fixture(scope="module")
def site() -> SiteConfig:
    return load_sample_site()


def _script(linkedid: str | None = LINKEDID, **table: str) -> Script:
    linked = result(1, linkedid) if linkedid is not None else result(0)
    return Script(
        {
            "GET VARIABLE CHANNEL(linkedid)": linked,
            "EXEC Playtones": result(0),
            "EXEC StopPlaytones": result(0),
            **table,
        }
    )


@dataclass
class DirectCall:
    rig: BackOfficeRig
    agi: AgiSession
    asterisk: FakeAsterisk
    queue: TicQueueLog
    task: asyncio.Task[None]

    async def done(self) -> None:
        async with asyncio.timeout(LIMIT_S):
            await self.task

    @property
    def leg(self) -> str:
        return f"kcc-{LINKEDID}-d1"

    async def bridge_takes_the_caller(self) -> None:
        """The colleague answered (leg Up): Bridge pulls the caller out of FastAGI."""
        assert self.rig.phones.leg_state == "Up"
        await self.rig.phones.wait_for("Originate")
        await self.asterisk.send_hangup()


@asynccontextmanager
async def dialled(
    site: SiteConfig, extension: str, script: Script | None = None, **env: str
) -> AsyncIterator[DirectCall]:
    """A caller on the trunk dialled ``extension``; DirectCallSession runs in ``task``."""
    overrides = {
        "agi_channel": TRUNK_CHANNEL,
        "agi_uniqueid": UNIQUEID,
        "agi_callerid": CALLER_NUMBER,
        "agi_dnid": extension,
        "agi_extension": extension,
        **env,
    }
    agi_env: Mapping[str, str] = asterisk_env("direct", **overrides)
    async with (
        backoffice_rig(site) as rig,
        live_call(script or _script(), env=agi_env) as (agi, asterisk),
    ):
        queue = TicQueueLog(lambda: asterisk.commands, lambda: rig.published.types)
        session = DirectCallSession(
            agi, rig.backoffice, queue, general_topic=site.ivr.general_topic
        )
        task = asyncio.create_task(session.run())
        try:
            yield DirectCall(rig, agi, asterisk, queue, task)
        finally:
            if not task.done():
                task.cancel()
            await asyncio.gather(task, return_exceptions=True)


async def test_answered_direct_call_joins_no_queue(site: SiteConfig) -> None:
    async with dialled(site, "302") as call:
        call.rig.phones.outcome, call.rig.phones.leg_state = ANSWERED_AT_ONCE, "Up"
        await call.bridge_takes_the_caller()
        await call.done()
        (originate,) = call.rig.phones.actions("Originate")
    assert originate.headers["ChannelId"] == call.leg  # the call_id is the Linkedid
    assert originate.headers["Data"].startswith(f"{TRUNK_CHANNEL},")
    assert call.rig.published.types == ["backoffice.ringing", "backoffice.answered"]
    ringing = call.rig.published.events[0]
    assert (ringing.call_id, ringing.fields["caller"]) == (LINKEDID, CALLER_NUMBER)
    assert call.queue.joins == []
    assert STOP_PLAYTONES not in call.asterisk.commands
    assert call.rig.phones.hung_up == []


async def test_topic_is_set_before_the_caller_hears_ringing(site: SiteConfig) -> None:
    async with dialled(site, "301") as call:
        call.rig.phones.outcome = failed(3)
        await call.done()
    topic = f"SET VARIABLE KCC_TOPIC {site.ivr.general_topic}"
    commands = call.asterisk.commands
    assert topic in commands and PLAYTONES in commands
    assert commands.index(topic) < commands.index(PLAYTONES)


@pytest.mark.parametrize(("reason_code", "reason"), [(3, "no_answer"), (5, "busy")])
async def test_unanswered_direct_call_falls_back_to_the_general_queue(
    site: SiteConfig, reason_code: int, reason: str
) -> None:
    async with dialled(site, "311") as call:
        call.rig.phones.outcome = failed(reason_code)
        await call.done()
    (join,) = call.queue.joins
    assert join == QueueJoin(
        call_id=LINKEDID,
        caller=CALLER_NUMBER,
        topic=site.ivr.general_topic,
        municipality=None,
        fell_back_from="belastingen",
        commands_before=join.commands_before,
        published_before=("backoffice.ringing", "backoffice.not_answered"),
    )
    assert join.commands_before[-1] == STOP_PLAYTONES  # the ringback stops first
    assert call.rig.published.events[-1].fields["reason"] == reason
    assert call.queue.sessions_for == [call.agi]  # the caller's own FastAGI session


@pytest.mark.parametrize(("outcome", "reason"), [(failed(8), "unavailable"), (REFUSED, "error")])
async def test_unreachable_or_failed_ring_falls_back_too(
    site: SiteConfig, outcome: OriginateOutcome, reason: str
) -> None:
    async with dialled(site, "321") as call:
        call.rig.phones.outcome = outcome
        await call.done()
    assert [j.fell_back_from for j in call.queue.joins] == ["vergunningen"]
    assert call.rig.published.events[-1].fields["reason"] == reason


@pytest.mark.parametrize("leg_state", ["Ringing", None])
async def test_caller_hanging_up_while_the_leg_rings_abandons_it(
    site: SiteConfig, leg_state: str | None
) -> None:
    async with dialled(site, "301") as call:
        phones = call.rig.phones
        phones.outcome, phones.leg_state = STILL_RINGING, leg_state
        await phones.wait_for("Originate")
        await call.asterisk.send_hangup()
        await call.done()
        (getvar,) = phones.actions("Getvar")
    assert getvar.headers["Channel"] == call.leg
    assert phones.hung_up == [(call.leg, "16")]
    assert call.rig.published.types == ["backoffice.ringing", "backoffice.not_answered"]
    assert call.rig.published.events[-1].fields["reason"] == "caller_left"
    assert call.queue.joins == []
    assert STOP_PLAYTONES not in call.asterisk.commands


async def test_bridge_taking_the_caller_waits_for_the_originate_answer(
    site: SiteConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with dialled(site, "302") as call:
        phones = call.rig.phones
        phones.outcome, phones.leg_state = STILL_RINGING, "Up"
        read = _probe(monkeypatch, call.rig.backoffice, "leg_answered")
        await phones.wait_for("Originate")
        await call.asterisk.close()  # Bridge took the caller: Asterisk ends the FastAGI
        async with asyncio.timeout(LIMIT_S):
            assert await read is True
        assert not call.task.done()  # waiting for the Originate answer, not giving up
        await phones.finish(ANSWERED_AT_ONCE)  # it arrives after the leg was seen Up
        await call.done()
    assert call.rig.published.types == ["backoffice.ringing", "backoffice.answered"]
    assert phones.hung_up == []
    assert call.queue.joins == []


def _probe(monkeypatch: pytest.MonkeyPatch, target: object, method: str) -> asyncio.Future[object]:
    """What ``target.method`` returned to the session, once it has returned."""
    seen: asyncio.Future[object] = asyncio.get_running_loop().create_future()
    real = getattr(target, method)

    async def probed(*args: object) -> object:
        value = await real(*args)
        seen.set_result(value)
        return value

    monkeypatch.setattr(target, method, probed)
    return seen


async def test_answer_before_the_bridge_keeps_the_caller_out_of_the_dialplan(
    site: SiteConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with dialled(site, "301") as call:
        call.rig.phones.outcome = STILL_RINGING
        rung = _probe(monkeypatch, call.rig.backoffice, "ring_direct")
        await call.rig.phones.wait_for("Originate")
        await call.rig.phones.finish(ANSWERED_AT_ONCE)  # the answer comes first, ...
        async with asyncio.timeout(LIMIT_S):
            assert await rung == ANSWERED
        for _ in range(50):  # whatever the session does next without I/O, it has done
            await asyncio.sleep(0)
        still_held = not call.task.done()
        await call.asterisk.send_hangup()  # ... then Bridge takes the caller
        await call.done()
    assert still_held, "the session gave the answered caller back to the dialplan"
    assert call.rig.published.types == ["backoffice.ringing", "backoffice.answered"]
    assert call.queue.joins == []


async def test_leg_up_without_an_originate_answer_is_given_up(
    site: SiteConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(direct_call, "SETTLE_S", 0.01)
    async with dialled(site, "302") as call:
        phones = call.rig.phones
        phones.outcome, phones.leg_state = STILL_RINGING, "Up"
        await phones.wait_for("Originate")
        await call.asterisk.close()
        await call.done()
    assert phones.hung_up == [(call.leg, "16")]
    assert call.rig.published.types == ["backoffice.ringing", "backoffice.not_answered"]
    assert call.queue.joins == []


async def test_caller_gone_before_ringing_starts(site: SiteConfig) -> None:
    script = _script(**{"EXEC Playtones": f"HANGUP\n{DEAD_CHANNEL}"})
    async with dialled(site, "301", script) as call:
        await call.done()
    assert call.rig.phones.actions("Originate") == []
    assert call.rig.phones.hung_up == [(call.leg, "16")]
    assert call.rig.published.types == ["backoffice.ringing", "backoffice.not_answered"]
    assert call.rig.published.events[-1].fields["reason"] == "caller_left"
    assert call.queue.joins == []


async def test_extension_of_no_department_goes_straight_to_the_general_queue(
    site: SiteConfig,
) -> None:
    extension = site.positions[0].extension  # a TIC position: no back office
    async with dialled(site, extension) as call:
        await call.done()
    assert call.queue.joins == [
        QueueJoin(
            call_id=LINKEDID,
            caller=CALLER_NUMBER,
            topic=site.ivr.general_topic,
            municipality=None,
            fell_back_from=None,
            commands_before=call.queue.joins[0].commands_before,
            published_before=(),
        )
    ]
    assert call.rig.phones.actions("Originate") == []
    assert call.rig.published.events == []
    assert PLAYTONES not in call.asterisk.commands


async def test_call_id_is_the_uniqueid_without_a_linkedid(site: SiteConfig) -> None:
    async with dialled(site, "301", _script(linkedid=None), agi_callerid="unknown") as call:
        call.rig.phones.leg_state = "Up"
        await call.bridge_takes_the_caller()
        await call.done()
        (originate,) = call.rig.phones.actions("Originate")
    ringing = call.rig.published.events[0]
    assert (ringing.call_id, ringing.fields["caller"]) == (UNIQUEID, "")
    assert originate.headers["ChannelId"] == f"kcc-{UNIQUEID}-d1"
    assert "anoniem" in originate.headers["CallerID"]
