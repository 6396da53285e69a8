"""The Team page: whoop.metrics.team on a generated roster (the demo athlete plus generated
athletes with hostile names) against each athlete's own numbers, sorting and filtering, the
CSV, the small multiples, the store reads, and the page itself (AppTest) as a coach, as an
athlete and on an empty roster. Both backends where a store is involved."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.apptest_helpers import assert_clean, open_page, texts
from tests.conftest import _fresh
from whoop import csvout
from whoop.accounts import Viewer
from whoop.charts.team import recovery_multiples
from whoop.demo import write_demo_export
from whoop.importer import import_paths, load_demo
from whoop.metrics import baselines as mb
from whoop.metrics import basic as m
from whoop.metrics import load as ml
from whoop.metrics import sleep as ms
from whoop.metrics import team as mt
from whoop.store import Store
from whoop.ui import insights as ins

FORMULA = "=cmd|' /C calc'!A0"
MARKUP = "<b>x</b>"
#: generated athletes (seed, days of history) under hostile names, besides the demo athlete
GENERATED = {FORMULA: (21, 90), MARKUP: (22, 45)}
EMPTY = "Nobody yet"


def _build(location: str | Path, tmp: Path) -> None:
    store = Store(location)
    load_demo(store, days=120)
    for name, (seed, days) in GENERATED.items():
        import_paths(store, [write_demo_export(tmp / str(seed), seed=seed, days=days)], athlete=name)
    with store.transaction() as con:
        store.ensure_athlete(con, EMPTY)


@pytest.fixture(scope="module")
def team_templates(tmp_path_factory, request):
    made: dict[str, str | Path] = {}

    def template(backend: str) -> str | Path:
        if backend not in made:
            tmp = tmp_path_factory.mktemp("team")
            location = (tmp / "team.duckdb" if backend == "duckdb"
                        else request.getfixturevalue("pg_schemas").new())
            _build(location, tmp)
            made[backend] = location
        return made[backend]
    return template


@pytest.fixture
def team_db(backend, team_templates, tmp_path, request, monkeypatch):
    if backend == "postgresql":
        from tests.conftest import TEST_TOKEN_KEY
        monkeypatch.setenv("WHOOP_TOKEN_KEY", TEST_TOKEN_KEY)
    return _fresh(backend, tmp_path, request, "team.duckdb", team_templates(backend))


def roster(db) -> tuple[Store, pd.DataFrame, pd.DataFrame]:
    store = Store(db)
    ids = [int(a) for a in store.athletes()["athlete_id"]]
    return store, store.roster_days(ids), store.roster_freshness(ids)


def _at(frame: pd.DataFrame, day: pd.Timestamp, column: str) -> float:
    hit = frame.loc[frame["date"] == day, column]
    return float(hit.iloc[0]) if len(hit) and pd.notna(hit.iloc[0]) else float("nan")


def _same(a: float, b: float) -> bool:
    return (pd.isna(a) and pd.isna(b)) or bool(np.isclose(a, b, rtol=0, atol=1e-9))


# ------------------------------------------------------------------------------ the numbers
def test_team_rows_equal_each_athletes_own_numbers(team_db):
    store, days, fresh = roster(team_db)
    last = days["date"].max()
    checked = 0
    for day in (last, last - pd.Timedelta(days=1), last - pd.Timedelta(days=30)):
        team = mt.team_frame(days, fresh, day.date()).set_index("athlete")
        assert len(team) == 4 and (team["date"] == day).all()
        for name in ("demo", *GENERATED):
            aid = store.athlete_id(name)
            own = store.days(aid)
            view, base = m.daily_view(own), mb.baselines(own)
            ledger, load = ms.sleep_debt_ledger(own), ml.training_load(own)
            row = team.loc[name]
            expected = {
                "recovery_score_pct": _at(view, day, "recovery_score"),
                "hrv_rmssd_ms": _at(view, day, "hrv_rmssd_ms"),
                "hrv_7d_ms": np.exp(_at(base, day, "hrv_ln_rmssd_7d")),
                "hrv_normal_low_ms": np.exp(_at(base, day, "hrv_normal_low")),
                "hrv_normal_high_ms": np.exp(_at(base, day, "hrv_normal_high")),
                "resting_hr_bpm": _at(view, day, "resting_heart_rate_bpm"),
                "resting_hr_z": _at(base, day, "rhr_z"),
                "asleep_h": _at(view, day, "asleep_min") / 60,
                "sleep_need_h": _at(view, day, "sleep_need_min") / 60,
                "sleep_performance_pct": _at(view, day, "sleep_performance_pct"),
                "sleep_debt_14n_h": _at(ledger, day, "debt_ledger_min") / 60,
                "day_strain": _at(view, day, "day_strain"),
                "acwr": _at(load, day, "acwr_strain"),
            }
            for column, value in expected.items():
                assert _same(row[column], value), (name, day, column, row[column], value)
            # the Overview's own cards and flags for that athlete and day
            for column, kpi in (("recovery_score_pct", "recovery_score"),
                                ("hrv_rmssd_ms", "hrv_rmssd_ms"), ("day_strain", "day_strain")):
                card = m.latest_kpi(view, kpi, day)
                if card.day == day.date():
                    assert _same(row[column], card.value)
                    checked += 1
            messages, flag_row = ins.flags(base, day.date())
            assert row["flags"] == "; ".join(messages)
            assert row["flag_kinds"] == tuple(mt.flag_kind(x) for x in messages)
            assert row["flags_date"] == (flag_row["date"] if flag_row is not None else pd.NaT)
            assert row["recovery_zone"] == m.zone_of(row["recovery_score_pct"]) or \
                pd.isna(row["recovery_score_pct"])
            if pd.notna(row["hrv_vs_normal"]):
                r = base[base["date"] == day].iloc[0]
                want = ("below" if r["hrv_below_normal"] else "above" if r["hrv_above_normal"]
                        else "within")
                assert row["hrv_vs_normal"] == want
            assert row["last_record_date"] == own["date"].max()
    assert checked >= 12
    # the athlete without records: a row of blanks and its freshness, no error
    empty = mt.team_frame(days, fresh, last.date()).set_index("athlete").loc[EMPTY]
    assert pd.isna(empty["recovery_score_pct"]) and empty["flags"] == ""
    assert pd.isna(empty["last_record_date"]) and pd.isna(empty["token_status"])


def test_the_pages_narrow_read_gives_the_same_frames(team_db):
    """The page reads only ``mt.ROSTER_COLUMNS`` (Store.roster_days columns=): the team frame
    and the recovery series are exactly those of the whole daily table, on any day and with
    other windows."""
    store, days, fresh = roster(team_db)
    narrow = store.roster_days(fresh["athlete_id"].tolist(), columns=mt.ROSTER_COLUMNS)
    assert len(narrow.columns) < len(days.columns)
    last = days["date"].max()
    for day in (last, last - pd.Timedelta(days=1), last - pd.Timedelta(days=50)):
        for windows in ({}, {"hrv_window": 28, "window": 14, "acute": 3, "chronic": 42}):
            pd.testing.assert_frame_equal(mt.team_frame(narrow, fresh, day.date(), **windows),
                                          mt.team_frame(days, fresh, day.date(), **windows),
                                          check_exact=True)
        pd.testing.assert_frame_equal(mt.recovery_series(narrow, fresh, day.date()),
                                      mt.recovery_series(days, fresh, day.date()), check_exact=True)


def test_some_flags_are_raised_and_filter_by_kind():
    """Flags on a day a generated athlete has one, and the filter keeps exactly those rows."""
    days, fresh = _synthetic_roster()
    found = None
    for back in range(60):
        day = days["date"].max() - pd.Timedelta(days=back)
        team = mt.team_frame(days, fresh, day.date())
        if mt.flag_options(team):
            found = team
            break
    assert found is not None, "no flag in 60 days of three generated athletes"
    kind = mt.flag_options(found)[0]
    kept = mt.filter_flags(found, [kind])
    assert len(kept) >= 1 and all(kind in k for k in kept["flag_kinds"])
    assert len(mt.filter_flags(found, [])) == len(found)
    assert mt.filter_flags(found, ["no such flag"]).empty
    assert not any(ch.isdigit() for ch in kind)


def _synthetic_roster() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Three generated athletes' daily tables as a roster (no store: the frames as the store
    gives them, through the demo export and the importer's DuckDB path)."""
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "r.duckdb")
        for seed in (31, 32, 33):
            import_paths(store, [write_demo_export(Path(tmp) / str(seed), seed=seed, days=150)],
                         athlete=f"athlete {seed}")
        ids = [int(a) for a in store.athletes()["athlete_id"]]
        return store.roster_days(ids), store.roster_freshness(ids)


