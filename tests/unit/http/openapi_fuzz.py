"""A small hypothesis-driven request generator over a FastAPI app's OpenAPI schema.

Each operation of ``app.openapi()`` becomes a strategy of requests: its path parameters,
its query parameters and a JSON body drawn from the schema's own types (with the
constraints pydantic writes there: lengths, ranges, enums, required keys), or, part of
the time, values of the wrong type, junk JSON and bytes that are not JSON at all. Each
request goes with one of a set of credentials: none, wrong ones, and each role's.

What a test asserts with it (``check``): never a 500, and only a status the operation
documents or one of ``GENERIC``, the answers any route of these services may give
whatever its schema says (see ``GENERIC`` for why each one is there).
``send_any_request`` and ``send_anonymous_request`` are the two fuzz tests of each
service, on the app that ``ServedApp`` serves.

Why not schemathesis: docs/decisions.md ("OpenAPI fuzzing without schemathesis").
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
from hypothesis import strategies as st

from http_access.body_limit import STATS_MAX_BODY

Schema = Mapping[str, Any]

GENERIC = {
    307: "a path ending in '/' (an empty path parameter): redirected to the path without it",
    400: "a request the route reads by hand and finds wrong (a report's date, a byte range)",
    401: "no or wrong credentials (every route of both services needs a login or a token)",
    403: "a login whose role or scope may not do this",
    404: "an id (agent, position, recording, note, extension) that is not there",
    405: "a method the path does not have",
    409: "a command the ACD's state refuses now (log out an agent who is not logged in)",
    413: "a body over the service's size limit",
    416: "a byte range outside a recording",
    422: "a body or parameter that does not fit the route's schema",
    429: "too many failed logins from one address",
    503: "a part the answer needs is not running (the stats store, Redis)",
}
"""Statuses accepted for any operation besides the ones it documents, and why."""

QUERY_TOKEN = "?token"
"""A credentials key that puts its value in the query as ``token=`` (wall screens)."""

# Values the sample site knows, so generated requests reach past "not found" as well.
KNOWN_WORDS = ["1001", "1002", "tic1", "tic4", "301", "burgerzaken", "algemeen", "haarlem",
               "anouk", "training", "2026-06-15", "r1", "n1", "today", "day", "week"]  # fmt: skip
WORDS = st.sampled_from(KNOWN_WORDS) | st.text(
    st.characters(exclude_categories=("Cs",)), max_size=12
)
JUNK_JSON: st.SearchStrategy[object] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | WORDS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(WORDS, inner, max_size=3),
    max_leaves=6,
)


@dataclass(frozen=True)
class Operation:
    path: str
    method: str
    parameters: tuple[Schema, ...]
    body: Schema | None  # the application/json request body's schema
    statuses: frozenset[int]  # documented

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path}"


@dataclass(frozen=True)
class Request:
    operation: Operation
    url: str
    headers: Mapping[str, str]
    content: bytes | None

    def __repr__(self) -> str:
        return f"{self.operation.method.upper()} {self.url} {dict(self.headers)} {self.content!r}"


def operations(schema: Schema) -> list[Operation]:
    found = []
    for path, item in sorted(schema["paths"].items()):
        for method, op in sorted(item.items()):
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            found.append(
                Operation(
                    path=path,
                    method=method,
                    parameters=tuple(op.get("parameters", ())),
                    body=None if body is None else body["schema"],
                    statuses=frozenset(int(code) for code in op.get("responses", {})),
                )
            )
    return found


def check(request: Request, status: int) -> None:
    """What every answer must be: no 500, and a status the operation may give."""
    assert status < 500 or status == 503, f"{status} for {request!r}"
    allowed = request.operation.statuses | set(GENERIC)
    assert status in allowed, (
        f"{status} is neither documented for {request.operation} "
        f"({sorted(request.operation.statuses)}) nor generic: {request!r}"
    )


def assert_refused_anonymously(request: Request, status: int) -> None:
    """An anonymous caller learns nothing: 401 (429 after many tries). Routing answers
    before any login is asked (307 for a path ending in '/', 404 for one that matches no
    route), and a body that is not JSON at all is refused as such (422 json_invalid, or
    400 when it is not even UTF-8) before the route's dependencies run; a body over the
    service's limit is refused before anything else (413, http_access/body_limit.py);
    none of these says anything about the service's state.
    """
    if status in (307, 404) and request.url.split("?")[0] != request.operation.path:
        return
    if status == 413 and len(request.content or b"") > STATS_MAX_BODY:
        return
    if status in (400, 422) and not _is_json(request.content):
        return
    assert status in (401, 429), f"{status} for an anonymous {request!r}"


def _is_json(content: bytes | None) -> bool:
    if content is None:
        return True
    try:
        json.loads(content)
    except ValueError:
        return False
    return True


def requests(
    schema: Schema, ops: Sequence[Operation], credentials: Sequence[Mapping[str, str]]
) -> st.SearchStrategy[Request]:
    """Requests to ``ops`` with one of ``credentials`` each."""
    return st.sampled_from(list(ops)).flatmap(
        lambda op: _request(schema, op, st.sampled_from(list(credentials)))
    )


def _request(
    schema: Schema, op: Operation, credentials: st.SearchStrategy[Mapping[str, str]]
) -> st.SearchStrategy[Request]:
    @st.composite
    def one(draw: st.DrawFn) -> Request:
        path, query = op.path, []
        for parameter in op.parameters:
            value = draw(_parameter_value(schema, parameter))
            if parameter["in"] == "path":
                path = path.replace("{" + parameter["name"] + "}", quote(value, safe=""))
            elif parameter["in"] == "query" and value is not None:
                query.append(f"{quote(parameter['name'])}={quote(value, safe='')}")
        headers = dict(draw(credentials))
        token = headers.pop(QUERY_TOKEN, None)  # a wall screen's ?token=, not a header
        if token is not None:
            query.append(f"token={quote(token, safe='')}")
        content = draw(_body(schema, op))
        if content is not None:
            headers["Content-Type"] = "application/json"
        url = path + ("?" + "&".join(query) if query else "")
        return Request(op, url, headers, content)

    return one()


def _parameter_value(schema: Schema, parameter: Schema) -> st.SearchStrategy[str | None]:
    typed = values(schema, parameter.get("schema", {})).map(_as_text)
    required = parameter.get("required", False) or parameter["in"] == "path"
    out = typed | WORDS
    return out if required else st.none() | out


def _as_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value)


def _body(schema: Schema, op: Operation) -> st.SearchStrategy[bytes | None]:
    junk = st.one_of(
        JUNK_JSON.map(lambda v: json.dumps(v).encode()),
        st.binary(max_size=30),
        st.sampled_from([b"", b"{", b"[]", b"null", b'{"text": "' + b"x" * 5000 + b'"}']),
    )
    if op.body is None:
        return st.none() | junk
    typed = values(schema, op.body).map(lambda v: json.dumps(v).encode())
    return st.one_of(typed, typed, junk)


def values(schema: Schema, node: Schema, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values of the JSON schema ``node`` (refs into ``schema``'s components resolved)."""
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        return values(schema, schema["components"]["schemas"][name], depth)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in node:
            return st.one_of([values(schema, option, depth) for option in node[key]])
    if "enum" in node:
        return st.sampled_from(node["enum"])
    if "const" in node:
        return st.just(node["const"])
    kind = node.get("type")
    if kind == "object" or "properties" in node:
        return _object(schema, node, depth)
    if kind == "array":
        items = values(schema, node.get("items", {}), depth + 1) if depth < 3 else st.none()
        return st.lists(items, max_size=4)
    return _scalar(node)


