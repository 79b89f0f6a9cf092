"""Colleagues' own statuses kept across controller restarts, in one small JSON file.

Written whole to a temporary file and renamed over the old one, so a crash mid-write
leaves the previous version, never half a file. A file that cannot be read (damaged,
from a newer version) is set aside as ``.unreadable`` with a warning, and everyone starts
as available: a colleague who was in a meeting then shows as available, which is the
better mistake than a controller that does not start.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from acd.phonebook.machine import Availability, OwnStatus

log = logging.getLogger(__name__)

VERSION = 1


class StatusFile:
    def __init__(self, path: Path) -> None:
        self._path = path

    def load(self) -> dict[str, OwnStatus]:
        """Extension -> status as last saved; empty when there is no (readable) file."""
        if not self._path.exists():
            return {}
        try:
            data = json.loads(self._path.read_text(encoding="utf-8"))
            if data.get("version") != VERSION:
                raise ValueError(f"version {data.get('version')!r}, this code reads {VERSION}")
            return {str(ext): _status(entry) for ext, entry in data["statuses"].items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            aside = self._path.with_suffix(".unreadable")
            log.warning(
                "phonebook statuses in %s unreadable (%s); moved to %s", self._path, exc, aside
            )
            self._path.replace(aside)
            return {}

    def save(self, statuses: Mapping[str, OwnStatus]) -> None:
        data = {
            "version": VERSION,
            "statuses": {
                ext: {
                    "availability": s.availability.value,
                    "until": None if s.until is None else s.until.isoformat(),
                    "since": None if s.since is None else s.since.isoformat(),
                }
                for ext, s in sorted(statuses.items())
            },
        }
        self._path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self._path.with_suffix(".tmp")
        temporary.write_text(json.dumps(data, indent=1), encoding="utf-8")
        os.replace(temporary, self._path)


def _status(entry: Mapping[str, object]) -> OwnStatus:
    until, since = entry.get("until"), entry.get("since")
    return OwnStatus(
        Availability(str(entry["availability"])),
        None if until is None else datetime.fromisoformat(str(until)),
        None if since is None else datetime.fromisoformat(str(since)),
    )
