"""The stream events: one frozen class per type of docs/events.md.

Theory of operation
-------------------
The controller builds these and hands them to an ``EventSink``; ``contract.codec``
writes them as flat Redis Stream entries and reads them back for the stats service. An
event checks itself when it is made: ``at`` must be timezone-aware (it is kept in UTC),
the common ids a type names in ``REQUIRES`` must be non-empty, and every field must have
its declared type (``str``, ``int``, an enum of ``contract.vocabulary``, optional
variants, or a tuple of strings; an optional text given as "" is None, since the stream
cannot tell the two apart). A wrong event raises ``ValueError`` naming the type
and the field, on the side that made it, so nothing malformed reaches the stream.

``call_id`` is the Asterisk ``Linkedid`` of the call; ``agent_id`` the agent involved.
Both are common to every type; an empty string means none.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any, ClassVar

from contract.vocabulary import (
    AgentState,
    CallbackOutcome,
    CallPhase,
    EndedBy,
    IvrOutcome,
    OfferFailure,
    PauseReason,
    RecordingState,
    RingEndedBy,
    RingFailure,
    RingKind,
)

COMMON_FIELDS = ("at", "call_id", "agent_id")


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """How one own field of an event type is typed: its base type, optional or not."""

    name: str
    base: type  # str, int, tuple (of str) or an Enum subclass
    optional: bool  # None allowed (written as an empty string)
    required: bool  # no default: a reader must find it

    @property
    def choices(self) -> tuple[str, ...]:
        """The allowed values of an enum field; empty for other types."""
        if isinstance(self.base, type) and issubclass(self.base, Enum):
            return tuple(str(member.value) for member in self.base)
        return ()


@dataclass(frozen=True, slots=True, kw_only=True)
class StreamEvent:
    """What every event has; subclasses add their own fields."""

    TYPE: ClassVar[str] = ""
    REQUIRES: ClassVar[tuple[str, ...]] = ()  # common ids that must be non-empty

    at: datetime
    call_id: str = ""
    agent_id: str = ""

    def __post_init__(self) -> None:
        name = type(self).TYPE or type(self).__name__
        offset = self.at.utcoffset() if isinstance(self.at, datetime) else None
        if offset is None:
            raise ValueError(f"event {name}: 'at' must be a timezone-aware datetime: {self.at!r}")
        if offset.total_seconds() != 0 or self.at.tzinfo is not UTC:
            object.__setattr__(self, "at", self.at.astimezone(UTC))
        for common in ("call_id", "agent_id"):
            value = getattr(self, common)
            if not isinstance(value, str):
                raise ValueError(f"event {name}: {common!r} must be a string, got {value!r}")
        for common in type(self).REQUIRES:
            if not getattr(self, common):
                raise ValueError(f"event {name}: {common!r} must not be empty")
        for spec in own_fields(type(self)):
            if spec.optional and spec.base is str and getattr(self, spec.name) == "":
                # The stream writes None as "", so an optional text cannot be "" and
                # None apart: made as "" it is None, as the reader will read it.
                object.__setattr__(self, spec.name, None)
            _check(name, spec, getattr(self, spec.name))

    def own(self) -> Mapping[str, object]:
        """The type's own fields (not ``at``, ``call_id``, ``agent_id``), by name."""
        return {spec.name: getattr(self, spec.name) for spec in own_fields(type(self))}


def _check(type_name: str, spec: FieldSpec, value: object) -> None:
    if value is None:
        if spec.optional:
            return
        raise ValueError(f"event {type_name}: field {spec.name!r} must be set")
    if spec.base is str and value == "" and spec.required and not spec.optional:
        raise ValueError(f"event {type_name}: field {spec.name!r} must not be empty")
    if spec.base is tuple:
        ok = isinstance(value, tuple) and all(isinstance(v, str) and v for v in value)
        what = "a tuple of non-empty strings"
    elif spec.base is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        what = "a whole number"
    else:
        ok = isinstance(value, spec.base)
        what = spec.base.__name__
    if not ok:
        raise ValueError(f"event {type_name}: field {spec.name!r} must be {what}, got {value!r}")
    if spec.base is tuple and any("," in v for v in typing.cast(tuple[str, ...], value)):
        raise ValueError(f"event {type_name}: field {spec.name!r}: items may not hold ','")


