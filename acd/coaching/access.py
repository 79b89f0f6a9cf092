"""Who may see and write the coaching of a recording: it is between the team lead and
the agent whose call it was.

Team leads and the admin (the *coaches*) see every recording's coaching and write
notes, the "besproken" mark and evaluations. An agent sees the coaching of their own
recordings only, and writes only replies, each to a coach's note. The floor manager,
back-office colleagues and displays see none of it: a coaching note is about a
person's work, not about the floor. Each refusal is a :class:`NotAllowed` whose
message says why (403, and on record).
"""

from __future__ import annotations

from http_access.auth import Principal
from recordings.catalog_rows import RecordingRow
from recordings.coaching_rows import Note
from site_config.access import Role

COACHES = frozenset({Role.TEAM_LEAD, Role.ADMIN})


class NotAllowed(PermissionError):
    """This login may not do this with this recording's coaching; the message says why."""


def is_coach(who: Principal) -> bool:
    return who.role in COACHES


def check_role(who: Principal) -> None:
    """Before the recording is looked up: only coaches and agents come further."""
    if is_coach(who) or who.role is Role.AGENT:
        return
    role = who.role.value if who.role else "a display"
    raise NotAllowed(
        f"{who.name!r} ({role}) may not see or write coaching: it is between the team lead "
        "and the agent whose call it was"
    )


def check_sees(who: Principal, recording: RecordingRow) -> None:
    """A coach sees any recording's coaching, an agent their own recordings' only."""
    check_role(who)
    if is_coach(who) or (who.agent_id is not None and who.agent_id == recording.agent_id):
        return
    whose = f"agent {recording.agent_id}'s" if recording.agent_id else "not an agent's call"
    raise NotAllowed(
        f"{who.name!r} is agent {who.agent_id} and sees the coaching of their own recordings "
        f"only; recording {recording.id} is {whose}"
    )


def check_writes_note(who: Principal, recording: RecordingRow, parent: Note | None) -> None:
    """A coach writes notes and replies; the agent only replies, to a coach's note."""
    check_sees(who, recording)
    if is_coach(who):
        return
    if parent is None:
        raise NotAllowed(
            f"{who.name!r} is an agent: an agent answers a team lead's note (reply_to); "
            "only team leads write notes"
        )
    if parent.author_role not in {role.value for role in COACHES}:
        raise NotAllowed(
            f"{who.name!r} is an agent and replies only to a team lead's note; note "
            f"{parent.id} is by {parent.author!r} ({parent.author_role})"
        )


def check_coaches(who: Principal, recording: RecordingRow, what: str) -> None:
    """Only a coach marks a call discussed or evaluates it (``what``: "evaluate", ...)."""
    check_sees(who, recording)
    if not is_coach(who):
        raise NotAllowed(f"{who.name!r} is an agent; only team leads {what}")
