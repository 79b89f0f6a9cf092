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

_ASSETS = {"{{style}}": "board.css", "{{script}}": "board.js"}
_MARKERS = ("{{site}}", "{{name}}", "{{role}}")

# A token may sit in these URLs: never send it on as a Referer, never cache a response.
NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _page_headers(nonce: str) -> dict[str, str]:
    policy = (
        f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
    return {**NO_STORE, "Content-Security-Policy": policy}


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
        template = folder.joinpath(name).read_text(encoding="utf-8")
        for marker, asset in _ASSETS.items():
            text = folder.joinpath(asset).read_text(encoding="utf-8")
            if "{{" in text or "</" in text:
                # Either would be read as a marker or could end the inline element early.
                raise ValueError(f"wallboard asset {asset} must not contain '{{{{' or '</'")
            template = template.replace(marker, text)
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
        return HTMLResponse(self.render(who, nonce=nonce), headers=_page_headers(nonce))
