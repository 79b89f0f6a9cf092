"""Real SIP clients for tests and the demo: SIPp (Debian `sip-tester`).

A `Caller` dials the public number, sends PCMA audio and RFC 2833 digits at
chosen moments, then hangs up or waits for the far end. An `AgentPhone`
registers with its credentials, answers after a chosen delay (or never) and
talks for a chosen time. Scenarios are rendered per run from the templates in
`scenarios.py`, so each test states its own timeline.
"""

from kcc.sipp.runner import AgentPhone, Caller, Digit, Pause, SippResult

__all__ = ["AgentPhone", "Caller", "Digit", "Pause", "SippResult"]
