"""A request that does not fit a route's schema gets a 422 that can always be written."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel

from http_access.validation import install_validation_answer


class Body(BaseModel):
    seconds: int


def _app() -> FastAPI:
    app = FastAPI()
    install_validation_answer(app)

    async def take(body: Body) -> dict[str, int]:
        return {"seconds": body.seconds}

    app.add_api_route("/take", take, methods=["POST"])
    return app


@pytest.mark.parametrize(
    ("content", "echoed"),
    [(b"Infinity", "Infinity"), (b"-Infinity", "-Infinity"), (b"NaN", "NaN"),
     (b'{"seconds": Infinity}', "Infinity"), (b'{"seconds": [NaN]}', ["NaN"])],
)  # fmt: skip
async def test_a_number_json_cannot_write_is_echoed_as_text(content: bytes, echoed: object) -> None:
    # Found by the OpenAPI fuzzing: FastAPI's own handler failed writing the echo, a 500.
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        reply = await client.post(
            "/take", content=content, headers={"Content-Type": "application/json"}
        )
    assert reply.status_code == 422
    assert reply.json()["detail"][0]["input"] in (echoed, {"seconds": echoed})


async def test_other_mismatches_answer_as_fastapi_does() -> None:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        reply = await client.post("/take", json={"seconds": "many"})
    assert reply.status_code == 422
    assert reply.json()["detail"][0]["loc"] == ["body", "seconds"]
    assert reply.json()["detail"][0]["input"] == "many"
