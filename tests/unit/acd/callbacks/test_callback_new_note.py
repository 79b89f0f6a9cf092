"""What an agent fills in is checked field by field; a refusal names the field and what
is allowed, and never repeats a caller's name, number or question."""

from __future__ import annotations

import dataclasses

import pytest

from acd.callbacks.new_note import NewNote, NoteRules, callback_number
from tests.unit.acd.rig import sample_site

RULES = NoteRules(sample_site())
GOOD = NewNote(
    agent_id="1001",
    department="burgerzaken",
    caller_name="  Jan Smit ",
    callback_number="06-1234 5678",
    question=" Is mijn paspoort klaar? ",
)


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("0235115115", "0235115115"),
        ("023 511 5115", "0235115115"),
        ("06-12345678", "0612345678"),
        ("+31612345678", "0612345678"),
        ("+31 6 1234 5678", "0612345678"),
        (" +31 23-511 51 15 ", "0235115115"),
    ],
)
def test_a_dutch_number_is_kept_as_ten_digits(typed: str, kept: str) -> None:
    assert callback_number(typed) == kept


@pytest.mark.parametrize(
    ("typed", "fault"),
    [
        ("", "empty"),
        ("061234567", "9 digits, not 10"),
        ("06123456789", "11 digits, not 10"),
        ("+316123456789", "11 digits, not 10"),
        ("0031612345678", "starts with 00, a number abroad"),
        ("612345678", "does not start with 0 (or +31)"),
        ("+32 2 123 45 67", "has characters other than digits"),
        ("(023) 511 5115", "has characters other than digits"),
        ("06.12345678", "has characters other than digits"),
    ],
)
def test_anything_else_is_refused_without_repeating_it(typed: str, fault: str) -> None:
    with pytest.raises(ValueError) as refused:
        callback_number(typed)
    message = str(refused.value)
    assert message.startswith(f"callback_number: {fault}")
    assert "allowed: a Dutch phone number: 0 and 9 more digits" in message
    assert not typed.strip() or typed.strip() not in message


def test_a_good_note_is_trimmed_normalised_and_gets_the_first_municipality() -> None:
    checked = RULES.checked(GOOD)
    assert (checked.caller_name, checked.callback_number, checked.question) == (
        "Jan Smit", "0612345678", "Is mijn paspoort klaar?",
    )  # fmt: skip
    assert checked.municipality == "haarlem"
    chosen = RULES.checked(
        dataclasses.replace(
            GOOD,
            municipality="zandvoort",
            extension="302",
            topic="burgerzaken",
            call_id="1718000000.7",
        )
    )
    assert (chosen.municipality, chosen.extension, chosen.topic, chosen.call_id) == (
        "zandvoort", "302", "burgerzaken", "1718000000.7",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"agent_id": "1999"}, "agent_id: unknown; allowed: an agent of the site: 1001, 1002"),
        ({"department": "paspoorten"},
         "department: unknown; allowed: a department id: burgerzaken, belastingen, vergunningen"),
        ({"extension": "311"},
         "extension: unknown; allowed: an extension of department burgerzaken (or none: all "
         "of it): 301, 302"),
        ({"topic": "paspoort"}, "topic: unknown; allowed: a topic id (or none): burgerzaken,"),
        ({"municipality": "bloemendaal"},
         "municipality: unknown; allowed: a municipality id: haarlem, zandvoort"),
        ({"call_id": "c1; DROP"}, "call_id: not a call id; allowed: the call's id as Asterisk"),
        ({"caller_name": "   "}, "caller_name: empty; allowed: the caller's name, 1 to 80"),
        ({"caller_name": "x" * 81}, "caller_name: 81 characters; allowed: the caller's name"),
        ({"question": ""}, "question: empty; allowed: the caller's question, 1 to 1000"),
        ({"question": "?" * 1001}, "question: 1001 characters; allowed: the caller's question"),
        ({"callback_number": "14023"}, "callback_number: does not start with 0"),
    ],
)  # fmt: skip
def test_each_wrong_field_is_named(change: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError) as refused:
        RULES.checked(dataclasses.replace(GOOD, **change))  # type: ignore[arg-type]
    assert str(refused.value).startswith(message)


def test_the_personal_fields_are_not_in_the_repr() -> None:
    shown = repr(GOOD)
    assert "Smit" not in shown and "5678" not in shown and "paspoort" not in shown
    assert "burgerzaken" in shown
