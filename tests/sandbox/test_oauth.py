"""OAuth: consent page, exact redirect matching, codes, token grants, rotation, the refresh race, revoke."""

from __future__ import annotations

import re
import threading
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.sandbox.conftest import ALL_SCOPES, CLIENT, HTTP, REDIRECT, api, authorize_code, connect, exchange


def _auth(base_url: str, **overrides: str) -> httpx.Response:
    params = {"response_type": "code", "client_id": "sandbox-client", "redirect_uri": REDIRECT,
              "scope": "offline read:cycles", "state": "abcdefgh-1"}
    params.update(overrides)
    return HTTP.get(f"{base_url}/oauth/oauth2/auth",
                    params={k: v for k, v in params.items() if v is not None})


def _query(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def _refresh(base_url: str, refresh_token: str, **extra: str) -> httpx.Response:
    return HTTP.post(f"{base_url}/oauth/oauth2/token", data={
        "grant_type": "refresh_token", "refresh_token": refresh_token, "scope": "offline", **CLIENT, **extra})


def test_consent_page_lists_athletes_and_scopes_escaped(start_sandbox):
    with start_sandbox(athletes=3) as sb:
        r = _auth(sb.base_url, scope="offline read:sleep")
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/html")
        assert len(re.findall(r"type='radio' name='athlete'", r.text)) == 3
        for scope in ("offline", "read:sleep"):
            assert f"<li>{scope}</li>" in r.text
        assert "id='allow'" in r.text and "id='deny'" in r.text
        assert "<script" not in r.text


def test_allow_redirects_with_code_and_unchanged_state(start_sandbox):
    with start_sandbox(athletes=2) as sb:
        page = _auth(sb.base_url, state="St4te/with+odd chars")
        rid = re.search(r"name='request' value='([^']+)'", page.text).group(1)
        r = HTTP.post(f"{sb.base_url}/oauth/oauth2/auth",
                       data={"request": rid, "athlete": "1", "decision": "allow"})
        assert r.status_code == 302
        assert r.headers["location"].startswith(REDIRECT + "?")
        q = _query(r.headers["location"])
        assert q["state"] == "St4te/with+odd chars" and q["code"]
        token = exchange(sb.base_url, q["code"]).json()
        profile = HTTP.get(f"{sb.base_url}/developer/v2/cycle",
                            headers={"Authorization": f"Bearer {token['access_token']}"})
        assert profile.status_code == 200
        users = {c["user_id"] for c in profile.json()["records"]}
        assert users == {sb.state.world.athletes[1].user_id}
        # the consent request is single-use
        again = HTTP.post(f"{sb.base_url}/oauth/oauth2/auth",
                           data={"request": rid, "athlete": "0", "decision": "allow"})
        assert again.status_code == 400 and "location" not in again.headers


def test_deny_redirects_with_access_denied(start_sandbox):
    with start_sandbox() as sb:
        rid = re.search(r"name='request' value='([^']+)'", _auth(sb.base_url).text).group(1)
        r = HTTP.post(f"{sb.base_url}/oauth/oauth2/auth", data={"request": rid, "decision": "deny"})
        assert r.status_code == 302
        q = _query(r.headers["location"])
        assert q["error"] == "access_denied" and q["state"] == "abcdefgh-1" and "code" not in q


def test_redirect_uri_must_match_exactly(start_sandbox):
    with start_sandbox(redirect_uris=[REDIRECT, "https://example.org/cb"]) as sb:
        for bad in ("http://localhost:8501", "http://localhost:8501/x", "http://localhost:8502/",
                    "http://LOCALHOST:8501/", "http://localhost:8501/?a=1", "https://example.org/cb/"):
            r = _auth(sb.base_url, redirect_uri=bad)
            assert r.status_code == 400 and "location" not in r.headers, bad
        assert _auth(sb.base_url, redirect_uri="https://example.org/cb").status_code == 200
        # ambiguous when several are registered and none is given
        assert _auth(sb.base_url, redirect_uri=None).status_code == 400


def test_unknown_client_gets_error_page_not_redirect(sandbox):
    r = _auth(sandbox.base_url, client_id="someone-else")
    assert r.status_code == 400 and "location" not in r.headers


def test_short_or_missing_state_is_refused(sandbox):
    for state in ("1234567", None):
        r = _auth(sandbox.base_url, state=state)
        assert r.status_code == 302
        q = _query(r.headers["location"])
        assert q["error"] == "invalid_state" and "code" not in q
    assert "code" in _query(_auth(sandbox.base_url, state="12345678").headers["location"])


def test_bad_response_type_and_unknown_scope_redirect_with_error(sandbox):
    q = _query(_auth(sandbox.base_url, response_type="token").headers["location"])
    assert q["error"] == "unsupported_response_type" and q["state"] == "abcdefgh-1"
    q = _query(_auth(sandbox.base_url, scope="offline read:body").headers["location"])
    assert q["error"] == "invalid_scope"


def test_token_response_shape(sandbox):
    token = connect(sandbox)
    assert set(token) == {"access_token", "expires_in", "refresh_token", "scope", "token_type"}
    assert token["expires_in"] == 3600 and token["token_type"] == "bearer"
    assert token["scope"].split() == ALL_SCOPES


def test_codes_are_single_use_and_reuse_revokes_tokens(sandbox):
    code = authorize_code(sandbox.base_url)
    first = exchange(sandbox.base_url, code)
    assert first.status_code == 200
    second = exchange(sandbox.base_url, code)
    assert second.status_code == 400 and second.json()["error"] == "invalid_grant"
    assert api(sandbox, first.json(), "/cycle").status_code == 401
    assert _refresh(sandbox.base_url, first.json()["refresh_token"]).json()["error"] == "invalid_grant"


def _skip(sb, seconds: float) -> float:
    """Age the sandbox's codes and tokens by ``seconds`` (its token clock; no sleep)."""
    r = HTTP.post(f"{sb.base_url}/_sandbox/token-clock", params={"skip_s": seconds})
    assert r.status_code == 200, r.text
    return r.json()["skipped_s"]


def test_codes_expire(start_sandbox):
    with start_sandbox(auto_approve=True, code_ttl_s=30) as sb:
        fresh, code = authorize_code(sb.base_url), authorize_code(sb.base_url)
        assert _skip(sb, 29) == 29
        assert exchange(sb.base_url, fresh).status_code == 200          # 1 s left: still good
        assert _skip(sb, 2) == 31
        r = exchange(sb.base_url, code)
        assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
        assert "expired" in r.json()["error_description"]


def test_code_exchange_needs_same_redirect_uri(sandbox):
    r = exchange(sandbox.base_url, authorize_code(sandbox.base_url), redirect_uri="http://localhost:8501")
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"


def test_http_basic_client_auth_is_refused(sandbox):
    code = authorize_code(sandbox.base_url)
    r = HTTP.post(f"{sandbox.base_url}/oauth/oauth2/token", auth=("sandbox-client", "sandbox-secret"),
                   data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT})
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    assert "error_description" in r.json()


