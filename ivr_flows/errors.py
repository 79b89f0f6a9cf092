"""Problems found in a flow file, and the error that reports all of them at once.

Every problem names where it is (``nodes.<id>[.options.<digit>]``), what is wrong and
what is allowed, so whoever edits the YAML can fix it without reading the code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a flow file."""

    where: str
    what: str
    allowed: str

    def line(self, source: str) -> str:
        where, what, allowed = (_printable(t) for t in (self.where, self.what, self.allowed))
        return f"{source}: {where}: {what}; allowed: {allowed}"


def _printable(text: str) -> str:
    """``text`` with control characters escaped: a key holding a carriage return or a
    line separator would otherwise break the one-line-per-problem message apart."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class FlowError(ValueError):
    """A flow file that cannot be used; ``str()`` is one line per problem."""

    def __init__(self, source: str, problems: Iterable[Problem]) -> None:
        self.source = source
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(p.line(source) for p in self.problems))
