"""The IVR's live switches kept across controller restarts, in one small JSON file.

The floor manager switches a calamity message on during an outage and the topic menu off
when every agent handles every topic; a controller restarted in the middle of that must
not silently drop back to the site's defaults. The file holds what is in force and, per
switch, who changed it and when.

Written whole to a temporary file (mode 0600: the calamity text can name an incident
before it is public) and renamed over the old one, so a crash mid-write leaves the
previous version, never half a file. A file that cannot be read (damaged, from a newer
version) is set aside as ``.unreadable`` with a warning naming it, and the site's
defaults apply: the better mistake than a controller that does not start.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

log = logging.getLogger(__name__)

VERSION = 1
SWITCHES = ("calamity", "topic_menu")


@dataclass(frozen=True)
class Change:
    """Who switched a switch last, and when."""

    at: datetime
    by: str


@dataclass(frozen=True)
class KeptSettings:
    """The switches as last saved."""

    calamity_text: str | None
    topic_menu_enabled: bool
    changes: Mapping[str, Change] = field(default_factory=dict)


class LiveSettingsFile:
    def __init__(self, path: Path) -> None:
        self._path = path

    @property
    def path(self) -> Path:
        return self._path

    def load(self) -> KeptSettings | None:
        """The settings as last saved; None when there is no (readable) file."""
        if not self._path.exists():
            return None
        try:
            return _settings(json.loads(self._path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            aside = self._path.with_suffix(".unreadable")
            log.warning(
                "IVR live settings in %s unreadable (%s); moved to %s, the site's defaults apply",
                self._path,
                exc,
                aside,
            )
            self._path.replace(aside)
            return None

    def save(self, settings: KeptSettings) -> None:
        data = {
            "version": VERSION,
            "calamity_text": settings.calamity_text,
            "topic_menu_enabled": settings.topic_menu_enabled,
            "changes": {
                name: {"at": c.at.isoformat(), "by": c.by}
                for name, c in sorted(settings.changes.items())
            },
        }
        self._path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self._path.with_suffix(".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(json.dumps(data, indent=1, ensure_ascii=False))
        os.chmod(temporary, 0o600)  # an older .tmp left by a crash keeps its own mode
        os.replace(temporary, self._path)


def _settings(data: Mapping[str, object]) -> KeptSettings:
    if data.get("version") != VERSION:
        raise ValueError(f"version {data.get('version')!r}, this code reads {VERSION}")
    text, enabled = data["calamity_text"], data["topic_menu_enabled"]
    if not (text is None or isinstance(text, str)):
        raise TypeError(f"calamity_text is {type(text).__name__}, not text or null")
    if not isinstance(enabled, bool):
        raise TypeError(f"topic_menu_enabled is {type(enabled).__name__}, not true/false")
    changes = data.get("changes", {})
    if not isinstance(changes, Mapping):
        raise TypeError(f"changes is {type(changes).__name__}, not a mapping")
    return KeptSettings(text, enabled, {str(k): _change(k, v) for k, v in changes.items()})


def _change(name: object, entry: Mapping[str, object]) -> Change:
    if name not in SWITCHES:
        raise ValueError(f"changes names {name!r}, not one of {', '.join(SWITCHES)}")
    at = datetime.fromisoformat(str(entry["at"]))
    if at.tzinfo is None:
        raise ValueError(f"changes.{name}.at {entry['at']!r} has no time zone")
    return Change(at, str(entry["by"]))
