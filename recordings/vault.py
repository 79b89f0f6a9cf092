"""Recordings encrypted at rest: chunked AES-256-GCM files, read back by byte range.

Theory of operation
-------------------
A recording is personal data, so it is on disk only sealed. It is sealed in fixed-size
chunks, each with its own GCM tag, so neither writing nor reading ever holds more than a
chunk or two in memory, and a replay's HTTP Range request decrypts only the chunks that
cover the range. A chunk is opened (tag checked) before any of its bytes leave this
module: no unauthenticated plaintext is ever returned.

File format, version 1 (integers big-endian)::

    offset  size  field
    0       8     magic b"KCCREC1\\n"
    8       1     version (1)
    9       1     length n of the key id (1-32)
    10      32    key id, n ASCII bytes then zero bytes
    42      8     nonce prefix, random per file
    50      4     chunk size C: plaintext bytes per chunk (64 KiB by default)
    54      8     plaintext length L
    62            chunks

There are ``N = max(1, ceil(L / C))`` chunks (an empty recording still has one, empty,
so even it is authenticated). Chunk ``i`` holds plaintext ``[i*C, min(L, (i+1)*C))``
as ciphertext plus a 16-byte tag at offset ``62 + i*(C + 16)``; the file is exactly
``62 + L + 16*N`` bytes. Chunk ``i`` is sealed with

* nonce = nonce prefix (8) || i (4 bytes), unique per key: a fresh random prefix per
  file (``rekey`` draws a new one) and an index within it;
* associated data = header bytes 0-53 (everything but L) || i (4) || last flag (1:
  1 on chunk N-1, else 0) || L (8, on the last chunk only).

So a changed byte anywhere fails a tag; reordered chunks fail (the index is in the
nonce and the data); a chunk from another file fails (other prefix, other header);
a file cut at a chunk boundary fails (its new last chunk was sealed with flag 0).
L is bound only by the last chunk because ``seal`` streams a source of unknown length:
the earlier chunks are sealed before L is known, and L is written into the header at
the end (the target must be seekable). ``open_range`` therefore opens the last chunk
first, every time, which authenticates L (one extra chunk, microseconds) before it
yields anything; ``plaintext_size`` reads L unchecked, for a Range answer's arithmetic,
and the ``open_range`` that follows refuses a file whose L was changed.

Errors: anything wrong with a file (not one of ours, tampered, truncated, a key id not in
the ring, the wrong key) raises :class:`VaultError` naming the file and what failed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import struct
import tempfile
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol, TypeVar

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from recordings.keys import KEY_ID, KeyRing

T = TypeVar("T")

MAGIC = b"KCCREC1\n"
VERSION = 1
CHUNK_SIZE = 64 * 1024
MAX_CHUNK_SIZE = 16 * 1024 * 1024  # a header asking for more is refused: reading stays bounded
TAG_SIZE = 16
SEALED_SUFFIX = ".kccrec"
_HEADER = struct.Struct(">8sBB32s8sIQ")
HEADER_SIZE = _HEADER.size  # 62
_BOUND = HEADER_SIZE - 8  # the header bytes every chunk's associated data covers
_MAX_CHUNKS = 2**32  # the index is 4 bytes of the nonce


class VaultError(RuntimeError):
    """A sealed file cannot be opened: the message names the file and what failed."""


class Readable(Protocol):
    """What ``seal`` reads from: a file, a pipe, a decrypting stream."""

    def read(self, size: int = -1, /) -> bytes: ...


class Seekable(Readable, Protocol):
    """What ``open_range`` reads from: a file opened for reading, or the like."""

    def seek(self, offset: int, whence: int = 0, /) -> int: ...


@dataclass(frozen=True, slots=True)
class Sealed:
    """What sealing wrote: the plaintext's size and SHA-256, and the key it is under."""

    size: int
    sha256: str
    key_id: str


