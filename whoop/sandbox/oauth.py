"""OAuth 2.0 endpoints: ``/oauth/oauth2/auth`` (consent page) and ``/oauth/oauth2/token``.

Authorization request (GET ``/oauth/oauth2/auth``), checked in this order, like Ory Hydra:

1. ``client_id`` unknown, or ``redirect_uri`` not exactly a registered one -> an HTML error page
   (400), never a redirect (RFC 6749 §4.1.2.1). A missing ``redirect_uri`` means the registered one
   when exactly one is registered (Hydra's rule).
2. Otherwise errors are redirected to ``redirect_uri`` with ``error``, ``error_description`` and the
   ``state``: ``unsupported_response_type`` (not ``code``), ``invalid_state`` (``state`` missing or
   shorter than 8 characters: Hydra's check behind DOC-OAUTH's "must be eight characters long"),
   ``invalid_scope`` (a scope WHOOP does not define).
3. The consent page lists the requested scopes and the synthetic athletes (one radio button each),
   with Allow and Deny; it POSTs back to the same path with an opaque request id.
   Allow -> ``302 redirect_uri?code=...&scope=...&state=...``; Deny -> ``error=access_denied``.
   With ``--auto-approve`` the GET redirects at once (athlete ``sandbox_athlete``, default 0).

Token endpoint: form body only (``client_secret_post``); an ``Authorization: Basic`` header is
refused with 401 ``invalid_client`` as WHOOP does (FormidableLabs/react-native-app-auth#797).
Grants: ``authorization_code`` and ``refresh_token`` (see ``whoop.sandbox.state`` for rotation).
Errors are ``{"error", "error_description"}`` (RFC 6749 §5.2): 401 for ``invalid_client``, else 400.
The token endpoint is not rate limited (WHOOP does not document whether it is). With
``token_hold_s`` a successful reply is held that long after the tokens were issued (for kill tests).
"""

from __future__ import annotations

import asyncio
from html import escape
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from whoop.sandbox.state import SCOPES, OAuthError, SandboxState

MIN_STATE_LEN = 8
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def redirect_with(uri: str, params: dict[str, str]) -> RedirectResponse:
    """302 to ``uri`` with ``params`` added to its query (existing query kept)."""
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return RedirectResponse(urlunsplit(parts._replace(query=urlencode(query))), status_code=302)


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    html = (f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title>"
            "<style>body{font-family:sans-serif;max-width:36rem;margin:3rem auto}"
            "button{font-size:1rem;margin-right:1rem;padding:.4rem 1.2rem}</style></head>"
            f"<body><h1>{escape(title)}</h1>{body}</body></html>")
    return HTMLResponse(html, status_code=status, headers=_NO_STORE)


def _error_page(message: str) -> HTMLResponse:
    return _page("Authorization error", f"<p>{escape(message)}</p>", 400)


def _state(request: Request) -> SandboxState:
    return request.app.state.sandbox


async def authorize(request: Request) -> Response:
    """GET: validate the request, then consent page (or redirect at once with --auto-approve)."""
    st = _state(request)
    q = request.query_params
    if q.get("client_id") != st.options.client_id:
        return _error_page("Unknown client_id.")
    redirect_uri = q.get("redirect_uri")
    if redirect_uri is None and len(st.options.redirect_uris) == 1:
        redirect_uri = st.options.redirect_uris[0]
    if redirect_uri not in st.options.redirect_uris:
        return _error_page("redirect_uri does not match a registered redirect URI.")
    state = q.get("state", "")
    base = {"state": state} if state else {}
    if q.get("response_type") != "code":
        return redirect_with(redirect_uri, {"error": "unsupported_response_type",
                                            "error_description": "response_type must be code", **base})
    if len(state) < MIN_STATE_LEN:
        return redirect_with(redirect_uri, {
            "error": "invalid_state",
            "error_description": f"state must be at least {MIN_STATE_LEN} characters", **base})
    scopes = q.get("scope", "").split()
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown:
        return redirect_with(redirect_uri, {"error": "invalid_scope",
                                            "error_description": "unknown scope requested", **base})
    if st.options.auto_approve:
        athlete = _athlete_index(st, q.get("sandbox_athlete", "0"))
        code = st.issue_code(st.options.client_id, redirect_uri, scopes, athlete)
        return redirect_with(redirect_uri, {"code": code, "scope": " ".join(scopes), "state": state})
    rid = st.new_auth_request(st.options.client_id, redirect_uri, scopes, state)
    return _consent_page(st, rid, scopes)


