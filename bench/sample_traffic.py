"""Synthetic but realistic Asterisk 22 AMI traffic for the parse benchmark.

Each simulated call follows what Asterisk 22 emits for a caller who dials
14023 over a PJSIP trunk, is answered and queued with app_queue, and is
either answered by a TIC agent or abandons: channel, dial, bridge, queue,
agent, device-state and dialplan (Newexten/VarSet) events, with the header
order and values of main/manager_channels.c, main/manager_bridges.c and
apps/app_queue.c. Calls overlap, so frames of different calls interleave
as on a busy system. It backs ``bench_ami_parse.py --synthesize``; the real
capture in bench/traces/ is the reference.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

_STATE_DESC = {0: "Down", 4: "Ring", 5: "Ringing", 6: "Up"}
Pairs = list[tuple[str, str]]


@dataclass
class _Chan:
    name: str
    uniqueid: str
    linkedid: str
    cid_num: str
    cid_name: str
    context: str
    exten: str
    state: int = 0
    priority: int = 1


def _snapshot(chan: _Chan, prefix: str = "", connected: _Chan | None = None) -> Pairs:
    return [
        (f"{prefix}Channel", chan.name),
        (f"{prefix}ChannelState", str(chan.state)),
        (f"{prefix}ChannelStateDesc", _STATE_DESC[chan.state]),
        (f"{prefix}CallerIDNum", chan.cid_num),
        (f"{prefix}CallerIDName", chan.cid_name),
        (f"{prefix}ConnectedLineNum", connected.cid_num if connected else "<unknown>"),
        (f"{prefix}ConnectedLineName", connected.cid_name if connected else "<unknown>"),
        (f"{prefix}Language", "nl"),
        (f"{prefix}AccountCode", ""),
        (f"{prefix}Context", chan.context),
        (f"{prefix}Exten", chan.exten),
        (f"{prefix}Priority", str(chan.priority)),
        (f"{prefix}Uniqueid", chan.uniqueid),
        (f"{prefix}Linkedid", chan.linkedid),
    ]


def _frame(name: str, privilege: str, body: Pairs) -> bytes:
    lines = [f"Event: {name}", f"Privilege: {privilege}", *(f"{k}: {v}" for k, v in body)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _member(queue: str, agent: int, status: int, in_call: int, calls: int) -> Pairs:
    return [
        ("Queue", queue),
        ("MemberName", f"TIC {agent}"),
        ("Interface", f"PJSIP/{agent}"),
        ("StateInterface", f"PJSIP/{agent}"),
        ("Membership", "dynamic"),
        ("Penalty", "0"),
        ("CallsTaken", str(calls)),
        ("LastCall", "1722950000"),
        ("LastPause", "0"),
        ("LoginTime", "1722940000"),
        ("InCall", str(in_call)),
        ("Status", str(status)),
        ("Paused", "0"),
        ("PausedReason", ""),
        ("Ringinuse", "0"),
        ("Wrapuptime", "60"),
    ]


def _bridge(uid: str, count: int) -> Pairs:
    return [
        ("BridgeUniqueid", uid),
        ("BridgeType", "basic"),
        ("BridgeTechnology", "simple_bridge"),
        ("BridgeCreator", "<unknown>"),
        ("BridgeName", "<unknown>"),
        ("BridgeNumChannels", str(count)),
        ("BridgeVideoSourceMode", "none"),
    ]


def _newexten(chan: _Chan, app: str, data: str) -> bytes:
    chan.priority += 1
    return _frame(
        "Newexten",
        "dialplan,all",
        [*_snapshot(chan), ("Extension", chan.exten), ("Application", app), ("AppData", data)],
    )


def _varset(chan: _Chan, variable: str, value: str) -> bytes:
    return _frame(
        "VarSet", "dialplan,all", [*_snapshot(chan), ("Variable", variable), ("Value", value)]
    )


def _hangup_chatter(chan: _Chan) -> list[bytes]:
    """RTP quality variables res_rtp_asterisk sets on every hangup."""
    qos = "ssrc=1;themssrc=2;lp=0;rxjitter=0.000;rxcount=1500;txjitter=0.001;txcount=1500"
    return [
        _varset(chan, "RTPAUDIOQOS", qos),
        _varset(chan, "RTPAUDIOQOSJITTER", "minrxjitter=0.000;maxrxjitter=0.002"),
        _varset(chan, "RTPAUDIOQOSLOSS", "minrxlost=0;maxrxlost=0"),
        _varset(chan, "RTPAUDIOQOSRTT", "minrtt=0.010;maxrtt=0.020"),
    ]


def _call(n: int, rng: random.Random) -> list[bytes]:
    """Frames of call ``n``: answered by an agent, or abandoned (about 1 in 6)."""
    queue = rng.choice(["tic-burgerzaken", "tic-afval", "tic-belastingen"])
    uid = f"1722950{n:03d}.{2 * n}"
    caller = _Chan(
        f"PJSIP/trunk-{2 * n:08x}",
        uid,
        uid,
        f"06{rng.randrange(10**8):08d}",
        "<unknown>",
        "from-trunk",
        "14023",
        state=4,
    )
    call = [
        _frame("Newchannel", "call,all", _snapshot(caller)),
        _newexten(caller, "Set", "__KCC_MUNICIPALITY=0392"),
        _varset(caller, "__KCC_MUNICIPALITY", "0392"),
        _newexten(caller, "Answer", ""),
    ]
    caller.state = 6
    call.append(_frame("Newstate", "call,all", _snapshot(caller)))
    call.append(_newexten(caller, "Background", "kcc/welkom&kcc/menu"))
    call.append(_newexten(caller, "WaitExten", "5"))
    call.append(_newexten(caller, "Set", "KCC_TOPIC=1"))
    call.append(_varset(caller, "KCC_TOPIC", "1"))
    call.append(_newexten(caller, "Queue", f"{queue},t"))
    call.append(_varset(caller, "QUEUEPOSITION", "1"))
    call.append(
        _frame(
            "QueueCallerJoin",
            "agent,all",
            [*_snapshot(caller), ("Queue", queue), ("Position", "1"), ("Count", "1")],
        )
    )
    if rng.random() < 1 / 6:
        return [*call, *_abandon(caller, queue, rng)]
    return [*call, *_answered(n, caller, queue, rng)]


def _abandon(caller: _Chan, queue: str, rng: random.Random) -> list[bytes]:
    hold = str(rng.randrange(5, 120))
    return [
        _frame(
            "QueueCallerAbandon",
            "agent,all",
            [
                *_snapshot(caller),
                ("Queue", queue),
                ("Position", "1"),
                ("OriginalPosition", "1"),
                ("HoldTime", hold),
            ],
        ),
        _frame(
            "QueueCallerLeave",
            "agent,all",
            [*_snapshot(caller), ("Queue", queue), ("Count", "0"), ("Position", "1")],
        ),
        _varset(caller, "ABANDONED", "TRUE"),
        _varset(caller, "QUEUESTATUS", "HANGUP"),
        *_hangup_chatter(caller),
        _frame(
            "Hangup",
            "call,all",
            [*_snapshot(caller), ("Cause", "16"), ("Cause-txt", "Normal Clearing")],
        ),
    ]


@dataclass
class _Answer:
    """One answered call's parties and figures, shared by its three phases."""

    n: int
    caller: _Chan
    peer: _Chan
    agent: int
    queue: str
    ring: str
    hold: str
    talk: str

    @property
    def bridge(self) -> str:
        return f"{self.n:08x}-5f1e-4c1a-9b7e-{self.agent:012d}"

    def both(self) -> Pairs:
        caller, peer = self.caller, self.peer
        return [*_snapshot(caller, connected=peer), *_snapshot(peer, "Dest", connected=caller)]

    def agent_fields(self) -> Pairs:
        agent = self.agent
        return [
            ("Queue", self.queue),
            ("MemberName", f"TIC {agent}"),
            ("Interface", f"PJSIP/{agent}"),
        ]

    def device(self, state: str) -> bytes:
        return _frame(
            "DeviceStateChange", "call,all", [("Device", f"PJSIP/{self.agent}"), ("State", state)]
        )

    def member(self, status: int, in_call: int, calls: int) -> bytes:
        return _frame(
            "QueueMemberStatus",
            "agent,all",
            _member(self.queue, self.agent, status, in_call, calls),
        )


