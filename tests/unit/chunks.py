"""A hypothesis strategy shared by the parser property tests: bytes cut at any points."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import strategies as st


def cuts(data: bytes) -> st.SearchStrategy[list[bytes]]:
    """``data`` split at arbitrary points into non-empty chunks (b"" would mean the end of
    the stream to a parser), in order: joined they give ``data`` back."""
    points = st.lists(st.integers(1, max(len(data) - 1, 1)), max_size=8, unique=True)
    return points.map(lambda ps: _split(data, sorted(p for p in ps if p < len(data))))


def _split(data: bytes, points: list[int]) -> list[bytes]:
    edges = [0, *points, len(data)]
    return [data[a:b] for a, b in pairwise(edges) if data[a:b]]


def with_cuts(data: st.SearchStrategy[bytes]) -> st.SearchStrategy[tuple[bytes, list[bytes]]]:
    """Pairs of some bytes and those bytes cut somewhere."""
    return data.flatmap(lambda whole: st.tuples(st.just(whole), cuts(whole)))
