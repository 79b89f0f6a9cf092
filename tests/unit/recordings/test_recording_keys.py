"""The key ring from the environment: entries parsed, the first one current, and every
wrong setting refused with a message naming the entry, never the key material."""

from __future__ import annotations

import base64
import re

import pytest

from recordings.keys import (
    ENVIRONMENT_VARIABLE,
    KeyRing,
    KeyRingError,
    RecordingKey,
    generate_key,
)

KEY_A = bytes(range(32))
KEY_B = bytes(range(100, 132))


def environ(value: str) -> dict[str, str]:
    return {ENVIRONMENT_VARIABLE: value}


def test_the_first_entry_is_current_and_the_others_only_open() -> None:
    standard = base64.b64encode(KEY_A).decode()
    urlsafe = base64.urlsafe_b64encode(KEY_B).decode().rstrip("=")
    ring = KeyRing.from_environ(environ(f" k2026:{standard} , k2025:{urlsafe}"))
    assert ring.current == RecordingKey("k2026", KEY_A)
    assert ring.ids == ("k2026", "k2025")
    assert ring.find("k2025") == RecordingKey("k2025", KEY_B)
    assert ring.find("k2024") is None


def test_a_generated_entry_reads_back_and_the_default_ids_differ() -> None:
    entry = generate_key("k-2026-06")
    ring = KeyRing.from_environ(environ(entry))
    assert ring.current.id == "k-2026-06"
    assert len(ring.current.secret) == 32
    assert generate_key() != generate_key()
    assert KeyRing.from_environ(environ(generate_key())).current.id.startswith("k")


def test_no_key_shows_in_a_repr() -> None:
    ring = KeyRing((RecordingKey("k1", KEY_A),))
    assert repr(KEY_A) not in repr(ring)
    assert "secret" not in repr(ring)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "is not set"),
        ("   ", "is not set"),
        ("k1", "entry 1 is not 'id:base64key'"),
        (f"K1:{base64.b64encode(KEY_A).decode()}", "entry 1: key id 'K1'; allowed"),
        (f"k_1:{base64.b64encode(KEY_A).decode()}", "key id 'k_1'"),
        (f"{'k' * 33}:{base64.b64encode(KEY_A).decode()}", "allowed: 1 to 32"),
        (f":{base64.b64encode(KEY_A).decode()}", "key id ''"),
        ("k1:not base64!", "entry 1 ('k1'): the key is not base64"),
        (f"k1:{base64.b64encode(KEY_A[:16]).decode()}", "the key is 16 bytes; allowed: 32"),
        (f"k1:{base64.b64encode(KEY_A).decode()},", "entry 2 is not 'id:base64key'"),
        (
            f"k1:{base64.b64encode(KEY_A).decode()},k1:{base64.b64encode(KEY_B).decode()}",
            "given more than once: k1",
        ),
    ],
)
def test_a_wrong_setting_is_refused_naming_what_is_wrong(value: str, message: str) -> None:
    with pytest.raises(KeyRingError, match=re.escape(message)) as caught:
        KeyRing.from_environ(environ(value))
    assert ENVIRONMENT_VARIABLE in str(caught.value)
    assert base64.b64encode(KEY_A).decode() not in str(caught.value)


def test_a_missing_variable_is_refused() -> None:
    with pytest.raises(KeyRingError, match=f"{ENVIRONMENT_VARIABLE} is not set"):
        KeyRing.from_environ({})


def test_a_ring_is_never_empty_and_a_key_is_always_32_bytes() -> None:
    with pytest.raises(KeyRingError, match="at least one key"):
        KeyRing(())
    with pytest.raises(KeyRingError, match="31 bytes"):
        RecordingKey("k1", KEY_A[:31])
    with pytest.raises(KeyRingError, match="allowed"):
        generate_key("Not An Id")
