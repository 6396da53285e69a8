"""OAuth 2.0 with WHOOP (authorization code flow, oauthlib over httpx): authorization URL, pending
states kept server-side, code exchange, token refresh and revocation.

Rules (WHOOP developer docs "OAuth 2.0", https://developer.whoop.com/docs/developing/oauth):

* scopes ``offline read:recovery read:cycles read:sleep read:workout read:profile
  read:body_measurement`` (``offline`` is what returns a refresh token);
* ``state`` >= 8 characters: we use ``secrets.token_urlsafe(24)`` (32 characters); only its
  SHA-256 is stored, in ``oauth_states``; single use; expires after 10 minutes;
* client credentials go in the form body (``client_secret_post``); HTTP Basic is refused;
* refresh tokens rotate: the old pair dies when a refresh succeeds (see ``whoop.tokens``);
* revoke: ``DELETE /developer/v2/user/access`` with the bearer token -> 204.

Every request goes through the project's one HTTP stack (:func:`whoop.http.whoop_http`: the
same client factory, timeout and injectable transport as the API client; ``settings.transport``
None is the network); oauthlib (which requests-oauthlib brings) writes the token request bodies
and reads the replies, RFC 6749 §4.1.3, §6 and §5.1-5.2. Nothing is switched in ``os.environ``.

Errors: WHOOP refusing is an :class:`~whoop.errors.AuthError` (``ReconnectNeeded`` for
``invalid_grant``); WHOOP unreachable is a :class:`~whoop.errors.NetworkError` (nothing was sent
or no reply came: retry later).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlencode, urlparse

import httpx
from oauthlib.oauth2 import OAuth2Error
from oauthlib.oauth2.rfc6749.parameters import parse_token_response, prepare_token_request

from whoop.config import WhoopSettings
from whoop.crypto import remember_secret
from whoop.errors import AuthError, NetworkError, ReconnectNeeded
from whoop.http import require_secure, whoop_http

if TYPE_CHECKING:     # the refresh helper process imports this module and must not load the database
    from whoop.store import Store
    from whoop.store.connections import OAuthState

SCOPES = ["offline", "read:recovery", "read:cycles", "read:sleep", "read:workout", "read:profile",
          "read:body_measurement"]
STATE_TTL_S = 600
AUTH_PATH = "/oauth/oauth2/auth"
TOKEN_PATH = "/oauth/oauth2/token"
REVOKE_PATH = "/developer/v2/user/access"
FORM = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}


def utcnow() -> datetime:
    """The current instant, tz-aware UTC."""
    return datetime.now(UTC)


def _state_hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def authorization_url(store: Store, settings: WhoopSettings, *, link_athlete: str | None = None,
                      account_id: int | None = None) -> str:
    """A new authorization URL; its random ``state`` is remembered (hashed) server-side with the
    person's "link to athlete" choice (None = a new athlete named after the WHOOP profile) and
    the signed-in account that asked (None: the personal deployment).

    Raises:
        ConfigError: WHOOP is not configured. StoreError, DatabaseBusyError.
    """
    settings.require()
    state = secrets.token_urlsafe(24)
    query = urlencode({"response_type": "code", "client_id": settings.client_id,
                       "redirect_uri": settings.redirect_uri, "scope": " ".join(SCOPES),
                       "state": state})
    url = f"{require_secure(settings.base_url)}{AUTH_PATH}?{query}"
    now = utcnow()
    store.save_oauth_state(_state_hash(state), now, link_athlete or None,
                           purge_before=now - timedelta(days=1), account_id=account_id)
    return url


def consume_state(store: Store, state: str | None) -> OAuthState:
    """Check and use up ``state``; return it as stored (``link_athlete``: None = new athlete;
    ``account_id``: who started it).

    Raises:
        AuthError: the state is missing, unknown, already used or older than 10 minutes.
    """
    if not state:
        raise AuthError("the sign-in reply has no state; start Connect again")
    found = store.use_oauth_state(_state_hash(state), utcnow())
    if found is None:
        raise AuthError("this sign-in link is unknown (it was not started here); start Connect again")
    created_at, used_at = found.created_at, found.used_at
    if used_at is not None:
        raise AuthError("this sign-in link was already used; start Connect again")
    if (utcnow() - created_at).total_seconds() > STATE_TTL_S:
        raise AuthError("this sign-in link expired (older than 10 minutes); start Connect again")
    return found


@dataclass(frozen=True)
class RedirectReply:
    """The query of the URL WHOOP sent the person back to."""

    code: str | None
    state: str | None
    error: str | None
    error_description: str | None = None


def parse_redirect(url_or_query: str) -> RedirectReply:
    """Read ``code``/``state``/``error`` from a full redirect URL or a bare query string.

    Raises:
        AuthError: neither a code nor an error is present.
    """
    text = (url_or_query or "").strip()
    query = urlparse(text).query if "://" in text else text.lstrip("?")
    q = {k: v[0] for k, v in parse_qs(query).items()}
    if not q.get("code") and not q.get("error"):
        raise AuthError("that URL has no 'code' or 'error' parameter: paste the full address of the "
                        "page WHOOP sent you back to")
    return RedirectReply(q.get("code"), q.get("state"), q.get("error"), q.get("error_description"))


def _token_error(exc: OAuth2Error, what: str) -> AuthError:
    if exc.error == "invalid_grant":
        return ReconnectNeeded(f"WHOOP refused the {what} (invalid_grant): connect again")
    return AuthError(f"WHOOP refused the {what} ({exc.error})", reconnect=exc.error in (
        "invalid_client", "unauthorized_client", "access_denied"))


def _post_token(settings: WhoopSettings, body: str) -> dict:
    """POST a form ``body`` to WHOOP's token endpoint and read the reply (oauthlib's RFC 6749
    §5.1 parser: an ``error`` field raises its :class:`OAuth2Error`, a reply without an access
    token ``MissingTokenError``; ``expires_at`` is added from ``expires_in``).

    Raises:
        OAuth2Error: WHOOP answered with an error or without a token.
        httpx.HTTPError: no complete reply (never sent, cut off, timed out).
        ValueError, TypeError: a malformed field (e.g. a non-numeric ``expires_in``).
    """
    with whoop_http(settings.base_url, transport=settings.transport) as http:
        reply = http.post(TOKEN_PATH, content=body, headers=FORM)
    return dict(parse_token_response(reply.text))


def _remember(token: dict) -> dict:
    remember_secret(token.get("access_token"))
    remember_secret(token.get("refresh_token"))
    return token


def exchange_code(settings: WhoopSettings, code: str) -> dict:
    """Exchange an authorization code for tokens (client credentials in the form body).

    Returns the token response: ``access_token``, ``refresh_token``, ``expires_in`` (s),
    ``expires_at`` (epoch s), ``scope``.

    Raises:
        AuthError: WHOOP refused the code (``reconnect`` set when connecting again helps) or its
            reply was unreadable.
        NetworkError: WHOOP could not be reached.
        ConfigError: WHOOP is not configured, or its address is not https.
    """
    settings.require()
    remember_secret(settings.client_secret)
    body = prepare_token_request("authorization_code", code=code, redirect_uri=settings.redirect_uri,
                                 client_id=settings.client_id, client_secret=settings.client_secret)
    try:
        token = _post_token(settings, body)
    except OAuth2Error as exc:
        raise _token_error(exc, "sign-in code") from None
    except httpx.HTTPError as exc:        # never with a token inside
        raise NetworkError(f"could not reach WHOOP to finish sign-in ({exc.__class__.__name__}); "
                           f"try again") from None
    except (ValueError, TypeError, KeyError) as exc:
        raise AuthError(f"WHOOP's reply to the sign-in code was unreadable ({exc.__class__.__name__}); "
                        f"start Connect again") from None
    return _remember(dict(token))


# RFC 6749 §5.2: the error codes of a token endpoint that has read the request and refused it.
REFUSALS = frozenset({"invalid_request", "invalid_client", "invalid_grant", "unauthorized_client",
                      "unsupported_grant_type", "invalid_scope"})
# WHOOP failed and said so (RFC 6749 §4.1.2.1 codes, also sent with 5xx): nothing was rotated.
SERVER_FAILED = frozenset({"server_error", "temporarily_unavailable"})


class UnreadableReply(Exception):
    """WHOOP may have answered (and rotated the pair) but the reply could not be read:
    ``what`` says how (cut off, malformed JSON, missing fields, connection dropped)."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


