"""The controller on in-process fakes: Asterisk's answers over FakeAmi, a fake clock.

One module per part, all of it importable from here (``from tests.unit.acd.rig import
Rig, rig, talking``):

- ``events``: Asterisk's events as the fakes emit them (``Chan``, ``hangup``, ``dial_begin``,
  ``hint`` ...), headers laid out as Asterisk 22 writes them;
- ``asterisk``: ``Asterisk``, the scripted answers to the actions the controller sends, and
  the ``Outcome`` of an Originate (``ANSWERED``, ``NO_ANSWER``, ``RINGING`` ...);
- ``controller``: ``rig(site)``, a real ``acd.controller.Controller`` on these fakes, with
  the sample site, ``T0`` and the readers of what it published (``by_type``, ``names``);
- ``callers``: agents and callers on the floor (``log_in``, ``queued``, ``talking``, the
  back office's ``dialled``, a warm transfer's ``consult_channels``);
- ``app_queue``: app_queue's dynamic members (``AppQueue``, ``queue_status_member``);
- ``voice``: ``ToneVoice``, prompts without espeak-ng.
"""

from tests.unit.acd.rig.app_queue import AppQueue, queue_status_member
from tests.unit.acd.rig.asterisk import (
    ANSWERED,
    BUSY,
    NO_ANSWER,
    REFUSED,
    RINGING,
    Asterisk,
    Outcome,
)
from tests.unit.acd.rig.callers import (
    TRUNK,
    Waiting,
    consult_channels,
    dialled,
    direct_call,
    direct_caller,
    log_in,
    queued,
    state_of,
    talking,
)
from tests.unit.acd.rig.controller import (
    REPO,
    T0,
    NamedPrompts,
    Rig,
    ShelfDouble,
    by_type,
    names,
    rig,
    sample_site,
)
from tests.unit.acd.rig.events import (
    HINT_TEXT,
    Chan,
    attended_transfer,
    core_show_channel,
    dial_begin,
    dial_end,
    hangup,
    hangup_request,
    hint,
    originate_response,
)
from tests.unit.acd.rig.voice import ToneVoice

__all__ = [
    "ANSWERED",
    "BUSY",
    "HINT_TEXT",
    "NO_ANSWER",
    "REFUSED",
    "REPO",
    "RINGING",
    "T0",
    "TRUNK",
    "AppQueue",
    "Asterisk",
    "Chan",
    "NamedPrompts",
    "Outcome",
    "Rig",
    "ShelfDouble",
    "ToneVoice",
    "Waiting",
    "attended_transfer",
    "by_type",
    "consult_channels",
    "core_show_channel",
    "dial_begin",
    "dial_end",
    "dialled",
    "direct_call",
    "direct_caller",
    "hangup",
    "hangup_request",
    "hint",
    "log_in",
    "names",
    "originate_response",
    "queue_status_member",
    "queued",
    "rig",
    "sample_site",
    "state_of",
    "talking",
]
