"""The fallback app_queue mirror: the actions for one change, sent in the order made (a
slow Asterisk included), and the logins restored from the queues after a restart."""

from __future__ import annotations

import asyncio
import logging

import pytest

from acd.agents.mirror import BACKUP_PENALTY, FallbackMirror, memberships, mirror_actions
from acd.ami.actions import QueueAdd, QueuePause, QueueRemove, QueueStatus
from acd.ami.fake import FakeAmi, failure
from acd.clock import settle
from acd.core import AgentState, PauseReason
from acd.core import effects as fx
from acd.core import inputs as ev
from tests.unit.acd.rig import AppQueue, Rig, log_in, names, queue_status_member, rig

BOTH = frozenset({"burgerzaken", "algemeen"})


def test_a_change_removes_the_topics_dropped_adds_the_new_and_pauses_the_rest() -> None:
    actions = mirror_actions(
        agent_id="1001",
        extension="201",
        had={"burgerzaken": 0, "algemeen": 0},
        wanted={"algemeen": 0, "belastingen": 0},
        paused=True,
    )
    assert actions == [
        QueueRemove(queue="kcc-burgerzaken", interface="PJSIP/201"),
        QueueAdd(
            queue="kcc-belastingen",
            interface="PJSIP/201",
            member_name="1001",
            state_interface="PJSIP/201",
            paused=True,
        ),
        QueuePause(interface="PJSIP/201", paused=True, queue="kcc-algemeen", reason="kcc"),
    ]


def test_topics_are_handled_in_a_fixed_order() -> None:
    added = mirror_actions(
        agent_id="1001", extension="201", had={}, wanted=dict.fromkeys(BOTH, 0), paused=False
    )
    assert [a.queue for a in added if isinstance(a, QueueAdd)] == [
        "kcc-algemeen",
        "kcc-burgerzaken",
    ]


def test_every_logged_in_agent_is_in_the_general_queue_as_a_backup_unless_it_is_their_skill() -> (
    None
):
    # The general queue is where the dialplan sends a caller who never chose a topic.
    assert memberships(frozenset({"burgerzaken"}), logged_in=True, general="algemeen") == {
        "burgerzaken": 0,
        "algemeen": BACKUP_PENALTY,
    }
    assert memberships(BOTH, logged_in=True, general="algemeen") == {
        "burgerzaken": 0,
        "algemeen": 0,
    }
    assert memberships(frozenset(), logged_in=True, general="algemeen") == {
        "algemeen": BACKUP_PENALTY
    }
    assert memberships(BOTH, logged_in=False, general="algemeen") == {}


def test_a_backup_member_that_gains_the_skill_is_added_again_without_the_penalty() -> None:
    actions = mirror_actions(
        agent_id="1001",
        extension="201",
        had={"burgerzaken": 0, "algemeen": BACKUP_PENALTY},
        wanted={"burgerzaken": 0, "algemeen": 0},
        paused=False,
    )
    assert actions == [
        QueueRemove(queue="kcc-algemeen", interface="PJSIP/201"),
        QueueAdd(
            queue="kcc-algemeen",
            interface="PJSIP/201",
            member_name="1001",
            state_interface="PJSIP/201",
            paused=False,
        ),
        QueuePause(interface="PJSIP/201", paused=False, queue="kcc-burgerzaken", reason="kcc"),
    ]


async def test_an_agent_of_other_topics_is_a_backup_member_of_the_general_queue() -> None:
    ami = FakeAmi()
    app, mirror = AppQueue(ami), FallbackMirror(ami, general="algemeen")
    one = frozenset({"burgerzaken"})
    mirror.apply(fx.MirrorMember(agent_id="1001", extension="201", topics=one, logged_in=True,
                                 paused=False))  # fmt: skip
    await mirror.idle()
    assert app.queues_of("201") == {"kcc-algemeen": False, "kcc-burgerzaken": False}
    assert app.penalties == {("kcc-algemeen", "PJSIP/201"): BACKUP_PENALTY}
    assert mirror.mirrored("1001") == one  # a backup membership is no skill
    mirror.apply(fx.MirrorMember(agent_id="1001", extension="201", topics=one, logged_in=False,
                                 paused=False))  # fmt: skip
    await mirror.idle()
    assert app.members == {} and app.penalties == {}


def member(agent_id: str = "1001", *, logged_in: bool = True, paused: bool = False,
           extension: str = "201") -> fx.MirrorMember:  # fmt: skip
    return fx.MirrorMember(
        agent_id=agent_id, extension=extension, topics=BOTH, logged_in=logged_in, paused=paused
    )


