"""The sandbox clock: new days, late rescores, deletions; determinism per seed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.sandbox.conftest import HTTP, NOW, api, connect
from whoop.sandbox.world import iso_z, parse_instant


def _advance(sb, **params) -> dict:
    r = HTTP.post(f"{sb.base_url}/_sandbox/advance", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def _all(sb, token, path) -> list[dict]:
    out, next_token = [], None
    while True:
        r = api(sb, token, path, limit=25, **({"nextToken": next_token} if next_token else {}))
        assert r.status_code == 200, r.text
        out += r.json()["records"]
        next_token = r.json().get("next_token")
        if not next_token:
            return out


def _snapshot(sb, token) -> dict:
    return {p: _all(sb, token, p) for p in ("/cycle", "/recovery", "/activity/sleep", "/activity/workout")}


def test_advance_adds_days_and_closes_the_open_cycle(sandbox, validate):
    token = connect(sandbox)
    before = _all(sandbox, token, "/cycle")
    open_cycle = before[0]
    assert "end" not in open_cycle
    result = _advance(sandbox, days=2)
    assert result["now"] == iso_z(NOW + timedelta(days=2))
    assert HTTP.get(f"{sandbox.base_url}/_sandbox/health").json()["now"] == result["now"]
    changes = result["athletes"][0]
    created = {k for k, _ in changes["created"]}
    assert {"cycle", "sleep", "recovery"} <= created
    assert ["cycle", open_cycle["id"]] in changes["updated"]
    after = _all(sandbox, token, "/cycle")
    closed = api(sandbox, token, f"/cycle/{open_cycle['id']}").json()
    assert "end" in closed and parse_instant(closed["updated_at"]) > parse_instant(open_cycle["updated_at"])
    assert len(after) == len(before) + sum(1 for k, _ in changes["created"] if k == "cycle")
    assert "end" not in after[0] and parse_instant(after[0]["start"]) > parse_instant(open_cycle["start"])
    for rec in after:
        validate(rec, "Cycle")
    new_ids = {i for k, i in changes["created"] if k == "cycle"}
    assert {c["id"] for c in after[:len(new_ids)]} == new_ids          # newest first


def test_advance_by_hours_and_bad_values(sandbox):
    assert _advance(sandbox, hours=5)["now"] == iso_z(NOW + timedelta(hours=5))
    for params in ({"days": "0"}, {"days": "-1"}, {"days": "x"}, {}):
        assert HTTP.post(f"{sandbox.base_url}/_sandbox/advance", params=params).status_code == 400


def test_natural_late_rescores_and_deletions(start_sandbox):
    """Day by day, synth's late rescores move updated_at and its deletions remove records."""
    with start_sandbox(seed=2, days=20, auto_approve=True, rate_window_s=0.05) as sb:
        token = connect(sb)
        rescored, deleted = [], []
        for _ in range(60):
            served = {(k, i): r for k in ("sleep", "workout")
                      for i, r in sb.state.world.athletes[0].records[k].items()}
            change = _advance(sb, days=1)["athletes"][0]
            for kind, key in change["updated"]:
                old = served.get((kind, key))
                if old is not None and old["score_state"] == "SCORED":
                    rescored.append((kind, key, old))
            deleted += [(k, i) for k, i in change["deleted"]]
            if rescored and deleted:
                break
        assert rescored, "no late rescore of a scored sleep or workout in 60 days"
        assert deleted, "no deletion in 60 days"
        kind, key, old = rescored[0]
        path = {"sleep": "/activity/sleep", "workout": "/activity/workout"}[kind]
        new = api(sb, token, f"{path}/{key}").json()
        assert new["score"] != old["score"]
        assert parse_instant(new["updated_at"]) > parse_instant(old["updated_at"])
        kind, key = deleted[0]
        path = {"sleep": "/activity/sleep", "workout": "/activity/workout"}[kind]
        assert api(sb, token, f"{path}/{key}").status_code == 404
        assert key not in {r["id"] for r in _all(sb, token, path)}


def test_forced_rescore_and_delete(sandbox):
    token = connect(sandbox)
    workouts = _all(sandbox, token, "/activity/workout")
    r = HTTP.post(f"{sandbox.base_url}/_sandbox/rescore", params={"kind": "workout"})
    assert r.status_code == 200
    [[kind, wid]] = r.json()["changed"]
    old = next(w for w in workouts if w["id"] == wid)
    new = api(sandbox, token, f"/activity/workout/{wid}").json()
    assert new["score"]["strain"] > old["score"]["strain"]
    assert parse_instant(new["updated_at"]) > parse_instant(old["updated_at"])

    r = HTTP.post(f"{sandbox.base_url}/_sandbox/rescore", params={"kind": "sleep"})
    kinds = [k for k, _ in r.json()["changed"]]
    assert kinds[0] == "sleep"

    r = HTTP.post(f"{sandbox.base_url}/_sandbox/delete", params={"kind": "workout", "id": wid})
    assert r.json() == {"changed": [["workout", wid]], "webhooks": 0}    # no webhook URL: none sent
    assert api(sandbox, token, f"/activity/workout/{wid}").status_code == 404
    _advance(sandbox, days=1)                                  # deletions survive regeneration
    assert api(sandbox, token, f"/activity/workout/{wid}").status_code == 404

    main = next(s for s in _all(sandbox, token, "/activity/sleep") if not s["nap"])
    r = HTTP.post(f"{sandbox.base_url}/_sandbox/delete", params={"kind": "sleep", "id": main["id"]})
    assert r.status_code == 400
    r = HTTP.post(f"{sandbox.base_url}/_sandbox/delete", params={"kind": "workout", "id": wid})
    assert r.status_code == 404


def test_same_seed_same_data(start_sandbox):
    with start_sandbox(auto_approve=True, seed=5, days=20, rate_window_s=0.05) as a, \
            start_sandbox(auto_approve=True, seed=5, days=20, rate_window_s=0.05) as b, \
            start_sandbox(auto_approve=True, seed=6, days=20, rate_window_s=0.05) as c:
        ta, tb, tc = connect(a), connect(b), connect(c)
        snap_a = _snapshot(a, ta)
        assert snap_a == _snapshot(b, tb)
        assert api(a, ta, "/user/profile/basic").json() == api(b, tb, "/user/profile/basic").json()
        assert snap_a["/cycle"] != _snapshot(c, tc)["/cycle"]
        # the served data depend on the clock, not on how it got there
        _advance(a, days=3)
        for _ in range(3):
            _advance(b, days=1)
        assert _snapshot(a, ta) == _snapshot(b, tb)


@pytest.mark.parametrize("days", [0, 1])
def test_tiny_histories_work(start_sandbox, days):
    with start_sandbox(auto_approve=True, days=days) as sb:
        token = connect(sb)
        cycles = api(sb, token, "/cycle").json()["records"]
        assert 1 <= len(cycles) <= days + 2
