"""Who may hear which recordings: a recorded call is personal data of the caller and
the agent both.

Team leads (and the admin) coach, so they hear every recording. An agent hears only
their own calls: recordings whose ``agent_id`` is theirs. Nobody else replays
anything: the floor manager steers the queue, not the conversations; back-office
colleagues, display tokens and any other login are refused (403, on record).

An agent asking for a recording that is not theirs is answered exactly as for one that
does not exist (404, "no recording ..."), so an agent cannot find out which call ids
were recorded for a colleague; the audit log still records the attempt as forbidden.
"""

from __future__ import annotations

from dataclasses import dataclass

from http_access.auth import Principal, PrincipalKind
from recordings.catalog_rows import RecordingRow
from site_config.access import Role


class NotAllowed(PermissionError):
    """This login may not replay recordings, or not these; the message says why (403)."""


@dataclass(frozen=True, slots=True)
class Scope:
    """The recordings a listener may hear: every one (``agent_id`` None), or one agent's."""

    agent_id: str | None = None

    def covers(self, row: RecordingRow) -> bool:
        return self.agent_id is None or row.agent_id == self.agent_id

    def agent_filter(self, asked: str | None, who: Principal) -> str | None:
        """The agent to list for: ``asked`` within this scope; ``NotAllowed`` outside it."""
        if self.agent_id is None:
            return asked
        if asked is not None and asked != self.agent_id:
            raise NotAllowed(
                f"{who.name!r} is agent {self.agent_id} and hears only their own recordings, "
                f"not those of agent {asked}"
            )
        return self.agent_id


def scope_of(who: Principal) -> Scope:
    """The recordings ``who`` may hear; ``NotAllowed`` for everyone but agents and leads."""
    if who.kind is PrincipalKind.USER and who.role in (Role.TEAM_LEAD, Role.ADMIN):
        return Scope()
    if who.kind is PrincipalKind.USER and who.role is Role.AGENT and who.agent_id:
        return Scope(who.agent_id)
    if who.kind is PrincipalKind.DISPLAY:
        raise NotAllowed("a display token may only read the wallboard, not replay recordings")
    role = who.role.value if who.role else "none"
    raise NotAllowed(
        f"{who.name!r} has role {role}; recordings are replayed by team leads, the admin, "
        "and an agent for their own calls"
    )
