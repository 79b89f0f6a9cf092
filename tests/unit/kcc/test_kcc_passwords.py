from __future__ import annotations

import hashlib

import pytest

from site_config.passwords import (
    hash_password,
    parse_hash,
    sip_md5,
    token_sha256,
    verify_password,
    verify_token,
)


def test_hash_round_trips_and_rejects_wrong_password() -> None:
    stored = hash_password("demo-floor")
    assert verify_password("demo-floor", stored)
    assert not verify_password("demo-floorx", stored)
    assert not verify_password("Demo-floor", stored)
    assert not verify_password("", stored)


def test_hash_is_salted_and_self_describing() -> None:
    first, second = hash_password("same"), hash_password("same")
    assert first != second
    scheme, n, r, p, _salt, _digest = first.split("$")
    assert (scheme, n, r, p) == ("scrypt", "16384", "8", "1")
    parsed = parse_hash(first)
    assert len(parsed.salt) == 16
    assert len(parsed.digest) == 32
    assert parsed.encode() == first


def test_verify_uses_the_parameters_stored_in_the_hash() -> None:
    # A hash made with other costs must still verify: the cost can be raised later.
    stored = hash_password("pw")
    parsed = parse_hash(stored)
    cheaper = hashlib.scrypt(b"pw", salt=parsed.salt, n=1024, r=4, p=2, dklen=24)
    other = type(parsed)(n=1024, r=4, p=2, salt=parsed.salt, digest=cheaper).encode()
    assert verify_password("pw", other)
    assert not verify_password("pw2", other)


def test_empty_password_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        hash_password("")


@pytest.mark.parametrize(
    ("stored", "reason"),
    [
        ("plain-text", "not in the form"),
        ("bcrypt$16384$8$1$c2FsdA==$aGFzaA==", "not in the form"),
        ("scrypt$1000$8$1$c2FsdA==$aGFzaA==", "power of two"),
        ("scrypt$16384$x$1$c2FsdA==$aGFzaA==", "r 'x'"),
        ("scrypt$16384$8$1$!!!$aGFzaA==", "salt is not valid base64"),
        ("scrypt$16384$8$1$c2FsdA==$", "hash is empty"),
        ("scrypt$4194304$8$1$c2FsdA==$aGFzaA==", "n '4194304' is not a whole number"),
    ],
)
def test_malformed_hash_is_a_clear_error(stored: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        verify_password("pw", stored)


def test_sip_md5_is_the_digest_ha1() -> None:
    expected = hashlib.md5(b"201:kcc14023:demo201").hexdigest()
    assert sip_md5("201", "kcc14023", "demo201") == expected
    assert sip_md5("201", "other-realm", "demo201") != expected


def test_display_token() -> None:
    stored = token_sha256("demo-wall-display")
    assert stored == hashlib.sha256(b"demo-wall-display").hexdigest()
    assert verify_token("demo-wall-display", stored)
    assert verify_token("demo-wall-display", stored.upper())
    assert not verify_token("demo-wall-displa", stored)
