"""AMI frames laid out as Asterisk 22 writes them, for the event tests."""

from __future__ import annotations

from acd.ami.events import EventFactory
from acd.ami.frames import Event
from acd.ami.protocol import AmiProtocol

Pairs = list[tuple[str, str]]


def chan(prefix: str = "", *, name: str = "PJSIP/trunk-00000001", uid: str = "1.1") -> Pairs:
    """A channel block in the order of ast_manager_build_channel_state_string_prefix()."""
    return [
        (f"{prefix}Channel", name),
        (f"{prefix}ChannelState", "6"),
        (f"{prefix}ChannelStateDesc", "Up"),
        (f"{prefix}CallerIDNum", "0612345678"),
        (f"{prefix}CallerIDName", "<unknown>"),
        (f"{prefix}ConnectedLineNum", "<unknown>"),
        (f"{prefix}ConnectedLineName", "TIC 1001"),
        (f"{prefix}Language", "nl"),
        (f"{prefix}AccountCode", ""),
        (f"{prefix}Context", "from-trunk"),
        (f"{prefix}Exten", "14023"),
        (f"{prefix}Priority", "3"),
        (f"{prefix}Uniqueid", uid),
        (f"{prefix}Linkedid", "1.1"),
    ]


def bridge(prefix: str = "") -> Pairs:
    return [
        (f"{prefix}BridgeUniqueid", "b-1"),
        (f"{prefix}BridgeType", "basic"),
        (f"{prefix}BridgeTechnology", "simple_bridge"),
        (f"{prefix}BridgeCreator", "<unknown>"),
        (f"{prefix}BridgeName", "<unknown>"),
        (f"{prefix}BridgeNumChannels", "2"),
        (f"{prefix}BridgeVideoSourceMode", "none"),
    ]


def queue_member(**overrides: str) -> Pairs:
    """A QueueStatus list item as manager_queues_status() writes it (``Name``/``Location``)."""
    fields = {
        "Queue": "tic",
        "Name": "TIC 1001",
        "Location": "PJSIP/1001",
        "StateInterface": "PJSIP/1001",
        "Membership": "dynamic",
        "Penalty": "0",
        "CallsTaken": "7",
        "LastCall": "1722950000",
        "LastPause": "0",
        "LoginTime": "1722940000",
        "InCall": "1",
        "Status": "2",
        "Paused": "0",
        "PausedReason": "",
        "Wrapuptime": "60",
    }
    return list({**fields, **overrides}.items())


def build(name: str, pairs: Pairs, factory: EventFactory | None = None) -> object:
    """Send the frame through the real parser, then the factory."""
    data = "".join(f"{k}: {v}\r\n" for k, v in [("Event", name), *pairs]) + "\r\n"
    protocol = AmiProtocol()
    protocol.receive_data(data.encode())
    frame = protocol.next_event()
    assert isinstance(frame, Event)
    return (factory or EventFactory()).build(frame)


TWO = [*chan(), *chan("Dest", name="PJSIP/1001-00000002", uid="1.2")]
