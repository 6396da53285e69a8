"""All mutable sandbox state behind one lock: clock + data, OAuth codes and tokens, stats.

OAuth behaviour (https://developer.whoop.com/docs/developing/oauth, docs/WHOOP.md#oauth, RFC 6749,
Ory Hydra which WHOOP runs):

- Codes are single-use and expire after ``code_ttl_s``; exchanging a code a second time fails with
  ``invalid_grant`` and revokes the tokens issued from it (RFC 6749 §4.1.2, Hydra does the same).
- Access tokens expire after ``token_ttl_s`` on the token clock: the wall clock plus a skip that
  only moves forward (:meth:`SandboxState.skip_token_clock`, ``POST /_sandbox/token-clock``), so a
  test can let a token expire without sleeping. It is not the sandbox data clock.
- Only a grant with the ``offline`` scope gets a refresh token. Refresh tokens rotate: a refresh
  invalidates the old refresh token *and* the old access token (DOC-OAUTH); a used refresh token
  fails with ``invalid_grant``. The check-and-rotate runs under the state lock, so of two concurrent
  refreshes with one token exactly one wins. The loser does not revoke the winner's new tokens
  (DOC-OAUTH only says "the second request would fail").
- Revoking a grant kills its access and refresh tokens.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from whoop.sandbox.faults import FaultQueue
from whoop.sandbox.options import SandboxOptions
from whoop.sandbox.ratelimit import RateLimiter
from whoop.sandbox.webhooks import WebhookSender
from whoop.sandbox.world import World

SCOPES = ("offline", "read:recovery", "read:cycles", "read:workout", "read:sleep", "read:profile",
          "read:body_measurement")


class OAuthError(Exception):
    """An RFC 6749 error: ``error`` code, ``description`` and the HTTP ``status`` to answer with."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


@dataclass
class AuthRequest:
    """An authorization request waiting on the consent page."""

    id: str
    client_id: str
    redirect_uri: str
    scopes: list[str]
    state: str
    expires_at: float


@dataclass
class Code:
    code: str
    client_id: str
    redirect_uri: str
    scopes: list[str]
    athlete: int
    expires_at: float
    used: bool = False
    grant_id: str | None = None


@dataclass
class Grant:
    """One user's consent to one client: the tokens issued from a code and its refreshes."""

    id: str
    client_id: str
    athlete: int
    scopes: list[str]
    revoked: bool = False


@dataclass
class Access:
    token: str
    grant_id: str
    expires_at: float
    valid: bool = True


@dataclass
class Refresh:
    token: str
    grant_id: str
    used: bool = False


@dataclass
class Stats:
    """Counters served by ``GET /_sandbox/stats``."""

    requests: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    rate_limited: int = 0
    tokens_issued: int = 0
    codes_issued: int = 0
    code_exchanges: int = 0
    refreshes: int = 0
    token_errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    revocations: int = 0
    faults_injected: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def as_json(self) -> dict[str, Any]:
        return {"requests": {k: dict(v) for k, v in sorted(self.requests.items())},
                "rate_limited": self.rate_limited, "tokens_issued": self.tokens_issued,
                "codes_issued": self.codes_issued, "code_exchanges": self.code_exchanges,
                "refreshes": self.refreshes, "token_errors": dict(self.token_errors),
                "revocations": self.revocations, "faults_injected": dict(self.faults_injected)}


def _default_now() -> datetime:
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