def _answered(n: int, caller: _Chan, queue: str, rng: random.Random) -> list[bytes]:
    agent = 1001 + rng.randrange(4)
    uid = caller.uniqueid.split(".")[0] + f".{2 * n + 1}"
    peer = _Chan(
        f"PJSIP/{agent}-{2 * n + 1:08x}",
        uid,
        caller.linkedid,
        str(agent),
        f"TIC {agent}",
        "from-internal",
        "s",
    )
    timing = (str(rng.randrange(2, 15)), str(rng.randrange(5, 200)), str(rng.randrange(30, 600)))
    call = _Answer(n, caller, peer, agent, queue, *timing)
    return [*_ringing(call), *_connected(call), *_finished(call)]


def _ringing(call: _Answer) -> list[bytes]:
    peer, agent = call.peer, call.agent
    frames = [
        _frame("Newchannel", "call,all", _snapshot(peer)),
        _varset(peer, "DIALEDPEERNUMBER", str(agent)),
        _frame("AgentCalled", "agent,all", [*call.both(), *call.agent_fields()]),
        _frame("DialBegin", "call,all", [*call.both(), ("DialString", f"PJSIP/{agent}")]),
    ]
    peer.state = 5
    return [
        *frames,
        _frame("Newstate", "call,all", _snapshot(peer, connected=call.caller)),
        call.device("RINGING"),
        call.member(6, 0, call.n),
    ]