def test_sorting_puts_blanks_last_and_breaks_ties_by_name():
    team = pd.DataFrame({
        "athlete": ["b", "A", "c", "d"], "recovery_score_pct": [50.0, np.nan, 20.0, 50.0],
        "sleep_debt_14n_h": [1.0, 3.0, np.nan, 2.0],
        "flag_kinds": [(), ("x",), ("x", "y"), ()],
        "last_record_date": pd.to_datetime(["2026-01-02", "2026-01-01", None, "2026-01-03"]),
    })

    def names(order: str) -> list[str]:
        return mt.sort_team(team, order)["athlete"].tolist()

    assert names("Recovery, lowest first") == ["c", "b", "d", "A"]
    assert names("Athlete name") == ["A", "b", "c", "d"]
    assert names("Sleep debt, most first") == ["A", "d", "b", "c"]
    assert names("Flags, most first") == ["c", "A", "b", "d"]
    assert names("Last record, oldest first") == ["A", "b", "d", "c"]
    with pytest.raises(KeyError):
        mt.sort_team(team, "nonsense")


def test_csv_keeps_hostile_names_as_data(team_db):
    _, days, fresh = roster(team_db)
    team = mt.team_frame(days, fresh, days["date"].max().date())
    buffer = io.StringIO()
    csvout.write_csv(mt.csv_frame(team), buffer, date_format="%Y-%m-%d")
    text = buffer.getvalue()
    back = pd.read_csv(io.StringIO(text), keep_default_na=False)
    assert list(back.columns) == [c for c in mt.COLUMNS if c not in ("athlete_id", "flag_kinds")]
    assert "'" + FORMULA in back["athlete"].tolist()      # a formula never starts a cell
    assert MARKUP in back["athlete"].tolist()             # markup is plain text in a CSV
    assert not any(line.startswith("=") or ",=" in line for line in text.splitlines())
    demo = back[back["athlete"] == "demo"].iloc[0]
    row = team.set_index("athlete").loc["demo"]
    assert float(demo["recovery_score_pct"]) == row["recovery_score_pct"]


