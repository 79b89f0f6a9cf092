"""Departments by extension, from the site; and the extension a channel name belongs to."""

from __future__ import annotations

from site_config import Department, SiteConfig


def extension_of(channel_name: str) -> str:
    """``PJSIP/301-0000002a`` and ``Local/301@kcc-internal-00000000;1`` -> ``301``."""
    resource = channel_name.split("/", 1)[-1]
    if channel_name.startswith("Local/"):
        return resource.split("@", 1)[0]
    return resource.rsplit("-", 1)[0]


class Departments:
    """Which department an extension belongs to, and how long it rings there."""

    def __init__(self, site: SiteConfig) -> None:
        self._by_extension = {e.extension: d for d in site.departments for e in d.extensions}

    def __contains__(self, extension: object) -> bool:
        return extension in self._by_extension

    def of(self, extension: str) -> Department | None:
        return self._by_extension.get(extension)

    def department_of(self, extension: str) -> str | None:
        """The id of the extension's department, None for no back-office extension."""
        department = self._by_extension.get(extension)
        return department.id if department else None

    def fallback_after_s(self, extension: str) -> float:
        """How long a direct call rings ``extension`` before it falls back to the TIC."""
        return float(self._by_extension[extension].fallback_after_s)

    def camp_on_after_s(self, extension: str) -> float:
        """How long a caller camped on ``extension`` waits before falling back to the TIC."""
        return float(self._by_extension[extension].camp_on_after_s)
