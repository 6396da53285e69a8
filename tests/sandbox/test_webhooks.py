"""The sandbox's webhooks over HTTP: a receiver on 127.0.0.1 gets one POST per changed sleep,
recovery and workout, signed as WHOOP signs (checked with whoop.webhooks.verify, the receiver's
own check); cycles get none; faults duplicate, reorder and badsig do what they say; a slow or
absent receiver never holds up the sandbox, and a failed delivery is counted, not raised."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.sandbox.conftest import HTTP, NOW
from whoop.sandbox.faults import parse_faults
from whoop.sandbox.testing import run_sandbox
from whoop.serving import serve
from whoop.webhooks import EVENT_TYPES, WebhookRefused, verify

SECRET = "sandbox-secret"


class Receiver:
    """Records every delivery (headers, raw body) in arrival order; each answer waits ``delay_s``."""

    def __init__(self, delay_s: float = 0.0) -> None:
        self.got: list[tuple[dict[str, str], bytes]] = []
        self.delay_s = delay_s

    def app(self) -> Starlette:
        async def hook(request: Request) -> Response:
            self.got.append((dict(request.headers), await request.body()))
            await asyncio.sleep(self.delay_s)
            return Response(status_code=204)

        return Starlette(routes=[Route("/hook", hook, methods=["POST"])])


def wait_sent(base: str, timeout_s: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout_s
    while (status := HTTP.get(base + "/_sandbox/webhooks").json())["pending"]:
        assert time.monotonic() < deadline, status
        time.sleep(0.05)
    return status


@pytest.fixture
def setup():
    receiver = Receiver()
    with serve(receiver.app(), "127.0.0.1", 0) as (port, _), \
            run_sandbox(now=NOW, days=10, athletes=1, webhook_url=f"http://127.0.0.1:{port}/hook") as sb:
        yield sb, receiver


def verified(receiver: Receiver) -> list[dict]:
    """The bodies of the deliveries, each signature checked as the worker's receiver does."""
    now = datetime.now(UTC)
    out = []
    for headers, body in receiver.got:
        event = verify(SECRET, {"X-WHOOP-Signature": headers["x-whoop-signature"],
                                "X-WHOOP-Signature-Timestamp": headers["x-whoop-signature-timestamp"]},
                       body, now)
        data = json.loads(body)
        assert (event.record_id, event.event_type, event.trace_id) == \
            (data["id"], data["type"], data["trace_id"])
        out.append(data)
    return out


def test_a_day_sends_one_signed_delivery_per_changed_sleep_recovery_and_workout(setup):
    sb, receiver = setup
    changes = HTTP.post(sb.base_url + "/_sandbox/advance", params={"days": 1}).json()
    status = wait_sent(sb.base_url)
    assert status["sent"] == {"204": changes["webhooks"]} and changes["webhooks"] == len(receiver.got)
    bodies = verified(receiver)
    ath = changes["athletes"][0]
    with sb.state.lock:
        recoveries = sb.state.world.athletes[0].records["recovery"]
        want = {("sleep.updated", k) for kind, k in ath["created"] + ath["updated"] if kind == "sleep"}
        want |= {("workout.updated", k) for kind, k in ath["created"] + ath["updated"] if kind == "workout"}
        want |= {("recovery.updated", recoveries[k]["sleep_id"])
                 for kind, k in ath["created"] + ath["updated"] if kind == "recovery"}
        want |= {(f"{kind}.deleted", k) for kind, k in ath["deleted"] if kind != "cycle"}
    assert {(b["type"], b["id"]) for b in bodies} == want and len(bodies) == len(want)
    assert {b["user_id"] for b in bodies} == {ath["user_id"]}
    assert {b["type"] for b in bodies} <= EVENT_TYPES and len({b["trace_id"] for b in bodies}) == len(bodies)
    assert any(kind == "cycle" for kind, _ in ath["created"])     # cycles changed, but no webhook says so


def test_faults_duplicate_reorder_and_bad_signature(setup):
    sb, receiver = setup
    HTTP.post(sb.base_url + "/_sandbox/faults", json={"spec": "reorder,duplicate,badsig"}).raise_for_status()
    main = next(x.rec["id"] for x in sb.state.world.athletes[0].sorted_desc["sleep"]
                if not x.rec["nap"] and x.rec["score_state"] == "SCORED")
    r = HTTP.post(sb.base_url + "/_sandbox/rescore", params={"kind": "sleep", "id": main}).json()
    assert r["changed"][0] == ["sleep", main] and r["webhooks"] == 3   # sleep (held), recovery x2
    HTTP.post(sb.base_url + "/_sandbox/rescore", params={"kind": "workout"}).raise_for_status()
    wait_sent(sb.base_url)
    types = [json.loads(body)["type"] for _, body in receiver.got]
    assert types == ["recovery.updated", "recovery.updated", "sleep.updated", "workout.updated"]
    assert receiver.got[0][1] == receiver.got[1][1]                  # a duplicate: same body, same trace
    with pytest.raises(WebhookRefused, match="signature"):
        verified(_only(receiver, 3))
    verified(_only(receiver, 0, 1, 2))
    assert HTTP.get(sb.base_url + "/_sandbox/faults").json()["pending"] == []


def _only(receiver: Receiver, *index: int) -> Receiver:
    picked = Receiver()
    picked.got = [receiver.got[i] for i in index]
    return picked


def test_webhook_faults_target_deliveries_only():
    assert [f.target for f in parse_faults("duplicate:2,badsig")] == ["webhook"] * 3
    with pytest.raises(ValueError, match="cannot target"):
        parse_faults("badsig@api")
    with pytest.raises(ValueError, match="cannot target"):
        parse_faults("503@webhook")


def test_a_slow_or_absent_receiver_never_holds_up_the_sandbox():
    slow = Receiver(delay_s=3.0)
    with serve(slow.app(), "127.0.0.1", 0) as (port, _), run_sandbox(now=NOW, days=10) as sb:
        HTTP.post(sb.base_url + "/_sandbox/webhooks", params={"url": f"http://127.0.0.1:{port}/hook"})
        t0 = time.monotonic()
        for _ in range(2):
            assert HTTP.post(sb.base_url + "/_sandbox/rescore",
                             params={"kind": "workout"}).json()["webhooks"] == 1
        assert time.monotonic() - t0 < 2.5                # two deliveries take 6 s to answer
        assert HTTP.get(sb.base_url + "/_sandbox/webhooks").json()["pending"] >= 1
        wait_sent(sb.base_url)

        HTTP.post(sb.base_url + "/_sandbox/webhooks", json={"url": "http://127.0.0.1:9/hook"})  # nobody there
        assert HTTP.post(sb.base_url + "/_sandbox/rescore",
                         params={"kind": "workout"}).json()["webhooks"] == 1
        status = wait_sent(sb.base_url)
        assert status["sent"] == {"204": 2, "error": 1} and status["url"] == "http://127.0.0.1:9/hook"
        assert HTTP.get(sb.base_url + "/_sandbox/health").status_code == 200

        assert HTTP.post(sb.base_url + "/_sandbox/webhooks").json()["url"] is None      # stopped
        assert HTTP.post(sb.base_url + "/_sandbox/rescore",
                         params={"kind": "workout"}).json()["webhooks"] == 0
        assert HTTP.post(sb.base_url + "/_sandbox/webhooks", params={"url": "ftp://x"}).status_code == 400