@dataclass(frozen=True, slots=True)
class _Header:
    """A file's header as read; ``bound`` is its bytes 0-53 as they are in the file."""

    key_id: str
    prefix: bytes
    chunk_size: int
    length: int
    bound: bytes

    @property
    def chunks(self) -> int:
        return max(1, -(-self.length // self.chunk_size))

    @property
    def file_size(self) -> int:
        return HEADER_SIZE + self.length + TAG_SIZE * self.chunks

    def offset(self, index: int) -> int:
        return HEADER_SIZE + index * (self.chunk_size + TAG_SIZE)

    def plain_size(self, index: int) -> int:
        return min(self.chunk_size, self.length - index * self.chunk_size)

    def associated(self, index: int) -> bytes:
        last = index == self.chunks - 1
        return _associated(self.bound, index, self.length if last else None)


# ---------------------------------------------------------------- sealing


def seal(
    source: Readable, target: BinaryIO, ring: KeyRing, *, chunk_size: int = CHUNK_SIZE
) -> Sealed:
    """Seal all of ``source`` into ``target`` (seekable, empty) under the ring's current key.

    Reads ``chunk_size`` bytes at a time and holds two chunks at most: one read ahead
    tells whether the chunk in hand is the last.
    """
    if not 1 <= chunk_size <= MAX_CHUNK_SIZE:
        raise ValueError(f"chunk_size={chunk_size}; allowed: 1 to {MAX_CHUNK_SIZE}")
    if not target.seekable() or target.tell() != 0:
        raise ValueError(
            "seal needs a seekable target at offset 0: it writes a whole file and the "
            "length goes into the header last"
        )
    key, prefix = ring.current, os.urandom(8)
    packed = _pack(key.id, prefix, chunk_size)
    target.write(packed)
    aead, digest, length = AESGCM(key.secret), hashlib.sha256(), 0
    chunk, index = _read_exactly(source, chunk_size), 0
    while True:
        following = _read_exactly(source, chunk_size) if len(chunk) == chunk_size else b""
        digest.update(chunk)
        length += len(chunk)
        # Only the last chunk binds the length: the others are sealed before it is known.
        ad = _associated(packed[:_BOUND], index, None if following else length)
        target.write(aead.encrypt(_nonce(prefix, index), chunk, ad))
        if not following:
            break
        chunk, index = following, index + 1
        if index >= _MAX_CHUNKS:
            raise ValueError(f"too long to seal: more than {_MAX_CHUNKS} chunks")
    end = target.tell()
    target.seek(_BOUND)
    target.write(length.to_bytes(8, "big"))
    target.seek(end)
    return Sealed(size=length, sha256=digest.hexdigest(), key_id=key.id)


def seal_file(
    plain_path: Path, sealed_path: Path, ring: KeyRing, *, chunk_size: int = CHUNK_SIZE
) -> Sealed:
    """Seal ``plain_path`` into a new ``sealed_path`` (0600), whole or not at all.

    Refuses to replace an existing file: a recording, once written, is only rekeyed.
    """
    if sealed_path.exists():
        raise FileExistsError(f"{sealed_path}: a sealed recording is there already")
    with plain_path.open("rb") as plain:
        return _write_atomically(
            sealed_path, lambda file: seal(plain, file, ring, chunk_size=chunk_size)
        )


def rekey(path: Path, ring: KeyRing) -> Sealed | None:
    """Re-seal ``path`` under the ring's current key, atomically; None if it is already.

    For key rotation: once every file is rekeyed the old key can leave the ring. Every
    chunk is authenticated as it is read, so what is re-sealed is what was sealed; the
    caller still compares the returned SHA-256 with the catalogue's and stores the new
    key id.
    """
    with path.open("rb") as file:
        header = _read_header(file, str(path))
    if header.key_id == ring.current.id:
        return None
    chunks = open_range(path, ring, 0, header.length)
    with contextlib.closing(chunks):
        plain = _ChunkReader(chunks)
        return _write_atomically(
            path, lambda file: seal(plain, file, ring, chunk_size=header.chunk_size)
        )


# ---------------------------------------------------------------- opening


def plaintext_size(source: Path | Seekable) -> int:
    """The plaintext length the header states (checked by the ``open_range`` that follows)."""
    with _opened(source) as (file, name):
        return _read_header(file, name).length


def open_range(
    source: Path | Seekable, ring: KeyRing, start: int, end: int
) -> Generator[bytes, None, None]:
    """Yield the plaintext bytes ``[start, end)``, decrypting only the chunks they cover.

    Nothing is read before the first ``next()``; that step makes every check (header,
    key, file size, the last chunk and with it the length) before it yields a byte, so
    a server pulls it before it sends its status line. A file object is read by seeking.
    """
    with _opened(source) as (file, name):
        header = _read_header(file, name)
        if not 0 <= start <= end <= header.length:
            raise ValueError(f"{name}: range [{start}, {end}) outside [0, {header.length}]")
        aead = _aead(header, ring, name)
        _check_size(file, header, name)
        last = header.chunks - 1
        tail = _open_chunk(file, header, aead, last, name)
        if start == end:
            return
        size = header.chunk_size
        for index in range(start // size, (end - 1) // size + 1):
            plain = tail if index == last else _open_chunk(file, header, aead, index, name)
            base = index * size
            yield plain[max(start - base, 0) : min(end - base, len(plain))]


def _read_header(file: Seekable, name: str) -> _Header:
    file.seek(0)
    packed = _read_exactly(file, HEADER_SIZE)
    if len(packed) < HEADER_SIZE or not packed.startswith(MAGIC):
        raise VaultError(f"{name}: not a sealed recording (no {MAGIC!r} header)")
    _, version, id_length, id_field, prefix, chunk_size, length = _HEADER.unpack(packed)
    if version != VERSION:
        raise VaultError(f"{name}: sealed recording version {version}; this code reads {VERSION}")
    key_id = id_field[:id_length].decode("ascii", "replace")
    padding = id_field[id_length:]
    if not (
        KEY_ID.fullmatch(key_id) and len(key_id) == id_length and padding.count(0) == len(padding)
    ):
        raise VaultError(f"{name}: the header's key id is damaged")
    if not 1 <= chunk_size <= MAX_CHUNK_SIZE:
        raise VaultError(f"{name}: the header's chunk size {chunk_size} is out of range")
    return _Header(key_id, prefix, chunk_size, length, packed[:_BOUND])


def _aead(header: _Header, ring: KeyRing, name: str) -> AESGCM:
    key = ring.find(header.key_id)
    if key is None:
        raise VaultError(
            f"{name}: sealed with key {header.key_id!r}, which is not in the key ring "
            f"({', '.join(ring.ids)})"
        )
    return AESGCM(key.secret)


def _check_size(file: Seekable, header: _Header, name: str) -> None:
    actual = file.seek(0, os.SEEK_END)
    if actual != header.file_size:
        what = "truncated" if actual < header.file_size else "longer than its chunks"
        raise VaultError(
            f"{name}: {what}: {actual} bytes, the header's length makes {header.file_size}"
        )


def _open_chunk(file: Seekable, header: _Header, aead: AESGCM, index: int, name: str) -> bytes:
    file.seek(header.offset(index))
    sealed = _read_exactly(file, header.plain_size(index) + TAG_SIZE)
    try:
        return aead.decrypt(_nonce(header.prefix, index), sealed, header.associated(index))
    except InvalidTag:
        raise VaultError(
            f"{name}: chunk {index} of {header.chunks} failed authentication: the file was "
            f"changed, cut or pieced together, or key {header.key_id!r} is not its key"
        ) from None


# ---------------------------------------------------------------- helpers


def _pack(key_id: str, prefix: bytes, chunk_size: int) -> bytes:
    """A header with length 0: ``seal`` writes the length over it at the end."""
    encoded = key_id.encode("ascii")
    return _HEADER.pack(MAGIC, VERSION, len(encoded), encoded, prefix, chunk_size, 0)


def _nonce(prefix: bytes, index: int) -> bytes:
    return prefix + index.to_bytes(4, "big")


def _associated(bound: bytes, index: int, length: int | None) -> bytes:
    """A chunk's associated data; ``length`` is given for the last chunk only."""
    last = b"\x00" if length is None else b"\x01" + length.to_bytes(8, "big")
    return bound + index.to_bytes(4, "big") + last


def _read_exactly(source: Readable, size: int) -> bytes:
    """``size`` bytes, fewer only at the end: a pipe or socket may return short reads."""
    parts: list[bytes] = []
    have = 0
    while have < size:
        part = source.read(size - have)
        if not part:
            break
        parts.append(part)
        have += len(part)
    return parts[0] if len(parts) == 1 else b"".join(parts)


class _ChunkReader:
    """A ``read(n)`` over an iterator of byte strings (``open_range`` into ``seal``)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks, self._buffer = chunks, bytearray()

    def read(self, size: int = -1, /) -> bytes:
        while size < 0 or len(self._buffer) < size:
            piece = next(self._chunks, None)
            if piece is None:
                break
            self._buffer += piece
        taken = len(self._buffer) if size < 0 else size
        out = bytes(self._buffer[:taken])
        del self._buffer[:taken]
        return out


@contextlib.contextmanager
def _opened(source: Path | Seekable) -> Iterator[tuple[Seekable, str]]:
    if isinstance(source, Path):
        with source.open("rb") as file:
            yield file, str(source)
    else:
        yield source, str(getattr(source, "name", "<stream>"))


def _write_atomically(path: Path, write: Callable[[BinaryIO], T]) -> T:
    """Write a temporary file beside ``path``, fsync it, rename it over, fsync the folder."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    try:
        with os.fdopen(fd, "wb") as file:
            result = write(file)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
    return result
