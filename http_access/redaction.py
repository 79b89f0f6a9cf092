"""Display tokens kept out of logs: uvicorn's access log writes the full query string."""

from __future__ import annotations

import logging
import re

QUERY_TOKEN = "token"  # ?token=<display token>, accepted only where displays are allowed

_QUERY_TOKEN_RE = re.compile(rf"([?&]{QUERY_TOKEN}=)[^&\s\"]*", re.IGNORECASE)


def redact_query_token(text: str) -> str:
    """``text`` with the value of every ``?token=`` replaced, for logs."""
    return _QUERY_TOKEN_RE.sub(r"\1<redacted>", text)


class QueryTokenRedactor(logging.Filter):
    """Keeps display tokens out of access logs (uvicorn logs the full query string)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_query_token(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_query_token(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        return True
