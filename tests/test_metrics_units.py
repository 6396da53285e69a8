"""whoop.metrics.units: conversions, formatting and Settings."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from whoop.errors import InputError
from whoop.metrics.units import Settings, c_delta_to_f, c_to_f, format_clock, format_duration, kj_to_kcal


def test_conversions():
    assert kj_to_kcal(4184.0) == pytest.approx(1000.0)
    assert c_to_f(37.0) == pytest.approx(98.6)
    assert c_delta_to_f(0.5) == pytest.approx(0.9)
    assert c_to_f(pd.Series([0.0, 100.0])).tolist() == [32.0, 212.0]


def test_clock_and_duration_formats():
    assert format_clock(23 * 60 + 5) == "23:05"
    assert format_clock(23 * 60 + 5, hour12=True) == "11:05 PM"
    assert format_clock(0, hour12=True) == "12:00 AM"
    assert format_clock(12 * 60, hour12=True) == "12:00 PM"
    assert format_clock(1440 + 30) == "00:30"
    assert format_clock(float("nan")) == "–"
    assert format_duration(425) == "7 h 05 min" and format_duration(-30) == "-30 min"


def test_settings_defaults_and_convert():
    s = Settings(energy_unit="kcal", temperature_unit="F", clock="12h")
    assert s.energy(4184.0) == pytest.approx(1000.0)
    assert s.temperature(0.0) == 32.0 and s.temperature_delta(1.0) == pytest.approx(1.8)
    assert s.temperature_label == "°F" and s.clock_label(90) == "1:30 AM"
    assert Settings().energy(1.0) == 1.0 and not math.isnan(Settings().temperature(1.0))


@pytest.mark.parametrize("kwargs", [{"energy_unit": "J"}, {"clock": "24"},
                                    {"hrv_normal_window_days": 5}, {"acute_days": 10,
                                                                    "chronic_days": 10},
                                    {"baseline_window_days": True}, {"acute_days": 7.5}])
def test_settings_reject_bad_values(kwargs):
    with pytest.raises(InputError):
        Settings(**kwargs)
