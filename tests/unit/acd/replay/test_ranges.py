"""Byte ranges as the player and download managers send them."""

from __future__ import annotations

import pytest

from acd.replay.ranges import ByteRange, Unsatisfiable, parse_range

SIZE = 1000


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-99", ByteRange(0, 100, SIZE)),
        ("bytes=500-599", ByteRange(500, 600, SIZE)),
        ("bytes=900-", ByteRange(900, 1000, SIZE)),
        ("bytes=-100", ByteRange(900, 1000, SIZE)),
        ("bytes=-5000", ByteRange(0, 1000, SIZE)),  # more than there is: all of it
        ("bytes=990-5000", ByteRange(990, 1000, SIZE)),  # the end is clipped
        (" bytes = 10 - 19 ", ByteRange(10, 20, SIZE)),
        ("bytes=0-0", ByteRange(0, 1, SIZE)),
    ],
)
def test_one_range_is_the_bytes_it_names(header: str, expected: ByteRange) -> None:
    assert parse_range(header, SIZE) == expected


@pytest.mark.parametrize(
    "header", [None, "bytes=0-1,5-6", "items=0-5", "bytes=", "bytes=-", "bytes=9-3", "bytes=a-b"]
)
def test_no_range_several_or_a_malformed_one_is_the_whole_file(header: str | None) -> None:
    assert parse_range(header, SIZE) is None


@pytest.mark.parametrize(("header", "size"), [("bytes=1000-", 1000), ("bytes=2000-2100", 1000),
                                              ("bytes=-0", 1000), ("bytes=0-", 0),
                                              ("bytes=-10", 0)])  # fmt: skip
def test_a_range_outside_the_file_is_unsatisfiable(header: str, size: int) -> None:
    with pytest.raises(Unsatisfiable) as refused:
        parse_range(header, size)
    assert refused.value.size == size


def test_a_range_says_its_length_and_content_range() -> None:
    part = ByteRange(900, 1000, SIZE)
    assert (part.length, part.content_range) == (100, "bytes 900-999/1000")
