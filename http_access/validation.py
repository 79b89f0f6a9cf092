"""The answer to a request that does not fit a route's schema, for both services.

FastAPI's own handler echoes the offending input back in the 422's ``detail``, and JSON
as Python reads it allows ``Infinity`` and ``NaN``, which a JSON response may not hold:
a body of ``Infinity`` made the handler itself fail, and the caller got a 500 for a
request that was merely wrong. This handler gives the same 422 with such numbers
written as the text the caller sent.
"""

from __future__ import annotations

import math

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse


def install_validation_answer(app: FastAPI) -> None:
    """Answer ``app``'s schema mismatches with a 422 that can always be written."""
    app.add_exception_handler(RequestValidationError, _invalid_request)  # type: ignore[arg-type]


async def _invalid_request(_: Request, error: RequestValidationError) -> JSONResponse:
    detail = _finite(jsonable_encoder(error.errors()))
    return JSONResponse(status_code=422, content={"detail": detail})


def _finite(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite(item) for item in value]
    return value
