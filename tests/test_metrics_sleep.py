"""whoop.metrics.sleep: need split, debt ledger, stage percentages."""

from __future__ import annotations

import math

import pytest

from tests.test_metrics_calendar import dates, make_days
from whoop.metrics.sleep import sleep_debt_ledger, sleep_need_split, stage_percentages


def test_api_need_splits_into_its_parts():
    days = make_days(["2024-01-01"], asleep_min=[420.0], sleep_need_min=[480.0],
                     need_baseline_min=[450.0], need_strain_min=[20.0], sleep_debt_min=[15.0],
                     need_nap_min=[-5.0])
    row = sleep_need_split(days).iloc[0]
    assert row["need_other_min"] == pytest.approx(0.0)
    assert row["asleep_minus_need_min"] == -60.0
    assert row["asleep_of_need_pct"] == pytest.approx(87.5)


def test_export_need_has_debt_and_the_rest_unsplit():
    row = sleep_need_split(make_days(["2024-01-01"], asleep_min=[400.0], sleep_need_min=[500.0],
                                     sleep_debt_min=[40.0])).iloc[0]
    assert row["need_debt_min"] == 40.0
    assert row["need_other_min"] == 460.0
    assert math.isnan(row["need_baseline_min"])


def test_unscored_night_and_gap_are_nan():
    days = make_days(["2024-01-01", "2024-01-03"], asleep_min=[400.0, 400.0],
                     sleep_need_min=[450.0, 450.0], sleep_score_state=["UNSCORABLE", "SCORED"])
    out = sleep_need_split(days)
    assert out["asleep_min"].isna().tolist() == [True, True, False]


def test_debt_ledger_adds_shortfalls_repays_surpluses_and_never_goes_negative():
    # balances (need - asleep): +60, -100, +30, gap, +20 -> ledger 60, 0, 30, NaN, 50
    days = make_days(["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-05"],
                     sleep_need_min=[480.0, 480.0, 480.0, 480.0],
                     asleep_min=[420.0, 580.0, 450.0, 460.0], need_nap_min=[0.0] * 4)
    out = sleep_debt_ledger(days)
    assert out["nightly_balance_min"].tolist()[:3] == [60.0, -100.0, 30.0]
    assert out["debt_ledger_min"].tolist()[:3] == [60.0, 0.0, 30.0]
    assert math.isnan(out["debt_ledger_min"].iloc[3])
    assert out["debt_ledger_min"].iloc[4] == 50.0
    assert out["debt_7d_min"].iloc[4] == pytest.approx(10.0)     # 60 - 100 + 30 + 20


def test_export_naps_repay_the_next_nights_shortfall():
    # export rows (no nap part in the need): a 30-min nap on day 1 counts against night 2.
    days = make_days(dates("2024-01-01", 2), sleep_need_min=[480.0, 480.0],
                     asleep_min=[420.0, 420.0], nap_min=[30.0, 0.0])
    assert sleep_debt_ledger(days)["debt_ledger_min"].tolist() == [60.0, 90.0]


def test_stage_percentages():
    row = stage_percentages(make_days(["2024-01-01"], asleep_min=[400.0], in_bed_min=[450.0],
                                      light_sleep_min=[200.0], deep_sleep_min=[100.0],
                                      rem_sleep_min=[100.0], awake_min=[45.0])).iloc[0]
    assert (row["light_pct"], row["deep_pct"], row["rem_pct"]) == (50.0, 25.0, 25.0)
    assert row["awake_pct"] == pytest.approx(10.0)
