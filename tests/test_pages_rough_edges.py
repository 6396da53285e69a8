"""Rough edges a new user hit, through ``streamlit.testing.v1.AppTest`` on real DuckDB files:
Settings' reset, the "unusual for you" colour rule of the KPI cards, the sleep numbers that must
agree, and the wording for athletes whose data comes from an old export."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest
from streamlit.proto.Metric_pb2 import Metric as MetricProto

from tests.apptest_helpers import assert_clean, open_page
from whoop.metrics import baselines, exclusions, sleep
from whoop.metrics.units import format_duration
from whoop.store import Store


# ----------------------------------------------------------------------------- settings
def test_reset_to_defaults_updates_the_form_and_summary_in_the_same_run(app_test, demo_db):
    at = open_page(app_test(demo_db), "settings")
    at.radio(key="set_energy").set_value("kcal")
    at.number_input(key="set_hrv_0").set_value(90)
    at.button(key="settings_save").click().run()
    assert any("In effect: kcal" in c.value for c in at.main.caption)
    at.button(key="settings_reset").click().run()
    assert_clean(at)
    assert Store(demo_db).get_setting("energy_unit") == "kJ"
    assert "reset to the defaults" in at.success[0].value
    assert any("In effect: kJ, °C, 24h clock, HRV normal 60 days" in c.value for c in at.main.caption)
    # The browser keeps a widget's own value unless the server sends one (proto ``set_value``):
    # deleting the keys showed the defaults here but left kcal / 90 on the screen until reload.
    energy, hrv = at.radio(key="set_energy"), at.number_input(key="set_hrv_0")
    assert (energy.value, hrv.value) == ("kJ", 60)
    assert energy.proto.set_value and hrv.proto.set_value


# ------------------------------------------------------------------ overview numbers
def _overview_on(app_test, db, day: date):
    """Overview with a custom sidebar range ending on ``day`` (the cards show that day)."""
    at = app_test(db)
    at.session_state["range_preset"] = "Custom"
    at.session_state["range_custom"] = (day - timedelta(days=29), day)
    at.run()
    assert_clean(at)
    assert at.subheader[0].value == f"{day:%A, %d %B %Y}"
    return at


def _card(at, label: str):
    return next(m for m in at.metric if m.label.split(" · ")[0] == label)


def _demo_baselines(db):
    store = Store(db)
    aid = int(store.athletes().iloc[0]["athlete_id"])
    return aid, baselines.baselines(store.days(aid))


def test_a_usual_change_is_grey_and_an_unusual_one_coloured(app_test, demo_db):
    _, base = _demo_baselines(demo_db)
    rows = base.dropna(subset=["rhr_z"]).set_index("date")
    usual = rows[(rows["rhr_z"].abs() < 1) & (rows["rhr_dev_bpm"].abs() >= 1)].index[-1].date()
    unusual = rows[rows["rhr_z"] >= 2].index[-1].date()

    at = _overview_on(app_test, demo_db, usual)
    card = _card(at, "Resting HR")
    assert card.delta and card.proto.color == MetricProto.MetricColor.GRAY
    rhr_words = next(c.value for c in at.caption if "baseline, z" in c.value)
    assert "normal for you" in rhr_words  # the words and the badge agree

    at = _overview_on(app_test, demo_db, unusual)
    card = _card(at, "Resting HR")
    assert card.delta.startswith("+")
    assert card.proto.color == MetricProto.MetricColor.RED  # higher resting HR is worse
    assert any("unusual for you" in c.value for c in at.caption)


def test_hrv_card_uses_the_normal_range_baseline_of_its_words(app_test, demo_db):
    _, base = _demo_baselines(demo_db)
    known = base.dropna(subset=["hrv_normal_mean", "hrv_rmssd_ms"])
    within = known[~known["hrv_below_normal"] & ~known["hrv_above_normal"]].iloc[-1]
    at = _overview_on(app_test, demo_db, within["date"].date())
    card = _card(at, "HRV (RMSSD)")
    centre = math.exp(within["hrv_normal_mean"])  # the 60-day geometric mean of the range
    assert card.proto.delta_description == f"vs 60-d normal {centre:.0f} ms"
    assert card.delta == f"{within['hrv_rmssd_ms'] - centre:+.1f} ms"
    words = next(c.value for c in at.caption if c.value.startswith("7-day mean"))
    assert "within your normal" in words and "(60 d," in words
    assert card.proto.color == MetricProto.MetricColor.GRAY

    below = known[known["hrv_below_normal"]].iloc[-1]
    at = _overview_on(app_test, demo_db, below["date"].date())
    assert "**below**" in next(c.value for c in at.caption if c.value.startswith("7-day mean"))
    assert _card(at, "HRV (RMSSD)").proto.color != MetricProto.MetricColor.GRAY


def test_week_and_fourteen_night_sleep_debt_say_why_they_differ(app_test, demo_db):
    aid, _ = _demo_baselines(demo_db)
    ledger = sleep.sleep_debt_ledger(Store(demo_db).days(aid)).set_index("date")
    # a night whose last 7 nights are short, yet the 14-night debt is smaller: the 7 nights
    # before it slept more than needed and paid part of it back
    hit = ledger[(ledger["debt_7d_min"] > 0)
                 & (ledger["debt_ledger_min"] < ledger["debt_7d_min"])].index[-1]
    row = ledger.loc[hit]
    earlier = ledger.loc[hit - timedelta(days=13):hit - timedelta(days=7), "sleep_balance_min"]
    surplus = float(earlier.sum())
    assert surplus > 0
    assert row["debt_ledger_min"] == pytest.approx(row["debt_7d_min"] - surplus)

    at = _overview_on(app_test, demo_db, hit.date())
    words = next(c.value for c in at.caption if c.value.startswith("Last 7 nights"))
    assert f"{format_duration(row['debt_7d_min'])} **short**" in words
    assert f"Sleep debt over 14 nights: {format_duration(row['debt_ledger_min'])}" in words
    assert (f"the 7 nights before slept {format_duration(surplus)} more than needed, which "
            "pays back the shortfall") in words


# ------------------------------------------------------------------ export-only words
def test_export_only_athlete_reads_about_the_export_not_a_sync(app_test, demo_db):
    at = open_page(app_test(demo_db), "data")
    assert_clean(at)
    table = next(df.value for df in at.dataframe if "why" in df.value.columns)
    why = dict(zip(zip(table["record"], table["reason"], strict=True), table["why"], strict=False))
    last = Store(demo_db).status()["athletes"][0]["last_day"]
    open_cycle, pending = why[("day", "open cycle")], why[("cycle", "pending")]
    for text in (open_cycle, pending):
        assert "still running" not in text and "next sync" not in text
        assert f"{last:%d %b %Y}" in text and "export" in text
    assert exclusions.age_words(last, date.today()) in open_cycle
