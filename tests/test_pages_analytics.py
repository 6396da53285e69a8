"""The analytics pages (Journal, Trends, Explain a day, Settings) through
``streamlit.testing.v1.AppTest`` on the real app.py and real DuckDB files: an empty database, the
demo athlete, a database with a single scored day (insufficient-data states, never an error),
and the settings round trip through the store."""

from __future__ import annotations

import pytest

from tests.apptest_helpers import assert_clean, open_page, texts
from whoop.store import Store

PAGES = ["journal", "trends", "explain", "settings"]
TITLES = {"journal": "Journal", "trends": "Trends", "explain": "Explain a day",
          "settings": "Settings"}




# ------------------------------------------------------------------------------ empty DB
@pytest.mark.parametrize("page", ["journal", "trends", "explain"])
def test_page_on_empty_database_shows_the_empty_state(app_test, db, page):
    at = open_page(app_test(db), page)
    assert_clean(at)
    assert at.title[0].value == TITLES[page]
    assert [s.value for s in at.subheader] == ["No WHOOP data yet"]
    assert "Load demo data" in [b.label for b in at.button]
    assert not at.dataframe and not at.get("plotly_chart")


def test_settings_on_empty_database_still_sets_app_wide_units(app_test, db):
    at = open_page(app_test(db), "settings")
    assert_clean(at)
    assert [s.value for s in at.subheader][:2] == ["Units", "Baseline windows"]   # (+ Alerts: team)
    assert at.radio(key="set_energy").value == "kJ"
    at.radio(key="set_energy").set_value("kcal")
    at.button(key="settings_save").click().run()
    assert_clean(at)
    assert "Settings saved" in at.success[0].value
    assert Store(db).get_setting("energy_unit") == "kcal"


# ------------------------------------------------------------------------------ demo data
def test_journal_on_demo_data(app_test, demo_db):
    at = open_page(app_test(demo_db), "journal")
    assert_clean(at)
    assert "Association, not causation" in at.info[0].value
    assert "filed under" in at.info[0].value
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["Questions answered"]) >= 5
    assert int(metrics["With enough answers"]) >= 1
    assert len(at.tabs) == 4 and [t.label for t in at.tabs] == [
        "Recovery", "HRV (RMSSD)", "Resting HR", "Sleep performance"]
    assert len(at.get("plotly_chart")) >= 1
    table = at.dataframe[0].value
    assert list(table.columns) == ["Question", "Metric", "n", "Mean yes", "Mean no",
                                   "Difference", "95% CI", "On yes days"]
    counts = table["n"].str.split(" / ", expand=True).astype(int)
    assert (counts >= 5).all().all()
    ci = table["95% CI"].str.split(" to ", expand=True).astype(float)
    assert (ci[0] <= table["Difference"].round(1)).all()
    assert (table["Difference"].round(1) <= ci[1]).all()
    assert (table["Difference"] - (table["Mean yes"] - table["Mean no"])).abs().max() < 1e-9

def test_journal_period_changes_the_answers_counted(app_test, demo_db):
    at = open_page(app_test(demo_db), "journal")
    all_days = int(next(m.value for m in at.metric if m.label == "Days with answers"))
    at.sidebar.get("button_group")[0].set_value("30 d").run()
    at.get("button_group")[0].set_value("Sidebar range").run()  # the page's period control
    assert_clean(at)
    short = int(next(m.value for m in at.metric if m.label == "Days with answers"))
    assert 0 < short <= 30 < all_days
    caption = next(c.value for c in at.main.caption
                   if "The period starts as all history" in c.value)
    start, end = at.sidebar.caption[0].value.split("\n")[1].split(" (")[0].split(" – ")
    assert caption.startswith(f"{start} – {end}.")


