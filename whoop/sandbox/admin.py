"""Sandbox-only control endpoints under ``/_sandbox`` (never rate limited or faulted).

- ``GET  /_sandbox/health``: ``{"status": "ok", "now": iso, "seed": n, "athletes": [user_id...]}``
- ``POST /_sandbox/advance?days=N&hours=H``: move the clock; returns the created/updated/deleted ids
  per athlete (see ``whoop.sandbox.world``).
- ``POST /_sandbox/token-clock?skip_s=S``: move the token clock (code and access-token expiry)
  ``S`` seconds forward, so a test need not sleep for a token to expire; returns
  ``{"skipped_s": total}`` (see ``whoop.sandbox.state``).
- ``POST /_sandbox/rescore?kind=cycle|sleep|workout[&id=ID][&athlete=I]``: rescore one record
  now (default: the newest scored one); ``POST /_sandbox/delete?kind=workout|sleep[&id=ID]``:
  delete one workout or nap now (default: the newest). Both return ``{"changed": [[kind, id]...]}``;
  404 when there is no such record, 400 for a kind that cannot change that way.
- ``GET  /_sandbox/webhooks``: ``{"url", "pending", "sent": {status: n}}`` of the webhooks the
  sandbox sends (``whoop.sandbox.webhooks``); ``POST /_sandbox/webhooks?url=URL`` (or JSON
  ``{"url": URL}``) sets where they go, without ``url`` stops them. They are signed with the
  client secret and sent after ``advance``, ``rescore`` and ``delete``, whose answers say how
  many were queued (``"webhooks": n``).
- ``GET  /_sandbox/faults``: pending faults; ``POST /_sandbox/faults`` with JSON
  ``{"spec": "503:2,drop"}`` (or ``{"kind": "503", "count": 2, "target": "api"}``) queues more,
  ``{"clear": true}`` empties the queue first.
- ``GET  /_sandbox/stats``: request counts per ``METHOD route`` and status, 429s, tokens issued, ...
  (``{"requests": {"GET /developer/v2/cycle": {"200": 12, "429": 1, "dropped": 1, "slow": 1}},
  "rate_limited", "tokens_issued", "codes_issued", "code_exchanges", "refreshes", "token_errors":
  {"invalid_grant": n}, "revocations", "faults_injected": {"503": n}}``). A ``slow`` request is
  counted when it arrives, under "slow", so the count is right while the client is timing out;
  ``POST /_sandbox/reset-stats`` zeroes them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from whoop.sandbox.state import SandboxState
from whoop.sandbox.webhooks import events_of
from whoop.sandbox.world import AthleteWorld, iso_z


def _st(request: Request) -> SandboxState:
    return request.app.state.sandbox


def _bad(message: str) -> JSONResponse:
    return JSONResponse({"error": "invalid_request", "error_description": message}, status_code=400)


async def health(request: Request) -> Response:
    st = _st(request)
    with st.lock:
        body = {"status": "ok", "now": iso_z(st.world.now), "seed": st.options.seed,
                "athletes": [a.user_id for a in st.world.athletes]}
    return JSONResponse(body)


async def advance(request: Request) -> Response:
    st = _st(request)
    try:
        days = float(request.query_params.get("days", "0"))
        hours = float(request.query_params.get("hours", "0"))
    except ValueError:
        return _bad("days and hours must be numbers")
    delta = timedelta(days=days, hours=hours)
    if delta <= timedelta(0) or delta > timedelta(days=3660):
        return _bad("advance by more than 0 and at most 3660 days")

    def run() -> dict:
        with st.lock:
            before = [a.records for a in st.world.athletes]
            out = st.world.advance(delta)
            events = [e for a, old, changes in zip(st.world.athletes, before, out["athletes"], strict=False)
                      for e in events_of(old, a, changes)]
        return {**out, "webhooks": st.webhooks.submit(events)}

    return JSONResponse(await run_in_threadpool(run))


async def token_clock(request: Request) -> Response:
    """``POST /_sandbox/token-clock?skip_s=S``: age codes and tokens by ``S`` seconds."""
    try:
        total = _st(request).skip_token_clock(float(request.query_params.get("skip_s", "")))
    except ValueError:
        return _bad("skip_s must be a number of seconds, 0 or more")
    return JSONResponse({"skipped_s": total})


def _target(request: Request, st: SandboxState) -> tuple[Any, str, Any]:
    q = request.query_params
    kind = q.get("kind", "")
    raw_id = q.get("id")
    try:
        key = (int(raw_id) if kind == "cycle" else raw_id) if raw_id else None
        ath = st.world.athletes[int(q.get("athlete", "0"))]
    except (ValueError, IndexError) as exc:
        raise ValueError("bad id or athlete") from exc
    return ath, kind, key


def _force(request: Request, change: Callable[[AthleteWorld, str, Any, datetime], list],
           verb: str) -> Response:
    """Apply ``change(athlete, kind, key, now)`` to the record the query names, under the state
    lock, and send its webhooks (``verb``: ``updated`` or ``deleted``): 404 for an unknown
    record, 400 for a bad query, else ``{"changed": ..., "webhooks": n}``."""
    st = _st(request)
    with st.lock:
        try:
            ath, kind, key = _target(request, st)
            before = ath.records
            changed = change(ath, kind, key, st.world.now)
        except KeyError as exc:
            return JSONResponse({"error": "not_found", "error_description": str(exc)}, status_code=404)
        except ValueError as exc:
            return _bad(str(exc))
        events = events_of(before, ath, {verb: changed})
    return JSONResponse({"changed": changed, "webhooks": st.webhooks.submit(events)})


async def rescore(request: Request) -> Response:
    """``POST /_sandbox/rescore``: rescore one record now (``updated_at`` moves)."""
    return _force(request, lambda ath, kind, key, now: ath.force_rescore(kind, key, now), "updated")


async def delete(request: Request) -> Response:
    """``POST /_sandbox/delete``: delete one record now."""
    return _force(request, lambda ath, kind, key, now: ath.force_delete(kind, key), "deleted")


async def webhooks(request: Request) -> Response:
    """``GET|POST /_sandbox/webhooks``: where the sandbox's webhooks go, and what they got."""
    st = _st(request)
    if request.method == "POST":
        url = request.query_params.get("url")
        if url is None and (raw := await request.body()):
            try:
                data = json.loads(raw)
                url = data.get("url") if isinstance(data, dict) else None
            except ValueError:
                return _bad("body must be a JSON object")
        if url is not None and not (isinstance(url, str) and url.startswith(("http://", "https://"))):
            return _bad("url must be an http:// or https:// URL")
        st.webhooks.url = url or None
    return JSONResponse(st.webhooks.status())


