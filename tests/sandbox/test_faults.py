"""Faults on demand: each kind, the spec grammar, targets, and the stats that count them."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.sandbox.conftest import CLIENT, HTTP, api, authorize_code, connect, exchange
from whoop.sandbox.faults import Fault, parse_faults


def _queue(sb, spec: str) -> dict:
    r = HTTP.post(f"{sb.base_url}/_sandbox/faults", json={"spec": spec})
    assert r.status_code == 200, r.text
    return r.json()


def _stats(sb) -> dict:
    return HTTP.get(f"{sb.base_url}/_sandbox/stats").json()


def test_parse_faults_expands_in_order():
    assert parse_faults("429:2, drop,503@token:1 ,slow@any") == [
        Fault("429"), Fault("429"), Fault("drop"), Fault("503", "token"), Fault("slow", "any")]
    assert parse_faults("") == []


@pytest.mark.parametrize("spec", ["404:1", "503:x", "slow@db", "503:1:2", "drop;503"])
def test_parse_faults_rejects_bad_specs(spec):
    with pytest.raises(ValueError):
        parse_faults(spec)


def test_faults_endpoint_lists_adds_and_clears(sandbox):
    assert HTTP.get(f"{sandbox.base_url}/_sandbox/faults").json() == {"pending": []}
    assert _queue(sandbox, "503:2")["added"] == 2
    r = HTTP.post(f"{sandbox.base_url}/_sandbox/faults", json={"kind": "drop", "target": "token"})
    assert r.json()["pending"] == [{"kind": "503", "target": "api"}] * 2 + [{"kind": "drop",
                                                                             "target": "token"}]
    bad = HTTP.post(f"{sandbox.base_url}/_sandbox/faults", json={"spec": "teapot"})
    assert bad.status_code == 400
    cleared = HTTP.post(f"{sandbox.base_url}/_sandbox/faults", json={"clear": True})
    assert cleared.json()["pending"] == []


@pytest.mark.parametrize("status", [429, 500, 502, 503])
def test_status_faults_hit_the_next_requests_then_stop(sandbox, status):
    token = connect(sandbox)
    _queue(sandbox, f"{status}:2")
    got = [api(sandbox, token, "/cycle") for _ in range(3)]
    assert [r.status_code for r in got] == [status, status, 200]
    if status == 429:
        assert got[0].headers["X-RateLimit-Remaining"] == "0"
        assert int(got[0].headers["X-RateLimit-Reset"]) >= 1
        assert _stats(sandbox)["rate_limited"] == 2
    assert _stats(sandbox)["faults_injected"] == {str(status): 2}


def test_faults_queued_at_start(start_sandbox):
    with start_sandbox(auto_approve=True, faults="503:1,502:1") as sb:
        token = connect(sb)                           # token endpoint is not an API target
        assert [api(sb, token, "/cycle").status_code for _ in range(3)] == [503, 502, 200]


def test_admin_paths_are_never_faulted(sandbox):
    _queue(sandbox, "500")
    assert HTTP.get(f"{sandbox.base_url}/_sandbox/health").status_code == 200
    assert HTTP.get(f"{sandbox.base_url}/_sandbox/faults").json()["pending"] == [
        {"kind": "500", "target": "api"}]


def test_slow_response_outlasts_a_client_timeout(start_sandbox):
    with start_sandbox(auto_approve=True, slow_s=1.5) as sb:
        token = connect(sb)
        _queue(sb, "slow")
        with pytest.raises(httpx.ReadTimeout):
            httpx.get(f"{sb.base_url}/developer/v2/cycle", timeout=0.3,
                      headers={"Authorization": f"Bearer {token['access_token']}"})
        assert _stats(sb)["requests"]["GET /developer/v2/cycle"] == {"slow": 1}   # counted at once
        assert api(sb, token, "/cycle").status_code == 200
        _queue(sb, "slow")
        assert api(sb, token, "/cycle").status_code == 200     # a patient client gets the data


def test_drop_closes_the_connection_without_a_response(sandbox):
    token = connect(sandbox)
    _queue(sandbox, "drop")
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        api(sandbox, token, "/cycle")
    assert api(sandbox, token, "/cycle").status_code == 200
    assert _stats(sandbox)["requests"]["GET /developer/v2/cycle"] == {"dropped": 1, "200": 1}


def test_malformed_json(sandbox):
    token = connect(sandbox)
    _queue(sandbox, "malformed")
    r = api(sandbox, token, "/cycle")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        json.loads(r.content)
    assert api(sandbox, token, "/cycle").json()["records"]


def test_expire_now_then_refresh_recovers(sandbox):
    token = connect(sandbox)
    _queue(sandbox, "expire")
    r = api(sandbox, token, "/cycle")
    assert r.status_code == 401 and r.json()["error"] == "invalid_token"
    assert api(sandbox, token, "/cycle").status_code == 401
    new = HTTP.post(f"{sandbox.base_url}/oauth/oauth2/token", data={
        "grant_type": "refresh_token", "refresh_token": token["refresh_token"], **CLIENT})
    assert new.status_code == 200 and api(sandbox, new.json(), "/cycle").status_code == 200


def test_revoke_now_kills_the_grant(sandbox):
    token = connect(sandbox)
    _queue(sandbox, "revoke")
    assert api(sandbox, token, "/cycle").status_code == 401
    r = HTTP.post(f"{sandbox.base_url}/oauth/oauth2/token", data={
        "grant_type": "refresh_token", "refresh_token": token["refresh_token"], **CLIENT})
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"


def test_token_endpoint_faults(sandbox):
    code = authorize_code(sandbox.base_url)
    _queue(sandbox, "503@token,drop@token")
    assert exchange(sandbox.base_url, code).status_code == 503
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        exchange(sandbox.base_url, code)
    assert exchange(sandbox.base_url, code).status_code == 200   # the code was never consumed
    stats = _stats(sandbox)
    assert stats["requests"]["POST /oauth/oauth2/token"] == {"503": 1, "dropped": 1, "200": 1}
    assert stats["tokens_issued"] == 1


def test_stats_count_paths_statuses_and_tokens(sandbox):
    token = connect(sandbox)
    cycle_id = api(sandbox, token, "/cycle").json()["records"][0]["id"]
    api(sandbox, token, f"/cycle/{cycle_id}")
    api(sandbox, token, "/cycle/1")
    stats = _stats(sandbox)
    assert stats["requests"]["GET /developer/v2/cycle/{cycleId}"] == {"200": 1, "404": 1}
    assert stats["requests"]["GET /oauth/oauth2/auth"] == {"302": 1}
    assert stats["tokens_issued"] == 1 and stats["code_exchanges"] == 1 and stats["refreshes"] == 0
    assert HTTP.post(f"{sandbox.base_url}/_sandbox/reset-stats").status_code == 204
    assert _stats(sandbox)["requests"] == {}