async def test_one_agents_changes_reach_asterisk_in_the_order_made_when_asterisk_is_slow() -> None:
    ami = FakeAmi()
    app, mirror = AppQueue(ami), FallbackMirror(ami)
    app.hold()  # Asterisk takes its time over the first QueueAdd
    mirror.apply(member())  # log in: two QueueAdds
    mirror.apply(member(logged_in=False))  # log out at once: two QueueRemoves
    await settle()
    assert names(ami.sent) == ["QueueAdd"]  # the logout waits for the login
    app.release()
    await mirror.idle()
    assert names(ami.sent) == ["QueueAdd", "QueueAdd", "QueueRemove", "QueueRemove"]
    assert app.members == {}  # logged out in Asterisk too
    assert mirror.mirrored("1001") == frozenset()


async def test_a_slow_change_of_one_agent_does_not_hold_back_another_agent() -> None:
    ami = FakeAmi()
    app, mirror = AppQueue(ami), FallbackMirror(ami)
    app.hold()
    mirror.apply(member("1001"))
    mirror.apply(member("1002", extension="202"))
    await settle()
    assert app.queues_of("202") == {"kcc-algemeen": False, "kcc-burgerzaken": False}
    app.release()
    await mirror.idle()
    assert app.queues_of("201") == {"kcc-algemeen": False, "kcc-burgerzaken": False}


async def test_a_pause_and_its_end_are_mirrored_as_queue_pauses() -> None:
    ami = FakeAmi()
    app, mirror = AppQueue(ami), FallbackMirror(ami)
    mirror.apply(member())
    mirror.apply(member(paused=True))
    await mirror.idle()
    assert app.queues_of("201") == {"kcc-algemeen": True, "kcc-burgerzaken": True}
    mirror.apply(member())
    await mirror.idle()
    assert app.queues_of("201") == {"kcc-algemeen": False, "kcc-burgerzaken": False}
    assert names(ami.sent) == ["QueueAdd"] * 2 + ["QueuePause"] * 4


async def test_an_action_asterisk_refuses_is_logged_and_the_rest_still_sent(
    caplog: pytest.LogCaptureFixture,
) -> None:
    ami = FakeAmi()
    app, mirror = AppQueue(ami), FallbackMirror(ami)
    app.members[("kcc-algemeen", "PJSIP/201")] = ("1001", False)  # left over from before
    mirror.apply(member())
    await mirror.idle()
    assert "fallback queue mirror for 1001: " in caplog.text and "Already there" in caplog.text
    assert app.queues_of("201") == {"kcc-algemeen": False, "kcc-burgerzaken": False}


async def test_close_stops_a_change_still_waiting_for_asterisk() -> None:
    ami = FakeAmi()
    app, mirror = AppQueue(ami), FallbackMirror(ami)
    app.hold()
    mirror.apply(member())
    mirror.apply(member(logged_in=False))
    await settle()
    await mirror.close()
    assert names(ami.sent) == ["QueueAdd"]
    with pytest.raises(RuntimeError, match="fallback mirror is closed"):
        mirror.apply(member())


# ------------------------------------------------------------ restore after a restart


async def restore(r: Rig) -> None:
    """What the controller does at its first AMI login (``Controller.on_connected``)."""
    site = r.controller.site
    await r.controller.mirror.restore(
        r.controller.queue.feed,
        r.clock,
        positions=r.controller.positions,
        topics=[t.id for t in site.topics],
        peak=frozenset(p.id for p in site.positions if p.peak),
    )
    await r.settle()


def floor(r: Rig) -> dict[str, tuple[AgentState, str | None, PauseReason | None, set[str]]]:
    return {
        a.agent_id: (a.state, a.position_id, a.pause_reason, set(a.topics))
        for a in r.controller.queue.agents()
        if a.state is not AgentState.LOGGED_OUT
    }


async def test_a_restart_logs_back_in_whom_the_queues_hold_paused_ones_paused() -> None:
    async with rig() as r:
        r.asterisk.members = [
            queue_status_member("kcc-burgerzaken", "201", "1001"),
            queue_status_member("kcc-algemeen", "201", "1001"),
            # The pause reached one of 1002's queues before the crash: paused all the same.
            queue_status_member("kcc-belastingen", "202", "1002", paused=True),
            queue_status_member("kcc-algemeen", "202", "1002"),
            queue_status_member("kcc-bouwen-wonen", "204", "1004"),  # tic4, a peak position
        ]
        await restore(r)
        assert floor(r) == {
            "1001": (AgentState.AVAILABLE, "tic1", None, {"burgerzaken", "algemeen"}),
            "1002": (AgentState.PAUSED, "tic2", PauseReason.BREAK, {"belastingen", "algemeen"}),
            "1004": (AgentState.AVAILABLE, "tic4", None, {"bouwen-wonen"}),
        }
        # The queues already hold them: nothing is added again but 1004's backup place in
        # the general queue (a controller before that rule left none); the login unpauses
        # 1002 in both queues, the pause that follows pauses both.
        assert [(a.queue, a.interface, a.penalty) for a in r.ami.sent_of(QueueAdd)] == [
            ("kcc-algemeen", "PJSIP/204", BACKUP_PENALTY)
        ]
        pauses = [
            (a.queue, a.paused) for a in r.ami.sent_of(QueuePause) if a.interface == "PJSIP/202"
        ]
        assert pauses == [
            ("kcc-algemeen", False), ("kcc-belastingen", False),
            ("kcc-algemeen", True), ("kcc-belastingen", True),
        ]  # fmt: skip


