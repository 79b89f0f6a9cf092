"""A callback note as the agent wrote it, and the checks it must pass to be kept.

Every refusal is a ``ValueError`` in the site config's form, ``<field>: <what is
wrong>; allowed: <what is allowed>``, so the agent's page can point at the field. A
refusal never repeats what was typed in a personal field (the name, the number, the
question): refusals go into the audit log, and callers' data must not.

A callback number is a Dutch one: ``0`` and nine more digits (``023 511 5115``,
``06-12345678``), or ``+31`` and the nine without the ``0``; spaces and dashes are
allowed and dropped. It is kept in the national form, digits only, so one caller is
one number however it was typed.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from site_config import SiteConfig

NAME_MAX, QUESTION_MAX = 80, 1000
NUMBER_ALLOWED = (
    "a Dutch phone number: 0 and 9 more digits (e.g. 023 511 5115), or +31 and the 9 "
    "digits without the 0; spaces and dashes are allowed"
)
_NATIONAL = re.compile(r"0[1-9][0-9]{8}")
_CALL_ID = re.compile(r"[A-Za-z0-9._-]{0,64}")


@dataclass(frozen=True, slots=True, kw_only=True)
class NewNote:
    """What the agent filled in; ``municipality`` None is the site's first one."""

    agent_id: str
    department: str
    caller_name: str = field(repr=False)
    callback_number: str = field(repr=False)
    question: str = field(repr=False)
    extension: str | None = None
    topic: str | None = None
    municipality: str | None = None
    call_id: str = ""


def callback_number(typed: str) -> str:
    """``"+31 6-1234 5678"`` -> ``"0612345678"``; ``ValueError`` when it is no Dutch number."""
    digits = re.sub(r"[ \-]", "", typed.strip())
    if digits.startswith("+31"):
        digits = "0" + digits.removeprefix("+31")
    if not _NATIONAL.fullmatch(digits):
        raise ValueError(f"callback_number: {_number_fault(digits)}; allowed: {NUMBER_ALLOWED}")
    return digits


def _number_fault(digits: str) -> str:
    if not digits:
        return "empty"
    if not digits.isdigit():
        return "has characters other than digits, spaces, dashes and a leading +31"
    if digits.startswith("00"):
        return "starts with 00, a number abroad"
    if not digits.startswith("0"):
        return "does not start with 0 (or +31)"
    return f"{len(digits)} digits, not 10"


class NoteRules:
    """The site's departments, colleagues, topics, municipalities and agents a note
    may name."""

    def __init__(self, site: SiteConfig) -> None:
        self._extensions = {d.id: [e.extension for e in d.extensions] for d in site.departments}
        self._topics = [t.id for t in site.topics]
        self._municipalities = [m.id for m in site.municipalities]
        self._agents = [a.id for a in site.agents]

    def checked(self, new: NewNote) -> NewNote:
        """``new`` with its text trimmed, its number normalised and its municipality set."""
        _known("agent_id", new.agent_id, self._agents, "an agent of the site")
        _known("department", new.department, list(self._extensions), "a department id")
        if new.extension is not None:
            allowed = f"an extension of department {new.department} (or none: all of it)"
            _known("extension", new.extension, self._extensions[new.department], allowed)
        if new.topic is not None:
            _known("topic", new.topic, self._topics, "a topic id (or none)")
        municipality = new.municipality or self._municipalities[0]
        _known("municipality", municipality, self._municipalities, "a municipality id")
        if not _CALL_ID.fullmatch(new.call_id):
            raise ValueError("call_id: not a call id; allowed: the call's id as Asterisk gives "
                             "it (up to 64 letters, digits, '.', '_', '-'), or empty")  # fmt: skip
        return dataclasses.replace(
            new,
            municipality=municipality,
            caller_name=_text("caller_name", new.caller_name, NAME_MAX, "the caller's name"),
            callback_number=callback_number(new.callback_number),
            question=_text("question", new.question, QUESTION_MAX, "the caller's question"),
        )


def _known(name: str, value: str, known: list[str], what: str) -> None:
    # Not repeated: a number typed into the wrong field would go into the audit log.
    if value not in known:
        raise ValueError(f"{name}: unknown; allowed: {what}: {', '.join(known)}")


def _text(name: str, value: str, most: int, what: str) -> str:
    trimmed = value.strip()
    if not trimmed or len(trimmed) > most:
        fault = "empty" if not trimmed else f"{len(trimmed)} characters"
        raise ValueError(f"{name}: {fault}; allowed: {what}, 1 to {most} characters")
    return trimmed
