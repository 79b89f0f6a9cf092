"""fast_frozen must behave exactly like the dataclass constructor it replaces."""

from __future__ import annotations

import dataclasses
import pickle
from dataclasses import dataclass, field

import pytest

from acd.ami._frozen import fast_frozen


def _declare() -> type:
    """The same dataclass, fresh each call, so one copy can be given fast_frozen."""

    @dataclass(frozen=True)
    class Sample:
        name: str
        count: int = 3
        tags: tuple[str, ...] = field(default_factory=tuple)
        note: str = field(default="n", kw_only=True)

    return Sample


Plain: type = _declare()
Fast: type = fast_frozen(_declare())


@fast_frozen
@dataclass(frozen=True)
class Pickled:
    name: str
    count: int = 0


@pytest.mark.parametrize(
    "args, kwargs",
    [(("a",), {}), (("a", 5), {}), (("a",), {"tags": ("x",), "note": "m"}), ((), {"name": "b"})],
)
def test_same_fields_as_the_generated_init(
    args: tuple[object, ...], kwargs: dict[str, object]
) -> None:
    slow, fast = Plain(*args, **kwargs), Fast(*args, **kwargs)
    assert dataclasses.asdict(slow) == dataclasses.asdict(fast)
    assert repr(slow) == repr(fast)


def test_equality_hash_and_frozenness_are_kept() -> None:
    a, b = Fast("a", 1), Fast("a", 1)
    assert a == b and hash(a) == hash(b) and a != Fast("a", 2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.name = "z"
    assert dataclasses.replace(a, count=9).count == 9
    assert pickle.loads(pickle.dumps(Pickled("p", 2))) == Pickled("p", 2)


def test_default_factory_runs_per_instance() -> None:
    @fast_frozen
    @dataclass(frozen=True)
    class Box:
        items: list[int] = field(default_factory=list)

    assert Box().items is not Box().items


def test_wrong_errors_are_refused() -> None:
    with pytest.raises(TypeError, match="missing"):
        Fast()  # same TypeError as the generated __init__ would raise
    with pytest.raises(TypeError, match="frozen=True"):
        fast_frozen(dataclass(type("M", (), {"__annotations__": {"x": int}})))
    with pytest.raises(TypeError, match="slots"):
        fast_frozen(
            dataclass(frozen=True, slots=True)(type("S", (), {"__annotations__": {"x": int}}))
        )
