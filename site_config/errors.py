"""Configuration errors, and the translation of pydantic's errors into them.

Every problem becomes one line ``<file>: <key path>: <what is wrong>; allowed: <what is
allowed>``, e.g. ``config/site.yaml: topics[2].id: 'Burger Zaken' is not allowed;
allowed: lowercase letters, digits and '-' (1-32 chars)``. All problems found are
reported at once, so an operator fixes the file in one pass.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from site_config.fields import NOT_ALLOWED

_MAX_REPR = 100

# Pydantic's own wording speaks Python ("a valid tuple"); the operator edits YAML.
_ALLOWED_BY_TYPE = {
    "tuple_type": "a list",
    "list_type": "a list",
    "model_type": "a mapping of keys to values",
    "model_attributes_type": "a mapping of keys to values",
    "dict_type": "a mapping of keys to values",
    "string_type": "text",
    "date_type": "a date like 2027-04-27",
    "date_parsing": "a date like 2027-04-27",
    "date_from_datetime_parsing": "a date like 2027-04-27",
    "path_type": "a file or folder path",
}


@dataclass(frozen=True, kw_only=True)
class ConfigProblem:
    """One thing wrong in a configuration file."""

    path: str  # dotted key path like "topics[2].id", or "line 7, column 3"
    what: str
    allowed: str

    def line(self, file: str) -> str:
        path, what, allowed = (printable(t) for t in (self.path, self.what, self.allowed))
        return f"{file}: {path}: {what}; allowed: {allowed}"


def printable(text: str) -> str:
    """``text`` with control characters escaped: a key holding a carriage return or a
    line separator would otherwise break the one-line-per-problem message apart."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class ConfigError(Exception):
    """The site configuration cannot be used; ``str()`` lists every problem, one a line."""

    def __init__(self, file: str | Path, problems: Sequence[ConfigProblem]) -> None:
        self.file = str(file)
        self.problems = tuple(problems)
        super().__init__("\n".join(problem.line(self.file) for problem in self.problems))


class CrossCheckFailed(ValueError):
    """Raised inside model validation when settings contradict each other.

    It is a ``ValueError`` so pydantic carries it in the validation error; the loader
    unpacks it again into one :class:`ConfigProblem` per contradiction.
    """

    def __init__(self, problems: Sequence[ConfigProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(f"{p.path}: {p.what} (allowed: {p.allowed})" for p in problems))


def key_path(loc: Sequence[int | str]) -> str:
    """``("topics", 2, "id")`` -> ``"topics[2].id"``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def short_repr(value: object) -> str:
    text = repr(value)
    return text if len(text) <= _MAX_REPR else text[: _MAX_REPR - 3] + "..."


def problems_from_validation_error(
    error: ValidationError, root: type[BaseModel]
) -> list[ConfigProblem]:
    """One :class:`ConfigProblem` per pydantic error; cross-check failures are unpacked."""
    problems: list[ConfigProblem] = []
    for detail in error.errors():
        nested = detail.get("ctx", {}).get("error")
        if isinstance(nested, CrossCheckFailed):
            problems.extend(nested.problems)
        else:
            problems.append(_problem(detail, root))
    return problems


def _problem(detail: ErrorDetails, root: type[BaseModel]) -> ConfigProblem:
    loc = detail["loc"]
    path = key_path(loc)
    kind = detail["type"]
    ctx = detail.get("ctx", {})
    if kind == NOT_ALLOWED:
        what = ctx.get("what") or f"{short_repr(detail['input'])} is not allowed"
        return ConfigProblem(path=path, what=what, allowed=str(ctx["allowed"]))
    if kind == "extra_forbidden":
        known = _known_keys(root, loc[:-1])
        allowed = ", ".join(known) if known else "the keys listed in docs/site-config.md"
        return ConfigProblem(path=path, what="unknown key", allowed=allowed)
    if kind == "missing":
        return ConfigProblem(
            path=path, what="required key is missing", allowed="add it (see docs/site-config.md)"
        )
    if kind == "too_short":
        count, minimum = ctx.get("actual_length", 0), ctx.get("min_length", 1)
        return ConfigProblem(
            path=path,
            what="an empty list is not allowed" if count == 0 else f"{count} entries is too few",
            allowed=f"at least {minimum} {'entry' if minimum == 1 else 'entries'}",
        )
    allowed = _ALLOWED_BY_TYPE.get(kind) or _plain(detail["msg"])
    return ConfigProblem(
        path=path, what=f"{short_repr(detail['input'])} is not allowed", allowed=allowed
    )


def _plain(message: str) -> str:
    message = re.sub(r"^(Input should be |Value error, )", "", message)
    return re.sub(r" or instance of \w+", "", message)


def _known_keys(root: type[BaseModel], loc: Sequence[int | str]) -> list[str]:
    """Field names of the model found by walking ``loc`` down from ``root``."""
    model: type[BaseModel] | None = root
    for part in loc:
        if model is None:
            return []
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        model = _model_in(field.annotation) if field else None
    if model is None:
        return []
    return [name for name, field in model.model_fields.items() if not field.exclude]


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model class inside an annotation such as ``tuple[Topic, ...]``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    args: Iterator[Any] = iter(typing.get_args(annotation))
    if typing.get_origin(annotation) in (tuple, types.UnionType, typing.Union):
        return next((found for arg in args if (found := _model_in(arg))), None)
    return None
