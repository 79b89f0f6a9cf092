"""Edits of the sample site's data, for the tests that make one value bad and read the error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Data = dict[str, Any]
Edit = Callable[[Data], None]

# The topic ids of the sample site, as a message that lists the allowed topics names them.
TOPICS = (
    "burgerzaken, belastingen, afval-openbare-ruimte, parkeren-vergunningen, bouwen-wonen, algemeen"
)


def set_at(*path: str | int, value: Any) -> Edit:
    """An edit that sets the key (or list index) at ``path`` to ``value``."""

    def edit(data: Data) -> None:
        target: Any = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return edit


def both(first: Edit, second: Edit) -> Edit:
    def edit(data: Data) -> None:
        first(data)
        second(data)

    return edit
