"""API v2: OpenAPI shapes, scopes, 400/401/404, pagination boundaries, start/end semantics, order."""

from __future__ import annotations

from datetime import timedelta, timezone

import pytest

from tests.sandbox.conftest import ALL_SCOPES, HTTP, api, connect
from whoop.sandbox.world import iso_z, parse_instant

COLLECTIONS = {  # path -> (OpenAPI path, scope, kind)
    "/cycle": ("/v2/cycle", "read:cycles", "cycle"),
    "/recovery": ("/v2/recovery", "read:recovery", "recovery"),
    "/activity/sleep": ("/v2/activity/sleep", "read:sleep", "sleep"),
    "/activity/workout": ("/v2/activity/workout", "read:workout", "workout"),
}


@pytest.fixture(scope="module")
def token(shared_sandbox) -> dict:
    return connect(shared_sandbox)


def _walk(sb, token, path, **params) -> list[list[dict]]:
    """All pages of a collection (limit 25 unless given)."""
    params.setdefault("limit", 25)
    pages, next_token = [], None
    while True:
        q = dict(params, **({"nextToken": next_token} if next_token else {}))
        r = api(sb, token, path, **q)
        assert r.status_code == 200, r.text
        body = r.json()
        pages.append(body["records"])
        next_token = body.get("next_token")
        if not next_token:
            return pages


def _by_id_paths(sb) -> dict[str, tuple[str, str]]:
    ath = sb.state.world.athletes[0]
    cycle = next(x.rec for x in ath.sorted_desc["cycle"] if x.end is not None)
    sleep = ath.sleep_for_cycle(cycle["id"])
    workout = ath.sorted_desc["workout"][0].rec
    return {
        f"/cycle/{cycle['id']}": ("/v2/cycle/{cycleId}", "read:cycles"),
        f"/cycle/{cycle['id']}/sleep": ("/v2/cycle/{cycleId}/sleep", "read:sleep"),
        f"/cycle/{cycle['id']}/recovery": ("/v2/cycle/{cycleId}/recovery", "read:recovery"),
        f"/activity/sleep/{sleep['id']}": ("/v2/activity/sleep/{sleepId}", "read:sleep"),
        f"/activity/workout/{workout['id']}": ("/v2/activity/workout/{workoutId}", "read:workout"),
        "/user/profile/basic": ("/v2/user/profile/basic", "read:profile"),
        "/user/measurement/body": ("/v2/user/measurement/body", "read:body_measurement"),
    }


@pytest.mark.parametrize("path", sorted(COLLECTIONS))
def test_every_collection_page_matches_openapi(shared_sandbox, token, openapi, validate, path):
    from tests.sandbox.conftest import operation_schema

    spec_path, _, kind = COLLECTIONS[path]
    schema = operation_schema(openapi, spec_path)
    pages = _walk(shared_sandbox, token, path)
    for records in pages:
        validate({"records": records}, schema)
    served = [r for page in pages for r in page]
    assert len(served) == len(shared_sandbox.state.world.athletes[0].sorted_desc[kind]) > 25
    states = {r["score_state"] for r in served}
    assert "SCORED" in states
    for rec in served:
        assert ("score" in rec) == (rec["score_state"] == "SCORED")


def test_every_by_id_response_matches_openapi(shared_sandbox, token, openapi, validate):
    for path, (spec_path, _) in _by_id_paths(shared_sandbox).items():
        r = api(shared_sandbox, token, path)
        assert r.status_code == 200, (path, r.text)
        validate(r.json(), operation_schema_name(openapi, spec_path))


def operation_schema_name(openapi, spec_path):
    from tests.sandbox.conftest import operation_schema

    return operation_schema(openapi, spec_path)


def test_non_scored_records_are_served_and_valid(shared_sandbox, token, validate):
    """The open cycle is PENDING_SCORE or SCORED without an end; UNSCORABLE records have no score."""
    cycles = [r for page in _walk(shared_sandbox, token, "/cycle") for r in page]
    assert "end" not in cycles[0]
    others = [r for path in ("/recovery", "/activity/sleep", "/activity/workout")
              for page in _walk(shared_sandbox, token, path) for r in page]
    odd = [r for r in cycles + others if r["score_state"] != "SCORED"]
    assert odd, "expected PENDING_SCORE or UNSCORABLE records in 70 days"
    for rec in odd:
        assert "score" not in rec
    naps = [r for page in _walk(shared_sandbox, token, "/activity/sleep") for r in page if r["nap"]]
    sports = {r["sport_name"] for page in _walk(shared_sandbox, token, "/activity/workout") for r in page}
    assert naps and len(sports) >= 2
    offsets = {r["timezone_offset"] for r in cycles}
    assert all(o == "Z" or (len(o) == 6 and o[0] in "+-") for o in offsets)