def _scalar(node: Schema) -> st.SearchStrategy[Any]:
    kind = node.get("type")
    if kind == "string" and "pattern" in node:
        return WORDS | st.from_regex(node["pattern"], fullmatch=True)
    if kind == "string":
        low, high = node.get("minLength", 0), node.get("maxLength", 40)
        fitting = st.text(min_size=low, max_size=min(high, low + 40))
        return WORDS | fitting | st.text(min_size=max(high - 1, 0), max_size=high + 2)
    if kind == "integer":
        low, high = node.get("minimum"), node.get("maximum")
        return st.integers(low, high) | st.integers(-(2**70), 2**70)
    if kind == "number":
        return st.floats(allow_nan=False, allow_infinity=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    return JUNK_JSON  # no type: anything


def _object(schema: Schema, node: Schema, depth: int) -> st.SearchStrategy[dict[str, Any]]:
    properties: Mapping[str, Schema] = node.get("properties", {})
    required = set(node.get("required", ()))

    @st.composite
    def one(draw: st.DrawFn) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, sub in properties.items():
            if name in required or draw(st.booleans()):
                out[name] = draw(values(schema, sub, depth + 1) if depth < 3 else JUNK_JSON)
        if draw(st.integers(0, 9)) == 0:  # now and then a key the model does not have
            out[draw(WORDS)] = draw(JUNK_JSON)
        return out

    return one()


class ServedApp:
    """An ASGI app on an event loop of its own thread, asked over httpx's ASGI transport.

    What FastAPI's TestClient does (a portal thread), without it: with this Starlette the
    TestClient warns that it wants the httpx2 package, and warnings fail the tests.
    ``start`` is awaited on that loop first, so what the app stands on (the rig's fakes,
    their tasks and locks) lives on the loop that serves the requests.
    """

    def __init__(self, start: Callable[[AsyncExitStack], Awaitable[Any]]) -> None:
        self._start = start
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._stack = AsyncExitStack()
        self.app: Any = None
        self._client: httpx.AsyncClient | None = None

    def __enter__(self) -> ServedApp:
        self._thread.start()
        self._call(self._open())
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self._call(self._stack.aclose())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)
            self._loop.close()

    async def _open(self) -> None:
        self.app = await self._start(self._stack)
        transport = httpx.ASGITransport(app=self.app)
        self._client = await self._stack.enter_async_context(
            httpx.AsyncClient(transport=transport, base_url="http://testserver")
        )

    def _call(self, work: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(work, self._loop).result(timeout=30)

    def send(self, request: Request) -> int:
        """The status of ``request``; a route that does not answer in 10 s fails the test."""
        assert self._client is not None
        work = self._client.request(
            request.operation.method,
            request.url,
            headers=dict(request.headers),
            content=request.content,
        )
        reply = asyncio.run_coroutine_threadsafe(asyncio.wait_for(work, 10), self._loop).result(
            timeout=15
        )
        return reply.status_code


def served_operations(served: ServedApp) -> tuple[Schema, list[Operation]]:
    """The served app's OpenAPI schema and its operations."""
    schema = served.app.openapi()
    return schema, operations(schema)


def is_live_stream(op: Operation) -> bool:
    # Server-sent events never end: only their refusals are fuzzed (anonymous callers).
    return op.path.endswith("/stream")


def send_any_request(
    served: ServedApp, data: st.DataObject, credentials: Sequence[Mapping[str, str]]
) -> None:
    """One drawn request to any operation but a live stream, with one of ``credentials``:
    its answer ``check``ed."""
    schema, ops = served_operations(served)
    finite = [op for op in ops if not is_live_stream(op)]
    request = data.draw(requests(schema, finite, credentials))
    check(request, served.send(request))


def send_anonymous_request(
    served: ServedApp, data: st.DataObject, anonymous: Sequence[Mapping[str, str]]
) -> None:
    """One drawn request to any operation (a live stream too: it is refused before it
    streams) with one of the ``anonymous`` credentials: ``check``ed and refused."""
    schema, ops = served_operations(served)
    request = data.draw(requests(schema, ops, anonymous))
    status = served.send(request)
    check(request, status)
    assert_refused_anonymously(request, status)
