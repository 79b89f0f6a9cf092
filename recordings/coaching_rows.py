"""What the coaching store holds: a note at a moment of a recording, the "besproken met
medewerker" mark, an evaluation on a QA form.

Value objects, frozen and keyword-only, each checking itself when it is made, so the
store never keeps a naive time, a note longer than ``NOTE_MAX`` or a score outside
0-100. Who may write which is the controller's business (``acd.coaching``), not
theirs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from recordings.catalog_rows import aware
from recordings.qa import Answer

NOTE_MAX = 2000  # characters of a note's text


@dataclass(frozen=True, slots=True, kw_only=True)
class Note:
    """A note at ``at_s`` seconds into the recording's audio; with ``reply_to``, an
    answer to another note of the same recording (one level: a reply has no replies)."""

    id: str
    recording_id: str
    at_s: float
    author: str  # the login that wrote it
    author_role: str  # its role then: "team_lead", "admin", "agent"
    text: str = field(repr=False)  # about a person's work: kept out of log lines
    written_at: datetime
    reply_to: str | None = None

    def __post_init__(self) -> None:
        aware("written_at", self.written_at)
        if not self.id or not self.recording_id or not self.author:
            raise ValueError("a note needs an id, a recording and an author")
        if not 0 <= self.at_s < 24 * 3600:
            raise ValueError(f"at_s: {self.at_s}; allowed: seconds into the recording, 0 or more")
        if not self.text.strip() or len(self.text) > NOTE_MAX:
            fault = "empty" if not self.text.strip() else f"{len(self.text)} characters"
            raise ValueError(f"text: {fault}; allowed: 1 to {NOTE_MAX} characters")


@dataclass(frozen=True, slots=True, kw_only=True)
class Discussed:
    """The team lead went through the recording with the agent on ``on``."""

    recording_id: str
    on: date  # the local day of the talk
    by: str  # the login that marked it
    at: datetime  # when it was marked

    def __post_init__(self) -> None:
        aware("at", self.at)


@dataclass(frozen=True, slots=True, kw_only=True)
class Evaluation:
    """One evaluator's grading of one recording on one form; never changed once kept.
    A correction is a new evaluation naming the one it ``corrects``."""

    id: str
    recording_id: str
    form_id: str
    evaluator: str  # the login
    submitted_at: datetime
    answers: Mapping[str, Answer]
    score: float  # 0-100, computed by recordings.qa.grade
    corrects: str | None = None

    def __post_init__(self) -> None:
        aware("submitted_at", self.submitted_at)
        if not 0 <= self.score <= 100:
            raise ValueError(f"score: {self.score}; allowed: 0 to 100")
        if not self.id or not self.recording_id or not self.form_id or not self.evaluator:
            raise ValueError("an evaluation needs an id, a recording, a form and an evaluator")


@dataclass(frozen=True, slots=True)
class KeptEvaluation:
    """An evaluation and, when a later one corrects it, that one's id."""

    evaluation: Evaluation
    corrected_by: str | None = None

    @property
    def current(self) -> bool:
        return self.corrected_by is None


class QaScore(NamedTuple):
    """A current evaluation's score, for the monthly report."""

    recording_id: str
    evaluator: str
    form_id: str
    score: float
    submitted_at: datetime
