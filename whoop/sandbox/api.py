"""API v2 user-data endpoints under ``/developer/v2`` (SPEC paths, shapes and status codes).

Per request, in order: bearer token (missing/unknown/expired/revoked -> 401 ``invalid_token``),
rate limit (-> 429), scope (missing -> 401 with ``error: insufficient_scope``: the SPEC lists 401,
never 403, for authorization failures), parameters (-> 400), then the record (unknown id -> 404).
Every response after a valid token carries the ``X-RateLimit-*`` headers.
``GET /v2/cycle/{cycleId}/sleep`` requires ``read:sleep`` (the SPEC declares no security there;
docs/WHOOP.md#api-v2-endpoints presumes read:sleep). It returns the cycle's main sleep, never a nap.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from whoop.sandbox.query import BadQuery, page, parse_query
from whoop.sandbox.state import Grant, SandboxState
from whoop.sandbox.world import AthleteWorld

PREFIX = "/developer/v2"


def _error(status: int, error: str, description: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status,
                        headers=headers)


def _bearer(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


Handler = Callable[[Request, SandboxState, AthleteWorld], Any]


def guarded(scope: str | None, handler: Handler) -> Callable[[Request], Any]:
    """Wrap ``handler`` with token, rate-limit and scope checks; it returns a body or a Response.

    ``scope`` None means "any valid token" and is used only by ``DELETE /v2/user/access``
    (SPEC security ``OAuth: []``), whose handler revokes the caller's grant.
    """

    async def endpoint(request: Request) -> Response:
        st: SandboxState = request.app.state.sandbox
        grant, reason = st.authenticate(_bearer(request))
        if grant is None:
            return _error(401, "invalid_token", f"The access token is {reason}.",
                          {"WWW-Authenticate": 'Bearer error="invalid_token"'})
        decision = st.rate.hit(grant.client_id)
        if not decision.allowed:
            return _error(429, "rate_limited", "Too many requests.", decision.headers)
        if scope is not None and scope not in grant.scopes:
            return _error(401, "insufficient_scope", f"This request needs the {scope} scope.",
                          {**decision.headers,
                           "WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{scope}"'})
        with st.lock:
            athlete = st.world.athletes[grant.athlete]
            try:
                result = handler(request, st, athlete) if scope is not None else \
                    _revoke(request, st, grant)
            except BadQuery as exc:
                return _error(400, "invalid_request", str(exc), decision.headers)
        if isinstance(result, Response):
            result.headers.update(decision.headers)
            return result
        return JSONResponse(result, headers=decision.headers)

    return endpoint


def _revoke(request: Request, st: SandboxState, grant: Grant) -> Response:
    st.revoke_by_access(_bearer(request))
    return Response(status_code=204)


def _not_found(what: str) -> JSONResponse:
    return _error(404, "not_found", f"{what} not found.")


def _cycle_id(request: Request) -> int:
    raw = request.path_params["cycleId"]
    try:
        value = int(raw)
    except ValueError as exc:
        raise BadQuery("cycleId must be an int64") from exc
    if not -(2**63) <= value < 2**63:
        raise BadQuery("cycleId must be an int64")
    return value


def _uuid(request: Request, name: str) -> str:
    try:
        return str(uuid.UUID(request.path_params[name]))
    except ValueError as exc:
        raise BadQuery(f"{name} must be a UUID") from exc


def collection(kind: str) -> Handler:
    def handler(request: Request, st: SandboxState, ath: AthleteWorld) -> Any:
        q = parse_query(kind, request.query_params, st.world.now)
        return page(ath.sorted_desc[kind], q)

    return handler


def by_uuid(kind: str, param: str) -> Handler:
    def handler(request: Request, st: SandboxState, ath: AthleteWorld) -> Any:
        key = _uuid(request, param)
        rec = ath.records[kind].get(key)
        return rec if rec is not None else _not_found(kind.capitalize())

    return handler


def cycle_by_id(request: Request, st: SandboxState, ath: AthleteWorld) -> Any:
    rec = ath.records["cycle"].get(_cycle_id(request))
    return rec if rec is not None else _not_found("Cycle")


def cycle_sleep(request: Request, st: SandboxState, ath: AthleteWorld) -> Any:
    cid = _cycle_id(request)
    if cid not in ath.records["cycle"]:
        return _not_found("Cycle")
    rec = ath.sleep_for_cycle(cid)
    return rec if rec is not None else _not_found("Sleep")


def cycle_recovery(request: Request, st: SandboxState, ath: AthleteWorld) -> Any:
    cid = _cycle_id(request)
    if cid not in ath.records["cycle"]:
        return _not_found("Cycle")
    rec = ath.records["recovery"].get(cid)
    if rec is None or rec["sleep_id"] not in ath.records["sleep"]:
        return _not_found("Recovery")
    return rec


def routes() -> list[Route]:
    """The API v2 routes (GET unless noted)."""
    g = guarded
    return [
        Route(f"{PREFIX}/user/profile/basic", g("read:profile", lambda r, s, a: dict(a.profile))),
        Route(f"{PREFIX}/user/measurement/body",
              g("read:body_measurement", lambda r, s, a: dict(a.body))),
        Route(f"{PREFIX}/user/access", g(None, lambda r, s, a: None), methods=["DELETE"]),
        Route(f"{PREFIX}/cycle", g("read:cycles", collection("cycle"))),
        Route(f"{PREFIX}/cycle/{{cycleId}}", g("read:cycles", cycle_by_id)),
        Route(f"{PREFIX}/cycle/{{cycleId}}/sleep", g("read:sleep", cycle_sleep)),
        Route(f"{PREFIX}/cycle/{{cycleId}}/recovery", g("read:recovery", cycle_recovery)),
        Route(f"{PREFIX}/recovery", g("read:recovery", collection("recovery"))),
        Route(f"{PREFIX}/activity/sleep", g("read:sleep", collection("sleep"))),
        Route(f"{PREFIX}/activity/sleep/{{sleepId}}", g("read:sleep", by_uuid("sleep", "sleepId"))),
        Route(f"{PREFIX}/activity/workout", g("read:workout", collection("workout"))),
        Route(f"{PREFIX}/activity/workout/{{workoutId}}",
              g("read:workout", by_uuid("workout", "workoutId"))),
    ]
