"""httpx client for the WHOOP API v2: bearer auth, ``limit=25`` pages with ``nextToken``,
``start``/``end`` windows, a request budget, retries with backoff.

Rules (docs/WHOOP.md "Pagination and time windows" and "Rate limiting", from WHOOP's developer
docs https://developer.whoop.com/docs/developing/rate-limiting and its OpenAPI document):

* collections take ``limit`` (max 25), ``start`` (inclusive), ``end`` (exclusive), ``nextToken``;
  the reply is ``{"records": [...], "next_token": ...}``, newest first; no ``next_token`` = last page;
* limits are 100 requests/minute and 10,000/day per app; responses carry ``X-RateLimit-Limit``,
  ``X-RateLimit-Remaining`` and ``X-RateLimit-Reset`` (seconds); over a limit -> 429.

Budget: WHOOP's limits are per app (client id), not per athlete, so every client of this
process talking to the same host with the same client id shares ONE :class:`RateBudget`
(module-level, thread-safe): ``minute_budget`` requests per rolling ``minute_s`` window,
``day_budget`` per process-day, and the pause WHOOP asked for (``Remaining: 0`` ->
``X-RateLimit-Reset`` seconds). ``sync --all``, the app's scheduler and "Sync now" thus stay under
100/min together. Given a store on PostgreSQL (``budget_store``: the team deployment, where
workers, the CLI and the app are separate processes, maybe on several hosts), every request is
taken instead from the app's budget row in the database (:mod:`whoop.store.budget`: requests
spaced ``minute_s / minute_budget`` apart, ``day_budget`` per day window, WHOOP's pauses), shared
by every process. On DuckDB (one process at a time) the in-process budget serves; a cron ``sync``
while the app runs then relies on WHOOP's ``X-RateLimit-Remaining``/``X-RateLimit-Reset``
headers and its 429s, which count every request of the app wherever it came from. Token
requests (``whoop.oauth``) are not taken from the budget: they go to WHOOP's OAuth server, not
the API (the sandbox does not count them either).

Retries: 429 (waiting for ``X-RateLimit-Reset``), 5xx, timeouts, dropped connections and
truncated JSON are retried with exponential backoff and jitter (tenacity) for at most
``max_retry_s`` seconds or ``max_attempts`` attempts. No wait ever goes beyond what is left of
``max_retry_s``: when WHOOP's reset (or the budget's own pause) lies beyond it, the client raises
:class:`RateLimitError` at once, with ``retry_after_s`` = the reset and a message saying when to
retry (WHOOP's daily limit can mean hours: a sync must not sleep that long holding the athlete's
lock). Other failures end in :class:`NetworkError` / :class:`ApiError` saying what happened and
when to retry. A 401 triggers one forced token refresh (``token_fn(force=True, stale=token)``)
and one retry.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import httpx
from tenacity import (
    RetryCallState,
    RetryError,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    stop_after_delay,
    wait_exponential_jitter,
)

from whoop.config import setting
from whoop.errors import ApiError, ConfigError, NetworkError, RateLimitError, ReconnectNeeded
from whoop.http import whoop_http

if TYPE_CHECKING:
    from whoop.store import Store

log = logging.getLogger(__name__)

API_PREFIX = "/developer/v2"
PAGE_LIMIT = 25
COLLECTION_PATHS = {
    "cycle": "/cycle",
    "recovery": "/recovery",
    "sleep": "/activity/sleep",
    "workout": "/activity/workout",
}
TokenFn = Callable[..., str]   # token_fn(force: bool = False, stale: str | None = None) -> access token


class _Retryable(Exception):
    def __init__(self, kind: str, status: int | None = None, reset_s: float | None = None) -> None:
        super().__init__(kind)
        self.kind, self.status, self.reset_s = kind, status, reset_s


def iso_z(dt: datetime) -> str:
    """A UTC instant as WHOOP writes it: ``2022-04-24T02:25:44.774Z``."""
    dt = dt.astimezone(UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


class RateBudget:
    """The requests this process sent to one WHOOP app (``base_url`` + ``client_id``): send
    times of the last ``minute_s`` window, the count of the current process-day, and the
    monotonic instant before which WHOOP asked us not to send (``X-RateLimit-Reset``).
    Thread-safe; shared by every :class:`WhoopClient` of the same app (see :func:`budget_for`)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.recent: deque[float] = deque()
        self.day_start = time.monotonic()
        self.day_count = 0
        self.not_before = 0.0

    def pause_until(self, instant: float) -> None:
        """WHOOP said ``Remaining: 0``: send nothing before monotonic ``instant``."""
        with self.lock:
            self.not_before = max(self.not_before, instant)


