"""One database connection per page rerun, and cached frames kept per athlete, under AppTest
(the real app.py) on both backends: the first Overview render opens the database once, and a
change to another athlete's data leaves the picked athlete's cached frames in place."""

from __future__ import annotations

from datetime import date

import pytest

from tests.apptest_helpers import assert_clean, open_page
from whoop.store import Store


@pytest.fixture
def quiet(monkeypatch, tmp_path):
    """WHOOP unconfigured: no scheduler thread and no Connect link open connections of their own."""
    for key in ("WHOOP_CLIENT_ID", "WHOOP_CLIENT_SECRET", "WHOOP_BASE_URL"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("WHOOP_SECRETS_FILE", str(tmp_path / "no-secrets.toml"))


def test_first_overview_render_opens_the_database_once(app_test, demo_db, quiet):
    store = Store(demo_db)
    at = app_test(demo_db)
    before = store.opens
    at.run()
    assert_clean(at)
    assert [s.value for s in at.subheader][:1] and at.metric, "the Overview was not drawn"
    assert store.opens - before == 1
    before = store.opens                      # a warm rerun too
    at.run()
    assert store.opens - before == 1
    before = store.opens                      # and the Data page, with its cards and tables
    at.switch_page("pages/data.py").run()
    assert_clean(at)
    assert store.opens - before == 1


def _reads_of_days(monkeypatch) -> list[int]:
    """Record the athlete id of every ``Store.days`` call (the read behind every cached frame
    of an athlete) and pass it through."""
    calls: list[int] = []
    real = Store.days

    def days(self, athlete_id, *args, **kwargs):
        calls.append(athlete_id)
        return real(self, athlete_id, *args, **kwargs)

    monkeypatch.setattr(Store, "days", days)
    return calls


def test_another_athletes_import_keeps_the_picked_athletes_frames(app_test, demo_db, quiet,
                                                                  monkeypatch, tmp_path):
    from whoop.demo import write_demo_export
    from whoop.importer import import_paths

    store = Store(demo_db)
    b_export = write_demo_export(tmp_path / "b", seed=11, days=40, end=date(2026, 5, 31))
    import_paths(store, [b_export], athlete="b")
    demo_id = store.athlete_id("demo")
    at = open_page(app_test(demo_db), "overview")
    at.sidebar.selectbox(key="athlete_pick").set_value("demo").run()
    assert_clean(at)
    calls = _reads_of_days(monkeypatch)
    at.run()
    assert calls == []                        # warm: everything of 'demo' is cached

    more = write_demo_export(tmp_path / "b2", seed=12, days=20, end=date(2026, 7, 31))
    import_paths(store, [more], athlete="b")     # b's data changes, demo's does not
    at.run()
    assert_clean(at)
    assert demo_id not in calls, calls
    at.sidebar.selectbox(key="athlete_pick").set_value("b").run()
    assert store.athlete_id("b") in calls     # b's frames are read anew (the counter works)

    calls.clear()
    at.sidebar.selectbox(key="athlete_pick").set_value("demo").run()
    assert calls == []                        # demo's frames stayed cached all along
    import_paths(store, [write_demo_export(tmp_path / "d", seed=5, days=10, end=date(2026, 11, 1))],
                 athlete="demo")
    at.run()
    assert demo_id in calls                   # ... until demo's own data changes
