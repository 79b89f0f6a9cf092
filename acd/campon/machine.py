"""One camp-on, decided without I/O: when to ring the colleague, when to fall back.

Theory of operation
-------------------
A camp-on is ``waiting`` while the colleague is in a call. The phonebook's presence says
when the line changes: the colleague's line becoming **free after a call** (``LineFree``
once a ``LineBusy`` was seen: *armed*) starts ``ringing`` the colleague for the caller.
Answered, the caller is ``connected``. Not answered, the camp-on waits again, but only
for the line's *next* call to end: a phone that rang unanswered is free, yet its owner is
plainly not at it, and ringing it again and again would be a hunt for nobody.

The department's camp-on time (``TimeUp``) or any key (``KeyPressed``) ends the wait:
the caller has ``fallen_back`` into the TIC's general queue. A ring going on at that
moment is not cut short by the time (the colleague may be reaching for the phone): its
outcome decides. A key while it rings stops the ring; should the colleague answer at that
very moment, the answer wins. The caller hanging up while waiting: ``caller_left``; while
it rings, the ring's outcome says what happened (the colleague's Bridge takes the caller
out of FastAGI, which looks the same as hanging up).

``step`` looks (state, input type) up in ``_TABLE``: a pair not listed raises
``IllegalCampOnStep``. The listed no-ops in the final states are inputs that race with
the end (a presence change, the timer, a key) and change nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any


class CampOnState(Enum):
    WAITING = "waiting"
    RINGING = "ringing"
    CONNECTED = "connected"
    FALLEN_BACK = "fallen_back"
    CALLER_LEFT = "caller_left"


FINAL = frozenset({CampOnState.CONNECTED, CampOnState.FALLEN_BACK, CampOnState.CALLER_LEFT})


class FallBackWhy(Enum):
    TIME_UP = "time_up"  # the department's camp_on_after_s passed
    KEY = "key"  # the caller asked for another colleague


@dataclass(frozen=True, slots=True)
class CampOn:
    """One caller camped on ``extension``; ``armed``: a call on the line was seen since
    the last unanswered ring (or the start), so the line becoming free means it is."""

    call_id: str
    extension: str
    state: CampOnState = CampOnState.WAITING
    armed: bool = True
    time_up: bool = False  # the camp-on time passed while it rang
    given_up: bool = False  # a key was pressed while it rang

    @property
    def finished(self) -> bool:
        return self.state in FINAL


# ---------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True)
class LineBusy:
    """The colleague's line is in a call."""


@dataclass(frozen=True, slots=True)
class LineFree:
    """The colleague's line is free."""


@dataclass(frozen=True, slots=True)
class TimeUp:
    """The department's camp-on time has passed."""


@dataclass(frozen=True, slots=True)
class KeyPressed:
    key: str


@dataclass(frozen=True, slots=True)
class CallerHungUp:
    """The caller's FastAGI session saw a hang-up."""


@dataclass(frozen=True, slots=True)
class RingAnswered:
    """The colleague answered: their Bridge has the caller."""


@dataclass(frozen=True, slots=True)
class RingNotAnswered:
    """The colleague did not answer (or the ring was given up)."""


@dataclass(frozen=True, slots=True)
class RingCallerLeft:
    """The caller hung up while the colleague's phone rang."""


CampOnInput = (
    LineBusy | LineFree | TimeUp | KeyPressed | CallerHungUp
    | RingAnswered | RingNotAnswered | RingCallerLeft
)  # fmt: skip

# ---------------------------------------------------------------- effects


@dataclass(frozen=True, slots=True)
class RingColleague:
    """Ring the colleague for the caller (the ring's outcome comes back as an input)."""


@dataclass(frozen=True, slots=True)
class StopRinging:
    """The caller gave the ring up: stop the colleague's phone."""


@dataclass(frozen=True, slots=True)
class FallBack:
    """Put the caller in the TIC's general queue, at the back."""

    why: FallBackWhy


CampOnEffect = RingColleague | StopRinging | FallBack