_SPECS: dict[type, tuple[FieldSpec, ...]] = {}


def own_fields(kind: type[StreamEvent]) -> tuple[FieldSpec, ...]:
    """The own fields of an event type, in declaration order (read once, then cached)."""
    specs = _SPECS.get(kind)
    if specs is None:
        hints = typing.get_type_hints(kind)
        specs = tuple(
            _spec(f, hints[f.name]) for f in dataclasses.fields(kind) if f.name not in COMMON_FIELDS
        )
        _SPECS[kind] = specs
    return specs


def _spec(field: dataclasses.Field[Any], hint: Any) -> FieldSpec:
    args = typing.get_args(hint)
    optional = isinstance(hint, types.UnionType) and type(None) in args
    base = next(a for a in args if a is not type(None)) if optional else hint
    if typing.get_origin(base) is tuple:
        base = tuple
    required = field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
    return FieldSpec(field.name, base, optional, required)


# ---------------------------------------------------------------- call events


@dataclass(frozen=True, slots=True, kw_only=True)
class CallStarted(StreamEvent):
    """The call reaches the IVR."""

    TYPE = "call.started"
    REQUIRES = ("call_id",)
    caller: str = ""  # the caller-id number; empty when withheld
    dialled: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class CallIvrStep(StreamEvent):
    """One IVR step: a menu choice, a message played."""

    TYPE = "call.ivr_step"
    REQUIRES = ("call_id",)
    node: str
    digit: str | None = None
    outcome: IvrOutcome


@dataclass(frozen=True, slots=True, kw_only=True)
class CallQueued(StreamEvent):
    """The caller joins a topic queue (also a direct call falling back to the TIC)."""

    TYPE = "call.queued"
    REQUIRES = ("call_id",)
    topic: str
    municipality: str | None = None
    fell_back_from: str | None = None  # the department whose direct call was not answered


@dataclass(frozen=True, slots=True, kw_only=True)
class CallAnnounced(StreamEvent):
    """A waiting message was played."""

    TYPE = "call.announced"
    REQUIRES = ("call_id",)
    position: int
    wait_text: str  # what the caller heard


@dataclass(frozen=True, slots=True, kw_only=True)
class CallOffered(StreamEvent):
    """An agent's phone starts ringing for the call."""

    TYPE = "call.offered"
    REQUIRES = ("call_id", "agent_id")
    position_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CallNotAnswered(StreamEvent):
    """The agent's phone did not answer in time (or could not be rung); the call keeps its
    place."""

    TYPE = "call.not_answered"
    REQUIRES = ("call_id", "agent_id")
    position_id: str
    reason: OfferFailure


@dataclass(frozen=True, slots=True, kw_only=True)
class CallAnswered(StreamEvent):
    """An agent answered; the caller leaves the queue."""

    TYPE = "call.answered"
    REQUIRES = ("call_id", "agent_id")
    position_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CallTransferred(StreamEvent):
    """A warm transfer to a back office completed."""

    TYPE = "call.transferred"
    REQUIRES = ("call_id", "agent_id")
    department: str | None = None  # None when Asterisk did not say where it went
    extension: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CallRecording(StreamEvent):
    """A staff phone's recording of the call: a segment started or stopped, or stored.

    ``extension`` is the phone recording (an agent's position or a colleague's);
    ``recording_id`` names the stored recording (``stored``); ``reason`` why it
    ``failed``. Never a file path: the files are the recordings library's business.
    """

    TYPE = "call.recording"
    REQUIRES = ("call_id",)
    state: RecordingState
    extension: str
    segment: int = 0
    recording_id: str = ""
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class CallEnded(StreamEvent):
    """The caller's leg hung up."""

    TYPE = "call.ended"
    REQUIRES = ("call_id",)
    phase: CallPhase
    by: EndedBy


