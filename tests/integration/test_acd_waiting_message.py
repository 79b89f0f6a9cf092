"""The waiting message through the real path: after four rings (20 s) and every four
rings after, at the interval the site sets, heard in the audio the SIPp caller got."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kcc.sipp.rtp_listen import RtpListener, Segment, messages_after_ringback, ringback_start
from kcc.sipp.runner import PortAllocator
from kcc.stack.asterisk import Asterisk
from site_config import SiteConfig, load_site_config
from tests.integration.acd_harness import (
    ControlApi,
    ControllerRunner,
    EventLog,
    call_id_of,
    of_type,
    own_controller,
    place,
    seated_agent,
)
from tests.integration.ivr_timing import IvrTiming
from tests.integration.sites import write_site

pytestmark = pytest.mark.integration


def test_waiting_message_after_four_rings_and_every_four_rings_after(
    site: SiteConfig,
    sip_target: str,
    ports: PortAllocator,
    tmp_path: Path,
    events: EventLog,
    api: ControlApi,
    timing: IvrTiming,
) -> None:
    messages, segments = _hear_waiting_messages(
        site, sip_target, ports, tmp_path, events, api, timing, count=2
    )
    (first, first_end), (second, _) = messages
    assert abs(first - 20.0) <= 0.5, (first, segments)
    # Four full rings between the end of one message and the start of the next.
    assert abs(second - first_end - 20.0) <= 0.5, (second - first_end, segments)


@pytest.fixture
def three_ring_site(
    controller: ControllerRunner,
    asterisk: Asterisk,
    ami_secret: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[SiteConfig]:
    """The test site with a waiting message every 3 rings, its controller running."""
    sample = load_site_config(write_site(tmp_path_factory.mktemp("site3")))
    norms = {**sample.norms.model_dump(), "waiting_message_every_rings": 3}
    with own_controller(controller, asterisk, ami_secret, tmp_path_factory, norms=norms) as site:
        yield site


def test_waiting_message_interval_is_the_sites(
    three_ring_site: SiteConfig,
    sip_target: str,
    ports: PortAllocator,
    tmp_path: Path,
    events: EventLog,
    api: ControlApi,
    timing: IvrTiming,
) -> None:
    # The first message is what the site's interval decides; the repeat is the same
    # timer, checked at 4 rings above and on the fake clock in the unit tier.
    [(first, _)], segments = _hear_waiting_messages(
        three_ring_site, sip_target, ports, tmp_path, events, api, timing, count=1
    )
    assert abs(first - 15.0) <= 0.5, (first, segments)


def _hear_waiting_messages(
    site: SiteConfig,
    sip_target: str,
    ports: PortAllocator,
    tmp_path: Path,
    events: EventLog,
    api: ControlApi,
    timing: IvrTiming,
    *,
    count: int,
) -> tuple[list[tuple[float, float]], list[Segment]]:
    """A caller waits through ``count`` waiting messages, then is answered.

    Returns each message's (start, end) in seconds after the start of ringback, measured
    in the audio the caller received, with the segments for the failure message.
    """
    listen_port, _ = ports.take()
    with RtpListener(listen_port) as ear:
        caller, number = place(
            sip_target, ports, tmp_path, timing.to_topic("1", "1"), receive_port=listen_port
        )
        with caller:
            call_id = call_id_of(events, number)
            events.wait(of_type("call.queued", call_id=call_id, topic="burgerzaken"))
            events.wait(of_type("call.announced", call_id=call_id), count=count, timeout_s=90)
            segments = ear.wait_for(lambda s: len(messages_after_ringback(s)) >= count, 10)
            with seated_agent(
                api, site, sip_target, ports, agent_id="1001", position_id="tic1",
                answer_after_s=1.0, talk_s=3.0,
            ):  # fmt: skip
                events.wait(of_type("call.answered", call_id=call_id), timeout_s=40)
                assert caller.wait(60).ok
    ring_start, messages = ringback_start(segments), messages_after_ringback(segments)
    assert ring_start is not None, segments  # the caller reached the queue's ringback
    announced = [e for e in events.of_call(call_id) if e.type == "call.announced"]
    answered = next(e for e in events.of_call(call_id) if e.type == "call.answered")
    assert all(e.at <= answered.at for e in announced), "a message played after the answer"
    assert announced[0].fields["position"] == "1"
    assert "U bent de eerste" in announced[0].fields["wait_text"]
    heard = [(start - ring_start, end - ring_start) for start, end in messages[:count]]
    return heard, segments