def _never_sent(exc: httpx.HTTPError) -> bool:
    """True when the request certainly did not reach WHOOP (no connection was made)."""
    return isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout))


def _refresh_once(settings: WhoopSettings, refresh_token: str) -> dict:
    """One refresh request. Returns the new pair (with a new ``refresh_token``).

    Raises:
        ReconnectNeeded / AuthError: WHOOP refused (an RFC 6749 §5.2 code) or said it failed.
        NetworkError: WHOOP could not be reached at all (nothing was sent).
        UnreadableReply: the request was sent and no usable reply came back.
    """
    body = prepare_token_request("refresh_token", refresh_token=refresh_token, scope="offline",
                                 client_id=settings.client_id, client_secret=settings.client_secret)
    try:
        token = _post_token(settings, body)
    except OAuth2Error as exc:
        if exc.error in REFUSALS:
            raise _token_error(exc, "token refresh") from None
        if exc.error in SERVER_FAILED:
            raise AuthError(f"WHOOP could not refresh access right now ({exc.error}); the stored tokens "
                            f"are kept: try again later") from None
        # oauthlib's missing_token: the body was cut off, not JSON, or had no access token
        raise UnreadableReply("cut off or malformed: no access token in it" if exc.error == "missing_token"
                              else f"not a token reply ({exc.error})") from None
    except httpx.HTTPError as exc:
        if _never_sent(exc):
            raise NetworkError(f"could not reach WHOOP to refresh access ({exc.__class__.__name__}); the "
                               f"stored tokens are kept: try again later") from None
        raise UnreadableReply(f"connection lost before the whole reply arrived "
                              f"({exc.__class__.__name__})") from None
    except (ValueError, TypeError, KeyError) as exc:      # e.g. a non-numeric expires_in
        raise UnreadableReply(f"malformed ({exc.__class__.__name__})") from None
    # WHOOP always rotates the refresh token (its "OAuth 2.0" page): a reply without a new one
    # lost it
    if (not token.get("access_token") or not token.get("refresh_token")
            or token["refresh_token"] == refresh_token):
        raise UnreadableReply("missing fields: no new refresh token in it")
    return token


