"""The wallboard's pages (the floor's screen, the team lead's drill-down) as HTML.

The page's script and style are inlined under a per-response CSP nonce instead of
being served from a static route: a ``<script src>`` cannot send the token header, so
a static route would need the display token copied into yet another URL. No external
resource is loaded; the script only talks back to this origin (``connect-src 'self'``).
The page files are the package's own (index.html, teamlead.html, board.css, board.js).
"""

from __future__ import annotations

import html
import secrets
from importlib import resources
from importlib.resources.abc import Traversable

from fastapi.responses import HTMLResponse

from http_access.auth import Principal, PrincipalKind
from http_access.page import inline_assets, page_headers

_MARKERS = ("{{site}}", "{{name}}", "{{role}}")


class WallboardPage:
    """A page template (style and script already inlined), filled in per request."""

    def __init__(self, template: str, *, site_name: str) -> None:
        for marker in _MARKERS:
            if marker not in template:
                raise ValueError(f"wallboard template lacks the {marker} marker")
        self._template, self._site_name = template, site_name

    @classmethod
    def load(
        cls, *, site_name: str, name: str = "index.html", folder: Traversable | None = None
    ) -> WallboardPage:
        """The page ``name`` with its assets inlined, from ``folder`` (default: the package
        ``realtime_stats.wallboard``)."""
        folder = folder or resources.files("realtime_stats.wallboard")
        template = inline_assets(folder, name, style="board.css", script="board.js")
        return cls(template, site_name=site_name)

    def render(self, who: Principal, *, nonce: str = "") -> str:
        """The page for ``who``; the route passes the nonce its CSP header names."""
        role = "display (read-only)" if who.kind is PrincipalKind.DISPLAY else str(who.role)
        return (
            self._template.replace("{{nonce}}", nonce)
            .replace("{{site}}", html.escape(self._site_name))
            .replace("{{name}}", html.escape(who.name))
            .replace("{{role}}", html.escape(role))
        )

    def response(self, who: Principal) -> HTMLResponse:
        nonce = secrets.token_urlsafe(18)
        return HTMLResponse(self.render(who, nonce=nonce), headers=page_headers(nonce))
