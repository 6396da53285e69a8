"""The ASGI application: Starlette routes wrapped by a layer that injects faults and counts requests.

``create_app(options)`` returns a ``SandboxApp``; ``app.sandbox`` is its ``SandboxState``.

A ``drop`` fault must close the TCP connection without sending a byte. ASGI has no "abort"
message; uvicorn closes the transport without a response when the application callable returns
a value other than None (uvicorn/protocols/http/{h11,httptools}_impl.py ``run_asgi``), so the
wrapper returns a marker string for a drop. uvicorn logs that as an error line; that line is
expected. Other ASGI servers may answer 500 instead. A ``cut`` fault sends the response start and
half the body, then returns the same marker: uvicorn closes the connection mid-body.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.routing import Match, Route
from starlette.types import Message, Receive, Scope, Send

from whoop.sandbox import admin, api, oauth
from whoop.sandbox.options import SandboxOptions
from whoop.sandbox.state import SandboxState

_DROPPED = "sandbox: connection dropped on purpose"


class _QuietDrops(logging.Filter):
    """Hide uvicorn's error line for a drop we made on purpose (it is not a server bug)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return _DROPPED not in str(record.args or "")


def _routes() -> list[Route]:
    return [
        Route("/oauth/oauth2/auth", oauth.authorize, methods=["GET"]),
        Route("/oauth/oauth2/auth", oauth.decide, methods=["POST"]),
        Route("/oauth/oauth2/token", oauth.token, methods=["POST"]),
        *api.routes(),
        *admin.routes(),
    ]


def _bearer(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" else None
    return None


async def _send_json(send: Send, status: int, body: dict, headers: dict[str, str] | None = None) -> None:
    raw = json.dumps(body).encode()
    hdrs = [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode())]
    hdrs += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": hdrs})
    await send({"type": "http.response.body", "body": raw})


class SandboxApp:
    """ASGI callable: faults + stats around the Starlette app. ``sandbox`` is the state."""

    def __init__(self, state: SandboxState) -> None:
        self.sandbox = state
        err_log = logging.getLogger("uvicorn.error")
        if not any(isinstance(f, _QuietDrops) for f in err_log.filters):
            err_log.addFilter(_QuietDrops())
        self.inner = Starlette(routes=_routes())
        self.inner.state.sandbox = state

    def _route_key(self, scope: Scope) -> str:
        for route in self.inner.router.routes:
            match, _ = route.matches(scope)
            if match is Match.FULL and isinstance(route, Route):
                return f"{scope['method']} {route.path}"
        return f"{scope['method']} {scope['path']}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> Any:
        if scope["type"] != "http":
            return await self.inner(scope, receive, send)
        path: str = scope["path"]
        st = self.sandbox
        if path.startswith("/_sandbox/"):
            return await self.inner(scope, receive, send)
        target = "api" if path.startswith("/developer/") else (
            "token" if path == "/oauth/oauth2/token" else None)
        key = self._route_key(scope)
        fault = st.faults.take(target) if target else None
        status: dict[str, int] = {}

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        out: Send = counting_send
        if fault is not None:
            st.count_fault(fault.kind)
            kind = fault.kind
            if kind == "drop":
                st.count(key, "dropped")
                return _DROPPED
            if kind == "429":
                decision = st.rate.exhausted(st.client_of(_bearer(scope)))
                await _send_json(counting_send, 429, {"error": "rate_limited",
                                                      "error_description": "Too many requests."},
                                 decision.headers)
                st.count(key, "429")
                return None
            if kind in ("500", "502", "503"):
                await _send_json(counting_send, int(kind), {"error": "server_error",
                                                            "error_description": f"Injected {kind}."})
                st.count(key, kind)
                return None
            if kind == "slow":
                # counted now, as "slow": the client has usually given up before the response
                st.count(key, "slow")
                await asyncio.sleep(st.options.slow_s)
                await self.inner(scope, receive, send)
                return None
            elif kind == "expire":
                st.expire_access(_bearer(scope))
            elif kind == "revoke":
                st.revoke_by_access(_bearer(scope))
            elif kind == "malformed":
                out = _truncating(counting_send)
            elif kind == "cut":
                await self.inner(scope, receive, _cutting(counting_send))
                st.count(key, "cut")
                return _DROPPED          # uvicorn closes the connection mid-body
        if target == "api" and st.options.latency_s > 0:
            await asyncio.sleep(st.options.latency_s)
        await self.inner(scope, receive, out)
        st.count(key, str(status.get("code", "none")))
        return None


def _buffering(send: Send, finish: Callable[[dict, bytes], Awaitable[None]], *,
               hold_start: bool) -> Send:
    """A send that collects the response body and, at its last chunk, awaits
    ``finish(start, body)`` with the whole body. With ``hold_start`` the response start message
    is kept back (``start``) for ``finish`` to send; otherwise it passes through and ``start`` is
    empty."""
    start: dict = {}
    chunks: list[bytes] = []

    async def wrapped(message: Message) -> None:
        if hold_start and message["type"] == "http.response.start":
            start.update(message)
            return
        if message["type"] != "http.response.body":
            await send(message)
            return
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            await finish(start, b"".join(chunks))

    return wrapped


def _truncating(send: Send) -> Send:
    """A send that buffers the response and emits it as 200 with the body cut in half."""
    async def finish(start: dict, body: bytes) -> None:
        cut = body[: len(body) // 2] if len(body) > 2 else b'{"records": ['
        headers = [(k, v) for k, v in start.get("headers", [])
                   if k.lower() not in (b"content-length", b"content-type")]
        headers += [(b"content-type", b"application/json"), (b"content-length", str(len(cut)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": cut})

    return _buffering(send, finish, hold_start=True)


def _cutting(send: Send) -> Send:
    """A send that passes the response start (status, full Content-Length) and the first half
    of the body, then drops the rest: the caller returns ``_DROPPED`` so the connection closes."""
    async def finish(_start: dict, body: bytes) -> None:
        await send({"type": "http.response.body", "body": body[: max(1, len(body) // 2)], "more_body": True})

    return _buffering(send, finish, hold_start=False)


def create_app(options: SandboxOptions | None = None, *,
               generator: Callable[..., Any] | None = None) -> SandboxApp:
    """Build the sandbox ASGI app (serve it with uvicorn). ``generator`` overrides whoop.synth."""
    return SandboxApp(SandboxState(options or SandboxOptions(), generator=generator))
