"""Problems found in a flow file, and the error that reports all of them at once.

Every problem names where it is (``nodes.<id>[.options.<digit>]``), what is wrong and
what is allowed, so whoever edits the YAML can fix it without reading the code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from site_config.errors import printable


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a flow file."""

    where: str
    what: str
    allowed: str

    def line(self, source: str) -> str:
        where, what, allowed = (printable(t) for t in (self.where, self.what, self.allowed))
        return f"{source}: {where}: {what}; allowed: {allowed}"


class FlowError(ValueError):
    """A flow file that cannot be used; ``str()`` is one line per problem."""

    def __init__(self, source: str, problems: Iterable[Problem]) -> None:
        self.source = source
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(p.line(source) for p in self.problems))