def test_trends_on_demo_data(app_test, demo_db):
    at = open_page(app_test(demo_db), "trends")
    assert_clean(at)
    assert [s.value for s in at.subheader] == [
        "Recovery calendar", "Year over year and month of year", "Period A vs period B"]
    assert len(at.get("plotly_chart")) == 2 + 2  # 2025 and 2026 calendars, yoy, month of year
    table = at.dataframe[0].value
    assert table["Metric"].tolist()[:3] == ["Recovery", "HRV (RMSSD)", "Resting HR"]
    assert len(table) == 14  # the catalogue's "periods" metrics, sleep disturbances last
    api_only = table["Metric"] == "Sleep disturbances"  # the demo is an export: none
    assert (table.loc[~api_only, "Days A"] > 30).all() and (table.loc[~api_only, "Days B"] > 30).all()
    assert (table.loc[api_only, ["Days A", "Days B"]] == 0).all().all()
    assert "insufficient data" not in table.loc[~api_only, "B − A"].tolist()
    assert table.loc[api_only, "B − A"].tolist() == ["insufficient data"]
    assert table.loc[0, "B − A"].endswith("pts")
    last = Store(demo_db).status()["athletes"][0]["last_day"]
    assert at.date_input(key="period_b").value[1] == last
    at.get("button_group")[1].set_value("hrv_rmssd_ms").run()  # [0] is the sidebar's range
    assert_clean(at)
    assert len(at.get("plotly_chart")) == 4


def test_explain_on_demo_data(app_test, demo_db):
    at = open_page(app_test(demo_db), "explain")
    assert_clean(at)
    last = Store(demo_db).status()["athletes"][0]["last_day"]
    assert at.date_input(key="explain_day").value == last
    assert at.subheader[0].value == f"{last:%A, %d %B %Y}"
    assert at.metric[0].label == "Recovery"
    assert at.metric[0].value.endswith("%]") and at.metric[0].value.startswith(":")
    dev, answers, similar = (d.value for d in at.dataframe)
    assert dev["Input"].tolist() == ["HRV", "Resting HR", "Respiratory rate", "Skin temperature",
                                     "Disturbances", "Sleep vs need", "Prior-day strain"]
    from_export = dev["Input"] == "Disturbances"  # API only: the demo is an export
    assert dev.loc[~from_export, "z"].notna().all() and dev.loc[from_export, "z"].isna().all()
    assert "normal" in texts(at) and "-day baseline" in texts(at)
    assert set(answers["Answer"]) <= {"Yes", "No", "–"} and len(answers) >= 1
    assert len(similar) == 5 and (similar["Date"] < last).all()
    assert similar["Distance"].is_monotonic_increasing
    # another day: the page follows the date input
    at.date_input(key="explain_day").set_value(last.replace(day=1)).run()
    assert_clean(at)
    assert at.subheader[0].value == f"{last.replace(day=1):%A, %d %B %Y}"


def test_explain_uses_the_temperature_unit(app_test, demo_db):
    Store(demo_db).set_setting("temperature_unit", "F")
    at = open_page(app_test(demo_db), "explain")
    assert_clean(at)
    assert "°F" in at.dataframe[0].value.loc[3, "Value"]
    assert "°F" in texts(at)


# ------------------------------------------------------------------------------ one day
def test_journal_on_one_day_says_insufficient_data(app_test, one_day_db):
    at = open_page(app_test(one_day_db), "journal")
    assert_clean(at)
    assert "Insufficient data" in at.warning[0].value
    assert "Insufficient data" in [s.value for s in at.subheader]
    listing = at.dataframe[0].value
    assert len(listing) == 6 and (listing["n_yes"] + listing["n_no"] <= 1).all()
    assert not at.get("plotly_chart")


def test_trends_on_one_day_says_insufficient_data(app_test, one_day_db):
    at = open_page(app_test(one_day_db), "trends")
    assert_clean(at)
    assert any("Insufficient data" in w.value and "need at least 14" in w.value
               for w in at.warning)
    table = at.dataframe[0].value
    assert set(table["B − A"]) == {"insufficient data"}
    assert len(at.get("plotly_chart")) <= 1  # at most the calendar with its one scored day


def test_explain_on_one_day_says_insufficient_data(app_test, one_day_db):
    at = open_page(app_test(one_day_db), "explain")
    assert_clean(at)
    body = texts(at)
    assert "Insufficient data: the baselines need" in body
    assert "not enough history for a baseline" in body
    assert "Insufficient data: a similar day needs" in body
    assert not at.get("plotly_chart")


