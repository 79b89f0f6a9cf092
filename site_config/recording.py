"""The site's call recording: where recordings are kept, for how long, what is recorded
by itself, who may download, and the coaching forms team leads grade calls on.

``Recording`` is the ``recording:`` section of the site file. Its references (topics and
agents of the automatic policy) are checked against the rest of the site in
``site_config.crosscheck``.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, model_validator

from site_config.fields import Boolean, FrozenModel, Identifier, in_range, not_allowed, text

_FOLDER_ALLOWED = (
    "an absolute folder path of letters, digits, '.', '_', '-' and '/', "
    "e.g. /var/lib/kcc/recordings"
)
# The folder lands in extensions.conf and in the shell command MixMonitor runs when a
# segment closes (contract.dialplan.closed_command): nothing there may need quoting.
_FOLDER_RE = re.compile(r"/[A-Za-z0-9._/-]*")


def _absolute(value: Any) -> Any:
    if not isinstance(value, str | Path) or not _FOLDER_RE.fullmatch(str(value)):
        raise not_allowed(_FOLDER_ALLOWED)
    return Path(value)


class AutomaticMode(StrEnum):
    """What is recorded without anyone pressing the key."""

    NONE = "none"  # only what the agent records (#3, the agent page)
    ALL = "all"  # every call an agent or colleague answers
    SHARE = "share"  # a share of the calls, chosen at random per call
    TOPICS = "topics"  # the calls of the listed topics
    AGENTS = "agents"  # the calls of the listed agents, each until a date (a coaching period)


class CoachedAgent(FrozenModel, frozen=True):
    """One agent whose calls are recorded during a coaching period."""

    agent_id: Identifier
    until: date  # the last day of the period, inclusive


class Automatic(FrozenModel, frozen=True):
    """The automatic recording policy; ``mode: none`` by default."""

    mode: AutomaticMode = AutomaticMode.NONE
    share_percent: Annotated[int, in_range(1, 100, "percent")] = 10
    topics: tuple[Identifier, ...] = ()
    agents: tuple[CoachedAgent, ...] = ()

    @model_validator(mode="after")
    def _complete(self) -> Automatic:
        if self.mode is AutomaticMode.TOPICS and not self.topics:
            raise ValueError("mode 'topics' needs at least one topic in 'topics'")
        if self.mode is AutomaticMode.AGENTS and not self.agents:
            raise ValueError("mode 'agents' needs at least one agent in 'agents'")
        return self


class Retention(FrozenModel, frozen=True):
    """How long a recording is kept, by category; a legal hold stops any deletion."""

    # Calls with coaching notes: until this many days after "besproken met medewerker"
    # (and never before the standard retention has passed).
    coached_days_after_discussed: Annotated[int, in_range(0, 3650, "days")] = 30


class ItemKind(StrEnum):
    SCORE = "score"  # 0-100
    YES_NO = "yes_no"  # yes = 100, no = 0


class QaItem(FrozenModel, frozen=True):
    id: Identifier
    text: Annotated[str, text(200)]
    kind: ItemKind = ItemKind.SCORE
    weight: Annotated[int, in_range(1, 100, "a whole-number weight")] = 1


class QaGroup(FrozenModel, frozen=True):
    name: Annotated[str, text(80)]
    items: Annotated[tuple[QaItem, ...], Field(min_length=1)]


class Colour(StrEnum):
    GREEN = "green"
    ORANGE = "orange"
    RED = "red"


class Threshold(FrozenModel, frozen=True):
    """From ``min`` (0-100) up, a score shows in ``colour`` with ``label``."""

    min: Annotated[int, in_range(0, 100, "a score")]
    colour: Colour
    label: Annotated[str, text(40)]


class QaForm(FrozenModel, frozen=True):
    """A coaching form: groups of graded items, weighted into one score of 0-100."""

    id: Identifier
    name: Annotated[str, text(80)]
    groups: Annotated[tuple[QaGroup, ...], Field(min_length=1)]
    thresholds: Annotated[tuple[Threshold, ...], Field(min_length=1)]

    @model_validator(mode="after")
    def _consistent(self) -> QaForm:
        ids = [item.id for group in self.groups for item in group.items]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"item ids must be unique within a form: {', '.join(repeated)}")
        floors = [t.min for t in self.thresholds]
        if floors != sorted(floors, reverse=True) or len(set(floors)) != len(floors):
            raise ValueError("thresholds must go from the highest 'min' down, each once")
        if floors[-1] != 0:
            raise ValueError("the last threshold must start at min 0, so every score has one")
        return self

    def threshold(self, score: float) -> Threshold:
        """The threshold a score falls in."""
        return next(t for t in self.thresholds if score >= t.min)


class Recording(FrozenModel, frozen=True):
    """Call recording and coaching; see docs/recordings.md."""

    directory: Annotated[Path, BeforeValidator(_absolute)]
    retention_days: Annotated[int, in_range(1, 3650, "days")]
    retention: Retention = Retention()
    automatic: Automatic = Automatic()
    download_enabled: Boolean = False
    qa_forms: tuple[QaForm, ...] = ()

    @model_validator(mode="after")
    def _unique_forms(self) -> Recording:
        ids = [form.id for form in self.qa_forms]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"QA form ids must be unique: {', '.join(repeated)}")
        return self

    def form(self, form_id: str) -> QaForm | None:
        return next((f for f in self.qa_forms if f.id == form_id), None)