async def faults(request: Request) -> Response:
    st = _st(request)
    if request.method == "POST":
        try:
            data = json.loads(await request.body() or b"{}")
            if not isinstance(data, dict):
                raise ValueError("body must be a JSON object")
            if data.get("clear"):
                st.faults.clear()
            spec = data.get("spec")
            if spec is None and data.get("kind"):
                target = f"@{data['target']}" if data.get("target") else ""
                spec = f"{data['kind']}{target}:{int(data.get('count', 1))}"
            added = st.faults.add(str(spec or ""))
        except (ValueError, TypeError) as exc:
            return _bad(str(exc))
        return JSONResponse({"added": added, "pending": st.faults.pending()})
    return JSONResponse({"pending": st.faults.pending()})


async def stats(request: Request) -> Response:
    st = _st(request)
    with st.lock:
        return JSONResponse(st.stats.as_json())


async def reset_stats(request: Request) -> Response:
    _st(request).reset_stats()
    return Response(status_code=204)


def routes() -> list[Route]:
    return [
        Route("/_sandbox/health", health),
        Route("/_sandbox/advance", advance, methods=["POST"]),
        Route("/_sandbox/token-clock", token_clock, methods=["POST"]),
        Route("/_sandbox/rescore", rescore, methods=["POST"]),
        Route("/_sandbox/delete", delete, methods=["POST"]),
        Route("/_sandbox/faults", faults, methods=["GET", "POST"]),
        Route("/_sandbox/webhooks", webhooks, methods=["GET", "POST"]),
        Route("/_sandbox/stats", stats),
        Route("/_sandbox/reset-stats", reset_stats, methods=["POST"]),
    ]
