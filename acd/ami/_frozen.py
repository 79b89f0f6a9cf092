"""A faster constructor for the frozen dataclasses on the AMI hot path.

Why this exists: a frozen dataclass's generated ``__init__`` stores every
field through ``object.__setattr__``, which costs several times more than a
plain attribute store. The AMI reader builds one or two value objects per
event (a frame, a channel snapshot of 14 fields, the typed event), so that
cost dominated the parse benchmark (bench/bench_ami_parse.py).

``fast_frozen`` keeps everything the dataclass decorator generated (the
frozen ``__setattr__``, ``__eq__``, ``__hash__``, ``__repr__``, match args)
and replaces only ``__init__`` with one that writes the instance ``__dict__``
directly. The observable behaviour is the same as the generated constructor;
tests/unit/acd/ami/test_ami_frozen.py checks that.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

_T = TypeVar("_T")

# The generated function's only local; a field with this name is refused below.
_LOCAL = "_fast_frozen_dict"


def fast_frozen(cls: type[_T]) -> type[_T]:
    """Give a ``@dataclass(frozen=True)`` class (without slots) a fast ``__init__``."""
    _check(cls)
    fields = [f for f in dataclasses.fields(cls) if f.init]  # type: ignore[arg-type]
    namespace: dict[str, Any] = {"_MISSING": dataclasses.MISSING}
    exec(_init_source(cls.__name__, fields, namespace), namespace)  # as dataclasses does
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = cls.__init__.__doc__
    cls.__init__ = init  # type: ignore[method-assign]
    return cls


def _check(cls: type) -> None:
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen:
        raise TypeError(f"{cls.__name__}: fast_frozen needs @dataclass(frozen=True) applied first")
    if "__slots__" in cls.__dict__:
        raise TypeError(
            f"{cls.__name__}: fast_frozen writes __dict__, so slots=True cannot be used"
        )
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__}: fast_frozen does not call __post_init__")


def _init_source(name: str, fields: list[dataclasses.Field[Any]], namespace: dict[str, Any]) -> str:
    """Source of ``__init__``; defaults and factories are put into ``namespace``."""
    params: list[str] = []
    body: list[str] = []
    kw_only_started = False
    for f in fields:
        if f.name == _LOCAL:
            raise TypeError(f"{name}: field name {f.name!r} is reserved")
        if f.kw_only and not kw_only_started:
            params.append("*")
            kw_only_started = True
        value = f.name
        if f.default_factory is not dataclasses.MISSING:
            namespace[f"_factory_{f.name}"] = f.default_factory
            params.append(f"{f.name}=_MISSING")
            value = f"_factory_{f.name}() if {f.name} is _MISSING else {f.name}"
        elif f.default is not dataclasses.MISSING:
            namespace[f"_default_{f.name}"] = f.default
            params.append(f"{f.name}=_default_{f.name}")
        else:
            params.append(f.name)
        body.append(f"    {_LOCAL}[{f.name!r}] = {value}\n")
    return (
        f"def __init__(self, {', '.join(params)}):\n    {_LOCAL} = self.__dict__\n{''.join(body)}"
    )
