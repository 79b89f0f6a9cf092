"""Who answers what: topics, TIC positions, agents and back-office departments.

The TIC (front line) has positions (softphone endpoints, one peak position to scale up
at busy times) and agents rostered on the topics they master. Back-office departments
receive warm transfers; a direct call they do not pick up falls back to the TIC queue.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationInfo, field_validator

from site_config.access import PinHash
from site_config.fields import (
    Boolean,
    Digits,
    FrozenModel,
    Hex32,
    Identifier,
    fraction,
    in_range,
    label,
    not_allowed,
    text,
)


class Topic(FrozenModel, frozen=True):
    """A subject callers can choose in the keypad menu."""

    id: Identifier
    name: Annotated[str, text(40)]  # short Dutch label read out in the menu
    explanation: Annotated[str, text(200)]  # plain Dutch; callers do not know municipal terms
    self_handling_target: Annotated[float, fraction(allow_zero=True)]
    # A caller of this topic who has waited this long is offered to any free TIC agent
    # (skills overflow); one whose topic no logged-in agent handles, at once.
    overflow_after_s: Annotated[int, in_range(5, 3600, "seconds")] = 60


class Position(FrozenModel, frozen=True):
    """A TIC agent position (bedienpost): one SIP endpoint on a desk."""

    id: Identifier
    extension: Digits
    peak: Boolean = False  # the extra position staffed only at peaks
    sip_md5: Hex32  # md5("<extension>:<sip_realm>:<password>")


class Agent(FrozenModel, frozen=True):
    """A TIC employee; logs in on any position with their agent number."""

    id: Digits  # the agent number
    name: Annotated[str, text(80)]
    topics: Annotated[tuple[Identifier, ...], Field(min_length=1)]
    # The PIN for the phone login *51<agent>, hashed as a password (kcc hash-password);
    # without one the agent number alone logs in, unless access.phone_pin_required.
    pin_hash: PinHash | None = None

    @field_validator("topics")
    @classmethod
    def _each_topic_once(cls, topics: tuple[str, ...]) -> tuple[str, ...]:
        repeated = sorted({topic for topic in topics if topics.count(topic) > 1})
        if repeated:
            raise not_allowed("each topic once", f"{', '.join(repeated)} listed twice")
        return topics


PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png")


class BackOfficeExtension(FrozenModel, frozen=True):
    """A colleague's or team's phone in a back-office department; also their entry in
    the phonebook (name, role, photo)."""

    extension: Digits
    # Also the phone's caller id in pjsip.conf ('"<name>" <301>'): a label, not free text.
    name: Annotated[str, label(80)]
    sip_md5: Hex32
    role: Annotated[str, text(80)] | None = None  # what they do: "Medewerker reisdocumenten"
    # A portrait for the phonebook; a relative path is relative to the config file.
    photo: Path | None = None

    @field_validator("photo", mode="after")
    @classmethod
    def _existing_photo(cls, path: Path | None, info: ValidationInfo) -> Path | None:
        if path is None:
            return None
        base = info.context.get("base_dir") if isinstance(info.context, dict) else None
        resolved = (Path(base) / path if base is not None else path).resolve()
        allowed = "an existing .jpg or .png file; a relative path is relative to the config file"
        if resolved.suffix.lower() not in PHOTO_SUFFIXES or not resolved.is_file():
            raise not_allowed(allowed, f"{str(path)!r} is not allowed ({resolved})")
        return resolved


class Department(FrozenModel, frozen=True):
    """A back-office department; receives warm transfers, no hunt group."""

    id: Identifier
    name: Annotated[str, text(80)]
    extensions: Annotated[tuple[BackOfficeExtension, ...], Field(min_length=1)]
    # Unanswered direct calls fall back to the TIC queue after this; 15 s = 3 Dutch rings.
    fallback_after_s: Annotated[int, in_range(5, 300, "seconds")] = 15
    # A caller camped on a colleague in a call waits this long for the line to be free,
    # then falls back to the TIC queue (docs/decisions.md, "Camp-on").
    camp_on_after_s: Annotated[int, in_range(30, 1800, "seconds")] = 180
