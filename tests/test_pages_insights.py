"""The analytics on the pages (Overview, HRV, Sleep, Strain, Data) through
``streamlit.testing.v1.AppTest`` on the real app.py and real DuckDB files: the demo athlete, a
database with a single scored day (insufficient-data states, never an error), an empty database,
an export whose last nights are edited to fall outside the normal ranges (the Overview flags),
display units from the settings, and baselines computed on the whole history."""

from __future__ import annotations

import base64
import csv
import io
import re
import zipfile
from datetime import date
from pathlib import Path

import numpy as np
import plotly.io as pio
import pytest

from tests.apptest_helpers import assert_clean, open_page, texts
from whoop.demo import write_demo_export
from whoop.importer import import_uploads
from whoop.store import Store

PAGES = ["overview", "hrv", "sleep", "strain", "data"]
DEMO_SUBHEADERS = {
    "overview": [],
    "hrv": ["HRV against your normal range", "HRV day-to-day variation (7-day CV)",
            "Resting HR, respiratory rate, skin temperature and SpO2 vs your baseline"],
    "sleep": ["Asleep vs need", "Sleep-debt ledger", "Bedtime and wake-time regularity",
              "Weekday vs weekend (social jet lag)", "Sleep stages"],
    "strain": ["Day strain and training load", "Strain vs next-day recovery",
               "Heart-rate zones per week", "Workouts by activity"],
    "data": ["Data quality"],
}


def figures(at) -> list:
    """The plotly figures of the run, decoded (typed arrays as numpy)."""
    return [pio.from_json(c.proto.spec) for c in at.get("plotly_chart")]


def values(array) -> np.ndarray:
    """A trace's x / y: plain list or plotly's typed-array dict ``{dtype, bdata}``."""
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"])
    return np.asarray(array)




# ------------------------------------------------------------------------------ demo data
@pytest.mark.parametrize("page", PAGES)
def test_page_on_demo_data_shows_the_analytics(app_test, demo_db, page):
    at = open_page(app_test(demo_db), page)
    assert_clean(at)
    subheaders = [s.value for s in at.subheader]
    for heading in DEMO_SUBHEADERS[page]:
        assert heading in subheaders
    assert "Insufficient data" not in texts(at)


def test_overview_on_demo_data_has_flags_or_all_clear_and_normal_lines(app_test, demo_db):
    at = open_page(app_test(demo_db), "overview")
    assert_clean(at)
    assert at.subheader[0].value == "Sunday, 01 November 2026"
    body = texts(at)
    assert at.success or any(w.icon for w in at.warning)
    assert re.search(r"7-day mean \d+ ms, (within|\*\*below\*\*|\*\*above\*\*) your normal "
                     r"\d+–\d+ ms \(60 d, \d+ nights\)", body)
    assert re.search(r"vs your 30-day baseline, z [+-]\d\.\d \(\d+ d\)", body)
    assert "Last 7 nights:" in body and "Training load ACWR" in body


def test_hrv_on_demo_data_tabulates_z_scores(app_test, demo_db):
    at = open_page(app_test(demo_db), "hrv")
    assert_clean(at)
    table = at.dataframe[0].value
    assert table["Input"].tolist() == ["Resting HR", "Respiratory rate", "Skin temperature",
                                       "Blood oxygen (SpO2)"]
    assert (table["Baseline days"] >= 10).all()
    assert all(re.fullmatch(r"[+-]\d+\.\d( \(unusual\))?", z) for z in table["z"])
    labels = [m.label for m in at.metric]
    assert {"HRV 7-day mean", "Normal range", "7-day CV"} <= set(labels)
    assert re.search(r"based on \d+–\d+ valid nights", texts(at))
    assert len(at.get("plotly_chart")) == 6  # normal range, CV, four baselines


