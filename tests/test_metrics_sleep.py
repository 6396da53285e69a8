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


def test_debt_is_counted_once_against_the_need_without_its_debt_part():
    # night 1: 60 min short of a 480-min need; WHOOP then adds 60 min of debt to night 2's need
    # (540 = 480 + 60) and she sleeps 480. Against the whole need that is 60 short again (the
    # same hour twice); against need - debt = 480 it is even, so the ledger stays at 60.
    days = make_days(dates("2024-01-01", 2), sleep_need_min=[480.0, 540.0],
                     sleep_debt_min=[0.0, 60.0], asleep_min=[420.0, 480.0])
    out = sleep_debt_ledger(days, nights=2)
    assert out["need_without_debt_min"].tolist() == [480.0, 480.0]
    assert out["sleep_balance_min"].tolist() == [-60.0, 0.0]
    assert out["debt_ledger_min"].tolist() == [60.0, 60.0]
    assert out["whoop_sleep_debt_min"].tolist() == [0.0, 60.0]


def test_ledger_is_a_window_surpluses_repay_and_it_never_goes_negative():
    # balances -60, +30, -20, -10, 0; window 3 nights (needs 2):
    # NaN, 30, 50 (60-30+20), 0 (-30+20+10 -> clipped), 30 (20+10-0)
    days = make_days(dates("2024-01-01", 5), sleep_need_min=[480.0] * 5,
                     sleep_debt_min=[0.0] * 5, asleep_min=[420.0, 510.0, 460.0, 470.0, 480.0])
    out = sleep_debt_ledger(days, nights=3)
    assert out["sleep_balance_min"].tolist() == [-60.0, 30.0, -20.0, -10.0, 0.0]
    assert math.isnan(out["debt_ledger_min"].iloc[0])
    assert out["debt_ledger_min"].tolist()[1:] == [30.0, 50.0, 0.0, 30.0]
    assert out["ledger_nights"].tolist() == [1, 2, 3, 3, 3]
    # 7-night sum needs 4 nights: 60 - 30 + 20 + 10 = 60 short on night 4, + 0 on night 5
    assert out["debt_7d_min"].isna().tolist()[:3] == [True, True, True]
    assert out["debt_7d_min"].tolist()[3:] == [60.0, 60.0]


def test_sleeping_above_need_gives_zero_debt_and_a_negative_week():
    days = make_days(dates("2024-01-01", 4), sleep_need_min=[480.0] * 4,
                     sleep_debt_min=[0.0] * 4, asleep_min=[540.0] * 4)
    out = sleep_debt_ledger(days)
    assert out["debt_7d_min"].iloc[3] == -240.0
    assert out["debt_ledger_min"].isna().all()          # 4 of the 7 nights 14 needs
    assert (sleep_debt_ledger(days, nights=4)["debt_ledger_min"].iloc[3:] == 0.0).all()
    assert not math.copysign(1.0, sleep_debt_ledger(days, nights=4)["debt_ledger_min"].iloc[3]) < 0


def test_a_steady_shortfall_levels_off_at_the_window():
    # 30 min short every night for 100 nights: 14 x 30 = 420 min, not 100 x 30
    days = make_days(dates("2024-01-01", 100), sleep_need_min=[480.0] * 100,
                     sleep_debt_min=[0.0] * 100, asleep_min=[450.0] * 100)
    ledger = sleep_debt_ledger(days)["debt_ledger_min"]
    assert ledger.iloc[6] == 210.0 and math.isnan(ledger.iloc[5])    # 7 of 14 nights
    assert ledger.max() == 420.0 and ledger.iloc[-1] == 420.0


def test_naps_unscored_nights_and_gaps_add_nothing():
    # the need already subtracts recent naps (API need_from_recent_nap; export total need):
    # nap_min does not change the balance. Jan 2 unscored, Jan 3 absent.
    days = make_days(["2024-01-01", "2024-01-02", "2024-01-04"], sleep_need_min=[480.0] * 3,
                     sleep_debt_min=[0.0] * 3, asleep_min=[420.0, 300.0, 450.0],
                     nap_min=[60.0, 0.0, 0.0], sleep_score_state=["SCORED", "UNSCORABLE", "SCORED"])
    out = sleep_debt_ledger(days, nights=2)
    assert out["sleep_balance_min"].isna().tolist() == [False, True, True, False]
    assert out["sleep_balance_min"].iloc[3] == -30.0
    assert out["ledger_nights"].tolist() == [1, 1, 0, 1]
    assert out["debt_ledger_min"].iloc[:2].tolist() == [60.0, 60.0]
    assert math.isnan(out["debt_ledger_min"].iloc[2])
    assert out["debt_ledger_min"].iloc[3] == 30.0


def test_ledger_window_must_be_positive():
    with pytest.raises(ValueError, match="nights"):
        sleep_debt_ledger(make_days(["2024-01-01"], asleep_min=[400.0]), nights=0)


def test_stage_percentages():
    row = stage_percentages(make_days(["2024-01-01"], asleep_min=[400.0], in_bed_min=[450.0],
                                      light_sleep_min=[200.0], deep_sleep_min=[100.0],
                                      rem_sleep_min=[100.0], awake_min=[45.0])).iloc[0]
    assert (row["light_pct"], row["deep_pct"], row["rem_pct"]) == (50.0, 25.0, 25.0)
    assert row["awake_pct"] == pytest.approx(10.0)
