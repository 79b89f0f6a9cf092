"""Edits of the sample site's data, for the tests that make one value bad and read the error."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from site_config import ConfigError, load_site_config

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


def refusal_of(
    edit: Edit, data: Data, write_site: Callable[[Data], Path]
) -> tuple[ConfigError, Path]:
    """The error that loading ``data``, once ``edit`` has changed it, raises; and the path
    of the file it was written to (``write_site``: the fixture)."""
    edit(data)
    path = write_site(data)
    with pytest.raises(ConfigError) as caught:
        load_site_config(str(path))
    return caught.value, path
