"""The worker's HTTP side: ``POST /webhooks/whoop`` receives WHOOP's webhooks (starlette, served
by uvicorn in a thread of ``python -m whoop worker``).

A delivery is verified and queued (:func:`whoop.webhooks.receive`: one INSERT), then answered at
once; the worker fetches the records afterwards, so WHOOP gets its answer well within a second.
``GET /healthz`` answers ``ok`` for a reverse proxy's health check. Nothing else is served, and
no answer carries health data or a reason beyond its status.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from whoop.store import Store, utcnow
from whoop.webhooks import MAX_BODY, receive

log = logging.getLogger(__name__)
PATH = "/webhooks/whoop"


def webhook_app(store: Store, client_secret: str,
                on_queued: Callable[[], None] | None = None) -> Starlette:
    """The ASGI app. ``on_queued`` is called after a new delivery was queued (the worker wakes)."""

    async def whoop_webhook(request: Request) -> Response:
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                return PlainTextResponse("too large", status_code=413)
        status, what = receive(store, client_secret, request.headers, body, utcnow())
        log.info("webhook %s: %s", status, what)
        if status == 202 and what == "queued" and on_queued is not None:
            on_queued()
        return Response(status_code=204 if status < 300 else status)

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(routes=[Route(PATH, whoop_webhook, methods=["POST"]),
                             Route("/healthz", healthz, methods=["GET"])])


@contextmanager
def serve(app: Callable, host: str, port: int, startup_timeout_s: float = 20.0) -> Iterator[int]:
    """Serve ``app`` with uvicorn in a daemon thread for the ``with`` block; yields the port
    (``port`` 0: a free one).

    Raises:
        OSError: the address is taken (or cannot be bound).
        RuntimeError: the server did not start in time.
    """
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # uvicorn writes headers and body separately: without TCP_NODELAY each answer waits ~40 ms
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    bound = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                                           timeout_graceful_shutdown=1))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True,
                              name=f"whoop-http-{bound}")
    thread.start()
    deadline = time.monotonic() + startup_timeout_s
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"the HTTP server on {host}:{bound} did not start")
        time.sleep(0.02)
    try:
        yield bound
    finally:
        server.should_exit = True
        thread.join(timeout=5)
        sock.close()
