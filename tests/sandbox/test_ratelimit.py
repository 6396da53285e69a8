"""Rate limits like WHOOP: headers on every API response, 429 when a window is full."""

from __future__ import annotations

from tests.sandbox.conftest import HTTP, api, connect
from whoop.sandbox.ratelimit import RateLimiter


def test_headers_on_every_api_response(start_sandbox):
    with start_sandbox(auto_approve=True, rate_window_s=30) as sb:
        token = connect(sb)
        seen = []
        for path in ("/cycle", "/cycle/1", "/cycle", "/recovery?limit=99", "/user/profile/basic"):
            r = api(sb, token, path)
            assert r.headers["X-RateLimit-Limit"] == "100, 100;window=30, 10000;window=43200"
            assert 1 <= int(r.headers["X-RateLimit-Reset"]) <= 30
            seen.append((r.status_code, int(r.headers["X-RateLimit-Remaining"])))
        assert seen == [(200, 99), (404, 98), (200, 97), (400, 96), (200, 95)]


def test_real_windows_by_default(sandbox):
    r = api(sandbox, connect(sandbox), "/cycle")
    assert r.headers["X-RateLimit-Limit"] == "100, 100;window=60, 10000;window=86400"


def test_101st_request_in_a_window_is_429(start_sandbox):
    with start_sandbox(auto_approve=True, rate_window_s=60) as sb:
        token = connect(sb)
        statuses = [api(sb, token, "/user/profile/basic").status_code for _ in range(100)]
        assert statuses == [200] * 100
        r = api(sb, token, "/cycle")
        assert r.status_code == 429
        assert r.headers["X-RateLimit-Remaining"] == "0"
        assert 1 <= int(r.headers["X-RateLimit-Reset"]) <= 60
        # the token endpoint is not rate limited
        assert connect(sb)["access_token"]
        stats = HTTP.get(f"{sb.base_url}/_sandbox/stats").json()
        assert stats["rate_limited"] == 1
        assert stats["requests"]["GET /developer/v2/cycle"] == {"429": 1}
        assert stats["requests"]["GET /developer/v2/user/profile/basic"] == {"200": 100}


def test_limits_are_per_client_not_per_token(start_sandbox):
    with start_sandbox(auto_approve=True, rate_window_s=60) as sb:
        a, b = connect(sb), connect(sb)
        api(sb, a, "/cycle")
        assert api(sb, b, "/cycle").headers["X-RateLimit-Remaining"] == "98"


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_minute_window_resets():
    clock = FakeClock()
    rl = RateLimiter(60, clock=clock)
    for _ in range(100):
        assert rl.hit("c").allowed
    refused = rl.hit("c")
    assert not refused.allowed and refused.headers["X-RateLimit-Remaining"] == "0"
    clock.t += 59.5
    assert rl.hit("c").headers["X-RateLimit-Reset"] == "1"
    clock.t += 0.5
    ok = rl.hit("c")
    assert ok.allowed and ok.headers["X-RateLimit-Remaining"] == "99"


def test_day_window_is_reported_when_it_is_closest():
    clock = FakeClock()
    rl = RateLimiter(60, clock=clock, minute_limit=5, day_limit=7)
    for _ in range(5):
        rl.hit("c")
    clock.t += 60
    rl.hit("c")
    last = rl.hit("c")                              # day: 7/7 used, minute: 2/5
    assert last.allowed
    assert last.headers["X-RateLimit-Limit"] == "7, 5;window=60, 7;window=86400"
    assert last.headers["X-RateLimit-Remaining"] == "0"
    assert last.headers["X-RateLimit-Reset"] == str(86400 - 60)
    assert not rl.hit("c").allowed                  # blocked although the minute window has room
    clock.t += 86400
    assert rl.hit("c").allowed


def test_scaled_windows_keep_the_counts():
    rl = RateLimiter(1, clock=FakeClock())
    assert rl.hit("c").headers["X-RateLimit-Limit"] == "100, 100;window=1, 10000;window=1440"
    half = RateLimiter(0.5, clock=FakeClock())
    assert half.hit("c").headers["X-RateLimit-Limit"] == "100, 100;window=0.5, 10000;window=720"