# ------------------------------------------------------------------------------ settings
def test_settings_round_trip(app_test, demo_db):
    at = open_page(app_test(demo_db), "settings")
    assert_clean(at)
    assert at.number_input(key="set_hrv_0").value == 60
    at.radio(key="set_energy").set_value("kcal")
    at.radio(key="set_temperature").set_value("F")
    at.radio(key="set_clock").set_value("12h")
    at.number_input(key="set_hrv_0").set_value(90)
    at.number_input(key="set_base_0").set_value(21)
    at.button(key="settings_save").click().run()
    assert_clean(at)
    assert "Settings saved" in at.success[0].value
    store = Store(demo_db)
    assert [store.get_setting(k) for k in ("energy_unit", "temperature_unit", "clock",
                                           "hrv_normal_window_days", "baseline_window_days")] == \
        ["kcal", "F", "12h", 90, 21]

    fresh = open_page(app_test(demo_db), "settings")
    assert_clean(fresh)
    assert fresh.radio(key="set_energy").value == "kcal"
    assert fresh.radio(key="set_temperature").value == "F"
    assert fresh.radio(key="set_clock").value == "12h"
    assert fresh.number_input(key="set_hrv_0").value == 90
    assert any("In effect: kcal, °F, 12h clock, HRV normal 90 days" in c.value for c in fresh.main.caption)

    # the other analytics pages use the saved windows
    fresh.switch_page("pages/explain.py").run()
    dev = fresh.dataframe[0].value
    assert [d.split(" of ")[1] for d in dev["Days used"]] == ["90"] + ["21"] * 6


def test_settings_reset_to_defaults(app_test, demo_db):
    Store(demo_db).set_setting("energy_unit", "kcal")
    at = open_page(app_test(demo_db), "settings")
    assert at.radio(key="set_energy").value == "kcal"
    at.button(key="settings_reset").click().run()
    assert_clean(at)
    assert at.radio(key="set_energy").value == "kJ"
    assert "reset to the defaults" in at.success[0].value
    assert Store(demo_db).get_setting("energy_unit") == "kJ"


def test_invalid_stored_setting_is_ignored_not_an_error(app_test, demo_db):
    store = Store(demo_db)
    store.set_setting("energy_unit", "BTU")
    store.set_setting("hrv_normal_window_days", 5)
    for page in ("settings", "explain"):
        at = open_page(app_test(demo_db), page)
        assert_clean(at)
    assert at.dataframe[0].value["Days used"].iloc[0].endswith(" of 60")


def test_settings_windows_per_athlete(app_test, demo_db, tmp_path):
    from whoop.demo import write_demo_export
    from whoop.importer import import_paths

    store = Store(demo_db)
    export = write_demo_export(tmp_path / "export", seed=11, days=60)
    alice = import_paths(store, [export], athlete="alice").athlete_id
    demo = int(store.athletes().set_index("name").loc["demo", "athlete_id"])
    at = app_test(demo_db).run()
    at.sidebar.selectbox(key="athlete_pick").set_value("alice").run()
    at.switch_page("pages/settings.py").run()
    assert_clean(at)
    at.number_input(key=f"set_hrv_{alice}").set_value(30)
    at.radio(key=f"set_scope_{alice}").set_value("Only alice")
    at.button(key="settings_save").click().run()
    assert_clean(at)
    assert "for alice" in at.success[0].value
    assert store.get_setting("hrv_normal_window_days", athlete_id=alice) == 30
    assert store.get_setting("hrv_normal_window_days") is None  # app-wide untouched
    at.switch_page("pages/explain.py").run()
    assert at.dataframe[0].value["Days used"].iloc[0].endswith(" of 30")
    at.sidebar.selectbox(key="athlete_pick").set_value("demo").run()
    assert_clean(at)
    assert at.dataframe[0].value["Days used"].iloc[0].endswith(" of 60")
    assert demo != alice
