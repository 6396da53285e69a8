"""The sandbox's tools for token-loss tests: the ``cut`` fault (a reply cut off mid-body after the
request was processed), ``token_hold_s`` (a token reply held after the tokens are issued) and
``latency_s`` (a slow API)."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from tests.sandbox.conftest import CLIENT, HTTP, api, connect


def _refresh(sb, refresh_token: str, client: httpx.Client = HTTP) -> httpx.Response:
    return client.post(f"{sb.base_url}/oauth/oauth2/token",
                       data={"grant_type": "refresh_token", "refresh_token": refresh_token, **CLIENT})


def test_cut_at_token_rotates_then_stops_the_reply_mid_body(start_sandbox):
    with start_sandbox(auto_approve=True) as sb:
        token = connect(sb)
        HTTP.post(f"{sb.base_url}/_sandbox/faults", json={"spec": "cut@token"}).raise_for_status()
        with httpx.Client(timeout=10) as fresh:
            with pytest.raises(httpx.RemoteProtocolError):   # Content-Length promised more
                _refresh(sb, token["refresh_token"], fresh)
        stats = HTTP.get(f"{sb.base_url}/_sandbox/stats").json()
        assert stats["refreshes"] == 1 and stats["faults_injected"] == {"cut": 1}
        assert stats["requests"]["POST /oauth/oauth2/token"]["cut"] == 1
        again = _refresh(sb, token["refresh_token"])     # it was processed: the old token is spent
        assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_cut_at_api_stops_a_record_page_mid_body(sandbox):
    token = connect(sandbox)
    HTTP.post(f"{sandbox.base_url}/_sandbox/faults", json={"spec": "cut"}).raise_for_status()
    with httpx.Client(timeout=10) as fresh:
        with pytest.raises(httpx.RemoteProtocolError):
            fresh.get(f"{sandbox.base_url}/developer/v2/cycle",
                      headers={"Authorization": f"Bearer {token['access_token']}"})
    assert api(sandbox, token, "/cycle").status_code == 200


def test_token_hold_rotates_first_and_answers_late(start_sandbox):
    with start_sandbox(auto_approve=True, token_hold_s=0.6) as sb:
        token = connect(sb)
        out: dict = {}
        worker = threading.Thread(target=lambda: out.setdefault("r", _refresh(sb, token["refresh_token"])))
        t0 = time.monotonic()
        worker.start()
        time.sleep(0.3)
        with sb.state.lock:               # the reply is still held, the rotation already happened
            assert sb.state.stats.refreshes == 1 and "r" not in out
        worker.join(timeout=10)
        assert out["r"].status_code == 200 and time.monotonic() - t0 >= 0.6


def test_latency_delays_every_api_reply(start_sandbox):
    with start_sandbox(auto_approve=True, latency_s=0.3) as sb:
        token = connect(sb)
        t0 = time.monotonic()
        assert api(sb, token, "/user/profile/basic").status_code == 200
        assert time.monotonic() - t0 >= 0.3
