"""The real Asterisk 22 trace replayed through the controller, against a reviewed golden file.

``bench/traces/queue_traffic.ami`` is a real AMI session (see its README): app_queue
traffic of eleven callers and four agents, with the answers to one ``CoreShowChannels``
and one ``QueueStatus``. Its bytes go through the real parser; the list answers become
what the fake Asterisk answers the controller's own ``CoreShowChannels`` and
``QueueStatus``, every other event goes to the controller's AMI consumers, exactly as a
controller that (re)connects to that Asterisk would see them.

What the controller does with it is compared with ``golden/queue_traffic.json``: the
events it published (it restores the four agents it finds in the queues, once) and the
AMI actions it sent (the restore, the resync, the mirror's pauses). The queue traffic
itself must publish nothing: those calls are app_queue's, not the controller's, and a
dial to a TIC position is no back-office consult.

After a reviewed change of behaviour, rewrite the golden file with
``KCC_WRITE_GOLDEN=1 .venv/bin/pytest tests/unit/acd/test_trace_replay.py`` and read
its diff before committing it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from acd.ami.actions import Action
from acd.ami.events import CoreShowChannel, EventFactory, QueueMember
from acd.ami.frames import Event
from acd.ami.protocol import AmiProtocol
from tests.unit.acd.rig import REPO, rig

TRACE = REPO / "bench" / "traces" / "queue_traffic.ami"
GOLDEN = Path(__file__).parent / "golden" / "queue_traffic.json"


def _trace() -> tuple[list[object], list[object]]:
    """(events for the stream, list items of the recorded answers), in trace order."""
    protocol, factory = AmiProtocol(), EventFactory()
    protocol.receive_data(TRACE.read_bytes())
    stream: list[object] = []
    answers: list[object] = []
    while (frame := protocol.next_event()) is not None:
        if not isinstance(frame, Event):
            continue
        typed = factory.build(frame)
        if typed is None:
            continue
        (answers if frame.action_id is not None else stream).append(typed)
    return stream, answers


def _action(action: Action) -> list[str]:
    return [action.name, *(f"{k}: {v}" for k, v in action.headers())]


async def test_the_recorded_trace_gives_the_reviewed_events_and_actions() -> None:
    stream, answers = _trace()
    # The whole session (VarSet is filtered out unless watched), not a fragment.
    kinds = [type(e).__name__ for e in stream]
    assert (kinds.count("Hangup"), kinds.count("DialBegin"), kinds.count("DialEnd")) == (19, 8, 8)
    async with rig() as r:
        r.asterisk.members = [a for a in answers if isinstance(a, QueueMember)]
        r.asterisk.alive = {a.channel.uniqueid for a in answers if isinstance(a, CoreShowChannel)}
        await r.controller.on_connected(None)
        r.emit(*stream)  # type: ignore[arg-type]
        await r.settle()
        await r.controller.on_connected(None)  # a reconnect: resync only, no second restore
        await r.settle()
        seen = {
            "published": [
                {k: v for k, v in entry.items() if k != "at"} for entry in r.sink.entries
            ],
            "actions": [_action(a) for a in r.ami.sent],
        }
    if os.environ.get("KCC_WRITE_GOLDEN") == "1":
        GOLDEN.write_text(json.dumps(seen, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert seen == json.loads(GOLDEN.read_text(encoding="utf-8"))