class IllegalCampOnStep(Exception):
    """An input the camp-on's state does not allow; the message names both."""


@dataclass(frozen=True, slots=True)
class CampOnStep:
    camp_on: CampOn
    effects: tuple[CampOnEffect, ...] = ()


def step(camp_on: CampOn, event: CampOnInput) -> CampOnStep:
    """Apply ``event``; ``IllegalCampOnStep`` if the table has no such pair."""
    handler = _TABLE.get((camp_on.state, type(event)))
    if handler is None:
        raise IllegalCampOnStep(
            f"camp-on of call {camp_on.call_id} on {camp_on.extension} is "
            f"{camp_on.state.value}: {type(event).__name__} not allowed"
        )
    return handler(camp_on, event)


def _arm(camp_on: CampOn, event: LineBusy) -> CampOnStep:
    return CampOnStep(replace(camp_on, armed=True))


def _line_free(camp_on: CampOn, event: LineFree) -> CampOnStep:
    if not camp_on.armed:
        return CampOnStep(camp_on)
    ringing = replace(camp_on, state=CampOnState.RINGING, armed=False)
    return CampOnStep(ringing, (RingColleague(),))


def _fall_back(why: FallBackWhy) -> Callable[[CampOn, object], CampOnStep]:
    def handler(camp_on: CampOn, event: object) -> CampOnStep:
        return CampOnStep(replace(camp_on, state=CampOnState.FALLEN_BACK), (FallBack(why),))

    return handler


def _left(camp_on: CampOn, event: object) -> CampOnStep:
    return CampOnStep(replace(camp_on, state=CampOnState.CALLER_LEFT))


def _time_up_ringing(camp_on: CampOn, event: TimeUp) -> CampOnStep:
    return CampOnStep(replace(camp_on, time_up=True))


def _key_ringing(camp_on: CampOn, event: KeyPressed) -> CampOnStep:
    if camp_on.given_up:
        return CampOnStep(camp_on)
    return CampOnStep(replace(camp_on, given_up=True), (StopRinging(),))


def _answered(camp_on: CampOn, event: RingAnswered) -> CampOnStep:
    return CampOnStep(replace(camp_on, state=CampOnState.CONNECTED))


def _not_answered(camp_on: CampOn, event: RingNotAnswered) -> CampOnStep:
    if camp_on.given_up:
        return _fall_back(FallBackWhy.KEY)(camp_on, event)
    if camp_on.time_up:
        return _fall_back(FallBackWhy.TIME_UP)(camp_on, event)
    return CampOnStep(replace(camp_on, state=CampOnState.WAITING))


def _unchanged(camp_on: CampOn, event: object) -> CampOnStep:
    return CampOnStep(camp_on)


_S = CampOnState
_RACING_THE_END = (LineBusy, LineFree, TimeUp, KeyPressed, CallerHungUp)
_TABLE: dict[tuple[CampOnState, type], Callable[[CampOn, Any], CampOnStep]] = {
    (_S.WAITING, LineBusy): _arm,
    (_S.WAITING, LineFree): _line_free,
    (_S.WAITING, TimeUp): _fall_back(FallBackWhy.TIME_UP),
    (_S.WAITING, KeyPressed): _fall_back(FallBackWhy.KEY),
    (_S.WAITING, CallerHungUp): _left,
    (_S.RINGING, LineBusy): _arm,  # another call meanwhile: its end frees the line again
    (_S.RINGING, LineFree): _unchanged,
    (_S.RINGING, TimeUp): _time_up_ringing,
    (_S.RINGING, KeyPressed): _key_ringing,
    (_S.RINGING, CallerHungUp): _unchanged,  # the ring's outcome says what it was
    (_S.RINGING, RingAnswered): _answered,
    (_S.RINGING, RingNotAnswered): _not_answered,
    (_S.RINGING, RingCallerLeft): _left,
    **{(final, kind): _unchanged for final in FINAL for kind in _RACING_THE_END},
}
"""Every allowed camp-on transition; a (state, input type) pair not listed is refused."""