def test_small_multiples_one_panel_per_athlete_names_escaped(team_db):
    _, days, fresh = roster(team_db)
    day = days["date"].max().date()
    series = mt.recovery_series(days, fresh, day)
    assert (series.groupby("athlete").size() == mt.SERIES_DAYS).all()
    assert series["date"].max() == pd.Timestamp(day)
    fig = recovery_multiples(series)
    [names] = [t for t in fig.data if t.type == "scatter" and t.mode == "text"]
    labels = list(names.text)
    assert len(labels) == 4 and "&lt;b&gt;x&lt;/b&gt;" in labels and MARKUP not in labels
    # each bar's hover label names its athlete (escaped) and its day
    hover = [h for t in fig.data if t.type == "bar" for h in t.hovertext]
    assert any(h.startswith("&lt;b&gt;x&lt;/b&gt;, ") for h in hover)
    assert not any(h.startswith(MARKUP) for h in hover)
    spec = fig.to_json()
    assert "<b>x" not in spec
    bars = sum(len(t.y) for t in fig.data if t.type == "bar")
    assert bars == int(series["recovery_score_pct"].notna().sum())
    assert all(len(t.x) == 0 for t in recovery_multiples(series.iloc[0:0]).data)  # empty roster


def test_roster_reads_do_not_grow_with_the_roster(team_db, monkeypatch):
    """One store call per table whatever the roster: the Team frames of 1 and of 4 athletes
    open the same number of store connections (Store.connect: one statement each)."""
    store = Store(team_db)
    calls = []
    original = Store.connect

    def counting(self):
        calls.append(1)
        return original(self)

    ids = [int(a) for a in store.athletes()["athlete_id"]]
    counts = []
    for some in (ids[:1], ids):
        monkeypatch.setattr(Store, "connect", counting)
        calls.clear()
        days, fresh = store.roster_days(some), store.roster_freshness(some)
        mt.team_frame(days, fresh, days["date"].max().date())
        counts.append(len(calls))
        monkeypatch.setattr(Store, "connect", original)
    assert counts == [2, 2]


