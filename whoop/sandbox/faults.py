"""Faults on demand: a queue of misbehaviours applied to the next matching requests, in order.

Spec grammar (``--faults`` and ``POST /_sandbox/faults {"spec": "..."}``)::

    SPEC   := ITEM ("," ITEM)*
    ITEM   := KIND ["@" TARGET] [":" COUNT]       COUNT defaults to 1
    KIND   := 429 | 500 | 502 | 503 | slow | drop | malformed | cut | expire | revoke
            | duplicate | reorder | badsig                  (webhook deliveries only)
    TARGET := api (default: /developer/... requests) | token (the token endpoint) | any
            | webhook (the default, and the only target, of the webhook kinds)

Example: ``"429:3,503:2,slow:1,drop:1,malformed:1,expire:1,revoke:1,503@token:1"``: the next three
API requests get 429, the two after that 503, and so on; the first token request gets 503.

What each kind does to the request that draws it:

- ``429``: 429 with ``X-RateLimit-Remaining: 0`` and ``X-RateLimit-Reset`` (a burst of rate limiting).
- ``500``/``502``/``503``: that status with a small JSON body; the request is not processed.
- ``slow``: the response is held ``slow_s`` seconds (past a typical client timeout), then served.
- ``drop``: the connection is closed without a single response byte (the client sees a
  protocol/read error).
- ``malformed``: the real response is served with status 200 and its JSON body cut in half.
- ``cut``: the request is processed (a token request rotates the pair), the real response starts
  with its status and full ``Content-Length``, half the body is sent, then the connection is
  closed: a reply cut off mid-body (the client sees an incomplete read).
- ``expire``: the bearer token of the request expires now, then the request runs (-> 401).
- ``revoke``: the grant of the bearer token is revoked now (access and refresh tokens), then the
  request runs (-> 401; a later refresh gets ``invalid_grant``).

Webhook deliveries the sandbox sends (``whoop.sandbox.webhooks``), one fault per delivery:

- ``duplicate``: the delivery is sent twice (same body and trace id, as WHOOP's retries).
- ``reorder``: the delivery is held and sent after the next one.
- ``badsig``: the delivery is signed with a wrong secret (the receiver must refuse it).
"""

from __future__ import annotations

import re
import threading
from collections import deque
from dataclasses import dataclass

WEBHOOK_KINDS = ("duplicate", "reorder", "badsig")
KINDS = ("429", "500", "502", "503", "slow", "drop", "malformed", "cut", "expire", "revoke", *WEBHOOK_KINDS)
TARGETS = ("api", "token", "any", "webhook")
_ITEM = re.compile(r"^\s*(?P<kind>[a-z0-9]+)(?:@(?P<target>[a-z]+))?(?::(?P<count>\d+))?\s*$")


@dataclass(frozen=True)
class Fault:
    """One queued fault: ``kind`` (one of KINDS) for one request of ``target`` (one of TARGETS)."""

    kind: str
    target: str = "api"


def parse_faults(spec: str) -> list[Fault]:
    """Expand a spec like ``"429:3,drop"`` into one Fault per affected request, in order.

    Raises:
        ValueError: an unknown kind or target, or a malformed item (the message names it).
    """
    faults: list[Fault] = []
    for raw in (spec or "").split(","):
        if not raw.strip():
            continue
        m = _ITEM.match(raw)
        if not m:
            raise ValueError(f"bad fault item {raw.strip()!r}; expected KIND[@TARGET][:COUNT]")
        kind = m["kind"]
        target = m["target"] or ("webhook" if kind in WEBHOOK_KINDS else "api")
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; known: {', '.join(KINDS)}")
        if target not in TARGETS:
            raise ValueError(f"unknown fault target {target!r}; known: {', '.join(TARGETS)}")
        if (kind in WEBHOOK_KINDS) != (target == "webhook"):
            raise ValueError(f"fault {kind!r} cannot target {target!r}: {', '.join(WEBHOOK_KINDS)} "
                             f"target webhook deliveries only")
        faults.extend([Fault(kind, target)] * int(m["count"] or 1))
    return faults


class FaultQueue:
    """Thread-safe FIFO of pending faults."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: deque[Fault] = deque()

    def add(self, spec: str) -> int:
        """Append the faults of ``spec``; returns how many requests they will affect."""
        faults = parse_faults(spec)
        with self._lock:
            self._queue.extend(faults)
        return len(faults)

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()

    def take(self, target: str) -> Fault | None:
        """Remove and return the first pending fault aimed at ``target`` ("api", "token" or
        "webhook"; an ``any`` fault hits the first API or token request)."""
        with self._lock:
            for i, fault in enumerate(self._queue):
                if fault.target == target or (fault.target == "any" and target != "webhook"):
                    del self._queue[i]
                    return fault
        return None

    def pending(self) -> list[dict[str, str]]:
        """The queue as JSON-able dicts, next first."""
        with self._lock:
            return [{"kind": f.kind, "target": f.target} for f in self._queue]
