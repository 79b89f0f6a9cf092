"""At most a few event streams per login (``http_access.streams``), freed when the
client goes: the slots themselves and the wallboard's stream over them."""

from __future__ import annotations

from contextlib import AsyncExitStack

import pytest
from fastapi import FastAPI, HTTPException

from http_access.auth import Principal, PrincipalKind
from http_access.streams import DEFAULT_STREAMS_PER_PRINCIPAL, StreamSlots
from realtime_stats.app import create_app
from site_config import SiteConfig
from site_config.access import Role
from tests.unit.http.asgi_stream import open_get
from tests.unit.http.demo_access import DISPLAY_TOKEN, basic, bearer

FLOOR = Principal(name="floor", kind=PrincipalKind.USER, role=Role.FLOOR_MANAGER)
LEAD = Principal(name="teamlead", kind=PrincipalKind.USER, role=Role.TEAM_LEAD)
STREAM = "/api/wallboard/stream"


def test_the_one_over_the_limit_is_429_naming_the_login() -> None:
    slots = StreamSlots(per_principal=2)
    slots.take(FLOOR)
    slots.take(FLOOR)
    with pytest.raises(HTTPException) as refused:
        slots.take(FLOOR)
    assert refused.value.status_code == 429
    assert refused.value.detail == (
        "'floor' has 2 event streams open already, the most allowed at once; "
        "close one (another tab or screen) first"
    )
    slots.take(LEAD)  # another login has its own slots


def test_a_released_slot_is_free_again_and_releasing_twice_is_harmless() -> None:
    slots = StreamSlots(per_principal=1)
    slot = slots.take(FLOOR)
    slot.release()
    slot.release()
    assert slots.open_streams(FLOOR) == 0
    slots.take(FLOOR)
    assert slots.open_streams(FLOOR) == 1


def test_a_user_and_a_display_of_the_same_name_are_apart() -> None:
    slots = StreamSlots(per_principal=1)
    slots.take(Principal(name="wall", kind=PrincipalKind.USER, role=Role.FLOOR_MANAGER))
    slots.take(Principal(name="wall", kind=PrincipalKind.DISPLAY, role=None))


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="per_principal"):
        StreamSlots(per_principal=0)


@pytest.fixture
def board(site: SiteConfig) -> FastAPI:
    return create_app(site)


async def test_the_wallboard_stream_allows_four_per_login_then_429(board: FastAPI) -> None:
    async with AsyncExitStack() as streams:
        for _ in range(DEFAULT_STREAMS_PER_PRINCIPAL):
            opened = await streams.enter_async_context(
                open_get(board, STREAM, headers=basic("floor"))
            )
            assert opened.status == 200
        async with open_get(board, STREAM, headers=basic("floor")) as fifth:
            assert fifth.status == 429
            assert b"'floor' has 4 event streams open already" in await fifth.body()
        async with open_get(board, STREAM, headers=basic("teamlead")) as other:
            assert other.status == 200


async def test_a_stream_whose_client_went_frees_its_slot(board: FastAPI) -> None:
    for _ in range(DEFAULT_STREAMS_PER_PRINCIPAL + 2):  # more than the limit, one at a time
        async with open_get(board, STREAM, headers=bearer()) as opened:
            assert opened.status == 200
            await opened.next_events()
    async with AsyncExitStack() as streams:
        for _ in range(DEFAULT_STREAMS_PER_PRINCIPAL):
            await streams.enter_async_context(
                open_get(board, STREAM, query=f"token={DISPLAY_TOKEN}")
            )
        async with open_get(board, STREAM, headers=bearer()) as over:
            assert over.status == 429  # the header and ?token= are the same display