# ------------------------------------------------------------------------------ the page
def test_page_as_coach_shows_every_athlete(app_test, team_db):
    at = app_test(team_db, timeout=60)
    at.session_state["whoop_viewer"] = Viewer(1, "coach", "coach")
    open_page(at, "team")
    assert_clean(at)
    [table] = at.dataframe
    assert sorted(table.value["athlete"]) == sorted(["demo", *GENERATED, EMPTY])
    assert at.get("plotly_chart") and at.get("download_button")
    # filter to one flag kind: every row left carries it
    options = at.multiselect(key="team_flags").options
    assert options      # the generated roster has HRV flags on its last day
    at.multiselect(key="team_flags").set_value([options[0]]).run()
    assert_clean(at)
    kinds = [[mt.flag_kind(x) for x in f.split("; ")] for f in at.dataframe[0].value["flags"]]
    assert kinds and len(kinds) < 4 and all(options[0] in k for k in kinds)
    at.multiselect(key="team_flags").set_value([]).run()
    # open one athlete's pages: the sidebar picks them, the app is on the Overview
    at.selectbox(key="team_open").set_value("demo")
    at.button(key="team_open_go").click().run()
    assert_clean(at)
    assert at.session_state["athlete_pick"] == "demo"
    assert at.title[0].value == "Overview"


def test_page_as_athlete_is_refused_and_shows_no_roster(app_test, team_db, monkeypatch, tmp_path):
    """A signed-in athlete has no Team page in their menu; opening it anyway shows nothing of
    the roster (the page refuses too, should it ever be listed)."""
    from whoop.accounts import add_account
    from whoop.ui.session import ACCOUNT_KEY

    monkeypatch.setenv("WHOOP_SIGN_IN", "1")
    monkeypatch.setenv("WHOOP_SECRETS_FILE", str(tmp_path / "absent.toml"))
    store = Store(team_db)
    own = store.athlete_id("demo")
    at = app_test(team_db, timeout=60, signed_in_as=None)
    at.session_state[ACCOUNT_KEY] = add_account(store, "ann", "athlete", "ann-password",
                                                athlete_id=own)
    at.run()
    with pytest.raises(ValueError, match="Known pages"):     # not in an athlete's menu
        at.switch_page("pages/team.py")
    at.run()
    assert not at.exception
    assert not at.get("download_button")
    assert [t.value for t in at.title] != ["Team"]
    main = " ".join(str(getattr(e, "value", "")) for e in at.main)
    for name in (*GENERATED, EMPTY):
        assert name not in main
    assert "demo" in main or at.metric          # their own Overview instead


def test_the_page_itself_refuses_a_non_coach(team_db, monkeypatch):
    """Below the menu: the Team page's roster read refuses anyone who is no coach."""
    import streamlit as st

    from whoop.ui import session, team

    monkeypatch.setenv("WHOOP_DB", str(team_db))
    monkeypatch.setattr(st, "session_state", {})
    session.set_viewer(Viewer(2, "ann", "athlete", athlete_id=Store(team_db).athlete_id("demo")))
    assert team.roster_ids() is None
    session.set_viewer(Viewer(3, "cora", "coach"))
    assert sorted(team.roster_ids()) == sorted(Store(team_db).athletes()["athlete_id"].tolist())


def test_page_on_an_empty_roster_shows_the_empty_state(app_test, db):
    Store(db).schema_version()
    at = open_page(app_test(db, timeout=60), "team")
    assert_clean(at)
    assert "No athletes in the roster yet" in texts(at) and "No WHOOP data yet" in texts(at)
    assert not at.dataframe


def test_page_in_the_personal_deployment_works_for_the_owner(app_test, demo_db):
    at = open_page(app_test(demo_db, timeout=60), "team")
    assert_clean(at)
    assert at.dataframe[0].value["athlete"].tolist() == ["demo"]
