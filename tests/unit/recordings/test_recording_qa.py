"""Grading a call on a QA form: the weighted mean of the items, yes/no as 100/0, the
threshold's colour and label, and every wrong answer refused naming its item."""

from __future__ import annotations

from typing import Any

import pytest

from recordings.qa import AnswerError, grade, item_value
from site_config.recording import Colour, QaForm, QaItem

# begroeting yes_no (1), vraag (2), antwoord (3), afspraak (2), afsluiting yes_no (1)
FORM = QaForm.model_validate(
    {
        "id": "gesprek",
        "name": "Gespreksbeoordeling",
        "groups": [
            {
                "name": "Opening",
                "items": [
                    {"id": "begroeting", "text": "Begroet", "kind": "yes_no"},
                    {"id": "vraag", "text": "Vat samen", "weight": 2},
                ],
            },
            {
                "name": "Afhandeling",
                "items": [
                    {"id": "antwoord", "text": "Juist antwoord", "weight": 3},
                    {"id": "afspraak", "text": "Vervolgafspraak", "weight": 2},
                    {"id": "afsluiting", "text": "Sluit af", "kind": "yes_no"},
                ],
            },
        ],
        "thresholds": [
            {"min": 80, "colour": "green", "label": "Goed"},
            {"min": 60, "colour": "orange", "label": "Voldoende"},
            {"min": 0, "colour": "red", "label": "Onvoldoende"},
        ],
    }
)


def answers(**changes: Any) -> dict[str, Any]:
    return {"begroeting": "yes", "vraag": 80, "antwoord": 90, "afspraak": 70,
            "afsluiting": "yes", **changes}  # fmt: skip


def test_the_score_is_the_weighted_mean_with_yes_as_100() -> None:
    graded = grade(FORM, answers())
    # (100*1 + 80*2 + 90*3 + 70*2 + 100*1) / 9 = 770 / 9 = 85.56
    assert graded.score == 85.6
    assert (graded.threshold.colour, graded.threshold.label) == (Colour.GREEN, "Goed")
    assert graded.form_id == "gesprek"
    assert graded.answers == answers()


def test_weights_count_an_item_as_often_as_its_weight() -> None:
    # Only 'antwoord' (weight 3) at 0: (100 + 200 + 0 + 200 + 100) / 9 = 66.7
    graded = grade(FORM, answers(vraag=100, antwoord=0, afspraak=100))
    assert graded.score == 66.7
    assert graded.threshold.colour is Colour.ORANGE


def test_no_counts_as_zero_and_a_low_score_is_red() -> None:
    graded = grade(FORM, answers(begroeting="no", afsluiting="no", vraag=40, antwoord=30,
                                 afspraak=50))  # fmt: skip
    assert graded.score == round((0 + 80 + 90 + 100 + 0) / 9, 1) == 30.0
    assert (graded.threshold.colour, graded.threshold.label) == (Colour.RED, "Onvoldoende")


ONE_ITEM = FORM.model_copy(
    update={"groups": (FORM.groups[0].model_copy(update={"items": (FORM.groups[0].items[1],)}),)}
)


@pytest.mark.parametrize(("score", "colour"), [(100, Colour.GREEN), (80, Colour.GREEN),
                                               (79, Colour.ORANGE), (60, Colour.ORANGE),
                                               (59, Colour.RED), (0, Colour.RED)])  # fmt: skip
def test_each_threshold_starts_at_its_min(score: int, colour: Colour) -> None:
    graded = grade(ONE_ITEM, {"vraag": score})
    assert (graded.score, graded.threshold.colour) == (score, colour)


def test_a_missing_item_is_named() -> None:
    given = answers()
    del given["afspraak"]
    with pytest.raises(AnswerError, match=r"^answers: not answered: afspraak; allowed: exactly"):
        grade(FORM, given)


def test_an_item_not_on_the_form_is_named() -> None:
    with pytest.raises(AnswerError, match=r"not on form gesprek: humor, toon;"):
        grade(FORM, answers(toon=50, humor="yes"))


def test_missing_and_extra_items_are_named_together() -> None:
    given = answers(toon=1)
    del given["vraag"]
    del given["begroeting"]
    with pytest.raises(AnswerError, match=r"not answered: begroeting, vraag; not on form "
                                          r"gesprek: toon"):  # fmt: skip
        grade(FORM, given)


@pytest.mark.parametrize(
    "value",
    [101, -1, 80.5, 80.0, "80", True, None, [80]],
)
def test_a_score_item_takes_a_whole_number_from_0_to_100(value: object) -> None:
    with pytest.raises(AnswerError, match=r"^answers\.vraag: .*; allowed: a whole number from "
                                          r"0 to 100$"):  # fmt: skip
        grade(FORM, answers(vraag=value))


@pytest.mark.parametrize("value", ["ja", "Yes", True, 1, 100, None])
def test_a_yes_no_item_takes_yes_or_no(value: object) -> None:
    with pytest.raises(AnswerError, match=r"^answers\.begroeting: .*; allowed: 'yes' or 'no'$"):
        grade(FORM, answers(begroeting=value))


def test_a_long_wrong_answer_is_shortened_in_the_message() -> None:
    with pytest.raises(AnswerError) as caught:
        grade(FORM, answers(vraag="x" * 500))
    assert len(str(caught.value)) < 120


def test_item_values() -> None:
    [group, _] = FORM.groups
    begroeting, vraag = group.items
    assert (item_value(begroeting, "yes"), item_value(begroeting, "no")) == (100, 0)
    assert (item_value(vraag, 0), item_value(vraag, 100)) == (0, 100)
    assert isinstance(vraag, QaItem)