def test_profile_and_body_are_the_athletes(shared_sandbox, token):
    ath = shared_sandbox.state.world.athletes[0]
    assert api(shared_sandbox, token, "/user/profile/basic").json() == ath.profile
    assert api(shared_sandbox, token, "/user/measurement/body").json() == ath.body
    other = connect(shared_sandbox, athlete=1)
    assert api(shared_sandbox, other, "/user/profile/basic").json()["user_id"] != ath.user_id


def test_cycle_links_to_its_main_sleep_and_recovery(shared_sandbox, token):
    for rec in _walk(shared_sandbox, token, "/recovery")[0][:5]:
        sleep = api(shared_sandbox, token, f"/cycle/{rec['cycle_id']}/sleep").json()
        assert sleep["id"] == rec["sleep_id"] and sleep["nap"] is False
        assert api(shared_sandbox, token, f"/cycle/{rec['cycle_id']}/recovery").json() == rec


def test_scopes_are_enforced(shared_sandbox):
    sb = shared_sandbox
    paths = {p: s for p, (_, s) in _by_id_paths(sb).items()}
    paths.update({p: s for p, (_, s, _) in COLLECTIONS.items()})
    for path, scope in paths.items():
        without = connect(sb, [s for s in ALL_SCOPES if s != scope])
        r = api(sb, without, path)
        assert r.status_code == 401 and r.json()["error"] == "insufficient_scope", path
        assert "X-RateLimit-Limit" in r.headers
        only = connect(sb, [scope])
        assert api(sb, only, path).status_code == 200, path


def test_missing_or_bad_token_is_401(shared_sandbox):
    url = f"{shared_sandbox.base_url}/developer/v2/cycle"
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic eDp5"}):
        r = HTTP.get(url, headers=headers)
        assert r.status_code == 401 and r.json()["error"] == "invalid_token", headers
        assert r.headers["WWW-Authenticate"].startswith("Bearer")


def test_unknown_ids_are_404(shared_sandbox, token):
    for path in ("/cycle/1", "/cycle/1/sleep", "/cycle/1/recovery",
                 "/activity/sleep/123e4567-e89b-12d3-a456-426614174000",
                 "/activity/workout/123e4567-e89b-12d3-a456-426614174000"):
        r = api(shared_sandbox, token, path)
        assert r.status_code == 404, path


@pytest.mark.parametrize("path,params", [
    ("/cycle", {"limit": "0"}), ("/cycle", {"limit": "26"}), ("/cycle", {"limit": "-1"}),
    ("/cycle", {"limit": "ten"}), ("/cycle", {"limit": "2.5"}),
    ("/recovery", {"start": "yesterday"}), ("/activity/sleep", {"end": "2026-13-01T00:00:00Z"}),
    ("/activity/workout", {"start": "2026-02-10T00:00:00Z", "end": "2026-02-01T00:00:00Z"}),
    ("/cycle", {"nextToken": "garbage!"}), ("/cycle", {"nextToken": "eyJrIjoxfQ"}),
    ("/cycle/abc", {}), ("/cycle/99999999999999999999", {}),
    ("/activity/sleep/not-a-uuid", {}), ("/activity/workout/12345", {}),
])
def test_bad_parameters_are_400(shared_sandbox, token, path, params):
    r = api(shared_sandbox, token, path, **params)
    assert r.status_code == 400, r.text
    assert r.json()["error"] == "invalid_request"


def test_next_token_of_another_collection_or_window_is_400(shared_sandbox, token):
    body = api(shared_sandbox, token, "/cycle", limit=2).json()
    assert api(shared_sandbox, token, "/recovery", nextToken=body["next_token"]).status_code == 400
    r = api(shared_sandbox, token, "/cycle", nextToken=body["next_token"], start="2026-01-01T00:00:00Z")
    assert r.status_code == 400


def test_default_limit_is_10_and_order_is_newest_first(shared_sandbox, token):
    for path, (_, _, kind) in COLLECTIONS.items():
        records = api(shared_sandbox, token, path).json()["records"]
        assert len(records) == 10
        if kind == "recovery":
            sleeps = shared_sandbox.state.world.athletes[0].records["sleep"]
            starts = [sleeps[r["sleep_id"]]["start"] for r in records]
        else:
            starts = [r["start"] for r in records]
        parsed = [parse_instant(s) for s in starts]
        assert parsed == sorted(parsed, reverse=True), path


