"""Sealed recordings: every size comes back whole, any range is the plaintext's slice,
every kind of tampering is refused, rotation keeps old files readable and rekey moves
them, and neither sealing nor opening ever reads more than a chunk at once."""

from __future__ import annotations

import hashlib
import io
import os
import random
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pytest

from recordings.keys import KeyRing, RecordingKey
from recordings.vault import (
    CHUNK_SIZE,
    HEADER_SIZE,
    TAG_SIZE,
    VaultError,
    open_range,
    plaintext_size,
    rekey,
    seal,
    seal_file,
)

OLD = RecordingKey("k2025", bytes(range(32)))
NEW = RecordingKey("k2026", bytes(range(50, 82)))
RING = KeyRing((OLD,))
ROTATED = KeyRing((NEW, OLD))


def sealed_bytes(plain: bytes, ring: KeyRing = RING, chunk_size: int = CHUNK_SIZE) -> bytes:
    target = io.BytesIO()
    seal(io.BytesIO(plain), target, ring, chunk_size=chunk_size)
    return target.getvalue()


def opened(sealed: bytes, ring: KeyRing = RING, start: int = 0, end: int | None = None) -> bytes:
    file = io.BytesIO(sealed)
    stop = plaintext_size(file) if end is None else end
    return b"".join(open_range(file, ring, start, stop))


def chunk_at(sealed: bytes, index: int, chunk_size: int) -> slice:
    begin = HEADER_SIZE + index * (chunk_size + TAG_SIZE)
    return slice(begin, begin + chunk_size + TAG_SIZE)


