"""A recording's coaching as the panel reads it: notes threaded by moment, the mark, the
evaluations (each with its colour, current or corrected), the site's forms, and what
this login may do."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from acd.coaching.access import is_coach
from acd.coaching.service import CoachingView
from http_access.auth import Principal
from recordings.coaching_rows import Discussed, KeptEvaluation, Note
from site_config.recording import QaForm


def coaching_view(view: CoachingView, forms: Sequence[QaForm], who: Principal) -> dict[str, Any]:
    r = view.recording
    coach = is_coach(who)
    return {
        "recording": {
            "id": r.id, "call_id": r.call_id, "agent_id": r.agent_id,
            "started_at": r.started_at.isoformat(), "duration_s": r.duration_s,
        },
        "notes": threaded(view.notes),
        "discussed": discussed_view(view.discussed),
        "evaluations": [evaluation_view(e, forms) for e in view.evaluations],
        "forms": [form.model_dump(mode="json") for form in forms],
        "me": who.name,
        "may": {"note": coach, "reply": True, "discussed": coach and view.discussed is None,
                "evaluate": coach and bool(forms)},
    }  # fmt: skip


def threaded(notes: Sequence[Note]) -> list[dict[str, Any]]:
    """Top notes by moment (then as written), each with its replies as written."""
    replies: dict[str, list[Note]] = {}
    for note in notes:
        if note.reply_to is not None:
            replies.setdefault(note.reply_to, []).append(note)
    tops = [n for n in notes if n.reply_to is None]  # the store gives them by moment
    return [
        {**note_view(top), "replies": [note_view(r) for r in sorted(
            replies.get(top.id, []), key=lambda n: (n.written_at, n.id))]}
        for top in tops
    ]  # fmt: skip


def note_view(note: Note) -> dict[str, Any]:
    return {
        "id": note.id, "at_s": note.at_s, "author": note.author, "author_role": note.author_role,
        "text": note.text, "written_at": note.written_at.isoformat(), "reply_to": note.reply_to,
    }  # fmt: skip


def discussed_view(mark: Discussed | None) -> dict[str, Any] | None:
    if mark is None:
        return None
    return {"on": mark.on.isoformat(), "by": mark.by, "at": mark.at.isoformat()}


def evaluation_view(kept: KeptEvaluation, forms: Sequence[QaForm]) -> dict[str, Any]:
    e = kept.evaluation
    form = next((f for f in forms if f.id == e.form_id), None)
    threshold = None if form is None else form.threshold(e.score)
    return {
        "id": e.id, "form_id": e.form_id, "evaluator": e.evaluator,
        "submitted_at": e.submitted_at.isoformat(), "answers": dict(e.answers),
        "score": e.score, "colour": None if threshold is None else threshold.colour.value,
        "label": None if threshold is None else threshold.label, "corrects": e.corrects,
        "current": kept.current, "corrected_by": kept.corrected_by,
    }  # fmt: skip
