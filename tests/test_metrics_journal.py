"""whoop.metrics.journal: answers join the cycle they are filed under; bootstrap CIs."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from tests.test_metrics_calendar import dates, make_days
from whoop import schema
from whoop.metrics.journal import (
    IMPACT_COLUMNS,
    IMPACT_METRICS,
    answers_with_metrics,
    bootstrap_diff_ci,
    journal_impact,
    yes_day_verdict,
)


def _journal(days: pd.DataFrame, question: str, answers: list) -> pd.DataFrame:
    frame = pd.DataFrame({"cycle_start_utc": days["cycle_start_utc"].iloc[:len(answers)].array,
                          "question": question, "answered_yes": answers})
    frame["entry_key"] = frame["cycle_start_utc"].astype(str) + question
    return schema.conform(frame, "journal")


def _ten_days():
    # yes days recover 80 %, no days 60 %; HRV 70 vs 50 ms; RHR 50 vs 55; sleep 90 vs 70 %
    yes = [True, False] * 5
    return make_days(dates("2024-01-01", 10),
                     recovery_score=[80.0 if y else 60.0 for y in yes],
                     hrv_rmssd_ms=[70.0 if y else 50.0 for y in yes],
                     resting_heart_rate_bpm=[50.0 if y else 55.0 for y in yes],
                     sleep_performance_pct=[90.0 if y else 70.0 for y in yes]), yes


def test_answers_use_the_cycle_they_are_filed_under():
    days, yes = _ten_days()
    j = _journal(days, "Alcohol?", yes)
    joined = answers_with_metrics(days, j)
    assert len(joined) == 10
    assert joined.loc[joined["answered_yes"], "recovery_score"].unique().tolist() == [80.0]


def test_impact_means_difference_and_degenerate_ci():
    days, yes = _ten_days()
    out = journal_impact(days, _journal(days, "Alcohol?", yes))
    assert out.columns.tolist() == IMPACT_COLUMNS
    assert out["metric"].tolist() == list(IMPACT_METRICS)
    rec = out.iloc[0]
    assert (rec["n_yes"], rec["n_no"]) == (5, 5)
    assert (rec["mean_yes"], rec["mean_no"], rec["difference"]) == (80.0, 60.0, 20.0)
    assert (rec["ci_low"], rec["ci_high"]) == pytest.approx((20.0, 20.0))   # no spread
    assert out.set_index("metric").loc["resting_heart_rate_bpm", "difference"] == -5.0
    assert out["sufficient"].all()


def test_all_answers_yes_is_insufficient():
    days, _ = _ten_days()
    out = journal_impact(days, _journal(days, "Hydrated?", [True] * 10))
    assert not out["sufficient"].any()
    assert out["n_yes"].tolist() == [10] * 4 and out["n_no"].tolist() == [0] * 4
    assert out[["mean_yes", "difference", "ci_low", "ci_high"]].isna().all().all()


def test_four_no_answers_are_too_few_and_invalid_days_do_not_count():
    days, yes = _ten_days()
    days.loc[1, "user_calibrating"] = True          # a "no" day drops out of recovery metrics
    out = journal_impact(days, _journal(days, "Alcohol?", yes)).set_index("metric")
    assert out.loc["recovery_score", "n_no"] == 4 and not out.loc["recovery_score", "sufficient"]
    assert out.loc["sleep_performance_pct", "n_no"] == 5   # sleep is still scored


def test_orphans_duplicates_and_period():
    days, yes = _ten_days()
    j = _journal(days, "Alcohol?", yes)
    dup = j.iloc[[0]].assign(answered_yes=False)              # later duplicate wins
    orphan = j.iloc[[0]].assign(cycle_start_utc=pd.NaT, entry_key="orphan")
    out = journal_impact(days, pd.concat([j, dup, orphan]))
    assert out.iloc[0][["n_yes", "n_no"]].tolist() == [4, 6]
    part = journal_impact(days, j, start="2024-01-01", end="2024-01-06")
    assert part.iloc[0][["n_yes", "n_no"]].tolist() == [3, 3]


def test_bootstrap_is_deterministic_and_covers_the_difference():
    rng = np.random.default_rng(1)
    yes, no = rng.normal(70, 10, 30), rng.normal(60, 10, 40)
    a = bootstrap_diff_ci(yes, no)
    assert a == bootstrap_diff_ci(yes, no)
    assert a[0] < yes.mean() - no.mean() < a[1]
    # normal-theory check: the width is close to 2 x 1.96 x SE
    se = math.sqrt(yes.var() / 30 + no.var() / 40)
    assert a[1] - a[0] == pytest.approx(2 * 1.96 * se, rel=0.15)


def test_large_groups_use_the_bootstrap_limit_and_stay_consistent():
    rng = np.random.default_rng(2)
    yes, no = rng.normal(70, 10, 1000), rng.normal(60, 10, 1500)
    low, high = bootstrap_diff_ci(yes, no)
    se = math.sqrt(yes.var() / 1000 + no.var() / 1500)
    assert high - low == pytest.approx(2 * 1.96 * se, rel=0.1)
    assert low < yes.mean() - no.mean() < high


def test_empty_journal():
    days, _ = _ten_days()
    out = journal_impact(days, schema.empty_frame("journal"))
    assert out.empty and out.columns.tolist() == IMPACT_COLUMNS


def test_yes_day_verdict_follows_each_metrics_better_direction():
    impact = pd.DataFrame({
        "metric": ["recovery_score", "recovery_score", "resting_heart_rate_bpm",
                   "resting_heart_rate_bpm", "hrv_rmssd_ms", "sleep_performance_pct"],
        "ci_low": [2.0, -5.0, 1.0, -4.0, -1.0, float("nan")],
        "ci_high": [8.0, -1.0, 3.0, -2.0, 2.0, float("nan")]})
    # recovery up = better; resting HR up = worse, down = better; CI across 0 or NaN = unclear
    assert yes_day_verdict(impact).tolist() == ["better", "worse", "worse", "better",
                                                "unclear", "unclear"]
