"""The site's automatic recording policy, decided per answered call (pure).

``recording.automatic`` in the site file (``site_config.recording.Automatic``): nothing,
every call, a share of them, the calls of some topics, or an agent's calls during a
coaching period. The share is decided from the call id, not from a random draw: the
same call always gets the same answer (a restart, a second answer after a ring-no-answer)
and a test can know which calls are recorded.
"""

from __future__ import annotations

import hashlib
from datetime import date

from site_config.recording import Automatic, AutomaticMode


def share_bucket(call_id: str) -> int:
    """0-99, spread evenly over call ids."""
    digest = hashlib.sha256(call_id.encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100


def records(
    policy: Automatic, *, call_id: str, topic: str | None, agent_id: str, today: date
) -> bool:
    """Whether the policy records this answered call."""
    match policy.mode:
        case AutomaticMode.NONE:
            return False
        case AutomaticMode.ALL:
            return True
        case AutomaticMode.SHARE:
            return share_bucket(call_id) < policy.share_percent
        case AutomaticMode.TOPICS:
            return topic is not None and topic in policy.topics
        case AutomaticMode.AGENTS:
            return any(a.agent_id == agent_id and today <= a.until for a in policy.agents)
