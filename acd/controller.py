"""The ACD controller process: AMI, FastAGI, the ACD core and the event stream together.

``acd.core.Acd`` decides (sans-I/O); this module is its adapter. It feeds the core
what happened - callers joining from their FastAGI session, Originate answers and
channel hang-ups from AMI, logins from feature codes and the HTTP API, timers - and
performs the effects the core returns: ring an agent, cancel a ring, publish an
event, start a timer, keep the fallback app_queue membership in step.

All feeding happens on the event loop's one thread, so the core needs no locks.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from acd.agent_legs import LegBook, channel_up, failure_reason, originate_for
from acd.ami import AmiClient, AmiError
from acd.ami.actions import (
    Atxfer,
    CoreShowChannels,
    Hangup,
    QueueStatus,
)
from acd.ami.event_stream import ResyncRequired
from acd.ami.events import AttendedTransfer, CoreShowChannel, OriginateResponse, QueueMember
from acd.ami.events import Hangup as HangupEvent
from acd.backoffice import BackOffice
from acd.caller_session import Joined
from acd.core import PauseReason
from acd.core import effects as fx
from acd.core import inputs as ev
from acd.core.acd import Acd
from acd.fallback_members import mirror_actions
from acd.publisher import EventPublisher
from acd.waiting import QueueSnapshot
from asterisk_conf.dialplan import queue_name
from site_config import SiteConfig

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


class Controller:
    """Owns the ACD core and performs its effects."""

    def __init__(
        self,
        site: SiteConfig,
        acd: Acd,
        ami: AmiClient,
        publisher: EventPublisher,
        *,
        clock: Clock = lambda: datetime.now(UTC),
    ) -> None:
        self.site, self.acd, self.ami, self.publisher = site, acd, ami, publisher
        self._clock = clock
        self._legs = LegBook()
        self._joined: dict[str, Joined] = {}
        self._rings: dict[str, asyncio.Task[None]] = {}
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._mirrored: dict[str, frozenset[str]] = {}  # agent -> topics in app_queue
        self._tasks: set[asyncio.Task[None]] = set()
        self._restored = False
        self.backoffice = BackOffice(site, ami, self._publish_as, self._legs.agent_in_call)

    # ------------------------------------------------------------ QueueHost

    def now(self) -> datetime:
        return self._clock()

    def publish(self, type_: str, call_id: str, fields: dict[str, str]) -> None:
        self.publisher.publish(type_, self.now(), call_id, "", fields)

    def _publish_as(self, type_: str, call_id: str, agent_id: str, fields: dict[str, str]) -> None:
        self.publisher.publish(type_, self.now(), call_id, agent_id, fields)

    def join(self, joined: Joined) -> None:
        self._joined[joined.call_id] = joined
        self.feed(
            ev.CallQueued(
                call_id=joined.call_id,
                topic=joined.topic,
                municipality=joined.municipality,
                fell_back_from=joined.fell_back_from,
                at=self.now(),
            )
        )

    def snapshot(self, call_id: str) -> QueueSnapshot | None:
        return self.acd.snapshot_for(call_id, self.now())

    async def left(self, call_id: str) -> bool:
        ring, leg = self._rings.get(call_id), self._legs.ringing.get(call_id)
        # The agent may have answered this very moment: Bridge takes the caller out of
        # FastAGI before the Originate answer reaches us. An answered leg says so; then
        # wait for that answer. Otherwise the caller hung up: stop the ringing at once.
        if ring is not None and leg is not None and not ring.done():
            bridged = await channel_up(self.ami, leg.uniqueid)
            if bridged:
                await asyncio.wait({ring}, timeout=5.0)
        self._joined.pop(call_id, None)
        if self._legs.in_call(call_id):
            return True
        self.backoffice.call_done(call_id)
        self.feed(ev.CallerLeft(call_id=call_id, at=self.now()))
        return False

    # ------------------------------------------------------------ commands

    def command(self, event: object) -> str | None:
        """Feed a command (feature code, HTTP); the reason it was refused, or None."""
        refusals = [e.why for e in self.feed(event) if isinstance(e, fx.Reject)]
        return "; ".join(refusals) if refusals else None

    async def start_transfer(self, agent_id: str, extension: str) -> str | None:
        """Start the agent's warm transfer to ``extension``; the reason it cannot, or None.

        Asterisk's ``Atxfer`` does what ``#2`` on the phone does: the caller is held and
        the agent consults the colleague; the agent hanging up completes the transfer.
        """
        positions = {p.extension for p in self.site.positions}
        if extension not in positions and self.backoffice.department_of(extension) is None:
            return f"extension {extension} is no position or back-office extension"
        leg = next((g for g in self._legs.answered.values() if g.agent_id == agent_id), None)
        if leg is None:
            return f"agent {agent_id} is on no call"
        if extension == leg.extension:
            return f"agent {agent_id} cannot transfer to their own extension"
        action = Atxfer(channel=leg.uniqueid, exten=extension, context="kcc-internal")
        try:
            await self.ami.send_action(action)
        except AmiError as exc:
            return f"Asterisk refused the transfer: {exc}"
        return None

    def agent_at(self, position_id: str) -> str | None:
        return next(
            (
                a.agent_id
                for a in self.acd.agents()
                if a.position_id == position_id and a.state.value != "logged_out"
            ),
            None,
        )

    # ------------------------------------------------------------ core I/O

    def feed(self, event: object) -> Sequence[object]:
        """Give the core one input and perform what it decides; returns the effects."""
        effects = self.acd.feed(event)
        for effect in effects:
            self._perform(effect)
        return effects

    def _perform(self, effect: object) -> None:
        match effect:
            case fx.Publish():
                self.publisher.publish(
                    effect.type, effect.at, effect.call_id, effect.agent_id, effect.fields
                )
            case fx.RingAgent():
                self._spawn(self._ring(effect), key=effect.call_id)
            case fx.CancelRing():
                self._spawn(self._cancel_ring(effect))
            case fx.StartTimer():
                self._start_timer(effect.key, effect.due)
            case fx.CancelTimer():
                handle = self._timers.pop(effect.key, None)
                if handle is not None:
                    handle.cancel()
            case fx.MirrorMember():
                self._spawn(self._mirror(effect))
            case fx.Reject():
                log.warning("%s refused: %s", effect.input_name, effect.why)
            case _:
                log.error("unknown effect %r", effect)

    def _spawn(self, coro: object, *, key: str | None = None) -> None:
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(coro)  # type: ignore[arg-type]
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        if key is not None:
            self._rings[key] = task
            task.add_done_callback(lambda done: self._forget_ring(key, done))

    def _forget_ring(self, key: str, task: asyncio.Task[None]) -> None:
        if self._rings.get(key) is task:
            del self._rings[key]

    def _start_timer(self, key: str, due: datetime) -> None:
        old = self._timers.pop(key, None)
        if old is not None:
            old.cancel()
        delay = max(0.0, (due - self.now()).total_seconds())
        loop = asyncio.get_running_loop()

        def fire() -> None:
            self._timers.pop(key, None)
            self.feed(ev.TimerFired(key=key, at=self.now()))

        self._timers[key] = loop.call_later(delay, fire)

    # ------------------------------------------------------------ agents' legs

    async def _ring(self, effect: fx.RingAgent) -> None:
        joined = self._joined.get(effect.call_id)
        if joined is None:
            self.feed(
                ev.OfferFailed(
                    call_id=effect.call_id, agent_id=effect.agent_id, reason="error", at=self.now()
                )
            )
            return
        leg = self._legs.new_leg(effect.call_id, effect.agent_id, effect.extension)
        topic = next((t.name for t in self.site.topics if t.id == joined.topic), joined.topic)
        caller_id = f'"{topic}" <{joined.caller or "anoniem"}>'
        action = originate_for(leg, joined.channel, effect.ring_timeout_s, caller_id)
        try:
            result = await self.ami.send_action(action, timeout=effect.ring_timeout_s + 15)
        except AmiError as exc:
            log.warning("ringing %s for %s failed: %s", effect.agent_id, effect.call_id, exc)
            self._legs.ringing.pop(effect.call_id, None)
            self._spawn(self._hangup(leg.uniqueid))
            self.feed(
                ev.OfferFailed(
                    call_id=effect.call_id, agent_id=effect.agent_id, reason="error", at=self.now()
                )
            )
            return
        self._legs.ringing.pop(effect.call_id, None)
        responses = result.items(OriginateResponse)
        if responses and responses[0].success:
            self._legs.answered[leg.uniqueid] = leg
            self.feed(
                ev.OfferAnswered(call_id=effect.call_id, agent_id=effect.agent_id, at=self.now())
            )
        else:
            reason = failure_reason(responses[0].reason) if responses else "error"
            self.feed(
                ev.OfferFailed(
                    call_id=effect.call_id, agent_id=effect.agent_id, reason=reason, at=self.now()
                )
            )

    async def _cancel_ring(self, effect: fx.CancelRing) -> None:
        leg = self._legs.ringing.get(effect.call_id)
        if leg is not None:
            await self._hangup(leg.uniqueid)

    async def _hangup(self, uniqueid: str) -> None:
        try:
            await self.ami.send_action(Hangup(channel=uniqueid, cause=16))
        except AmiError as exc:
            log.info("hang-up of %s: %s", uniqueid, exc)

    async def _mirror(self, effect: fx.MirrorMember) -> None:
        """Keep the fallback app_queue queues staffed like the controller's agents."""
        wanted = effect.topics if effect.logged_in else frozenset()
        actions = mirror_actions(
            agent_id=effect.agent_id,
            extension=effect.extension,
            had=self._mirrored.get(effect.agent_id, frozenset()),
            wanted=wanted,
            paused=effect.paused,
        )
        self._mirrored[effect.agent_id] = wanted
        for action in actions:
            try:
                await self.ami.send_action(action)
            except AmiError as exc:
                log.warning("fallback queue mirror for %s: %s", effect.agent_id, exc)

    # ------------------------------------------------------------ AMI events

    async def consume_events(self) -> None:
        async for item in self.ami.events():
            if isinstance(item, ResyncRequired):
                await self.resync()
                continue
            self.on_ami_event(item)

    def on_ami_event(self, event: object) -> None:
        self.backoffice.on_ami_event(event)
        match event:
            case HangupEvent():
                leg = self._legs.answered.pop(event.channel.uniqueid, None)
                if leg is not None:
                    self.backoffice.call_done(leg.call_id)
                    self.feed(
                        ev.CallCompleted(call_id=leg.call_id, agent_id=leg.agent_id, at=self.now())
                    )
            case AttendedTransfer() if event.result == "Success":
                self._transferred(event)
            case _:
                pass

    def _transferred(self, event: AttendedTransfer) -> None:
        for channel in (event.orig_transferer, event.second_transferer):
            leg = self._legs.answered.get(channel.uniqueid)
            if leg is None:
                continue
            target = event.transfer_target.name if event.transfer_target else ""
            department = self.backoffice.transfer_department(leg.call_id, target)
            self.feed(
                ev.CallTransferred(
                    call_id=leg.call_id, agent_id=leg.agent_id, department=department, at=self.now()
                )
            )
            return

    async def resync(self) -> None:
        """After a reconnect or lost events: end the calls whose agent leg is gone."""
        try:
            result = await self.ami.send_action(CoreShowChannels())
        except AmiError as exc:
            log.warning("resync failed: %s", exc)
            return
        alive = {c.channel.uniqueid for c in result.items(CoreShowChannel)}
        for uniqueid in [u for u in self._legs.answered if u not in alive]:
            leg = self._legs.answered.pop(uniqueid)
            log.info(
                "resync: agent leg %s of call %s ended while AMI was away", uniqueid, leg.call_id
            )
            self.feed(ev.CallCompleted(call_id=leg.call_id, agent_id=leg.agent_id, at=self.now()))

    async def on_connected(self, _: AmiClient) -> None:
        if not self._restored:
            self._restored = True
            await self.restore_logins()
        await self.resync()

    async def restore_logins(self) -> None:
        """After a restart: agents still members of the fallback queues stay logged in.

        The fallback queues mirror every login, so they are the memory that survives
        a controller crash; a restarted controller takes its agents back from them
        instead of logging the whole floor out.
        """
        try:
            result = await self.ami.send_action(QueueStatus())
        except AmiError as exc:
            log.warning("could not read queue members: %s", exc)
            return
        positions = {p.extension: p.id for p in self.site.positions}
        found: dict[str, tuple[str, set[str], bool]] = {}
        by_queue = {queue_name(t.id): t.id for t in self.site.topics}
        for member in result.items(QueueMember):
            extension = member.location.removeprefix("PJSIP/")
            topic = by_queue.get(member.queue)
            if topic is None or extension not in positions:
                continue
            _, topics, paused = found.setdefault(member.name, (positions[extension], set(), False))
            topics.add(topic)
            found[member.name] = (positions[extension], topics, paused or member.paused)
        for agent_id, (position_id, topics, paused) in sorted(found.items()):
            self._mirrored[agent_id] = frozenset(topics)
            at = self.now()
            self.feed(ev.AgentSetTopics(agent_id=agent_id, topics=frozenset(topics), at=at))
            self.feed(ev.AgentLogin(agent_id=agent_id, position_id=position_id, at=at))
            if paused:
                self.feed(ev.AgentPause(agent_id=agent_id, reason=PauseReason.BREAK, at=at))
            log.info(
                "restored agent %s at %s (%s)", agent_id, position_id, ", ".join(sorted(topics))
            )

    # ------------------------------------------------------------ shutdown

    async def close(self) -> None:
        for handle in self._timers.values():
            handle.cancel()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