def refresh(settings: WhoopSettings, refresh_token: str) -> dict:
    """Trade a refresh token for a new pair (the old pair is dead once this returns).

    WHOOP rotates refresh tokens (developer docs "OAuth 2.0": the old one fails once a refresh
    succeeded). A reply that cannot be read (cut off mid-body, malformed JSON, missing fields,
    connection dropped after the request was sent) leaves it unknown whether WHOOP rotated: the
    old token is tried once more. If WHOOP never processed the first request this works; if it
    did, the old token is spent and WHOOP refuses it with ``invalid_grant``, and the error says
    exactly that.

    Returns the token response: ``access_token``, ``refresh_token`` (new), ``expires_in`` (s),
    ``scope``.

    Raises:
        ReconnectNeeded: ``invalid_grant`` (refresh token expired, revoked or already used);
            after an unreadable reply the message names it.
        AuthError: any other refusal, or two unreadable replies in a row (``reconnect`` False:
            the stored pair is kept, retry later).
        NetworkError: WHOOP could not be reached (the stored pair is kept, retry later).
    """
    settings.require()
    remember_secret(settings.client_secret)
    try:
        return _remember(_refresh_once(settings, refresh_token))
    except UnreadableReply as first:
        what = first.what
    try:
        return _remember(_refresh_once(settings, refresh_token))
    except UnreadableReply as second:
        raise AuthError(f"WHOOP's reply to the token refresh was unreadable ({what}), and so was the reply "
                        f"to a second try ({second.what}); the stored tokens are kept and may still work: "
                        f"try again later") from None
    except ReconnectNeeded:
        raise ReconnectNeeded(f"WHOOP's reply to the token refresh was unreadable ({what}), so the new "
                              f"tokens it issued never arrived; the previous refresh token was then refused "
                              f"(invalid_grant) because that refresh had used it up: connect again") from None
    except AuthError as exc:
        raise AuthError(f"WHOOP's reply to the token refresh was unreadable ({what}); a second try failed "
                        f"too: {exc}", reconnect=exc.reconnect) from None
    except NetworkError as exc:
        raise NetworkError(f"WHOOP's reply to the token refresh was unreadable ({what}); a second try "
                           f"failed too: {exc}") from None


def revoke(settings: WhoopSettings, access_token: str) -> bool:
    """Revoke the grant at WHOOP (``DELETE /developer/v2/user/access``). Returns True on 2xx,
    False when WHOOP answered otherwise (e.g. 401: the grant is already gone).

    Raises:
        NetworkError: WHOOP could not be reached.
    """
    try:
        with whoop_http(settings.base_url, transport=settings.transport) as http:
            r = http.delete(REVOKE_PATH, headers={"Authorization": f"Bearer {access_token}"})
    except httpx.HTTPError as exc:
        raise NetworkError(f"could not reach WHOOP to revoke access ({exc.__class__.__name__})") from None
    return 200 <= r.status_code < 300
