"""What the controller needs of an AMI connection: actions out, typed events in.

``acd.ami.AmiClient`` is the real one; ``acd.ami.fake.FakeAmi`` the in-process fake.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

from acd.ami.actions import Action
from acd.ami.connection import AmiClient
from acd.ami.correlate import ActionResult
from acd.ami.event_stream import StreamItem


class AmiPort(Protocol):
    async def send_action(
        self,
        action: Action,
        *,
        timeout: float | None = None,  # noqa: ASYNC109 (abandons the ActionID on expiry)
    ) -> ActionResult:
        """The whole answer; raises ``AmiActionError`` on ``Response: Error``, other
        ``AmiError`` subclasses when the connection fails or the answer is late."""
        ...

    def events(self) -> AsyncIterator[StreamItem]:
        """The single consumer's stream of typed events and ``ResyncRequired`` marks."""
        ...


def _the_client_is_one(client: AmiClient) -> AmiPort:
    return client  # mypy checks the real client against the interface
