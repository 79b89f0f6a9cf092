"""Constrained value types shared by the site configuration models.

Each type validates fully in one ``BeforeValidator`` and, when the value is wrong,
raises a :func:`not_allowed` error that carries the human text for "allowed: ...".
:mod:`site_config.errors` turns those into ``<file>: <key>: <what>; allowed: <allowed>``.

Pydantic's lax mode would quietly turn ``true`` into ``1`` and ``"5060"`` into 5060;
these validators accept only the YAML type that was meant, so a typo cannot become a
silently different setting.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator
from pydantic_core import PydanticCustomError

NOT_ALLOWED = "kcc_not_allowed"

ID_ALLOWED = "lowercase letters, digits and '-' (1-32 chars)"


class FrozenModel(BaseModel, frozen=True, extra="forbid"):
    """Base for every configuration object: immutable, unknown keys rejected.

    Subclasses repeat ``frozen=True`` in their class line: that is how mypy's
    dataclass_transform support learns they are read-only (``model_config`` alone
    is invisible to it), so an assignment to a config field fails type checking.
    """


def not_allowed(allowed: str, what: str = "") -> PydanticCustomError:
    """The error every validator here raises; ``what`` defaults to "<value> is not allowed"."""
    return PydanticCustomError(NOT_ALLOWED, "{allowed}", {"allowed": allowed, "what": what})


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number; put it in quotes"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if value is None:
        return "empty"
    return type(value).__name__


def _require_str(value: Any, allowed: str) -> str:
    if not isinstance(value, str):
        raise not_allowed(allowed, f"{value!r} ({_kind(value)}) is not allowed")
    return value


def matches(pattern: str, allowed: str) -> BeforeValidator:
    """Text matching ``pattern`` completely."""
    compiled = re.compile(pattern)

    def check(value: Any) -> Any:
        if not compiled.fullmatch(_require_str(value, allowed)):
            raise not_allowed(allowed)
        return value

    return BeforeValidator(check)


# Line breaks (also Unicode's NEL, LS, PS) and other control characters: in a generated
# Asterisk file a line break starts a new setting; in a log or a header, a forged line.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# What changes meaning in an Asterisk value or a SIP display name: ';' starts a
# comment, '"' '<' '>' end the display name, '\\' escapes, '[' ']' open a section.
_CONF_SPECIAL = re.compile(r'[;"<>\\\[\]]')
CONF_SPECIAL_SHOWN = '; " < > \\ [ ]'


def _refuse_control(value: str, allowed: str) -> None:
    found = _CONTROL.search(value)
    if found:
        what = f"{short(value)} contains a line break or control character ({found.group()!r})"
        raise not_allowed(allowed, what)


def short(value: str) -> str:
    """``repr`` of a value, cut for an error line."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def text(max_len: int) -> BeforeValidator:
    """Free text on one line: not blank, at most ``max_len`` characters, no control
    characters (it may land in a generated Asterisk file, a header or a log line)."""
    allowed = f"non-empty text on one line of at most {max_len} characters"

    def check(value: Any) -> Any:
        if not _require_str(value, allowed).strip() or len(value) > max_len:
            raise not_allowed(allowed)
        _refuse_control(value, allowed)
        return value

    return BeforeValidator(check)


def label(max_len: int) -> BeforeValidator:
    """A name written into an Asterisk value (a phone's caller id): one line and none of
    the characters that would end or escape it there."""
    allowed = (
        f"non-empty text on one line of at most {max_len} characters, without {CONF_SPECIAL_SHOWN}"
    )

    def check(value: Any) -> Any:
        if not _require_str(value, allowed).strip() or len(value) > max_len:
            raise not_allowed(allowed)
        _refuse_control(value, allowed)
        found = _CONF_SPECIAL.search(value)
        if found:
            raise not_allowed(allowed, f"{short(value)} contains {found.group()!r}")
        return value

    return BeforeValidator(check)


def in_range(low: int, high: int, unit: str = "") -> BeforeValidator:
    """A whole number from ``low`` to ``high`` inclusive (booleans and strings refused)."""
    allowed = f"a whole number from {low} to {high}{' ' + unit if unit else ''}"

    def check(value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise not_allowed(allowed)
        return value

    return BeforeValidator(check)


def fraction(*, allow_zero: bool) -> BeforeValidator:
    """A share between 0 and 1: ``0 <= x <= 1`` or, without ``allow_zero``, ``0 < x <= 1``."""
    allowed = (
        "a number from 0 to 1 (e.g. 0.8 for 80%)"
        if allow_zero
        else "a number greater than 0 and at most 1 (e.g. 0.8 for 80%)"
    )

    def check(value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise not_allowed(allowed)
        if not 0 <= value <= 1 or (value == 0 and not allow_zero):
            raise not_allowed(allowed)
        return float(value)

    return BeforeValidator(check)


def lower_hex(length: int) -> BeforeValidator:
    """Exactly ``length`` hex digits; stored lowercase so comparisons are simple."""
    allowed = f"exactly {length} hexadecimal digits (0-9, a-f)"
    compiled = re.compile(f"[0-9a-fA-F]{{{length}}}")

    def check(value: Any) -> Any:
        if not compiled.fullmatch(_require_str(value, allowed)):
            raise not_allowed(allowed)
        return value.lower()

    return BeforeValidator(check)


def _strict_bool(value: Any) -> Any:
    if not isinstance(value, bool):
        raise not_allowed("true or false")
    return value


Identifier = Annotated[str, matches(r"[a-z0-9-]{1,32}", ID_ALLOWED)]
DIGITS_ALLOWED = "1-10 digits in quotes, e.g. '201' (unquoted, YAML drops leading zeros)"
Digits = Annotated[str, matches(r"[0-9]{1,10}", DIGITS_ALLOWED)]
Hex32 = Annotated[str, lower_hex(32)]
Hex64 = Annotated[str, lower_hex(64)]
Boolean = Annotated[bool, BeforeValidator(_strict_bool)]
Port = Annotated[int, in_range(1, 65535)]