@pytest.mark.parametrize(
    "size", [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE + 17]
)
def test_every_size_comes_back_whole(size: int) -> None:
    plain = os.urandom(size)
    target = io.BytesIO()
    sealed = seal(io.BytesIO(plain), target, RING)
    chunks = max(1, -(-size // CHUNK_SIZE))
    assert (sealed.size, sealed.sha256, sealed.key_id) == (
        size, hashlib.sha256(plain).hexdigest(), "k2025",
    )  # fmt: skip
    assert len(target.getvalue()) == HEADER_SIZE + size + TAG_SIZE * chunks
    assert plaintext_size(io.BytesIO(target.getvalue())) == size
    assert opened(target.getvalue()) == plain
    if size >= 64:
        assert plain[:64] not in target.getvalue()


def test_every_range_is_the_slice_of_the_plaintext() -> None:
    plain = os.urandom(25)
    sealed = sealed_bytes(plain, chunk_size=7)
    for start in range(26):
        for end in range(start, 26):
            assert opened(sealed, start=start, end=end) == plain[start:end]


def test_random_ranges_of_a_larger_file() -> None:
    rng = random.Random(14023)
    plain = rng.randbytes(5 * CHUNK_SIZE + 123)
    sealed = sealed_bytes(plain)
    for _ in range(200):
        start = rng.randrange(len(plain) + 1)
        end = rng.randrange(start, len(plain) + 1)
        assert opened(sealed, start=start, end=end) == plain[start:end]


def test_a_range_outside_the_plaintext_is_refused() -> None:
    sealed = sealed_bytes(b"0123456789")
    for start, end in ((0, 11), (5, 4), (-1, 3)):
        with pytest.raises(ValueError, match="outside"):
            opened(sealed, start=start, end=end)


def test_a_range_decrypts_only_its_chunks_and_the_last(tmp_path: Path) -> None:
    plain = os.urandom(10 * 1000)
    path = tmp_path / "r.kccrec"
    path.write_bytes(sealed_bytes(plain, chunk_size=1000))
    with path.open("rb") as raw:
        file = ReadCounting(raw)
        assert b"".join(open_range(file, RING, 2500, 3500)) == plain[2500:3500]
    # The header, the last chunk (which binds the length), then chunks 2 and 3.
    assert file.reads == [HEADER_SIZE, 1000 + TAG_SIZE, 1000 + TAG_SIZE, 1000 + TAG_SIZE]


# ------------------------------------------------------------ tampering


def test_a_changed_byte_anywhere_is_refused() -> None:
    plain = os.urandom(30)
    sealed = sealed_bytes(plain, chunk_size=8)
    for position in range(len(sealed)):
        for flip in (0x01, 0x80):
            changed = bytearray(sealed)
            changed[position] ^= flip
            with pytest.raises(VaultError):
                opened(bytes(changed))


def test_a_changed_chunk_is_refused_when_it_is_read_naming_file_and_chunk() -> None:
    sealed = bytearray(sealed_bytes(os.urandom(40), chunk_size=8))
    sealed[chunk_at(bytes(sealed), 2, 8).start + 3] ^= 0x10
    assert opened(bytes(sealed), start=0, end=16)  # chunks 0, 1 and the last are sound
    with pytest.raises(VaultError, match=r"<stream>: chunk 2 of 5 failed authentication"):
        opened(bytes(sealed), start=0, end=24)


@pytest.mark.parametrize("cut", [1, TAG_SIZE, 8 + TAG_SIZE, 20])
def test_a_truncated_file_is_refused(cut: int) -> None:
    sealed = sealed_bytes(os.urandom(40), chunk_size=8)
    with pytest.raises(VaultError, match="truncated"):
        opened(sealed[:-cut], start=0, end=8)


def test_a_file_cut_at_a_chunk_with_its_length_rewritten_is_refused() -> None:
    # An attacker who drops the last chunk and fixes up the header's length: the new
    # last chunk was sealed as not-last, so it fails.
    sealed = bytearray(sealed_bytes(os.urandom(40), chunk_size=8)[: chunk_at(b"", 4, 8).start])
    sealed[HEADER_SIZE - 8 : HEADER_SIZE] = (32).to_bytes(8, "big")
    with pytest.raises(VaultError, match="chunk 3 of 4 failed"):
        opened(bytes(sealed), start=0, end=8)


def test_bytes_after_the_last_chunk_are_refused() -> None:
    with pytest.raises(VaultError, match="longer than its chunks"):
        opened(sealed_bytes(b"abc") + b"\0")


def test_swapped_chunks_are_refused() -> None:
    sealed = bytearray(sealed_bytes(os.urandom(40), chunk_size=8))
    first, second = chunk_at(bytes(sealed), 0, 8), chunk_at(bytes(sealed), 1, 8)
    sealed[first], sealed[second] = sealed[second], sealed[first]
    with pytest.raises(VaultError, match="chunk 0 of 5"):
        opened(bytes(sealed))


def test_a_chunk_from_another_file_is_refused() -> None:
    plain = os.urandom(40)
    one, other = bytearray(sealed_bytes(plain, chunk_size=8)), sealed_bytes(plain, chunk_size=8)
    place = chunk_at(other, 1, 8)
    one[place] = other[place]
    with pytest.raises(VaultError, match="chunk 1 of 5"):
        opened(bytes(one))


def test_the_wrong_key_and_an_unknown_key_id_are_refused() -> None:
    sealed = sealed_bytes(b"hallo")
    impostor = KeyRing((RecordingKey("k2025", bytes(32)),))
    with pytest.raises(VaultError, match="key 'k2025' is not its key"):
        opened(sealed, impostor)
    with pytest.raises(
        VaultError, match=r"sealed with key 'k2025', which is not in the key ring \(k2026\)"
    ):
        opened(sealed, KeyRing((NEW,)))


@pytest.mark.parametrize("content", [b"", b"RIFF....WAVEfmt ", os.urandom(200)])
def test_a_file_that_is_not_sealed_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.kccrec"
    path.write_bytes(content)
    with pytest.raises(VaultError, match=f"{path}: not a sealed recording"):
        plaintext_size(path)
    with pytest.raises(VaultError, match="not a sealed recording"):
        next(open_range(path, RING, 0, 0))


# ------------------------------------------------------------ files and rotation


def test_seal_file_writes_a_0600_file_whole_and_refuses_to_replace_one(tmp_path: Path) -> None:
    plain = os.urandom(3 * CHUNK_SIZE)
    (tmp_path / "call.wav").write_bytes(plain)
    target = tmp_path / "r1.kccrec"
    sealed = seal_file(tmp_path / "call.wav", target, RING)
    assert sealed.size == len(plain)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert b"".join(open_range(target, RING, 0, plaintext_size(target))) == plain
    with pytest.raises(FileExistsError):
        seal_file(tmp_path / "call.wav", target, RING)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["call.wav", "r1.kccrec"]


def test_a_failed_seal_leaves_nothing_behind(tmp_path: Path) -> None:
    (tmp_path / "call.wav").write_bytes(b"x")
    broken = KeyRing((RecordingKey("k1", bytes(32)),))
    with pytest.raises(ValueError, match="chunk_size"):
        seal_file(tmp_path / "call.wav", tmp_path / "r1.kccrec", broken, chunk_size=0)
    assert [p.name for p in tmp_path.iterdir()] == ["call.wav"]


def test_seal_needs_a_seekable_target_at_its_start() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)
    with open(write_end, "wb", buffering=0) as pipe, pytest.raises(ValueError, match="seekable"):
        seal(io.BytesIO(b"x"), pipe, RING)
    written = io.BytesIO()
    written.write(b"already here")
    with pytest.raises(ValueError, match="offset 0"):
        seal(io.BytesIO(b"x"), written, RING)


def test_a_file_under_the_old_key_opens_after_rotation_and_rekey_moves_it(tmp_path: Path) -> None:
    plain = os.urandom(2 * CHUNK_SIZE + 5)
    (tmp_path / "call.wav").write_bytes(plain)
    path = tmp_path / "r1.kccrec"
    seal_file(tmp_path / "call.wav", path, RING)
    assert b"".join(open_range(path, ROTATED, 0, len(plain))) == plain
    moved = rekey(path, ROTATED)
    assert moved is not None
    assert (moved.key_id, moved.size, moved.sha256) == (
        "k2026", len(plain), hashlib.sha256(plain).hexdigest(),
    )  # fmt: skip
    assert b"".join(open_range(path, KeyRing((NEW,)), 0, len(plain))) == plain
    with pytest.raises(VaultError, match="not in the key ring"):
        next(open_range(path, RING, 0, 1))
    assert rekey(path, ROTATED) is None
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["call.wav", "r1.kccrec"]


def test_rekey_of_a_tampered_file_fails_and_keeps_the_file(tmp_path: Path) -> None:
    sealed = bytearray(sealed_bytes(os.urandom(3 * CHUNK_SIZE)))
    sealed[HEADER_SIZE + 5] ^= 1
    path = tmp_path / "r1.kccrec"
    path.write_bytes(bytes(sealed))
    with pytest.raises(VaultError, match="chunk 0 of 3"):
        rekey(path, ROTATED)
    assert path.read_bytes() == bytes(sealed)
    assert [p.name for p in tmp_path.iterdir()] == ["r1.kccrec"]


# ------------------------------------------------------------ bounded memory


class Generated:
    """A 50 MB source made on demand, noting the largest read asked of it."""

    def __init__(self, size: int) -> None:
        self.left, self.largest, self.digest = size, 0, hashlib.sha256()
        self._pieces = self._make()

    def _make(self) -> Iterator[bytes]:
        block = bytes(range(256)) * 40  # 10 240 bytes: the reads straddle its edges
        while True:
            yield block

    def read(self, size: int = -1, /) -> bytes:
        assert size > 0, "seal must never read everything at once"
        self.largest = max(self.largest, size)
        piece = next(self._pieces)[: min(size, self.left, 7000)]  # short reads, like a pipe
        self.left -= len(piece)
        self.digest.update(piece)
        return piece


class ReadCounting:
    def __init__(self, file: BinaryIO) -> None:
        self._file, self.reads = file, list[int]()
        self.name = file.name

    def read(self, size: int = -1, /) -> bytes:
        self.reads.append(size)
        return self._file.read(size)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._file.seek(offset, whence)


def test_sealing_50_mb_never_reads_more_than_a_chunk(tmp_path: Path) -> None:
    source = Generated(50 * 1024 * 1024)
    with (tmp_path / "big.kccrec").open("w+b") as target:
        sealed = seal(source, target, RING)
        assert sealed.size == 50 * 1024 * 1024
        assert sealed.sha256 == source.digest.hexdigest()
        assert source.largest <= CHUNK_SIZE
        file = ReadCounting(target)
        last = b"".join(open_range(file, RING, sealed.size - 10, sealed.size))
    assert len(last) == 10
    assert max(file.reads) == CHUNK_SIZE + TAG_SIZE
