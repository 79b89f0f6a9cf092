"""The composition root on the fakes: every AMI event to each room's consumer in order, a
lost-events notice to the resync, the restore at the first AMI login only, FastAGI
routed by script, and ``close``."""

from __future__ import annotations

import asyncio

from acd.agents.consumer import AgentLegEvents
from acd.agi.fake import FakeAgiChannel
from acd.ami.actions import CoreShowChannels, Originate, QueueStatus
from acd.ami.fake import failure, success
from acd.backoffice.consumer import BackOfficeEvents
from acd.campon.consumer import CampOnEvents
from acd.core import AgentState
from acd.desk.consumer import DeskEvents
from acd.phonebook.consumer import PresenceEvents
from acd.recording.consumer import RecordingEvents
from acd.transfer.consumer import TransferEvents
from tests.unit.acd.rig import (
    ANSWERED,
    Chan,
    hangup,
    hangup_request,
    log_in,
    names,
    queue_status_member,
    queued,
    rig,
    state_of,
)


class Recorder:
    def __init__(self, name: str, seen: list[tuple[str, str]]) -> None:
        self._name, self._seen = name, seen

    def on_event(self, event: object) -> None:
        self._seen.append((self._name, type(event).__name__))


async def test_the_back_office_and_transfers_see_an_event_before_the_legs() -> None:
    async with rig() as r:
        kinds = [type(c) for c in r.controller.consumers]
        assert kinds == [
            BackOfficeEvents, TransferEvents, CampOnEvents, AgentLegEvents, PresenceEvents,
            RecordingEvents, DeskEvents,
        ]  # fmt: skip


async def test_every_event_goes_to_each_consumer_in_order_and_lost_events_to_the_resync() -> None:
    async with rig() as r:
        seen: list[tuple[str, str]] = []
        r.controller.consumers = (Recorder("first", seen), Recorder("second", seen))
        chan = Chan("PJSIP/201-00000002", "kcc-c1-1", "c1")
        r.emit(hangup_request(chan))
        r.ami.lose_events(2)
        r.emit(hangup(chan))
        await r.settle()
        assert seen == [
            ("first", "HangupRequest"), ("second", "HangupRequest"),
            ("first", "Hangup"), ("second", "Hangup"),
        ]  # fmt: skip
        # The lost events are made up by a resync of the calls and of the phones' states;
        # the notice itself went nowhere else.
        assert names(r.ami.sent) == ["CoreShowChannels", "ExtensionStateList"]


async def test_the_event_loop_ends_when_the_ami_stream_does() -> None:
    async with rig() as r:
        loop = asyncio.create_task(r.controller.consume_events())  # a second reader, for the test
        r.ami.close()
        await asyncio.wait_for(loop, 1)


async def test_the_first_ami_login_restores_the_logins_and_each_login_resyncs() -> None:
    async with rig() as r:
        r.asterisk.members = [queue_status_member("kcc-algemeen", "201", "1001")]
        await r.controller.on_connected(None)
        assert names(r.ami.sent)[:2] == ["QueueStatus", "CoreShowChannels"]  # restore first
        assert state_of(r, "1001") is AgentState.AVAILABLE
        log_in(r, "1002", "tic2")
        r.asterisk.members = []  # what the queues hold now no longer matters
        await r.controller.on_connected(None)  # AMI reconnected
        assert len(r.ami.sent_of(QueueStatus)) == 1
        assert len(r.ami.sent_of(CoreShowChannels)) == 2
        assert state_of(r, "1001") is AgentState.AVAILABLE


async def test_a_restore_that_could_not_read_the_queues_is_tried_at_the_next_login() -> None:
    async with rig() as r:
        r.ami.answer(QueueStatus, lambda action: failure("Permission denied"))
        await r.controller.on_connected(None)
        assert state_of(r, "1001") is AgentState.LOGGED_OUT
        r.asterisk.members = [queue_status_member("kcc-algemeen", "201", "1001")]
        r.ami.answer(QueueStatus, lambda action: success("Queue status will follow",
                                                         r.asterisk.members))  # fmt: skip
        await r.controller.on_connected(None)  # AMI reconnected: now it can
        assert state_of(r, "1001") is AgentState.AVAILABLE
        await r.controller.on_connected(None)
        assert len(r.ami.sent_of(QueueStatus)) == 2  # and never again once it has worked


async def test_a_reconnect_ends_the_talks_that_ended_while_ami_was_away() -> None:
    async with rig() as r:
        log_in(r, "1001", "tic1")
        r.asterisk.outcomes["201"] = ANSWERED
        await (await queued(r, "c1")).gone()
        await r.controller.on_connected(None)  # Asterisk no longer has kcc-c1-1
        assert state_of(r, "1001") is AgentState.AFTER_CALL_WORK


async def test_fastagi_calls_are_routed_by_script() -> None:
    async with rig() as r:
        assert r.controller.agi_router().paths == {"ivr", "direct", "feature", "campon"}
        router = r.controller.agi_router()
        feature = FakeAgiChannel("feature", extension="*511001", channel="PJSIP/201-0000000a")
        feature.press("9001#")  # agent 1001's demo PIN
        await router(feature)  # type: ignore[arg-type]
        assert r.controller.queue.agent_at("tic1") == "1001"
        ivr = FakeAgiChannel("ivr", linkedid="c-ivr", channel="PJSIP/trunk-00000001")
        ivr.on_command = lambda line: ivr.hang_up() if line.endswith("/welcome") else None
        await asyncio.wait_for(router(ivr), 1)  # type: ignore[arg-type]
        assert r.types("call.") == ["call.started", "call.ivr_step", "call.ended"]
        direct = FakeAgiChannel("direct", linkedid="c-direct", extension="301")
        direct.on_command = lambda line: direct.hang_up() if "Playtones" in line else None
        await asyncio.wait_for(router(direct), 1)  # type: ignore[arg-type]
        await r.settle()
        assert [a.channel for a in r.ami.sent_of(Originate)] == ["PJSIP/301"]


async def test_close_stops_the_timers_and_the_rooms_tasks() -> None:
    async with rig() as r:
        log_in(r, "1001", "tic1")
        r.asterisk.outcomes["201"] = ANSWERED
        await (await queued(r, "c1")).gone()
        r.emit(hangup(Chan("PJSIP/201-00000002", "kcc-c1-1", "c1")))
        await r.settle()
        # The agent's after-call work, and the daily purge of old callback notes.
        assert r.clock.pending == 2
        await r.controller.close()
        assert r.clock.pending == 0
        await r.clock.advance(120)
        assert state_of(r, "1001") is AgentState.AFTER_CALL_WORK
