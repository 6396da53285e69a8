"""Cached page frames and figures (whoop/ui/horizons.py and the loaders it builds on) under
AppTest on both backends: a warm rerun draws exactly what a cold one draws, new data shows on
the next rerun, and two athletes never see each other's cached frame or figure."""

from __future__ import annotations

from datetime import date

import pytest

from tests.apptest_helpers import assert_clean, open_page
from whoop.metrics import horizons as mh
from whoop.store import Store

PAGES = ["overview", "recovery", "hrv", "sleep", "strain", "trends", "journal", "explain",
         "settings"]


@pytest.fixture
def quiet(monkeypatch, tmp_path):
    """WHOOP unconfigured: no scheduler thread and no Connect link."""
    for key in ("WHOOP_CLIENT_ID", "WHOOP_CLIENT_SECRET", "WHOOP_BASE_URL"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("WHOOP_SECRETS_FILE", str(tmp_path / "no-secrets.toml"))


def _elements(node) -> list[tuple[str, bytes]]:
    """Every element of an AppTest tree, in order, as (kind, serialized proto)."""
    out = []
    proto = getattr(node, "proto", None)
    if proto is not None and hasattr(proto, "SerializeToString"):
        out.append((type(node).__name__, proto.SerializeToString(deterministic=True)))
    children = getattr(node, "children", None)
    for child in (children.values() if isinstance(children, dict) else []):
        out += _elements(child)
    return out


def _clear_caches() -> None:
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


def _calendar_years(at) -> list[str]:
    return [c.proto.id.rsplit("cal_", 1)[1] for c in at.get("plotly_chart") if "cal_" in c.proto.id]


def _scored_days(at) -> int:
    caption = next(c.value for c in at.caption if "scored days." in c.value)
    return int(caption.rsplit(" scored days.", 1)[0].rsplit(" ", 1)[1])


@pytest.mark.parametrize("page", PAGES)
def test_a_warm_rerun_draws_what_a_cold_render_draws(app_test, demo_db, quiet, page):
    at = open_page(app_test(demo_db), page)
    assert_clean(at)
    at.run()                                   # everything from the caches
    warm = _elements(at._tree)
    _clear_caches()
    at.run()                                   # everything computed again
    assert_clean(at)
    assert _elements(at._tree) == warm


def test_new_data_shows_on_the_next_rerun(app_test, demo_db, quiet, tmp_path):
    from whoop.demo import write_demo_export
    from whoop.importer import import_paths

    at = open_page(app_test(demo_db), "trends")
    assert_clean(at)
    years, scored = _calendar_years(at), _scored_days(at)
    assert years == ["2026", "2025"]
    at.run()                                   # warm: cached calendar
    assert _calendar_years(at) == years

    earlier = write_demo_export(tmp_path / "earlier", seed=5, days=200, end=date(2025, 6, 30))
    import_paths(Store(demo_db), [earlier], athlete="demo")
    at.run()
    assert_clean(at)
    assert _calendar_years(at) == ["2026", "2025", "2024"]
    assert _scored_days(at) > scored
    days = Store(demo_db).days(Store(demo_db).athlete_id("demo"))
    assert _scored_days(at) == int(mh.calendar_heatmap_frame(days)["value"].notna().sum())


def test_two_athletes_never_share_a_cached_frame_or_figure(app_test, demo_db, quiet, tmp_path):
    from whoop.demo import write_demo_export
    from whoop.importer import import_paths

    store = Store(demo_db)
    import_paths(store, [write_demo_export(tmp_path / "b", seed=11, days=40,
                                           end=date(2026, 5, 31))], athlete="b")
    at = open_page(app_test(demo_db), "trends")
    at.sidebar.selectbox(key="athlete_pick").set_value("demo").run()
    assert_clean(at)
    demo_first = _elements(at._tree)
    demo_scored = _scored_days(at)

    at.sidebar.selectbox(key="athlete_pick").set_value("b").run()
    assert_clean(at)
    b_days = store.days(store.athlete_id("b"))
    assert _calendar_years(at) == ["2026"]
    assert _scored_days(at) == int(mh.calendar_heatmap_frame(b_days)["value"].notna().sum())
    assert _scored_days(at) != demo_scored
    table = at.dataframe[0].value              # period A vs B of b's own days
    comp = mh.compare_periods(b_days, *[at.date_input(key=k).value for k in ("period_a",
                                                                           "period_b")])
    assert table["Days B"].tolist() == comp["n_b"].tolist()

    at.sidebar.selectbox(key="athlete_pick").set_value("demo").run()
    assert_clean(at)
    assert _elements(at._tree) == demo_first   # demo's figures, none of b's


def test_cached_calendars_are_keyed_by_athlete_and_data_version(demo_db, quiet, monkeypatch,
                                                                tmp_path):
    from whoop.demo import write_demo_export
    from whoop.importer import import_paths
    from whoop.ui import horizons as uh

    monkeypatch.setenv("WHOOP_DB", str(demo_db))
    store = Store(demo_db)
    import_paths(store, [write_demo_export(tmp_path / "b", seed=11, days=40,
                                           end=date(2026, 5, 31))], athlete="b")
    demo, b = store.athlete_id("demo"), store.athlete_id("b")
    first = uh.recovery_calendar(demo)
    assert uh.recovery_calendar(demo) is first          # cached
    other = uh.recovery_calendar(b)
    assert other is not first and [y for y, _ in other.figures] == [2026]
    import_paths(store, [write_demo_export(tmp_path / "b2", seed=12, days=30,
                                           end=date(2025, 12, 31))], athlete="b")
    assert uh.recovery_calendar(demo) is first          # b's import keeps demo's entry
    assert [y for y, _ in uh.recovery_calendar(b).figures] == [2026, 2025]
