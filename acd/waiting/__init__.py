"""Expected-wait estimate and wording of the waiting message for topic queues.

``handling`` learns the mean handling time per topic, ``estimate`` turns a queue
snapshot into an expected wait, ``announcer`` keeps a caller's announced wait from going
up, and ``phrases`` words it in Dutch as prompt fragments. See docs/waiting-message.md.
"""

from acd.waiting.announcer import CallerWaitAnnouncer, TellState
from acd.waiting.estimate import NobodyServing, QueueSnapshot, WaitEstimate, expected_wait
from acd.waiting.handling import (
    HandlingObservation,
    HandlingPrior,
    HandlingTime,
    HandlingTimes,
    LearnerSettings,
)
from acd.waiting.phrases import (
    FRAGMENTS,
    SpokenWait,
    WaitingMessage,
    WaitWording,
    dutch_number,
    spoken_wait,
    waiting_message,
)

__all__ = [
    "FRAGMENTS",
    "CallerWaitAnnouncer",
    "HandlingObservation",
    "HandlingPrior",
    "HandlingTime",
    "HandlingTimes",
    "LearnerSettings",
    "NobodyServing",
    "QueueSnapshot",
    "SpokenWait",
    "TellState",
    "WaitEstimate",
    "WaitWording",
    "WaitingMessage",
    "dutch_number",
    "expected_wait",
    "spoken_wait",
    "waiting_message",
]