def _connected(call: _Answer) -> list[bytes]:
    caller, peer, bridge = call.caller, call.peer, call.bridge
    peer.state = 6
    leave = [
        *_snapshot(caller, connected=peer),
        ("Queue", call.queue),
        ("Count", "0"),
        ("Position", "1"),
    ]
    return [
        _frame("Newstate", "call,all", _snapshot(peer, connected=caller)),
        _frame("DialEnd", "call,all", [*call.both(), ("DialStatus", "ANSWER")]),
        _frame("QueueCallerLeave", "agent,all", leave),
        _varset(caller, "QUEUEWAIT", call.hold),
        _varset(caller, "QUEUEWAIT_MS", call.hold + "000"),
        _frame("BridgeCreate", "call,all", _bridge(bridge, 0)),
        _frame(
            "BridgeEnter", "call,all", [*_bridge(bridge, 1), *_snapshot(caller, connected=peer)]
        ),
        _frame(
            "BridgeEnter", "call,all", [*_bridge(bridge, 2), *_snapshot(peer, connected=caller)]
        ),
        _varset(caller, "BRIDGEPEER", peer.name),
        _varset(peer, "BRIDGEPEER", caller.name),
        _varset(caller, "BRIDGEPVTCALLID", f"{call.n:08x}@kcc"),
        _varset(peer, "BRIDGEPVTCALLID", f"{call.n:08x}@trunk"),
        _frame(
            "AgentConnect",
            "agent,all",
            [*call.both(), *call.agent_fields(), ("RingTime", call.ring), ("HoldTime", call.hold)],
        ),
        call.device("INUSE"),
        call.member(2, 1, call.n),
    ]


def _finished(call: _Answer) -> list[bytes]:
    caller, peer, bridge = call.caller, call.peer, call.bridge
    clearing = [("Cause", "16"), ("Cause-txt", "Normal Clearing")]
    outcome = [("HoldTime", call.hold), ("TalkTime", call.talk), ("Reason", "caller")]
    return [
        _frame(
            "BridgeLeave", "call,all", [*_bridge(bridge, 1), *_snapshot(caller, connected=peer)]
        ),
        _frame("AgentComplete", "agent,all", [*call.both(), *call.agent_fields(), *outcome]),
        *_hangup_chatter(caller),
        _frame("Hangup", "call,all", [*_snapshot(caller, connected=peer), *clearing]),
        _frame(
            "BridgeLeave", "call,all", [*_bridge(bridge, 0), *_snapshot(peer, connected=caller)]
        ),
        _frame("BridgeDestroy", "call,all", _bridge(bridge, 0)),
        *_hangup_chatter(peer),
        _frame("Hangup", "call,all", [*_snapshot(peer, connected=caller), *clearing]),
        call.device("NOT_INUSE"),
        call.member(1, 0, call.n + 1),
    ]


def synthetic_queue_trace(calls: int = 1000, *, concurrency: int = 8, seed: int = 14023) -> bytes:
    """Banner, FullyBooted, then the frames of ``calls`` overlapping queue calls."""
    rng = random.Random(seed)
    out = [
        b"Asterisk Call Manager/11.0.0\r\n",
        _frame(
            "FullyBooted",
            "system,all",
            [("Uptime", "3600"), ("LastReload", "3600"), ("Status", "Fully Booted")],
        ),
    ]
    active: list[list[bytes]] = []
    started = 0
    while started < calls or active:
        while started < calls and len(active) < concurrency:
            active.append(_call(started, rng))
            started += 1
        flow = rng.choice(active)
        out.append(flow.pop(0))
        if not flow:
            active.remove(flow)
    return b"".join(out)
