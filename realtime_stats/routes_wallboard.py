"""``/wallboard``: the floor's real-time screen (a placeholder page for now).

Wall screens log in with a display token, in the ``Authorization`` header or as
``?token=`` (a kiosk browser cannot set headers); floor managers, team leads and
admins log in as themselves. The wallboard's event stream, when it comes, must use
the same :data:`WALLBOARD_ACCESS` so the two always admit the same callers.
"""

from __future__ import annotations

import html
from importlib import resources
from typing import Annotated

from fastapi import Depends, FastAPI
from fastapi.responses import HTMLResponse

from kcc.http_auth import Principal, PrincipalKind, require
from kcc.site.access import Role

WALLBOARD_ROLES = (Role.FLOOR_MANAGER, Role.TEAM_LEAD)  # admin implied
WALLBOARD_ACCESS = require(*WALLBOARD_ROLES, allow_display=True)

# A token may sit in this page's URL: never send it on as a Referer, never cache the
# page, and (placeholder: no scripts, no external resources) allow nothing else.
_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
}


class WallboardPage:
    """The page template, read once at start-up, filled in per request."""

    def __init__(self, template: str, *, site_name: str) -> None:
        for marker in ("{{site}}", "{{name}}", "{{role}}"):
            if marker not in template:
                raise ValueError(f"wallboard template lacks the {marker} marker")
        self._template, self._site_name = template, site_name

    @classmethod
    def load(cls, *, site_name: str) -> WallboardPage:
        template = resources.files("realtime_stats.wallboard").joinpath("index.html")
        return cls(template.read_text(encoding="utf-8"), site_name=site_name)

    def render(self, who: Principal) -> str:
        role = "display (read-only)" if who.kind is PrincipalKind.DISPLAY else str(who.role)
        return (
            self._template.replace("{{site}}", html.escape(self._site_name))
            .replace("{{name}}", html.escape(who.name))
            .replace("{{role}}", html.escape(role))
        )


def add_routes(app: FastAPI, page: WallboardPage) -> None:
    """``GET /wallboard`` for display tokens, floor managers, team leads and admins."""

    @app.get("/wallboard", response_class=HTMLResponse)
    async def wallboard(who: Annotated[Principal, Depends(WALLBOARD_ACCESS)]) -> HTMLResponse:
        return HTMLResponse(page.render(who), headers=_HEADERS)
