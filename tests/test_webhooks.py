"""WHOOP webhooks received over HTTP (whoop.webhook_server on 127.0.0.1, uvicorn) on DuckDB and
PostgreSQL: a signed delivery is queued for its athlete; a bad or missing signature, a stale or
future timestamp, an unreadable or oversized body are refused and queue nothing; duplicates and
replays are dropped on the trace id; an unknown WHOOP user is acknowledged and recorded."""

from __future__ import annotations

import json
import time
import uuid
from datetime import timedelta

import httpx
import pandas as pd
import pytest

from whoop.serving import serve
from whoop.store import Store, utcnow
from whoop.webhook_server import PATH, webhook_app
from whoop.webhooks import MAX_AGE_S, SIGNATURE, TIMESTAMP, sign

SECRET = "the-app-client-secret"
USER = 4242


@pytest.fixture
def store(db) -> Store:
    s = Store(db)
    with s.transaction() as con:
        aid = s.ensure_athlete(con, "Ann")
        s.save_connection(con, aid, USER, "encrypted-pair", utcnow() + timedelta(hours=1), "offline",
                          "connected", utcnow())
    return s


@pytest.fixture
def receiver(store):
    woken: list[float] = []
    with serve(webhook_app(store, SECRET, on_queued=lambda: woken.append(time.monotonic())),
               "127.0.0.1", 0) as (port, _):
        yield f"http://127.0.0.1:{port}", woken


def delivery(kind: str = "sleep.updated", user: int = USER, record: str | None = None,
             trace: str | None = None) -> bytes:
    return json.dumps({"user_id": user, "id": record or str(uuid.uuid4()), "type": kind,
                       "trace_id": trace or str(uuid.uuid4())}).encode()


def post(url: str, body: bytes, *, secret: str = SECRET, at_ms: int | None = None,
         signature: str | None = None) -> httpx.Response:
    stamp = str(at_ms if at_ms is not None else int(time.time() * 1000))
    headers = {TIMESTAMP: stamp, SIGNATURE: signature if signature is not None else sign(secret, stamp, body),
               "Content-Type": "application/json"}
    return httpx.post(url + PATH, content=body, headers=headers, timeout=10)


def test_a_signed_delivery_is_queued_for_its_athlete_and_answered_at_once(store, receiver):
    url, woken = receiver
    record = str(uuid.uuid4())
    t0 = time.monotonic()
    reply = post(url, delivery("sleep.updated", record=record, trace="trace-1"))
    assert reply.status_code == 204 and reply.content == b""
    assert time.monotonic() - t0 < 1.0 and len(woken) == 1
    [athlete] = store.athletes()["athlete_id"].tolist()
    assert store.athletes_with_webhooks() == [athlete]
    [queued] = store.queued_webhooks(athlete)
    assert (queued.trace_id, queued.event_type, queued.record_id, queued.whoop_user_id) == \
        ("trace-1", "sleep.updated", record, USER)
    assert abs((utcnow() - queued.signed_at).total_seconds()) < 5


@pytest.mark.parametrize("how, status", [
    ("wrong secret", 401), ("no signature", 401), ("tampered body", 401), ("stale", 401),
    ("future", 401), ("not json", 400), ("unknown type", 400), ("id not a uuid", 400), ("too big", 413),
])
def test_refused_deliveries_queue_nothing(store, receiver, how, status):
    url, woken = receiver
    body = delivery()
    now_ms = int(time.time() * 1000)
    if how == "wrong secret":
        reply = post(url, body, secret="someone-else")
    elif how == "no signature":
        reply = post(url, body, signature="")
    elif how == "tampered body":
        stamp = str(now_ms)
        reply = post(url, body.replace(b"sleep", b"workout"), at_ms=now_ms,
                     signature=sign(SECRET, stamp, body))
    elif how == "stale":
        reply = post(url, body, at_ms=now_ms - (MAX_AGE_S + 30) * 1000)
    elif how == "future":
        reply = post(url, body, at_ms=now_ms + (MAX_AGE_S + 30) * 1000)
    elif how == "not json":
        reply = post(url, b"<xml/>")
    elif how == "unknown type":
        reply = post(url, delivery("cycle.updated"))
    elif how == "id not a uuid":
        reply = post(url, json.dumps({"user_id": USER, "id": 10235, "type": "sleep.updated",
                                      "trace_id": "t"}).encode())
    else:
        reply = post(url, delivery().rstrip(b"}") + b', "pad": "' + b"x" * 20_000 + b'"}')
    assert reply.status_code == status
    assert store.webhook_events().empty and not woken


def test_duplicates_and_replays_are_dropped_on_the_trace_id(store, receiver):
    url, woken = receiver
    body = delivery("workout.updated", trace="trace-dup")
    stamp = int(time.time() * 1000)
    first = post(url, body, at_ms=stamp)
    replay = post(url, body, at_ms=stamp)                   # the same signed request again
    resent = post(url, body, at_ms=stamp + 1500)            # WHOOP's own retry of the delivery
    assert [r.status_code for r in (first, replay, resent)] == [204, 204, 204]
    events = store.webhook_events()
    assert len(events) == 1 and len(woken) == 1


def test_an_unknown_whoop_user_is_acknowledged_and_recorded(store, receiver):
    url, woken = receiver
    assert post(url, delivery(user=999, trace="stranger")).status_code == 204
    row = store.webhook_events().iloc[0]
    assert row["outcome"] == "unknown user"
    assert pd.isna(row["athlete_id"]) and not pd.isna(row["processed_at"])
    assert store.athletes_with_webhooks() == [] and not woken


def test_queued_deliveries_come_out_in_the_order_whoop_signed_them(store, receiver):
    url, _ = receiver
    now_ms = int(time.time() * 1000)
    post(url, delivery("sleep.deleted", trace="later"), at_ms=now_ms)
    post(url, delivery("sleep.updated", trace="earlier"), at_ms=now_ms - 20_000)   # arrives second
    [athlete] = store.athletes_with_webhooks()
    assert [e.trace_id for e in store.queued_webhooks(athlete)] == ["earlier", "later"]
    store.finish_webhook("earlier", "fetched", utcnow())
    assert [e.trace_id for e in store.queued_webhooks(athlete)] == ["later"]


def test_health_check_and_nothing_else_is_served(receiver):
    url, _ = receiver
    assert httpx.get(url + "/healthz", timeout=5).text == "ok"
    assert httpx.get(url + PATH, timeout=5).status_code == 405
    assert httpx.get(url + "/", timeout=5).status_code == 404