class SandboxState:
    """The sandbox's memory. Every public method takes ``self.lock``; callers never do.

    Args:
        options: the server settings.
        generator: the athlete generator (default ``whoop.synth.generate_athlete``).
        clock: wall-clock seconds for code/token expiry (default ``time.time``); the token clock
            is ``clock() +`` the seconds skipped so far.
    """

    def __init__(self, options: SandboxOptions, *, generator: Callable[..., Any] | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.options = options
        self.lock = threading.RLock()
        self._wall = clock
        self._skipped_s = 0.0
        self.world = World(seed=options.seed, days=options.days, athletes=options.athletes,
                           now=options.now or _default_now(), generator=generator)
        self.rate = RateLimiter(options.rate_window_s)
        self.faults = FaultQueue()
        if options.faults:
            self.faults.add(options.faults)
        self.webhooks = WebhookSender(options.client_secret, self.faults, options.webhook_url)
        self.stats = Stats()
        self._auth_requests: dict[str, AuthRequest] = {}
        self._codes: dict[str, Code] = {}
        self._grants: dict[str, Grant] = {}
        self._access: dict[str, Access] = {}
        self._refresh: dict[str, Refresh] = {}

    # -- the token clock ---------------------------------------------------------------------------
    def _clock(self) -> float:
        return self._wall() + self._skipped_s

    def skip_token_clock(self, seconds: float) -> float:
        """Move the token clock ``seconds`` (>= 0) forward: codes, consent requests and access
        tokens age as if that much wall time had passed. Returns the total skipped, seconds.

        Raises:
            ValueError: ``seconds`` is negative or not finite.
        """
        if not 0 <= seconds < float("inf"):
            raise ValueError("skip the token clock by 0 or more seconds")
        with self.lock:
            self._skipped_s += seconds
            return self._skipped_s

    # -- authorization requests and codes -------------------------------------------------------
    def new_auth_request(self, client_id: str, redirect_uri: str, scopes: list[str], state: str) -> str:
        """Park an authorization request for the consent page; returns its opaque id."""
        with self.lock:
            rid = secrets.token_urlsafe(16)
            self._auth_requests[rid] = AuthRequest(rid, client_id, redirect_uri, scopes, state,
                                                   self._clock() + max(self.options.code_ttl_s, 600))
            return rid

    def take_auth_request(self, rid: str) -> AuthRequest | None:
        """Remove and return a parked request (None when unknown or expired)."""
        with self.lock:
            req = self._auth_requests.pop(rid, None)
            if req is None or req.expires_at < self._clock():
                return None
            return req

    def issue_code(self, client_id: str, redirect_uri: str, scopes: list[str], athlete: int) -> str:
        """A fresh single-use authorization code for ``athlete`` (index into the world)."""
        with self.lock:
            code = secrets.token_urlsafe(32)
            self._codes[code] = Code(code, client_id, redirect_uri, list(scopes), athlete,
                                     self._clock() + self.options.code_ttl_s)
            self.stats.codes_issued += 1
            return code

    def check_client(self, client_id: str | None, client_secret: str | None) -> None:
        """Raises OAuthError(invalid_client, 401) unless the credentials are the registered ones."""
        if client_id != self.options.client_id or not secrets.compare_digest(
                (client_secret or "").encode(), self.options.client_secret.encode()):
            raise OAuthError("invalid_client", "Client authentication failed.", 401)

    def _issue_tokens(self, grant: Grant) -> dict[str, Any]:
        access = secrets.token_urlsafe(32)
        self._access[access] = Access(access, grant.id, self._clock() + self.options.token_ttl_s)
        body: dict[str, Any] = {"access_token": access, "expires_in": self.options.token_ttl_s,
                                "scope": " ".join(grant.scopes), "token_type": "bearer"}
        if "offline" in grant.scopes:
            refresh = secrets.token_urlsafe(32)
            self._refresh[refresh] = Refresh(refresh, grant.id)
            body["refresh_token"] = refresh
        self.stats.tokens_issued += 1
        return body

    def exchange_code(self, code: str, client_id: str, redirect_uri: str | None) -> dict[str, Any]:
        """``authorization_code`` grant -> token response body.

        Raises:
            OAuthError: ``invalid_grant`` for an unknown, used, expired or mismatched code.
        """
        with self.lock:
            entry = self._codes.get(code)
            if entry is None or entry.client_id != client_id:
                raise OAuthError("invalid_grant", "The authorization code is invalid.")
            if entry.used:
                if entry.grant_id:
                    self._revoke_grant(entry.grant_id)
                raise OAuthError("invalid_grant", "The authorization code has already been used.")
            if entry.expires_at < self._clock():
                raise OAuthError("invalid_grant", "The authorization code has expired.")
            if redirect_uri != entry.redirect_uri:
                raise OAuthError("invalid_grant", "redirect_uri does not match the authorization request.")
            entry.used = True
            grant = Grant(secrets.token_urlsafe(12), client_id, entry.athlete, entry.scopes)
            self._grants[grant.id] = grant
            entry.grant_id = grant.id
            self.stats.code_exchanges += 1
            return self._issue_tokens(grant)

    def refresh(self, token: str, client_id: str, scope: str | None) -> dict[str, Any]:
        """``refresh_token`` grant: rotate atomically -> token response body.

        Raises:
            OAuthError: ``invalid_grant`` for an unknown, used or revoked refresh token;
                ``invalid_scope`` when ``scope`` asks for more than was granted.
        """
        with self.lock:
            entry = self._refresh.get(token)
            grant = self._grants.get(entry.grant_id) if entry else None
            if entry is None or grant is None or grant.client_id != client_id:
                raise OAuthError("invalid_grant", "The refresh token is invalid.")
            if entry.used or grant.revoked:
                raise OAuthError("invalid_grant", "The refresh token has been used or revoked.")
            if scope:
                extra = set(scope.split()) - set(grant.scopes)
                if extra:
                    raise OAuthError("invalid_scope", "The requested scope was not granted.")
            entry.used = True
            for acc in self._access.values():
                if acc.grant_id == grant.id:
                    acc.valid = False
            self.stats.refreshes += 1
            return self._issue_tokens(grant)

    # -- bearer tokens -----------------------------------------------------------------------------
    def authenticate(self, token: str | None) -> tuple[Grant | None, str]:
        """Bearer token -> (grant, "") or (None, reason) with reason in missing/unknown/expired/revoked."""
        if not token:
            return None, "missing"
        with self.lock:
            acc = self._access.get(token)
            if acc is None:
                return None, "unknown"
            grant = self._grants[acc.grant_id]
            if grant.revoked or not acc.valid:
                return None, "revoked"
            if acc.expires_at <= self._clock():
                return None, "expired"
            return grant, ""

    def client_of(self, token: str | None) -> str:
        """The client a bearer token belongs to (the registered client when unknown)."""
        with self.lock:
            acc = self._access.get(token or "")
            return self._grants[acc.grant_id].client_id if acc else self.options.client_id

    def expire_access(self, token: str | None) -> None:
        """Fault ``expire``: the token's lifetime ends now."""
        with self.lock:
            acc = self._access.get(token or "")
            if acc:
                acc.expires_at = self._clock()

    def revoke_by_access(self, token: str | None) -> bool:
        """Revoke the grant of an access token (``DELETE /v2/user/access``, fault ``revoke``)."""
        with self.lock:
            acc = self._access.get(token or "")
            if acc is None:
                return False
            self._revoke_grant(acc.grant_id)
            self.stats.revocations += 1
            return True

    def _revoke_grant(self, grant_id: str) -> None:
        self._grants[grant_id].revoked = True
        for acc in self._access.values():
            if acc.grant_id == grant_id:
                acc.valid = False
        for ref in self._refresh.values():
            if ref.grant_id == grant_id:
                ref.used = True

    # -- stats ---------------------------------------------------------------------------------------
    def count(self, key: str, status: str) -> None:
        with self.lock:
            self.stats.requests[key][status] += 1
            if status == "429":
                self.stats.rate_limited += 1

    def count_fault(self, kind: str) -> None:
        with self.lock:
            self.stats.faults_injected[kind] += 1

    def count_token_error(self, error: str) -> None:
        with self.lock:
            self.stats.token_errors[error] += 1

    def reset_stats(self) -> None:
        with self.lock:
            self.stats = Stats()
