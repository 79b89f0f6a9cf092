"""Grading a call on a QA form: answers checked against the form, one score of 0-100.

Pure: a form of the site config (``site_config.recording.QaForm``) and the answers a
team lead gave in, a :class:`Graded` or an :class:`AnswerError` out. Every item of the
form must be answered and nothing else may be: a ``score`` item with a whole number
from 0 to 100, a ``yes_no`` item with ``"yes"`` (100) or ``"no"`` (0). The score is
the items' weighted mean, rounded to one decimal, and the threshold it falls in gives
its colour and label. The panel in the browser (``acd/coaching/coaching.js``) computes
the same figure while the form is filled in; this one is what is kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from site_config.recording import ItemKind, QaForm, QaItem, Threshold

YES, NO = "yes", "no"
SCORE_ALLOWED = "a whole number from 0 to 100"
YES_NO_ALLOWED = "'yes' or 'no'"

Answer = int | str  # a score item's number, or a yes_no item's "yes"/"no"


class AnswerError(ValueError):
    """Answers that do not fit the form; the message names the item(s)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Graded:
    """Checked answers and what they add up to."""

    form_id: str
    answers: Mapping[str, Answer]  # as given, one per item of the form
    score: float  # 0-100, one decimal
    threshold: Threshold


def item_value(item: QaItem, given: object) -> int:
    """What one answer counts for, 0-100; ``AnswerError`` naming the item otherwise."""
    if item.kind is ItemKind.YES_NO:
        if given == YES:
            return 100
        if given == NO:
            return 0
        raise AnswerError(f"answers.{item.id}: {_shown(given)}; allowed: {YES_NO_ALLOWED}")
    if isinstance(given, bool) or not isinstance(given, int) or not 0 <= given <= 100:
        raise AnswerError(f"answers.{item.id}: {_shown(given)}; allowed: {SCORE_ALLOWED}")
    return given


def grade(form: QaForm, answers: Mapping[str, object]) -> Graded:
    """``answers`` (item id -> answer) on ``form``, checked and scored."""
    items = [item for group in form.groups for item in group.items]
    known = {item.id for item in items}
    missing = [item.id for item in items if item.id not in answers]
    extra = sorted(str(key) for key in answers if key not in known)
    if missing or extra:
        raise AnswerError(_incomplete(form, missing, extra))
    values = {item.id: item_value(item, answers[item.id]) for item in items}
    weights = sum(item.weight for item in items)
    score = round(sum(values[item.id] * item.weight for item in items) / weights, 1)
    return Graded(
        form_id=form.id,
        answers={item.id: _kept(answers[item.id]) for item in items},
        score=score,
        threshold=form.threshold(score),
    )


def _incomplete(form: QaForm, missing: list[str], extra: list[str]) -> str:
    parts = []
    if missing:
        parts.append(f"not answered: {', '.join(missing)}")
    if extra:
        parts.append(f"not on form {form.id}: {', '.join(extra)}")
    return f"answers: {'; '.join(parts)}; allowed: exactly the items of form {form.id}"


def _kept(given: object) -> Answer:
    assert isinstance(given, int | str)  # item_value let only these through
    return given


def _shown(given: object) -> str:
    text = repr(given)
    return text if len(text) <= 20 else text[:17] + "..."