def rate_window_s() -> float:
    """WHOOP's rate-limit minute window in seconds: 60, or ``WHOOP_RATE_WINDOW_S`` for the
    sandbox's compressed clock (``python -m whoop.sandbox --rate-window-s S``: its day is 1440
    such windows, as the budget's).

    Raises:
        ConfigError: WHOOP_RATE_WINDOW_S is not a number of seconds above 0.
    """
    raw = setting("WHOOP_RATE_WINDOW_S")
    try:
        value = float(raw) if raw is not None else 60.0
    except ValueError:
        value = 0.0
    if not value > 0:
        raise ConfigError("WHOOP_RATE_WINDOW_S must be a number of seconds above 0 (WHOOP's is 60)")
    return value


_BUDGETS: dict[tuple[str, str], RateBudget] = {}
_BUDGETS_GUARD = threading.Lock()


def budget_for(base_url: str, client_id: str | None) -> RateBudget:
    """The process-wide budget of the app ``client_id`` at ``base_url`` (created on first use)."""
    key = (base_url.rstrip("/"), client_id or "")
    with _BUDGETS_GUARD:
        return _BUDGETS.setdefault(key, RateBudget())


def _header_float(resp: httpx.Response, name: str) -> float | None:
    try:
        return float(resp.headers[name].split(",")[0].strip())
    except (KeyError, ValueError):
        return None


