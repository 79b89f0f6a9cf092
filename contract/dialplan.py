"""The names the generated dialplan (``asterisk_conf``) and the controller (``acd``) share.

Contexts, channel variables, FastAGI script paths and queue names are written once
here: a renamed context or variable changes both sides, never only one.
"""

from __future__ import annotations

import re
from enum import StrEnum


class Context(StrEnum):
    """Dialplan contexts of extensions.conf."""

    TRUNK = "kcc-trunk"  # calls from the public network
    FALLBACK = "kcc-fallback"  # plain app_queue routing while the controller is away
    DONE = "kcc-done"  # where a bridged caller goes when the agent hangs up: hang up
    INTERNAL = "kcc-internal"  # dialling between phones (and warm transfers)
    POSITIONS = "kcc-positions"  # TIC positions: internal dialling and feature codes
    BACKOFFICE = "kcc-backoffice"  # back-office phones
    CAMP_ON = "kcc-campon"  # a caller an agent camped on a colleague in a call
    RECORD = "kcc-record"  # the recording key (#3) of an agent's or colleague's phone


class Var(StrEnum):
    """Channel and global variables the controller and the dialplan both read or set."""

    AGI = "KCC_AGI"  # global: agi://host:port of the controller
    GENERAL_TOPIC = "KCC_GENERAL_TOPIC"  # global: the topic of the general queue
    TOPIC = "KCC_TOPIC"  # the topic queue a caller belongs in, for the fallback
    HANDLED = "KCC_HANDLED"  # "1": the controller completed the call, no fallback
    FALLBACK = "KCC_FALLBACK"  # "1": the caller went through app_queue
    CALL_ID = "KCC_CALLID"  # on an agent's or colleague's leg: the call it serves
    AGENT = "KCC_AGENT"  # on an agent's leg: the agent
    TRANSFER_CONTEXT = "TRANSFER_CONTEXT"  # Asterisk's own: where #2 dials from
    DYNAMIC_FEATURES = "DYNAMIC_FEATURES"  # Asterisk's own: the keys a channel holds
    CAPTURE_DIR = "KCC_CAPTURE_DIR"  # global: where MixMonitor writes recording segments
    REC_CALL = "KCC_REC_CALL"  # on a recorded phone's channel: the call its files name
    REC_FILE = "KCC_REC_FILE"  # on a recorded phone's channel: the segment file's name
    REC_SEGMENT = "KCC_REC_SEGMENT"  # on a recorded phone's channel: the last segment's number
    REC_MONITOR = "KCC_REC_MONITOR"  # on a recorded phone's channel: the running MixMonitor's id


class AgiScript(StrEnum):
    """FastAGI script paths (``AGI(${KCC_AGI}/<path>)``) the controller serves."""

    IVR = "ivr"  # a caller on the public number
    DIRECT = "direct"  # a caller of a back-office extension's own number
    FEATURE = "feature"  # an agent's feature code
    CAMP_ON = "campon"  # a caller camped on a colleague in a call (after a Redirect)


RECORD_FEATURE = "kcc-record"
"""The applicationmap item behind the recording key; only staff phones hold it."""

RECORD_KEY = "#3"
"""The digits of the recording key on a staff phone (features.conf ``applicationmap``);
the API presses the same digits on the phone's channel (``acd.recording.remote_key``)."""

RECORD_EVENT = "KccRecording"
"""The ``UserEvent`` the recording key sends (``State: started`` or ``stopped``)."""

MIXMONITOR_OPTIONS = "bD"
"""MixMonitor for one-button recording: bridged audio only (``b``), the phone's own
voice and what it hears interleaved as two channels (``D``, a ``.raw`` file)."""


CLOSED_SUFFIX = ".closed"
"""Beside a segment, once Asterisk has closed it: MixMonitor's end command touches it."""


def closed_command(path: str) -> str:
    """MixMonitor's command for a segment at ``path`` (our ids only: no shell quoting)."""
    return f"touch {path}{CLOSED_SUFFIX}"


def capture_name(call_id: str, extension: str, channel_uniqueid: str, segment: int) -> str:
    """The file name of one recording segment: ids of ours only, never caller text."""
    return f"{call_id}_{extension}_{channel_uniqueid}_{segment}.raw"


_CAPTURE_NAME = re.compile(r"([-.0-9A-Za-z]+)_([-.0-9A-Za-z]+)_([-.0-9A-Za-z]+)_([0-9]{1,4})\.raw")


def parse_capture_name(name: str) -> tuple[str, str, str, int] | None:
    """(call, extension, channel uniqueid, segment) of a ``capture_name``; None if not one."""
    found = _CAPTURE_NAME.fullmatch(name)
    if found is None:
        return None
    call_id, extension, channel, segment = found.groups()
    return call_id, extension, channel, int(segment)


HANDLED = "1"
"""The value of ``KCC_HANDLED`` that keeps a call out of the fallback."""

HANG_UP_AFTER_BRIDGE = f"{Context.DONE}^s^1"
"""``Bridge(...,F(<this>))``: the caller follows the agent's hang-up instead of
running on in the dialplan (which would queue them again)."""


def queue_name(topic_id: str) -> str:
    """The app_queue queue of a topic (the fallback routing)."""
    return f"kcc-{topic_id}"
