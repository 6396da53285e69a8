"""The sandbox sends WHOOP's v2 webhooks: one signed POST per new, rescored or deleted sleep,
recovery and workout, to the URL set with ``SandboxOptions.webhook_url`` or
``POST /_sandbox/webhooks``.

WHOOP's rules (developer docs "Webhooks", https://developer.whoop.com/docs/developing/webhooks;
docs/WHOOP.md): the body is ``{"user_id": int, "id": UUID, "type": ..., "trace_id": ...}``;
creates are sent as ``*.updated``; for ``recovery.*`` the id is the UUID of the recovery's
sleep; a recovery is deleted with its sleep; cycles get no webhooks. The headers
``X-WHOOP-Signature`` (base64 HMAC-SHA256 of the timestamp and the raw body, keyed with the
app's client secret: :func:`whoop.webhooks.sign`) and ``X-WHOOP-Signature-Timestamp``
(milliseconds since the epoch, the wall clock at sending, not the sandbox's data clock).

Deliveries go out from one background thread in the order the changes happened, so the
sandbox's request handling never waits for the receiver; a failed delivery (no answer, non-2xx)
is logged and counted, never retried or raised. Faults (``whoop.sandbox.faults``, target
``webhook``): ``duplicate``, ``reorder``, ``badsig``.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import httpx

from whoop.sandbox.faults import FaultQueue
from whoop.sandbox.world import AthleteWorld
from whoop.webhooks import SIGNATURE, TIMESTAMP, sign

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivery:
    """One POST: the raw JSON body, and whether it is signed with a wrong secret."""

    body: bytes
    bad_signature: bool = False


def events_of(before: dict[str, dict], ath: AthleteWorld, changes: dict[str, list]) -> list[dict]:
    """The webhook bodies (without trace id) of one athlete's changes.

    Args:
        before: the athlete's ``records`` before the change (kind -> id -> record).
        ath: the athlete after it.
        changes: ``{"created"|"updated"|"deleted": [[kind, id], ...]}`` (recovery ids are cycle
            ids, as ``AthleteWorld.advance`` returns them).
    """
    out: list[tuple[str, str]] = []
    for change in ("created", "updated", "deleted"):
        verb = "deleted" if change == "deleted" else "updated"
        for kind, key in changes.get(change, []):
            if kind == "cycle":
                continue
            if kind == "recovery":
                rec = (ath.records["recovery"].get(key) if verb == "updated" else None) or \
                    before.get("recovery", {}).get(key)
                if rec is None:
                    continue
                out.append((f"recovery.{verb}", rec["sleep_id"]))
                continue
            out.append((f"{kind}.{verb}", key))
            old = before.get("sleep", {}).get(key) if kind == "sleep" else None
            if verb == "deleted" and old is not None and not old.get("nap"):
                out.append(("recovery.deleted", key))       # WHOOP deletes it with its sleep
    unique = list(dict.fromkeys(out))      # first of each, in order
    return [{"user_id": ath.user_id, "id": str(rid), "type": kind} for kind, rid in unique]


class WebhookSender:
    """Sends deliveries to ``url`` from a daemon thread (started on first use); thread-safe.

    Args:
        secret: the app's client secret (the signature's key).
        faults: the sandbox's fault queue (``webhook`` faults are drawn per delivery).
        url: where to POST; None sends nothing.
        timeout_s: per delivery.
    """

    def __init__(self, secret: str, faults: FaultQueue, url: str | None = None,
                 timeout_s: float = 5.0) -> None:
        self.secret, self.faults, self.url, self.timeout_s = secret, faults, url, timeout_s
        self._queue: queue.Queue[tuple[str, Delivery]] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.pending = 0
        self.sent: dict[str, int] = defaultdict(int)     # answer status (or "error") -> count

    def status(self) -> dict[str, Any]:
        """``{"url", "pending", "sent": {status: n}}`` (``GET /_sandbox/webhooks``)."""
        with self._lock:
            return {"url": self.url, "pending": self.pending, "sent": dict(self.sent)}

    def submit(self, events: list[dict]) -> int:
        """Queue one delivery per event (a fresh trace id each), faults applied; returns the
        number of POSTs queued (0 without a URL)."""
        url = self.url
        if not url or not events:
            return 0
        out: list[Delivery] = []
        held: Delivery | None = None
        for event in events:
            fault = self.faults.take("webhook")
            kind = fault.kind if fault else None
            body = json.dumps({**event, "trace_id": str(uuid.uuid4())}).encode()
            delivery = Delivery(body, bad_signature=kind == "badsig")
            if kind == "reorder":
                if held is not None:
                    out.append(held)
                held = delivery
                continue
            out += [delivery] * (2 if kind == "duplicate" else 1)
            if held is not None:
                out.append(held)
                held = None
        if held is not None:
            out.append(held)
        with self._lock:
            self.pending += len(out)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, daemon=True, name="sandbox-webhooks")
                self._thread.start()
        for delivery in out:
            self._queue.put((url, delivery))
        return len(out)

    def _run(self) -> None:
        with httpx.Client(timeout=self.timeout_s) as http:
            while True:
                url, delivery = self._queue.get()
                stamp = str(int(time.time() * 1000))
                key = self.secret + "-not-it" if delivery.bad_signature else self.secret
                headers = {SIGNATURE: sign(key, stamp, delivery.body), TIMESTAMP: stamp,
                           "Content-Type": "application/json"}
                try:
                    status = str(http.post(url, content=delivery.body, headers=headers).status_code)
                except httpx.HTTPError as exc:
                    status = "error"
                    log.warning("webhook delivery to %s failed: %s", url, exc.__class__.__name__)
                if status != "error" and not status.startswith("2"):
                    log.info("webhook delivery to %s answered %s", url, status)
                with self._lock:
                    self.sent[status] += 1
                    self.pending -= 1