class WhoopClient:
    """One athlete's API client.

    Args:
        base_url: WHOOP's host, e.g. ``https://api.prod.whoop.com`` (the sandbox in tests).
        token_fn: returns the access token (see module docstring).
        client_id: the app's client id: clients of the same app share one :class:`RateBudget`.
        timeout_s: per-request timeout (connect/read/write), seconds.
        transport: an httpx transport (tests, benchmarks); None = real network.
        minute_budget, minute_s, day_budget: the request budget, applied to the app's shared
            budget (requests per ``minute_s`` seconds, per day of ``1440 * minute_s`` seconds);
            ``minute_s`` None = :func:`rate_window_s`.
        max_retry_s, max_attempts: the retry bound for one request (seconds, attempts); no wait
            goes beyond ``max_retry_s``.
        on_request: called after every HTTP request with (method, path, status or None).
        budget_store: a :class:`whoop.store.Store`; on PostgreSQL every request is taken from
            the app's budget in that database, shared by all processes (module docstring);
            None or DuckDB: the in-process budget only.
    """

    def __init__(self, base_url: str, token_fn: TokenFn, *, client_id: str | None = None,
                 timeout_s: float = 30.0,
                 transport: httpx.BaseTransport | None = None, minute_budget: int = 95,
                 minute_s: float | None = None, day_budget: int = 9_900, max_retry_s: float = 300.0,
                 max_attempts: int = 8, backoff_initial_s: float = 0.5, backoff_max_s: float = 30.0,
                 on_request: Callable[[str, str, int | None], None] | None = None,
                 budget_store: Store | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._token_fn = token_fn
        self._http = whoop_http(self.base_url + API_PREFIX, transport=transport, timeout_s=timeout_s)
        self.minute_budget, self.day_budget = minute_budget, day_budget
        self.minute_s = rate_window_s() if minute_s is None else minute_s
        self.max_retry_s, self.max_attempts = max_retry_s, max_attempts
        self.backoff_initial_s, self.backoff_max_s = backoff_initial_s, backoff_max_s
        self.on_request = on_request
        self.requests = 0                       # HTTP requests sent (including retries)
        self.retries = 0
        self.budget = budget_for(self.base_url, client_id)
        shared = budget_store is not None and getattr(budget_store, "dialect", None) == "postgresql"
        self.shared_budget = budget_store if shared else None
        self.app = f"{self.base_url} {client_id or ''}"     # the budget row's key (no secret)
        self._deadline = float("inf")           # monotonic end of the current request's retry budget

    def __enter__(self) -> WhoopClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._http.close()

    # -- budget ----------------------------------------------------------------------------
    def _take(self) -> tuple[float, str | None]:
        """Take one request slot: ``(0, None)`` when taken, else ``(seconds to wait, why)`` with
        why ``minute``, ``day`` or ``whoop`` (nothing taken)."""
        if self.shared_budget is not None:
            got = self.shared_budget.take_request(self.app, minute_budget=self.minute_budget,
                                                  minute_s=self.minute_s, day_budget=self.day_budget)
            return (0.0, None) if got.granted else (got.wait_s, got.reason)
        b = self.budget
        day_s = self.minute_s * 1440
        with b.lock:
            now = time.monotonic()
            if now - b.day_start >= day_s:
                b.day_start, b.day_count = now, 0
            if b.day_count >= self.day_budget:
                return b.day_start + day_s - now, "day"
            while b.recent and now - b.recent[0] >= self.minute_s:
                b.recent.popleft()
            wait = b.not_before - now
            why = "whoop"
            if len(b.recent) >= self.minute_budget and b.recent[0] + self.minute_s - now > wait:
                wait, why = b.recent[0] + self.minute_s - now, "minute"
            if wait <= 0:
                b.recent.append(now)
                b.day_count += 1
                return 0.0, None
            return wait, why

    def _wait_for_budget(self) -> None:
        """Take one request slot from the shared budget (the database's or this process's),
        waiting for it when that fits in the retry budget; else RateLimitError (with
        ``retry_after_s``) at once."""
        while True:
            wait, why = self._take()
            if why is None:
                self.requests += 1
                return
            if why == "day":
                raise RateLimitError(f"the daily WHOOP request budget ({self.day_budget}) is used up; "
                                     f"retry after {_when(wait)}", status=None, retry_after_s=wait)
            if time.monotonic() + wait > self._deadline:
                raise RateLimitError(f"WHOOP's rate limit for this app leaves no request for {wait:.0f} s, "
                                     f"longer than this sync may wait; retry after {_when(wait)}",
                                     status=429, retry_after_s=wait)
            time.sleep(wait)

    # -- one request -----------------------------------------------------------------------
    def _attempt(self, method: str, path: str, params: dict | None, token: str) -> httpx.Response:
        self._wait_for_budget()
        try:
            resp = self._http.request(method, path, params=params,
                                      headers={"Authorization": f"Bearer {token}"})
        except httpx.TimeoutException:
            self._notify(method, path, None)
            raise _Retryable("timeout") from None
        except httpx.TransportError:
            self._notify(method, path, None)
            raise _Retryable("dropped connection") from None
        remaining = _header_float(resp, "X-RateLimit-Remaining")
        reset = _header_float(resp, "X-RateLimit-Reset")
        if remaining is not None and remaining <= 0 and reset is not None:
            self.budget.pause_until(time.monotonic() + reset)
            if self.shared_budget is not None:      # every process of the deployment pauses
                self.shared_budget.pause_requests(self.app, reset)
        self._notify(method, path, resp.status_code)   # after the pause: on_request may report it
        if resp.status_code == 429:
            raise _Retryable("429", 429, reset)
        if resp.status_code >= 500:
            raise _Retryable(f"HTTP {resp.status_code}", resp.status_code)
        if resp.status_code == 200 and method == "GET":
            try:
                # parse once, inside the attempt, so a truncated body is retried; get_json reads it
                resp._parsed = resp.json()  # type: ignore[attr-defined]  # httpx.Response has no slot for it
            except (json.JSONDecodeError, UnicodeDecodeError):
                raise _Retryable("malformed JSON", 200) from None
        return resp

    def _notify(self, method: str, path: str, status: int | None) -> None:
        log.debug("WHOOP %s %s -> %s", method, path, status)
        if self.on_request:
            self.on_request(method, path, status)

    def _wait(self, state: RetryCallState) -> float:
        """Seconds before the next attempt: WHOOP's reset after a 429 (``_stop`` gives up when
        it lies beyond the retry budget), else backoff capped at what is left of the budget."""
        exc = _attempt_error(state)
        if isinstance(exc, _Retryable) and exc.kind == "429" and exc.reset_s is not None:
            return exc.reset_s + 0.05
        return max(0.0, min(self._backoff(state), self._deadline - time.monotonic()))

    def _stop(self, state: RetryCallState) -> bool:
        exc = _attempt_error(state)
        stop = self._stop_base(state) or (
            isinstance(exc, _Retryable) and exc.kind == "429" and exc.reset_s is not None
            and time.monotonic() + state.upcoming_sleep > self._deadline)
        self.retries += not stop
        return stop

    def request(self, method: str, path: str, params: dict | None = None) -> httpx.Response:
        """Send one request with retries and one refresh on 401; returns a 2xx/4xx response.

        Raises:
            RateLimitError, NetworkError, ApiError: retries exhausted (the message says what
                happened and when to retry); ApiError for other 4xx (not 401/404).
            ReconnectNeeded / AuthError: from the token function, or a 401 after a refresh.
        """
        self._backoff = wait_exponential_jitter(multiplier=self.backoff_initial_s, max=self.backoff_max_s,
                                                jitter=self.backoff_initial_s)
        token = self._token_fn()
        refreshed = False
        self._stop_base = stop_after_delay(self.max_retry_s) | stop_after_attempt(self.max_attempts)
        while True:
            started = time.monotonic()
            self._deadline = started + self.max_retry_s
            retrying = Retrying(retry=retry_if_exception_type(_Retryable), wait=self._wait,
                                stop=self._stop, reraise=False)
            try:
                resp = retrying(self._attempt, method, path, params, token)
            except RetryError as err:
                raise self._give_up(err.last_attempt.exception(), retrying, started, path) from None
            if resp.status_code == 401:
                if refreshed:
                    raise ReconnectNeeded("WHOOP refused access for this athlete (401 after a refresh): "
                                          "connect again")
                token = self._token_fn(force=True, stale=token)
                refreshed = True
                continue
            if resp.status_code >= 400 and resp.status_code != 404:
                raise ApiError(f"WHOOP answered {resp.status_code} to {method} {path}",
                               status=resp.status_code)
            return resp

    def _give_up(self, exc: BaseException | None, retrying: Retrying, started: float, path: str) -> ApiError:
        attempts = retrying.statistics.get("attempt_number", 0)
        spent = time.monotonic() - started
        what = getattr(exc, "kind", exc.__class__.__name__)
        if isinstance(exc, _Retryable) and exc.kind == "429":
            after = exc.reset_s if exc.reset_s is not None else 60.0
            return RateLimitError(f"WHOOP rate limit: {attempts} requests to {path} got 429 over "
                                  f"{spent:.0f} s (WHOOP resets the limit in {after:.0f} s); retry after "
                                  f"{_when(after)}",
                                  status=429, retry_after_s=after)
        if isinstance(exc, _Retryable) and exc.status:
            return ApiError(f"WHOOP kept failing ({what}) on {path}: {attempts} attempts over {spent:.0f} s; "
                            f"retry in a few minutes (after {_when(300)})", status=exc.status,
                            retry_after_s=300)
        return NetworkError(f"cannot reach WHOOP ({what}) on {path}: {attempts} attempts over {spent:.0f} s; "
                            f"check the connection and retry (after {_when(60)})", retry_after_s=60)

    def get_json(self, path: str, params: dict | None = None) -> dict | None:
        """GET ``path`` (below ``/developer/v2``) and return its JSON, or None on 404."""
        resp = self.request("GET", path, params)
        if resp.status_code == 404:
            return None
        return getattr(resp, "_parsed", None) or resp.json()

    # -- endpoints -------------------------------------------------------------------------
    def profile(self) -> dict:
        """``GET /v2/user/profile/basic``: user_id, email, first_name, last_name."""
        data = self.get_json("/user/profile/basic")
        if not data:
            raise ApiError("WHOOP returned no profile for this account", status=404)
        return data

    def body_measurement(self) -> dict | None:
        """``GET /v2/user/measurement/body``: height_meter, weight_kilogram, max_heart_rate (or None)."""
        return self.get_json("/user/measurement/body")

    def pages(self, collection: str, *, start: datetime | None = None, end: datetime | None = None,
              ) -> Iterator[tuple[list[dict], str | None]]:
        """Pages of ``collection`` (cycle, recovery, sleep, workout), newest first: yields
        ``(records, next_token)``; ``next_token`` None on the last page. ``start`` inclusive,
        ``end`` exclusive (None = no bound / WHOOP's now)."""
        path = COLLECTION_PATHS[collection]
        params: dict[str, str | int] = {"limit": PAGE_LIMIT}
        if start is not None:
            params["start"] = iso_z(start)
        if end is not None:
            params["end"] = iso_z(end)
        while True:
            data = self.get_json(path, params) or {}
            nxt = data.get("next_token") or None
            yield list(data.get("records") or []), nxt
            if not nxt:
                return
            params = {**params, "nextToken": nxt}


def _attempt_error(state: RetryCallState) -> BaseException | None:
    """The exception the attempt tenacity just finished raised (None when it returned).

    Raises:
        ApiError: tenacity asked before any attempt finished (its wait and stop run after one).
    """
    if state.outcome is None:
        raise ApiError("the WHOOP request retry loop consulted no finished attempt")
    return state.outcome.exception()


def _when(seconds: float) -> str:
    at = datetime.now(UTC) + timedelta(seconds=seconds)
    return f"{at:%H:%M} UTC ({seconds:.0f} s)"
