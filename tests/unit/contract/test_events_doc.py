"""docs/events.md and the event classes say the same, both ways.

Every type of the contract has a row in the doc's tables, and every row is a type; in a
row's fields column every field of the class is named, and everything named there is a
field of the type, one of its fields' allowed values, or a common field.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from contract import EVENT_TYPES
from contract.events import COMMON_FIELDS, own_fields

DOC = Path(__file__).resolve().parents[3] / "docs" / "events.md"
ROW = re.compile(r"^\| `(?P<type>[a-z_]+\.[a-z_]+)` \| (?P<fields>[^|]*) \|", re.MULTILINE)


def documented() -> dict[str, set[str]]:
    rows: dict[str, set[str]] = {}
    for match in ROW.finditer(DOC.read_text(encoding="utf-8")):
        assert match["type"] not in rows, f"{match['type']} has two rows in {DOC.name}"
        rows[match["type"]] = set(re.findall(r"`([^`]+)`", match["fields"]))
    return rows


def test_every_type_has_a_row_and_every_row_is_a_type() -> None:
    assert sorted(documented()) == sorted(EVENT_TYPES)


@pytest.mark.parametrize("type_name", sorted(EVENT_TYPES))
def test_a_rows_fields_are_the_classes(type_name: str) -> None:
    named = documented().get(type_name, set())
    specs = own_fields(EVENT_TYPES[type_name])
    fields = {spec.name for spec in specs}
    assert fields - named == set(), f"{type_name}: fields not in {DOC.name}"
    known = fields | set(COMMON_FIELDS) | {c for spec in specs for c in spec.choices}
    assert named - known == set(), f"{type_name}: {DOC.name} names what the class lacks"
