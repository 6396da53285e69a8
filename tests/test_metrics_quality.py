"""whoop.metrics.quality: coverage map and excluded-record counts."""

from __future__ import annotations

import pandas as pd

from tests.test_metrics_calendar import make_days
from whoop import schema
from whoop.metrics.quality import coverage, excluded_counts


def test_coverage_marks_sources_and_missing_days():
    days = make_days(["2024-01-01", "2024-01-02", "2024-01-04"],
                     source=["api", "api+export", "demo"],
                     recovery_score_state=["SCORED", "PENDING_SCORE", "SCORED"])
    cov = coverage(days, end="2024-01-05")
    assert cov["source"].tolist() == ["api", "api+export", "missing", "demo", "missing"]
    assert cov["has_recovery"].tolist() == [True, False, False, True, False]


def test_excluded_counts_say_why():
    days = make_days(["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-05"],
                     recovery_score_state=["SCORED", "PENDING_SCORE", "UNSCORABLE", None],
                     user_calibrating=[True, False, False, None],
                     is_open=[False, False, False, True])
    sleeps = schema.conform(pd.DataFrame({
        "start_utc": pd.to_datetime(["2024-01-01 00:00", "2024-01-01 14:00", "2024-01-02 00:00"],
                                    utc=True),
        "score_state": ["SCORED", "SCORED", "UNSCORABLE"], "nap": [False, True, False]}), "sleeps")
    workouts = schema.conform(pd.DataFrame({
        "start_utc": pd.to_datetime(["2024-01-01 10:00"], utc=True),
        "score_state": ["PENDING_SCORE"]}), "workouts")
    out = excluded_counts(days, sleeps, workouts)
    got = {(r, why): n for r, why, n in out.itertuples(index=False)}
    assert got == {("day", "missing"): 1, ("day", "open cycle"): 1, ("cycle", "pending"): 0,
                   ("cycle", "unscorable"): 0, ("recovery", "pending"): 1,
                   ("recovery", "unscorable"): 1, ("recovery", "calibrating"): 1,
                   ("recovery", "none"): 1, ("sleep", "pending"): 0, ("sleep", "unscorable"): 1,
                   ("sleep", "nap"): 1, ("workout", "pending"): 1, ("workout", "unscorable"): 0}


def test_empty_inputs():
    assert coverage(schema.empty_frame("days")).empty
    out = excluded_counts(schema.empty_frame("days"))
    assert out["count"].sum() == 0 and len(out) == 13