def test_sleep_on_demo_data_shows_regularity_and_social_jet_lag(app_test, demo_db):
    at = open_page(app_test(demo_db), "sleep")
    assert_clean(at)
    table = at.dataframe[0].value
    assert table.iloc[:, 0].tolist() == ["Bedtime", "Wake time", "Mid-sleep"]
    assert all(re.fullmatch(r"\d\d:\d\d ± .+ \(n=\d+\)", v) for v in table["All nights"])
    jet_lag = next(m for m in at.metric if m.label == "Social jet lag")
    assert jet_lag.value != "–"
    assert "Social jet lag = **" in texts(at)


def test_strain_on_demo_data_shows_acwr_and_strain_bands(app_test, demo_db):
    at = open_page(app_test(demo_db), "strain")
    assert_clean(at)
    labels = {m.label: m.value for m in at.metric}
    assert re.fullmatch(r"\d\.\d\d", labels["ACWR day strain"])
    assert labels["Days with data (last 28)"] == "28"
    bands = at.dataframe[0].value
    assert bands["Strain band"].tolist() == ["light (0-9.9)", "moderate (10-13.9)",
                                             "strenuous (14-17.9)", "all out (18-21)"]
    assert bands["Days"].sum() > 30


def test_data_quality_lists_sources_and_excluded_records(app_test, demo_db):
    at = open_page(app_test(demo_db), "data")
    assert_clean(at)
    excluded = at.dataframe[2].value
    assert excluded.columns.tolist() == ["record", "reason", "count", "why"]
    assert (excluded["why"] != "").all()
    naps = excluded.set_index(["record", "reason"]).loc[("sleep", "nap"), "count"]
    assert naps > 0
    assert re.search(r"\*\*\d+\*\* day\(s\) demo", texts(at))
    sources = {t.name for fig in figures(at) for t in fig.data}
    assert "demo" in sources


# ------------------------------------------------------------------------------ one day
@pytest.mark.parametrize("page,expected", [
    ("overview", ["Insufficient data: your normal ranges need 20 valid nights",
                  "7-day mean: insufficient data", "Baseline: insufficient data",
                  "provisional: 1 of the last 28 days"]),
    ("hrv", ["Insufficient data: the 60-day normal range needs 20 valid nights",
             "Insufficient data: the 7-day CV needs 3 valid nights",
             "Insufficient data: the 30-day baseline needs 10 valid days"]),
    ("sleep", ["Insufficient data: regularity needs at least 3 scored nights",
               "Insufficient data: social jet lag needs 3 nights",
               "Insufficient data: the 7-night rolling shares need at least 3"]),
    ("strain", ["Provisional: only 1 of the last 28 days",
                "Insufficient data: 1 day pair(s) in this range",
                "Insufficient data: no scored workout in this range"]),
])
def test_page_on_one_day_shows_insufficient_data(app_test, one_day_db, page, expected):
    at = open_page(app_test(one_day_db), page)
    assert_clean(at)
    body = texts(at)
    for text in expected:
        assert text in body, text


def test_hrv_on_one_day_draws_no_baseline_line(app_test, one_day_db):
    at = open_page(app_test(one_day_db), "hrv")
    assert_clean(at)
    for fig in figures(at):
        for trace in fig.data:
            if trace.name in ("Baseline", "Normal range (60 d, mean ± 0.5 SD)", "7-day mean"):
                assert np.isnan(values(trace.y).astype(float)).all(), trace.name


def test_data_quality_on_one_day(app_test, one_day_db):
    at = open_page(app_test(one_day_db), "data")
    assert_clean(at)
    excluded = at.dataframe[2].value.set_index(["record", "reason"])["count"]
    assert excluded[("day", "open cycle")] == 1 and excluded[("day", "missing")] == 0


# ------------------------------------------------------------------------------ empty DB
@pytest.mark.parametrize("page", PAGES)
def test_page_on_empty_database_has_no_analytics(app_test, db, page):
    at = open_page(app_test(db), page)
    assert_clean(at)
    assert "Load demo data" in [b.label for b in at.button]
    assert "Data quality" not in [s.value for s in at.subheader]
    assert "Insufficient data" not in texts(at)


