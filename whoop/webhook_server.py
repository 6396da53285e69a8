"""The worker's HTTP side: ``POST /webhooks/whoop`` receives WHOOP's webhooks (starlette, served
by uvicorn in a thread of ``python -m whoop worker``, :func:`whoop.serving.serve`).

A delivery is verified and queued (:func:`whoop.webhooks.receive`: one INSERT), then answered at
once; the worker fetches the records afterwards, so WHOOP gets its answer well within a second.
``GET /healthz`` answers ``ok`` for a reverse proxy's health check. Nothing else is served, and
no answer carries health data or a reason beyond its status.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
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
        # the INSERT runs off the event loop: deliveries arriving meanwhile are read, not held up
        status, what = await run_in_threadpool(receive, store, client_secret, request.headers, body, utcnow())
        log.info("webhook %s: %s", status, what)
        if status == 202 and what == "queued" and on_queued is not None:
            on_queued()
        return Response(status_code=204 if status < 300 else status)

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(routes=[Route(PATH, whoop_webhook, methods=["POST"]),
                             Route("/healthz", healthz, methods=["GET"])])
