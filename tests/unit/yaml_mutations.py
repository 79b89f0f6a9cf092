"""Hypothesis strategies shared by the loaders' property tests: YAML-ish text, and valid
documents with one thing changed (a value replaced by junk, a key dropped, a key added)."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import yaml
from hypothesis import strategies as st

Path = tuple[str | int, ...]

# What a YAML author can write where a value goes, the awkward ones included.
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10**6),
    st.sampled_from([10**400, -(10**400), 2**63, 0]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["", " ", "yes", "no", "~", "08:00", "25:61", "1-1", "../..", "\0", "é"]),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
)
JUNK = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)
YAML_TEXT = st.text(
    st.sampled_from([*"abz019:-[]{},#&*!|>'\"%@` \n\t?<=.", "\u00e9", "\ufeff"]), max_size=80
)


def paths(doc: object, prefix: Path = ()) -> list[Path]:
    """Every place in ``doc`` a value sits, the document itself first."""
    found = [prefix]
    if isinstance(doc, dict):
        for key, value in doc.items():
            found += paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            found += paths(value, (*prefix, index))
    return found


def _at(doc: Any, path: Path) -> Any:
    for step in path:
        doc = doc[step]
    return doc


def _replace(doc: Any, path: Path, value: object) -> Any:
    if not path:
        return value
    _at(doc, path[:-1])[path[-1]] = value
    return doc


def _drop(doc: Any, path: Path) -> Any:
    if path:
        del _at(doc, path[:-1])[path[-1]]
    return doc


def _add(doc: Any, path: Path, key: str, value: object) -> Any:
    target = _at(doc, path)
    if isinstance(target, dict):
        target[key] = value
    elif isinstance(target, list):
        target.append(value)
    return doc


def keys(doc: object) -> set[str]:
    """Every mapping key used anywhere in ``doc``."""
    found: set[str] = set()
    for place in paths(doc):
        if place and isinstance(place[-1], str):
            found.add(place[-1])
    return found


def mutated(
    doc: dict[str, Any], extra_keys: tuple[str, ...] = ()
) -> st.SearchStrategy[tuple[Path, Any]]:
    """``doc`` with one change, and where it was made. An added key is mostly one the
    reader knows (used elsewhere in ``doc``, or in ``extra_keys``), so it gets read."""
    places = paths(doc)
    names = st.sampled_from(sorted(keys(doc) | set(extra_keys))) | st.text(min_size=1, max_size=8)

    @st.composite
    def one(draw: st.DrawFn) -> tuple[Path, Any]:
        path = draw(st.sampled_from(places))
        fresh = copy.deepcopy(doc)
        how = draw(st.sampled_from(["replace", "replace", "drop", "add"]))
        if how == "replace":
            return path, _replace(fresh, path, draw(JUNK))
        if how == "drop":
            return path, _drop(fresh, path)
        return path, _add(fresh, path, draw(names), draw(JUNK))

    return one()


def dump(doc: object) -> str:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
