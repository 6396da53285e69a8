"""WHOOP webhooks (v2): check a delivery's signature and queue it for the worker.

WHOOP's rules (developer docs "Webhooks", https://developer.whoop.com/docs/developing/webhooks;
docs/WHOOP.md):

* every delivery is a POST of ``{"user_id": int, "id": UUID, "type": ..., "trace_id": ...}``;
  ``type`` is ``sleep|recovery|workout`` ``.updated|.deleted`` (creates arrive as ``.updated``);
  for ``recovery.*`` the id is the UUID of the sleep the recovery belongs to; cycles have no
  webhooks;
* ``X-WHOOP-Signature`` is ``base64(HMAC-SHA256(client_secret, X-WHOOP-Signature-Timestamp +
  raw body))``, the timestamp in milliseconds since the epoch; compare in constant time;
* answer 2xx within about a second and do the work later; a failed delivery is retried 5 times
  over about an hour; duplicates happen (de-duplicate on ``trace_id``); deliveries can be missed
  (a reconciliation poll still runs).

WHOOP documents no replay window; a delivery signed more than :data:`MAX_AGE_S` ago (or that far
in the future) is refused, and a replay inside that window carries a trace id already queued, so
it is dropped. The payload is only a notification: the worker fetches the record by id.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from whoop.store import Store

SIGNATURE = "X-WHOOP-Signature"
TIMESTAMP = "X-WHOOP-Signature-Timestamp"
MAX_AGE_S = 300
MAX_BODY = 16_384
EVENT_TYPES = frozenset(f"{kind}.{change}" for kind in ("sleep", "recovery", "workout")
                        for change in ("updated", "deleted"))
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_TRACE = re.compile(r"[A-Za-z0-9._:-]{1,128}")


class WebhookRefused(Exception):
    """A delivery that is not WHOOP's, or not readable: ``status`` is the HTTP answer (401 bad
    or stale signature, 400 unreadable body, 413 too big); ``reason`` is for the log only."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


@dataclass(frozen=True)
class WebhookEvent:
    """A verified delivery: WHOOP user, record UUID, event type, trace id, when WHOOP signed it."""

    whoop_user_id: int
    record_id: str
    event_type: str
    trace_id: str
    signed_at: datetime


def sign(secret: str, timestamp_ms: int | str, body: bytes) -> str:
    """WHOOP's signature of ``body`` sent at ``timestamp_ms`` (module docstring)."""
    mac = hmac.new(secret.encode("utf-8"), str(timestamp_ms).encode("ascii") + body, hashlib.sha256)
    return base64.b64encode(mac.digest()).decode("ascii")


def verify(secret: str, headers: Mapping[str, str], body: bytes, now: datetime) -> WebhookEvent:
    """The event of a delivery whose signature is WHOOP's and fresh.

    Args:
        headers: the request headers (looked up case-insensitively by the caller's mapping, e.g.
            starlette's; plain dicts need the exact names :data:`SIGNATURE`, :data:`TIMESTAMP`).
        body: the raw request body.
    Raises:
        WebhookRefused: too big, no or wrong signature, stale timestamp, unreadable payload.
    """
    if len(body) > MAX_BODY:
        raise WebhookRefused(413, f"body of {len(body)} bytes")
    stamp, given = headers.get(TIMESTAMP, ""), headers.get(SIGNATURE, "")
    if not stamp.isdigit() or not given:
        raise WebhookRefused(401, "no signature or timestamp")
    if not hmac.compare_digest(sign(secret, stamp, body).encode("ascii"), given.encode("utf-8", "replace")):
        raise WebhookRefused(401, "signature does not match")
    signed_at = datetime.fromtimestamp(int(stamp) / 1000, UTC)
    if abs((now - signed_at).total_seconds()) > MAX_AGE_S:
        raise WebhookRefused(401, f"signed {(now - signed_at).total_seconds():.0f} s ago")
    return parse(body, signed_at)


def parse(body: bytes, signed_at: datetime) -> WebhookEvent:
    """The event of a (verified) payload.

    Raises:
        WebhookRefused: 400 when it is not JSON with an int ``user_id``, a UUID ``id``, a known
            ``type`` and a ``trace_id``.
    """
    try:
        data = json.loads(body)
    except ValueError:
        raise WebhookRefused(400, "not JSON") from None
    if not isinstance(data, dict):
        raise WebhookRefused(400, "not a JSON object")
    user, record, kind, trace = (data.get(k) for k in ("user_id", "id", "type", "trace_id"))
    if not isinstance(user, int) or isinstance(user, bool) or user <= 0:
        raise WebhookRefused(400, "user_id is not a positive integer")
    if not isinstance(record, str) or not _UUID.fullmatch(record):
        raise WebhookRefused(400, "id is not a UUID")
    if kind not in EVENT_TYPES:
        raise WebhookRefused(400, "unknown type")
    if not isinstance(trace, str) or not _TRACE.fullmatch(trace):
        raise WebhookRefused(400, "trace_id missing or malformed")
    return WebhookEvent(user, record.lower(), kind, trace, signed_at)


def receive(store: Store, secret: str, headers: Mapping[str, str], body: bytes,
            now: datetime) -> tuple[int, str]:
    """Verify a delivery and queue it (:meth:`whoop.store.Store.queue_webhook`).

    Returns (HTTP status, what happened: ``queued``, ``duplicate``, ``unknown user`` or the
    refusal's reason). A duplicate and an unknown user are answered 2xx too, so WHOOP does not
    retry them; refusals 4xx.
    """
    try:
        event = verify(secret, headers, body, now)
    except WebhookRefused as refused:
        return refused.status, refused.reason
    new, athlete_id = store.queue_webhook(event.trace_id, event.whoop_user_id, event.event_type,
                                          event.record_id, event.signed_at, now)
    if not new:
        return 200, "duplicate"
    return 202, "queued" if athlete_id is not None else "unknown user"