def test_wrong_secret_and_bad_grant_type(sandbox):
    code = authorize_code(sandbox.base_url)
    r = HTTP.post(f"{sandbox.base_url}/oauth/oauth2/token", data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
        "client_id": "sandbox-client", "client_secret": "nope"})
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    r = HTTP.post(f"{sandbox.base_url}/oauth/oauth2/token", data={"grant_type": "password", **CLIENT})
    assert r.status_code == 400 and r.json()["error"] == "unsupported_grant_type"


def test_only_offline_scope_yields_refresh_token(sandbox):
    token = connect(sandbox, ["read:cycles"])
    assert "refresh_token" not in token and token["scope"] == "read:cycles"


def test_access_tokens_expire(start_sandbox):
    with start_sandbox(auto_approve=True, token_ttl_s=120) as sb:
        token = connect(sb)
        assert token["expires_in"] == 120
        assert api(sb, token, "/cycle").status_code == 200
        _skip(sb, 119)
        assert api(sb, token, "/cycle").status_code == 200              # 1 s before the end
        _skip(sb, 1.2)
        r = api(sb, token, "/cycle")
        assert r.status_code == 401 and r.json()["error"] == "invalid_token"
        new = _refresh(sb.base_url, token["refresh_token"])
        assert new.status_code == 200 and api(sb, new.json(), "/cycle").status_code == 200
        assert new.json()["expires_in"] == 120                          # counted from the skipped clock


def test_token_clock_refuses_bad_skips(sandbox):
    for bad in ("-1", "x", "", "nan", "inf"):
        r = HTTP.post(f"{sandbox.base_url}/_sandbox/token-clock", params={"skip_s": bad})
        assert r.status_code == 400 and r.json()["error"] == "invalid_request", bad
    assert _skip(sandbox, 0) == 0


def test_refresh_rotates_tokens(sandbox):
    token = connect(sandbox)
    r = _refresh(sandbox.base_url, token["refresh_token"])
    assert r.status_code == 200
    new = r.json()
    assert new["refresh_token"] != token["refresh_token"] and new["access_token"] != token["access_token"]
    assert new["scope"].split() == ALL_SCOPES
    assert api(sandbox, token, "/cycle").status_code == 401          # old access token is dead
    assert api(sandbox, new, "/cycle").status_code == 200
    old = _refresh(sandbox.base_url, token["refresh_token"])
    assert old.status_code == 400 and old.json()["error"] == "invalid_grant"
    assert _refresh(sandbox.base_url, new["refresh_token"]).status_code == 200


def test_refresh_cannot_widen_scope(sandbox):
    token = connect(sandbox, ["offline", "read:cycles"])
    r = _refresh(sandbox.base_url, token["refresh_token"], scope="offline read:sleep")
    assert r.status_code == 400 and r.json()["error"] == "invalid_scope"


def test_concurrent_refresh_exactly_one_wins(sandbox):
    for _ in range(5):
        token = connect(sandbox)
        barrier = threading.Barrier(2)
        results: list[httpx.Response] = []

        def go(barrier: threading.Barrier = barrier, results: list[httpx.Response] = results,
               token: dict = token) -> None:
            barrier.wait()
            results.append(_refresh(sandbox.base_url, token["refresh_token"]))

        threads = [threading.Thread(target=go) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        statuses = sorted(r.status_code for r in results)
        assert statuses == [200, 400]
        loser = next(r for r in results if r.status_code == 400)
        winner = next(r for r in results if r.status_code == 200)
        assert loser.json()["error"] == "invalid_grant"
        assert api(sandbox, winner.json(), "/cycle").status_code == 200  # the loser does not kill it


def test_revoke_kills_access_and_refresh(sandbox):
    token = connect(sandbox)
    other = connect(sandbox)
    r = HTTP.delete(f"{sandbox.base_url}/developer/v2/user/access",
                     headers={"Authorization": f"Bearer {token['access_token']}"})
    assert r.status_code == 204 and r.content == b""
    assert api(sandbox, token, "/cycle").status_code == 401
    assert _refresh(sandbox.base_url, token["refresh_token"]).json()["error"] == "invalid_grant"
    assert api(sandbox, other, "/cycle").status_code == 200     # another grant is untouched
    stats = HTTP.get(f"{sandbox.base_url}/_sandbox/stats").json()
    assert stats["revocations"] == 1 and stats["tokens_issued"] == 2