async def test_the_floor_after_a_restart_is_as_the_fallback_queues_remember_it() -> None:
    async with rig() as before:
        app = AppQueue(before.ami)
        log_in(before, "1001", "tic1")
        log_in(before, "1002", "tic2")
        assert before.controller.queue.command(
            ev.AgentPause(agent_id="1002", reason=PauseReason.TRAINING, at=before.clock.now())
        ) is None  # fmt: skip
        assert before.controller.queue.command(
            ev.PositionOpen(position_id="tic4", at=before.clock.now())
        ) is None  # fmt: skip
        log_in(before, "1004", "tic4")
        await before.controller.mirror.idle()
        remembered = app.listed()
    async with rig() as after:  # the controller crashed; Asterisk kept its queues
        after.asterisk.members = remembered
        await restore(after)
        assert floor(after) == {
            "1001": (AgentState.AVAILABLE, "tic1", None, {"burgerzaken", "algemeen"}),
            # app_queue knows that 1002 is paused, not why: the restored pause is a break.
            "1002": (AgentState.PAUSED, "tic2", PauseReason.BREAK,
                     {"burgerzaken", "belastingen", "algemeen"}),
            "1004": (AgentState.AVAILABLE, "tic4", None,
                     {"belastingen", "parkeren-vergunningen", "bouwen-wonen", "algemeen"}),
        }  # fmt: skip


async def test_a_backup_member_of_the_general_queue_is_restored_without_that_skill() -> None:
    async with rig() as before:
        app = AppQueue(before.ami)
        assert before.controller.queue.command(
            ev.AgentSetTopics(agent_id="1001", topics=frozenset({"burgerzaken"}),
                              at=before.clock.now())
        ) is None  # fmt: skip
        log_in(before, "1001", "tic1")
        await before.controller.mirror.idle()
        assert app.penalties == {("kcc-algemeen", "PJSIP/201"): BACKUP_PENALTY}
        remembered = app.listed()
    async with rig() as after:
        after.asterisk.members = remembered
        await restore(after)
        assert floor(after) == {"1001": (AgentState.AVAILABLE, "tic1", None, {"burgerzaken"})}
        assert after.controller.mirror.memberships("1001") == {
            "burgerzaken": 0,
            "algemeen": BACKUP_PENALTY,
        }
        assert after.ami.sent_of(QueueAdd) == []  # already a member everywhere it should be


async def test_members_of_other_queues_or_phones_are_no_agents_of_ours() -> None:
    async with rig() as r:
        r.asterisk.members = [
            queue_status_member("support", "201", "1001"),  # a queue that is no topic's
            queue_status_member("kcc-algemeen", "301", "1003"),  # a back-office phone
        ]
        await restore(r)
        assert floor(r) == {}
        assert r.controller.mirror.mirrored("1003") == frozenset()


async def test_queues_that_cannot_be_read_restore_nobody(caplog: pytest.LogCaptureFixture) -> None:
    async with rig() as r:
        r.ami.answer(QueueStatus, lambda action: failure("Permission denied"))
        with caplog.at_level(logging.WARNING, logger="acd.agents.mirror"):
            await restore(r)
        assert "could not read queue members: " in caplog.text
        assert floor(r) == {}
        assert r.sink.events == []


async def test_a_restored_agent_is_mirrored_from_what_the_queues_hold() -> None:
    async with rig() as r:
        app = AppQueue(r.ami)
        app.members[("kcc-algemeen", "PJSIP/201")] = ("1001", False)
        r.asterisk.members = app.listed()
        await restore(r)
        assert r.controller.mirror.mirrored("1001") == frozenset({"algemeen"})
        assert r.controller.queue.command(ev.AgentLogout(agent_id="1001", at=r.clock.now())) is None
        await asyncio.wait_for(r.controller.mirror.idle(), 1)
        assert app.members == {}
