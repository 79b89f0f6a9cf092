"""A page for people, served whole: its script and style inlined under a CSP nonce.

Every page of the backend (the wallboard, the agent page) is one HTML file with its
stylesheet and script in the same package, inlined into ``<style nonce>`` and
``<script nonce>`` at load, and a fresh nonce per response in a strict
Content-Security-Policy: nothing is loaded from elsewhere, and the script talks only
to its own origin. A page that plays audio (the recordings' player) is made with
``media=True``, which lets its ``<audio>`` element load from its own origin too.
``{{name}}`` markers are filled in per request, HTML-escaped.
"""

from __future__ import annotations

import html
import secrets
from collections.abc import Mapping
from importlib import resources
from importlib.resources.abc import Traversable

from fastapi.responses import HTMLResponse

NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def page_headers(nonce: str, *, media: bool = False) -> dict[str, str]:
    policy = (
        f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; "
        "connect-src 'self'; "
        + ("media-src 'self'; " if media else "")
        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
    return {**NO_STORE, "Content-Security-Policy": policy}


def inline_assets(folder: Traversable, name: str, *, style: str, script: str) -> str:
    """The page ``name`` in ``folder`` with its ``{{style}}`` and ``{{script}}`` files
    inlined; ``ValueError`` when an asset could break out of its element."""
    template = folder.joinpath(name).read_text(encoding="utf-8")
    for marker, asset in (("{{style}}", style), ("{{script}}", script)):
        text = folder.joinpath(asset).read_text(encoding="utf-8")
        if "{{" in text or "</" in text:
            # Either would be read as a marker or could end the inline element early.
            raise ValueError(f"page asset {asset} must not contain '{{{{' or '</'")
        template = template.replace(marker, text)
    return template


class InlinePage:
    """``name`` from ``package``, with ``{{style}}`` and ``{{script}}`` inlined."""

    def __init__(
        self, package: str, name: str, *, style: str, script: str, media: bool = False
    ) -> None:
        self._media = media
        template = inline_assets(resources.files(package), name, style=style, script=script)
        self._template = template

    def render(self, values: Mapping[str, str], *, nonce: str = "") -> str:
        page = self._template.replace("{{nonce}}", nonce)
        for key, value in values.items():
            page = page.replace("{{" + key + "}}", html.escape(value))
        return page

    def response(self, values: Mapping[str, str]) -> HTMLResponse:
        nonce = secrets.token_urlsafe(18)
        headers = page_headers(nonce, media=self._media)
        return HTMLResponse(self.render(values, nonce=nonce), headers=headers)
