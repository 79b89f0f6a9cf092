"""Each agent's QA score over a period: current evaluations of their recordings, averaged;
nothing at all without a coaching file, and nothing created by looking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from recordings.catalog import CATALOG_FILE, Catalog
from recordings.coaching import COACHING_FILE, CoachingStore
from recordings.coaching_rows import Evaluation
from recordings.qa_summary import QaSummary, QaUnreadable, qa_per_agent
from tests.unit.recordings.test_recording_catalog import recording

JUNE = datetime(2026, 5, 31, 22, 0, tzinfo=UTC), datetime(2026, 6, 30, 22, 0, tzinfo=UTC)
T0 = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)


def evaluation(id_: str, recording_id: str, score: float, **changes: object) -> Evaluation:
    values: dict[str, object] = {
        "id": id_, "recording_id": recording_id, "form_id": "gesprek", "evaluator": "teamlead",
        "submitted_at": T0, "answers": {}, "score": score, **changes,
    }  # fmt: skip
    return Evaluation(**values)  # type: ignore[arg-type]


def catalogue(folder: Path, *agents: str | None) -> None:
    with Catalog.open(folder, lambda: T0) as catalog:
        for number, agent in enumerate(agents, 1):
            catalog.add(recording(number, agent_id=agent), [])


def test_each_agent_gets_the_mean_of_the_current_evaluations_of_their_calls(
    tmp_path: Path,
) -> None:
    catalogue(tmp_path, "1001", "1001", "1002", None)
    with CoachingStore.open(tmp_path) as store:
        store.add_evaluation(evaluation("a", "r1", 90.0))
        store.add_evaluation(evaluation("b", "r1", 50.0, corrects="a"))  # replaces 90
        store.add_evaluation(evaluation("c", "r1", 80.0, evaluator="admin"))
        store.add_evaluation(evaluation("d", "r2", 75.5, form_id="kort"))
        store.add_evaluation(evaluation("e", "r3", 60.0))
        store.add_evaluation(evaluation("f", "r4", 10.0))  # no agent
        store.add_evaluation(evaluation("g", "r9", 10.0))  # purged from the catalogue
        store.add_evaluation(evaluation("h", "r3", 0.0, evaluator="admin",
                                        submitted_at=JUNE[1]))  # July, not June  # fmt: skip
    assert qa_per_agent(tmp_path, *JUNE) == {
        "1001": QaSummary(round((50.0 + 80.0 + 75.5) / 3, 1), 3),
        "1002": QaSummary(60.0, 1),
    }


def test_without_a_coaching_file_there_are_no_figures_and_nothing_is_made(
    tmp_path: Path,
) -> None:
    assert qa_per_agent(tmp_path / "nowhere", *JUNE) is None
    assert not (tmp_path / "nowhere").exists()
    catalogue(tmp_path, "1001")
    assert qa_per_agent(tmp_path, *JUNE) is None
    assert not (tmp_path / COACHING_FILE).exists()


def test_a_coaching_file_without_evaluations_gives_an_empty_summary(tmp_path: Path) -> None:
    catalogue(tmp_path, "1001")
    CoachingStore.open(tmp_path).close()
    assert qa_per_agent(tmp_path, *JUNE) == {}


def test_without_a_catalogue_no_one_can_be_scored(tmp_path: Path) -> None:
    CoachingStore.open(tmp_path).close()
    assert qa_per_agent(tmp_path, *JUNE) is None
    assert not (tmp_path / CATALOG_FILE).exists()


def test_an_unreadable_file_is_named(tmp_path: Path) -> None:
    catalogue(tmp_path, "1001")
    (tmp_path / COACHING_FILE).write_bytes(b"not sqlite" * 200)
    with pytest.raises(QaUnreadable, match=rf"QA scores in {tmp_path}: .*not a coaching file"):
        qa_per_agent(tmp_path, *JUNE)


def test_the_window_is_half_open(tmp_path: Path) -> None:
    catalogue(tmp_path, "1001")
    with CoachingStore.open(tmp_path) as store:
        store.add_evaluation(evaluation("a", "r1", 70.0, submitted_at=JUNE[0]))
    assert qa_per_agent(tmp_path, *JUNE) == {"1001": QaSummary(70.0, 1)}
    before = (JUNE[0] - timedelta(days=30), JUNE[0])
    assert qa_per_agent(tmp_path, *before) == {}
