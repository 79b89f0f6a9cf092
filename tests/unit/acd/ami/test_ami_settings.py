"""Settings validation and the reconnect back-off."""

from __future__ import annotations

import pytest

from acd.ami.settings import AmiSettings, Backoff


def test_backoff_grows_exponentially_and_is_capped() -> None:
    backoff = Backoff(initial=0.5, maximum=8, jitter=0)
    assert [backoff.delay(n, lambda: 0.5) for n in range(6)] == [0.5, 1, 2, 4, 8, 8]
    assert backoff.delay(10_000, lambda: 0.5) == 8


def test_backoff_jitter_spreads_within_bounds_and_stays_capped() -> None:
    backoff = Backoff(initial=1, maximum=10, jitter=0.2)
    assert backoff.delay(1, lambda: 0.0) == pytest.approx(1.6)
    assert backoff.delay(1, lambda: 1.0) == pytest.approx(2.4)
    assert backoff.delay(5, lambda: 1.0) == 10


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"initial": 0}, "initial"),
        ({"initial": 5, "maximum": 1}, "initial"),
        ({"multiplier": 0.5}, "multiplier"),
        ({"jitter": 1}, "jitter"),
    ],
)
def test_backoff_validation(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Backoff(**kwargs)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"username": ""}, "username"),
        ({"port": 0}, "port"),
        ({"ping_timeout": 0}, "ping_timeout"),
        ({"event_queue_size": 0}, "event_queue_size"),
    ],
)
def test_settings_validation_names_the_field(kwargs: dict[str, object], message: str) -> None:
    values: dict[str, object] = {"username": "kcc", "secret": "x", **kwargs}
    with pytest.raises(ValueError, match=message):
        AmiSettings(**values)  # type: ignore[arg-type]


def test_secret_not_in_repr() -> None:
    assert "hunter2" not in repr(AmiSettings(username="kcc", secret="hunter2"))
