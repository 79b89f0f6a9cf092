"""The phonebook's Asterisk events: hint states in, and the full list after each login.

``ExtensionStatus`` of the internal context (where the dialplan puts every phone's hint)
moves a colleague's line. AMI does not replay what happened while it was away, so after
every (re)connection ``resync`` asks for every hint's state (``ExtensionStateList``).
"""

from __future__ import annotations

import logging

from acd.ami import AmiError
from acd.ami.actions import ExtensionStateList
from acd.ami.events import ExtensionStatus
from acd.ami.port import AmiPort
from acd.phonebook.service import Phonebook
from contract.dialplan import Context

log = logging.getLogger(__name__)


class PresenceEvents:
    def __init__(self, phonebook: Phonebook, ami: AmiPort) -> None:
        self._phonebook, self._ami = phonebook, ami

    def on_event(self, event: object) -> None:
        if isinstance(event, ExtensionStatus) and event.context == Context.INTERNAL:
            self._phonebook.line_changed(event.exten, event.state)

    async def resync(self) -> bool:
        """Every hint's state now; False (and the lines as they were) if AMI failed."""
        try:
            result = await self._ami.send_action(ExtensionStateList())
        except AmiError as exc:
            log.warning("could not read the phones' states: %s", exc)
            return False
        for status in result.items(ExtensionStatus):
            self.on_event(status)
        return True