def _athlete_index(st: SandboxState, raw: str) -> int:
    try:
        idx = int(raw)
    except ValueError:
        return 0
    return idx if 0 <= idx < len(st.world.athletes) else 0


def _consent_page(st: SandboxState, rid: str, scopes: list[str]) -> HTMLResponse:
    with st.lock:
        people = [a.profile for a in st.world.athletes]
    radios = "".join(
        f"<label><input type='radio' name='athlete' value='{i}'{' checked' if i == 0 else ''}> "
        f"{escape(p['first_name'])} {escape(p['last_name'])} ({escape(p['email'])})</label><br>"
        for i, p in enumerate(people))
    scope_items = "".join(f"<li>{escape(s)}</li>" for s in scopes) or "<li>(none)</li>"
    body = (f"<p><b>{escape(st.options.client_id)}</b> (WHOOP sandbox) asks to access:</p>"
            f"<ul>{scope_items}</ul>"
            "<form method='post' action='/oauth/oauth2/auth'>"
            f"<input type='hidden' name='request' value='{escape(rid)}'>"
            f"<fieldset><legend>Sign in as</legend>{radios}</fieldset><p>"
            "<button type='submit' name='decision' value='allow' id='allow'>Allow</button>"
            "<button type='submit' name='decision' value='deny' id='deny'>Deny</button></p></form>")
    return _page("WHOOP sandbox: authorize", body)


async def decide(request: Request) -> Response:
    """POST from the consent page: Allow -> redirect with a code; Deny -> ``access_denied``."""
    st = _state(request)
    form = await request.form()
    req = st.take_auth_request(str(form.get("request", "")))
    if req is None:
        return _error_page("This authorization request is unknown or has expired; start again.")
    base = {"state": req.state}
    if form.get("decision") != "allow":
        return redirect_with(req.redirect_uri, {
            "error": "access_denied",
            "error_description": "The resource owner denied the request", **base})
    athlete = _athlete_index(st, str(form.get("athlete", "0")))
    code = st.issue_code(req.client_id, req.redirect_uri, req.scopes, athlete)
    return redirect_with(req.redirect_uri, {"code": code, "scope": " ".join(req.scopes), **base})


async def token(request: Request) -> Response:
    """POST ``/oauth/oauth2/token``: ``authorization_code`` and ``refresh_token`` grants."""
    st = _state(request)
    try:
        if request.headers.get("authorization", "").lower().startswith("basic"):
            raise OAuthError("invalid_client", "Client credentials must be sent in the request body "
                             "(client_secret_post).", 401)
        form = await request.form()
        data = {k: str(v) for k, v in form.items()}
        st.check_client(data.get("client_id"), data.get("client_secret"))
        grant_type = data.get("grant_type")
        if grant_type == "authorization_code":
            if not data.get("code"):
                raise OAuthError("invalid_request", "code is required.")
            body = st.exchange_code(data["code"], data["client_id"], data.get("redirect_uri"))
        elif grant_type == "refresh_token":
            if not data.get("refresh_token"):
                raise OAuthError("invalid_request", "refresh_token is required.")
            body = st.refresh(data["refresh_token"], data["client_id"], data.get("scope"))
        else:
            raise OAuthError("unsupported_grant_type", "grant_type must be authorization_code "
                             "or refresh_token.")
    except OAuthError as err:
        st.count_token_error(err.error)
        return JSONResponse(err.body(), status_code=err.status, headers=_NO_STORE)
    if st.options.token_hold_s > 0:     # issued (and rotated) already: the answer is on its way
        await asyncio.sleep(st.options.token_hold_s)
    return JSONResponse(body, headers=_NO_STORE)
