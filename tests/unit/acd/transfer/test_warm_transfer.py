"""WarmTransfer: an agent's attended transfer started over AMI (``Atxfer`` of their leg
into ``kcc-internal``), what it refuses and why; and its route's dependency before the
composition root binds it. The HTTP side: tests/unit/acd/test_control_api.py.
"""

from __future__ import annotations

import pytest

from acd.ami.actions import Atxfer
from tests.unit.acd.rig import rig, talking

CALL, AGENT = "c1", "1001"


@pytest.mark.parametrize("extension", ["321", "202"])  # a back office, a fellow agent
async def test_a_warm_transfer_is_an_atxfer_of_the_agents_leg(extension: str) -> None:
    async with rig() as r:
        leg = await talking(r, AGENT, "tic1", CALL)
        assert await r.controller.transfer.start(AGENT, extension) is None
        [atxfer] = r.ami.sent_of(Atxfer)
        assert (atxfer.channel, atxfer.exten, atxfer.context) == (
            leg.uniqueid, extension, "kcc-internal",
        )  # fmt: skip


async def test_an_agent_on_no_call_cannot_transfer() -> None:
    async with rig() as r:
        assert await r.controller.transfer.start(AGENT, "301") == "agent 1001 is on no call"
        assert r.ami.sent_of(Atxfer) == []


@pytest.mark.parametrize(
    ("extension", "why"),
    [
        ("999", "extension 999 is no position or back-office extension"),
        ("201", "agent 1001 cannot transfer to their own extension"),
    ],
)
async def test_a_transfer_to_no_known_extension_or_ones_own_is_refused(
    extension: str, why: str
) -> None:
    async with rig() as r:
        await talking(r, AGENT, "tic1", CALL)
        assert await r.controller.transfer.start(AGENT, extension) == why
        assert r.ami.sent_of(Atxfer) == []


async def test_asterisk_refusing_the_atxfer_is_said() -> None:
    async with rig() as r:
        await talking(r, AGENT, "tic1", CALL)
        r.asterisk.refuse_transfer = "No such channel"
        why = await r.controller.transfer.start(AGENT, "301")
        assert why is not None and why.startswith("Asterisk refused the transfer:")
        assert "No such channel" in why