# ---------------------------------------------------------------- back-office events


@dataclass(frozen=True, slots=True, kw_only=True)
class _Ring(StreamEvent):
    """A back-office ring: ``call_id`` + ``extension`` + ``ring`` (a serial per call)."""

    REQUIRES = ("call_id",)
    kind: RingKind
    department: str
    extension: str
    ring: int


@dataclass(frozen=True, slots=True, kw_only=True)
class BackOfficeRinging(_Ring):
    """The colleague's phone starts ringing."""

    TYPE = "backoffice.ringing"
    caller: str = ""  # the caller-id number of a direct call; empty for a consult


@dataclass(frozen=True, slots=True, kw_only=True)
class BackOfficeAnswered(_Ring):
    """The colleague (or someone picking the call up) answered."""

    TYPE = "backoffice.answered"


@dataclass(frozen=True, slots=True, kw_only=True)
class BackOfficeNotAnswered(_Ring):
    """The ring ended unanswered; a direct call then falls back to the TIC (but for
    ``caller_left``)."""

    TYPE = "backoffice.not_answered"
    reason: RingFailure


@dataclass(frozen=True, slots=True, kw_only=True)
class BackOfficeEnded(_Ring):
    """An answered direct call hung up."""

    TYPE = "backoffice.ended"
    by: RingEndedBy


# ---------------------------------------------------------------- callback notes


@dataclass(frozen=True, slots=True, kw_only=True)
class CallbackNoted(StreamEvent):
    """An agent wrote a callback note for a department (or one colleague in it) during
    or after ``call_id``. The note's personal data (the caller's name and number, the
    question) stays with the controller; the stream carries what the figures need."""

    TYPE = "callback.noted"
    REQUIRES = ("agent_id",)
    note_id: str
    department: str
    extension: str | None = None  # one colleague of the department, or the whole of it
    topic: str | None = None
    due: str  # ISO 8601 in UTC: the end of the working day the note must be done by


@dataclass(frozen=True, slots=True, kw_only=True)
class CallbackDone(StreamEvent):
    """The addressee closed the note with an outcome."""

    TYPE = "callback.done"
    note_id: str
    department: str
    outcome: CallbackOutcome
    by: str  # the login that closed it


# ---------------------------------------------------------------- agent events


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentStateChanged(StreamEvent):
    """Every change of an agent's state; ``call_id`` is set while ringing, talking and in
    after-call work."""

    TYPE = "agent.state"
    REQUIRES = ("agent_id",)
    state: AgentState
    reason: PauseReason | None = None  # paused only
    position_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentTopicsChanged(StreamEvent):
    """The agent's skills change (login, live API)."""

    TYPE = "agent.topics"
    REQUIRES = ("agent_id",)
    topics: tuple[str, ...]


# ---------------------------------------------------------------- the controller


@dataclass(frozen=True, slots=True, kw_only=True)
class ControllerStarted(StreamEvent):
    """A controller process started. It knows no call from before it: a call the stream
    still has going on was lost with the previous process (answered, if at all, by the
    dialplan's fallback queues, which publish nothing), and its end will never come."""

    TYPE = "controller.started"


EVENT_TYPES: Mapping[str, type[StreamEvent]] = types.MappingProxyType(
    {
        kind.TYPE: kind
        for kind in (
            CallStarted,
            CallIvrStep,
            CallQueued,
            CallAnnounced,
            CallOffered,
            CallNotAnswered,
            CallAnswered,
            CallTransferred,
            CallRecording,
            CallEnded,
            BackOfficeRinging,
            BackOfficeAnswered,
            BackOfficeNotAnswered,
            BackOfficeEnded,
            CallbackNoted,
            CallbackDone,
            AgentStateChanged,
            AgentTopicsChanged,
            ControllerStarted,
        )
    }
)
"""Every event type of the contract, by its ``type`` name."""
