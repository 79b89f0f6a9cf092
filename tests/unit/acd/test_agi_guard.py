"""The FastAGI guard: a session for a channel Asterisk does not have is refused before any
room acts; a session for a live channel with its own uniqueid is served as before."""

from __future__ import annotations

import asyncio
import logging

import pytest

from acd.agi.fake import FakeAgiChannel
from acd.agi_guard import ChannelGuard
from acd.ami.actions import Getvar
from tests.unit.acd.rig import Rig, rig

TIC1_PHONE = "PJSIP/201-0000000a"  # a channel of position tic1's phone (extension 201)
TRUNK = "PJSIP/trunk-00000001"


def feature_login(uniqueid: str = "1718000000.20", peer: str = "10.9.9.9") -> FakeAgiChannel:
    """Agent 1001 dials *51 at tic1 with the demo PIN, or someone says so."""
    session = FakeAgiChannel(
        "feature", extension="*511001", channel=TIC1_PHONE, uniqueid=uniqueid, peer=peer
    )
    session.press("9001#")
    return session


def ivr_caller(uniqueid: str = "1718000000.1") -> FakeAgiChannel:
    """A caller on 14023 who picks Haarlem, then Burgerzaken: the IVR queues them."""
    session = FakeAgiChannel("ivr", linkedid=uniqueid, channel=TRUNK, uniqueid=uniqueid)
    session.press("11")
    return session


async def through_guard(r: Rig, session: FakeAgiChannel) -> asyncio.Task[None]:
    task = asyncio.create_task(r.controller.agi_handler()(session))  # type: ignore[arg-type]
    await r.settle()
    return task


async def refused(r: Rig, session: FakeAgiChannel) -> bool:
    """Whether the guard closed ``session`` at once; a session a room took is ended."""
    task = await through_guard(r, session)
    if task.done():
        return True
    session.hang_up()
    task.cancel()
    await asyncio.wait([task], timeout=2)
    return False


def not_getvar(r: Rig) -> list[str]:
    return [a.name for a in r.ami.sent if not isinstance(a, Getvar)]


async def test_a_forged_feature_login_for_a_channel_asterisk_lacks_logs_in_nobody(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="acd.agi_guard")
    async with rig() as r:
        forged = feature_login()
        assert await refused(r, forged)
        assert r.controller.queue.agent_at("tic1") is None
        assert forged.commands == []  # not even a prompt: the dialplan's fallback runs
        assert not_getvar(r) == []
        assert r.types("agent.") == []
        assert r.ami.sent_of(Getvar) == [Getvar(channel=TIC1_PHONE, variable="UNIQUEID")]
    assert "from 10.9.9.9 refused for channel 'PJSIP/201-0000000a'" in caplog.text
    assert "Asterisk has no such channel (No such channel)" in caplog.text


async def test_a_live_channel_with_another_uniqueid_is_refused_too() -> None:
    async with rig() as r:
        r.asterisk.channels[TIC1_PHONE] = "1718000000.20"
        forged = feature_login(uniqueid="1718000000.21")
        assert await refused(r, forged)
        assert r.controller.queue.agent_at("tic1") is None
        assert forged.commands == []


async def test_a_forged_ivr_session_queues_no_caller() -> None:
    async with rig() as r:
        forged = ivr_caller()
        queued_meanwhile = []
        forged.on_command = lambda line: queued_meanwhile.extend(r.controller.queue.waiting())
        assert await refused(r, forged)  # closed at once: the dialplan's fallback takes over
        assert queued_meanwhile == []
        assert r.controller.queue.waiting() == []
        assert r.types("call.") == []
        assert forged.commands == []
        assert not_getvar(r) == []


@pytest.mark.parametrize(
    ("script", "env"),
    [
        ("direct", {"extension": "301", "dnid": "301"}),
        ("campon", {"extension": "301"}),
    ],
)
async def test_every_script_is_behind_the_guard(script: str, env: dict[str, str]) -> None:
    async with rig() as r:
        forged = FakeAgiChannel(
            script, channel=TRUNK, uniqueid="1718000000.7", sleep=r.clock.sleep, **env
        )
        assert await refused(r, forged)
        assert forged.commands == []
        assert not_getvar(r) == []
        assert r.sink.types == []


async def test_a_channel_named_by_a_uniqueid_is_refused_without_asking() -> None:
    # Asterisk looks a channel up by uniqueid as well as by name; agi_channel is a name.
    async with rig() as r:
        r.asterisk.channels["1718000000.20"] = "1718000000.20"
        forged = FakeAgiChannel(
            "feature", extension="*511001", channel="1718000000.20", uniqueid="1718000000.20"
        )
        forged.press("9001#")
        assert await refused(r, forged)
        assert r.ami.sent == []
        assert forged.commands == []


async def test_a_call_waits_for_an_ami_reconnect_and_is_then_served() -> None:
    async with rig() as r:
        r.asterisk.channels[TIC1_PHONE] = "1718000000.20"
        r.ami.disconnect()  # an outage: the client is reconnecting
        guard = ChannelGuard(r.ami, r.controller.agi_router(), timeout_s=5.0)
        session = feature_login()
        task = asyncio.create_task(guard(session))  # type: ignore[arg-type]
        await r.ami.wait_sent(Getvar, count=2)  # asked, lost, asked again
        assert not task.done() and r.controller.queue.agent_at("tic1") is None
        r.ami.reconnect()
        await asyncio.wait_for(task, 2)
        assert r.controller.queue.agent_at("tic1") == "1001"
        assert guard.refused == 0


async def test_when_ami_stays_away_the_call_goes_to_the_dialplans_fallback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="acd.agi_guard")
    async with rig() as r:
        r.asterisk.channels[TIC1_PHONE] = "1718000000.20"
        r.ami.disconnect()
        guard = ChannelGuard(r.ami, r.controller.agi_router(), timeout_s=0.6)
        session = feature_login()
        await asyncio.wait_for(guard(session), 2)  # type: ignore[arg-type]
        assert guard.refused == 1
        assert len(r.ami.sent_of(Getvar)) >= 2  # it kept asking while it could
        assert r.controller.queue.agent_at("tic1") is None
        assert session.commands == []
    assert "the channel could not be checked over AMI" in caplog.text


async def test_a_live_channel_with_its_own_uniqueid_is_served_as_before() -> None:
    async with rig() as r:
        r.asterisk.channels[TIC1_PHONE] = "1718000000.20"
        r.asterisk.channels[TRUNK] = "1718000000.1"
        handler = r.controller.agi_handler()
        assert handler.paths == {"ivr", "direct", "feature", "campon"}
        await handler(feature_login())  # type: ignore[arg-type]
        assert r.controller.queue.agent_at("tic1") == "1001"
        caller = ivr_caller()
        session = await through_guard(r, caller)
        assert [w.call_id for w in r.controller.queue.waiting()] == ["1718000000.1"]
        assert r.types("call.queued") == ["call.queued"]
        caller.hang_up()
        await asyncio.wait_for(session, 1)
        assert handler.refused == 0
