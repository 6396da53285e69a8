"""whoop.metrics.explain: deviations from baselines, journal answers, similar days."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from tests.test_metrics_calendar import dates, make_days
from whoop import schema
from whoop.errors import InputError
from whoop.metrics.explain import explain_day


def _history(n: int = 40) -> pd.DataFrame:
    i = np.arange(n)
    return make_days(dates("2024-01-01", n),
                     hrv_rmssd_ms=list(np.where(i % 2 == 0, 50.0, 60.0)),
                     resting_heart_rate_bpm=list(np.where(i % 2 == 0, 50.0, 52.0)),
                     respiratory_rate_rpm=list(np.where(i % 2 == 0, 15.0, 15.5)),
                     skin_temp_c=list(np.where(i % 2 == 0, 33.0, 33.4)),
                     asleep_min=list(np.where(i % 2 == 0, 400.0, 440.0)),
                     sleep_need_min=[450.0] * n,
                     day_strain=list(np.where(i % 2 == 0, 8.0, 14.0)),
                     recovery_score=list(np.where(i % 2 == 0, 40.0, 70.0)))


def test_deviation_of_resting_hr_from_its_30_day_baseline():
    days = _history()
    days.loc[39, "resting_heart_rate_bpm"] = 57.0
    out = explain_day(days, None, "2024-02-09")
    assert out.found
    rhr = out.deviations.set_index("input").loc["resting_heart_rate_bpm"]
    assert rhr["baseline"] == pytest.approx(51.0)            # 30 days before: 15 x 50, 15 x 52
    assert rhr["deviation"] == pytest.approx(6.0)
    assert rhr["z"] == pytest.approx(6.0 / np.std([50.0, 52.0] * 15, ddof=1))
    assert rhr["days_used"] == 30
    strain = out.deviations.set_index("input").loc["prior_day_strain"]
    assert strain["value"] == 8.0                             # day 38 (even) had strain 8


def test_similar_days_match_the_same_pattern():
    out = explain_day(_history(), None, "2024-02-09")        # an odd day (index 39)
    assert len(out.similar) == 5
    assert (out.similar["recovery_score"] == 70.0).all()    # the other odd days
    assert (out.similar["date"] < pd.Timestamp("2024-02-09")).all()


def test_journal_answers_of_the_day():
    days = _history(3)
    j = schema.conform(pd.DataFrame({"entry_key": ["a", "b"],
                                     "cycle_start_utc": [days["cycle_start_utc"].iloc[1]] * 2,
                                     "question": ["Alcohol?", "Caffeine?"],
                                     "answered_yes": [True, False], "notes": [None, "2 cups"]}),
                       "journal")
    out = explain_day(days, j, "2024-01-02")
    assert out.journal[["question", "answered_yes"]].values.tolist() == [["Alcohol?", True],
                                                                         ["Caffeine?", False]]


def test_a_day_without_data_and_a_bad_date():
    out = explain_day(_history(3), None, "2030-01-01")
    assert not out.found and math.isnan(out.recovery_score)
    assert out.deviations["value"].isna().all() and out.similar.empty
    with pytest.raises(InputError):
        explain_day(_history(3), None, "not a date")