# ------------------------------------------------------------------------- flags, history
def _export_with_a_bad_week(dest: Path) -> tuple[str, bytes]:
    """The demo export (120 days) with the last 5 nights' HRV cut to 20 ms and the last
    night's resting HR raised to 95 bpm (rows are newest first, as in WHOOP's export)."""
    path = write_demo_export(dest, days=120, end=date(2026, 6, 30))
    src = zipfile.ZipFile(path)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            content = src.read(name)
            if name == "physiological_cycles.csv":
                rows = list(csv.reader(io.StringIO(content.decode())))
                hrv = rows[0].index("Heart rate variability (ms)")
                rhr = rows[0].index("Resting heart rate (bpm)")
                for row in rows[1:6]:
                    row[hrv] = "20"
                rows[1][rhr] = "95"
                buf = io.StringIO()
                csv.writer(buf, lineterminator="\n").writerows(rows)
                content = buf.getvalue().encode()
            dst.writestr(name, content)
    return path.name, out.getvalue()


def test_overview_flags_hrv_below_normal_and_a_high_resting_hr(app_test, db, tmp_path):
    import_uploads(Store(db), [_export_with_a_bad_week(tmp_path / "export")], athlete="me")
    at = open_page(app_test(db), "overview")
    assert_clean(at)
    flags = [w.value for w in at.warning]
    assert any(re.fullmatch(r"HRV below your normal range for \d+ days? \(Tue 30 Jun\)\.", f)
               for f in flags), flags
    assert any(f.startswith("Resting HR is ") and "SD above your baseline" in f
               for f in flags), flags
    assert "**unusual for you**" in texts(at)
    at.switch_page("pages/hrv.py").run()
    assert_clean(at)
    rhr = at.dataframe[0].value.set_index("Input").loc["Resting HR"]
    assert rhr["Value"] == "95 bpm" and rhr["z"].endswith("(unusual)")
    below = next(t for t in figures(at)[0].data if t.name == "Below normal")
    assert len(values(below.x)) >= 1


def test_baselines_use_history_before_the_range(app_test, demo_db):
    """On a 30-day range the normal band and the baselines exist from the range's first day:
    they rest on the days before it, not only on the days shown."""
    at = app_test(demo_db).run()
    at.sidebar.get("button_group")[0].set_value("30 d").run()
    at.switch_page("pages/hrv.py").run()
    assert_clean(at)
    figs = figures(at)
    band = next(t for t in figs[0].data if t.name and t.name.startswith("Normal range"))
    assert len(values(band.x)) == 30 and not np.isnan(values(band.y).astype(float)[0])
    rhr_base = next(t for t in figs[2].data if t.name == "Baseline")
    assert not np.isnan(values(rhr_base.y).astype(float)[0])


def test_display_units_follow_the_settings(app_test, demo_db):
    store = Store(demo_db)
    store.set_setting("energy_unit", "kcal")
    store.set_setting("temperature_unit", "F")
    store.set_setting("clock", "12h")
    at = open_page(app_test(demo_db), "hrv")
    assert_clean(at)
    skin = at.dataframe[0].value.set_index("Input").loc["Skin temperature"]
    assert skin["Value"].endswith("°F") and float(skin["Value"].split()[0]) > 80
    at.switch_page("pages/strain.py").run()
    assert_clean(at)
    energy = next(m.value for m in at.metric if m.label == "Mean daily energy")
    assert energy.endswith(" kcal")
    at.switch_page("pages/sleep.py").run()
    assert_clean(at)
    assert all(re.match(r"\d{1,2}:\d\d (AM|PM) ± ", v) for v in at.dataframe[0].value["All nights"])


def test_acwr_window_follows_the_settings(app_test, demo_db):
    Store(demo_db).set_setting("chronic_days", 42)
    at = open_page(app_test(demo_db), "strain")
    assert_clean(at)
    labels = {m.label: m.value for m in at.metric}
    assert "Days with data (last 42)" in labels
    assert "chronic load (42-day EWMA)" in texts(at)
