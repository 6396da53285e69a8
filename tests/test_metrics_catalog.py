"""whoop.metrics.catalog: one entry per metric, and the registries that read it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from whoop import schema
from whoop.metrics import baselines as mb
from whoop.metrics import catalog
from whoop.metrics import explain as mx
from whoop.metrics import horizons as mh
from whoop.metrics import journal as mj
from whoop.metrics.units import Settings, missing


def test_every_daily_entry_is_a_column_of_the_days_table():
    derived = {"asleep_minus_need_min", "prior_day_strain"}
    assert {c for c in catalog.CATALOG if c not in schema.DAYS} == derived


def test_views_are_read_from_the_catalogue():
    assert mj.IMPACT_METRICS == ["recovery_score", "hrv_rmssd_ms", "resting_heart_rate_bpm",
                                 "sleep_performance_pct"]
    assert mx.INPUTS == catalog.columns("explain")
    assert mh.HEADLINE_METRICS == catalog.columns("periods")
    assert [m.baseline for m in catalog.with_baseline()][:4] == ["rhr", "resp", "skin_temp",
                                                                 "spo2"]


def test_formats_follow_the_settings():
    s, f = Settings(), Settings(temperature_unit="F", energy_unit="kcal")
    assert catalog.fmt("resting_heart_rate_bpm", 52.4, s) == "52 bpm"
    assert catalog.fmt("resting_heart_rate_bpm", 1.25, s, delta=True) == "+1.2 bpm"
    assert catalog.fmt("spo2_pct", 0.5, s, delta=True) == "+0.5 pts"
    assert catalog.fmt("skin_temp_c", 0.5, f, delta=True) == "+0.90 °F"
    assert catalog.fmt("skin_temp_c", 36.0, f) == "96.80 °F"
    assert catalog.fmt("energy_kj", 4184.0, f) == "1,000 kcal"
    assert catalog.fmt("asleep_min", 452.4, s) == "7 h 32 min"
    assert catalog.fmt("day_strain", -0.04, s) == "0.0"
    assert catalog.fmt("recovery_score", float("nan"), s) == "–"
    assert catalog.CATALOG["hrv_rmssd_ms"].title(s) == "HRV (RMSSD, ms)"
    assert catalog.CATALOG["day_strain"].title(s) == "Day strain"


def test_flag_names_come_from_the_catalogue():
    base = pd.DataFrame({"date": [pd.Timestamp("2024-01-01")], "rhr_z": [2.5],
                         "resp_z": [0.1], "skin_temp_z": [float("nan")], "spo2_z": [-3.0]})
    assert mb.flag_messages(base) == ["Resting HR is 2.5 SD above your baseline",
                                      "Blood oxygen is 3.0 SD below your baseline"]


def test_unknown_view_and_prefix_are_key_errors():
    with pytest.raises(KeyError):
        catalog.in_view("nowhere")
    with pytest.raises(KeyError):
        catalog.by_prefix("nowhere")


@pytest.mark.parametrize("value, expected", [
    (None, True), (float("nan"), True), (pd.NA, True),
    (pd.NaT, True), (np.float64("nan"), True),
    (0.0, False), (3, False), ("x", False)])
def test_missing_is_the_one_nan_test(value, expected):
    assert missing(value) is expected