def _expected(items_desc, start, end):
    """The documented rule, written out independently: span [s, e) overlaps [start, end)."""
    out = []
    for x in items_desc:
        s, e = x.start, x.end
        if s < end and (s >= start or e is None or e > start):
            out.append(x.rec)
    return out


@pytest.mark.parametrize("n", [0, 1, 25, 26, 51])
def test_pagination_boundaries(shared_sandbox, token, n):
    ath = shared_sandbox.state.world.athletes[0]
    asc = list(reversed(ath.sorted_desc["cycle"]))
    k = 3
    start, end = asc[k].start, asc[k + n].start
    expected = _expected(ath.sorted_desc["cycle"], start, end)
    assert len(expected) == n          # cycles tile time: the one before ends where asc[k] starts
    pages = _walk(shared_sandbox, token, "/cycle", start=iso_z(start), end=iso_z(end))
    assert [len(p) for p in pages] == {0: [0], 1: [1], 25: [25], 26: [25, 1], 51: [25, 25, 1]}[n]
    assert [r["id"] for p in pages for r in p] == [r["id"] for r in expected]


def test_pagination_with_small_limit_covers_everything_once(shared_sandbox, token):
    pages = _walk(shared_sandbox, token, "/activity/workout", limit=7)
    ids = [r["id"] for p in pages for r in p]
    assert len(ids) == len(set(ids)) == len(shared_sandbox.state.world.athletes[0].records["workout"])
    assert all(len(p) == 7 for p in pages[:-1]) and 1 <= len(pages[-1]) <= 7


def test_start_is_inclusive_and_end_exclusive(shared_sandbox, token):
    ath = shared_sandbox.state.world.athletes[0]
    workouts = ath.sorted_desc["workout"]
    w = workouts[5]
    at = lambda recs: [r["id"] for r in recs]  # noqa: E731
    exact = api(shared_sandbox, token, "/activity/workout", start=iso_z(w.start),
                end=iso_z(w.start + timedelta(milliseconds=1)), limit=25).json()["records"]
    assert w.rec["id"] in at(exact)
    before = api(shared_sandbox, token, "/activity/workout", start=iso_z(w.start - timedelta(hours=48)),
                 end=iso_z(w.start), limit=25).json()["records"]
    assert w.rec["id"] not in at(before)
    # a record running at `start` is returned ("occurred after or during"), one ended at it is not
    inside = w.start + (w.end - w.start) / 2
    during = api(shared_sandbox, token, "/activity/workout", start=iso_z(inside),
                 end=iso_z(inside + timedelta(seconds=1))).json()["records"]
    assert at(during) == [w.rec["id"]]
    after_end = api(shared_sandbox, token, "/activity/workout", start=iso_z(w.end),
                    end=iso_z(w.end + timedelta(milliseconds=1))).json()["records"]
    assert w.rec["id"] not in at(after_end)


def test_time_parameters_accept_offsets_and_naive_utc(shared_sandbox, token):
    ath = shared_sandbox.state.world.athletes[0]
    c = ath.sorted_desc["cycle"][10]
    ref = api(shared_sandbox, token, "/cycle", start=iso_z(c.start), limit=25).json()
    plus2 = c.start.astimezone(timezone(timedelta(hours=2))).isoformat()
    naive = c.start.replace(tzinfo=None).isoformat()
    assert api(shared_sandbox, token, "/cycle", start=plus2, limit=25).json() == ref
    assert api(shared_sandbox, token, "/cycle", start=naive, limit=25).json() == ref


def test_end_defaults_to_the_sandbox_clock(shared_sandbox, token):
    now = shared_sandbox.state.world.now
    newest = api(shared_sandbox, token, "/cycle", limit=1).json()["records"][0]
    assert parse_instant(newest["start"]) < now and "end" not in newest
    future = api(shared_sandbox, token, "/cycle", limit=1,
                 end=iso_z(now + timedelta(days=30))).json()["records"][0]
    assert future == newest
    # start = now: only the open cycle, which is still running at that instant
    assert api(shared_sandbox, token, "/cycle", start=iso_z(now)).json() == {"records": [newest]}
    assert api(shared_sandbox, token, "/activity/sleep", start=iso_z(now)).json() == {"records": []}
