"""The IVR's live switches over HTTP: the calamity message and the topic menu."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from pydantic import BaseModel, Field

from acd.ivr.service import IvrSwitches
from acd.web import OK, AgentUser, ManagerTrail


def _ivr_switches(request: Request) -> IvrSwitches:
    service: IvrSwitches = request.app.state.ivr_switches
    return service


Switches = Annotated[IvrSwitches, Depends(_ivr_switches)]


class Calamity(BaseModel, frozen=True):
    text: str = Field(min_length=3, max_length=600)


class TopicMenu(BaseModel, frozen=True):
    enabled: bool


async def calamity_on(body: Calamity, ivr: Switches, trail: ManagerTrail) -> dict[str, Any]:
    prompt = await ivr.calamity_on(body.text, by=trail.who.name)
    trail.answer("calamity-on", None, detail={"text": body.text})
    return {**OK, "prompt": prompt}


async def calamity_off(ivr: Switches, trail: ManagerTrail) -> dict[str, Any]:
    ivr.calamity_off(by=trail.who.name)
    return trail.answer("calamity-off", None)


async def topic_menu(body: TopicMenu, ivr: Switches, trail: ManagerTrail) -> dict[str, Any]:
    ivr.topic_menu(body.enabled, by=trail.who.name)
    trail.answer("topic-menu", None, detail={"enabled": body.enabled})
    return {**OK, "enabled": body.enabled}


async def settings(ivr: Switches, _: AgentUser) -> dict[str, Any]:
    s = ivr.settings
    changed = {
        name: {"at": at.isoformat(), "by": s.changed_by.get(name)}
        for name, at in sorted(s.changed_at.items())
    }
    return {
        "calamity": s.calamity_text,
        "topic_menu_enabled": s.topic_menu_enabled,
        "changed": changed,
    }


def add_routes(app: FastAPI, service: IvrSwitches) -> None:
    """Put these routes on the app itself (``app.routes`` then lists each one), over
    ``service``."""
    app.state.ivr_switches = service
    app.add_api_route("/api/ivr/calamity", calamity_on, methods=["PUT"])
    app.add_api_route("/api/ivr/calamity", calamity_off, methods=["DELETE"])
    app.add_api_route("/api/ivr/topic-menu", topic_menu, methods=["PUT"])
    app.add_api_route("/api/ivr/settings", settings, methods=["GET"])
