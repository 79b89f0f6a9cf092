"""``GET /colleague``: the page of a back-office colleague (and of team leads, who see
every department's notes). Script and style are inlined under the page's CSP nonce."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse

from http_access.auth import Principal, require
from http_access.page import InlinePage
from site_config.access import Role

COLLEAGUE_PAGE_ACCESS = require(Role.BACK_OFFICE, Role.TEAM_LEAD)
Colleague = Annotated[Principal, Depends(COLLEAGUE_PAGE_ACCESS)]


async def page(request: Request, who: Colleague) -> HTMLResponse:
    colleague_page: InlinePage = request.app.state.colleague_page
    site: str = request.app.state.colleague_site
    return colleague_page.response(
        {"name": who.name, "extension": who.extension or "", "site": site}
    )


def add_routes(app: FastAPI, site_name: str) -> None:
    """The page on ``app``; it reads and changes through the phonebook's and the callback
    notes' routes."""
    app.state.colleague_page = InlinePage(
        "acd.colleague", "colleague.html", style="colleague.css", script="colleague.js"
    )
    app.state.colleague_site = site_name
    app.add_api_route("/colleague", page, methods=["GET"], response_class=HTMLResponse)
