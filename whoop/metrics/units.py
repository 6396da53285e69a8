"""Display units and the person's analytics settings.

Canonical units (docs/ARCHITECTURE.md "Units and names"): energy kJ, temperature degrees C, durations
minutes, clock times minutes after local midnight. Conversion happens only for display:

* kcal = kJ / 4.184 (thermochemical calorie, ISO 80000-5);
* degrees F = degrees C x 9/5 + 32; a temperature *difference* converts as x 9/5 only.

Persistence is the store's job (``get_setting`` / ``set_setting(key, value, athlete_id=...)``), read
and written for the pages by :mod:`whoop.ui.analytics`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from whoop.errors import InputError

KJ_PER_KCAL = 4.184


def kj_to_kcal(kj: Any) -> Any:
    """Kilojoules to kilocalories (divide by 4.184); works on floats, arrays and Series."""
    return kj / KJ_PER_KCAL


def c_to_f(celsius: Any) -> Any:
    """Degrees Celsius to Fahrenheit: C x 9/5 + 32 (floats, arrays, Series)."""
    return celsius * 9.0 / 5.0 + 32.0


def c_delta_to_f(delta_c: Any) -> Any:
    """A temperature difference in C to F (x 9/5, no offset): for deviations from baseline."""
    return delta_c * 9.0 / 5.0


def missing(x: Any) -> bool:
    """True for None, NaN (float or numpy), ``pd.NA``, ``pd.NaT`` and numpy's ``NaT``: the one
    test of a missing scalar in the package (formatters, pages, CSV cells, the store's day window,
    sync mapping). Anything else, including an array, is not a missing scalar: False."""
    if x is None or x is pd.NA or x is pd.NaT:
        return True
    if isinstance(x, (np.datetime64, np.timedelta64)):
        return bool(np.isnat(x))
    return isinstance(x, (float, np.floating)) and math.isnan(x)


def format_clock(minutes: float, *, hour12: bool = False) -> str:
    """Minutes after midnight (any real; wrapped mod 1440) as "23:05" or "11:05 PM".
    NaN -> "–"."""
    if missing(minutes):
        return "–"
    total = int(round(float(minutes))) % 1440
    h, m = divmod(total, 60)
    if not hour12:
        return f"{h:02d}:{m:02d}"
    suffix = "AM" if h < 12 else "PM"
    return f"{(h % 12) or 12}:{m:02d} {suffix}"


def format_duration(minutes: float | None) -> str:
    """Minutes as "7 h 05 min" (negative keeps its sign; None or NaN -> "–")."""
    if minutes is None or missing(minutes):
        return "–"
    sign = "-" if minutes < 0 else ""
    total = int(round(abs(float(minutes))))
    h, m = divmod(total, 60)
    return f"{sign}{h} h {m:02d} min" if h else f"{sign}{m} min"


def format_hmm(minutes: float | None) -> str:
    """Minutes as ``h:mm`` (``452.4`` -> ``"7:32"``); ``"–"`` for missing."""
    if minutes is None or missing(minutes):
        return "–"
    total = int(round(float(minutes)))
    sign = "-" if total < 0 else ""
    total = abs(total)
    return f"{sign}{total // 60}:{total % 60:02d}"


@dataclass(frozen=True)
class Settings:
    """A person's display units and baseline windows (defaults = the analytics' defaults).

    Attributes:
        energy_unit: "kJ" or "kcal".
        temperature_unit: "C" or "F".
        clock: "24h" or "12h".
        hrv_normal_window_days: HRV normal-range window, 14-180 (default 60, Plews et al.).
        baseline_window_days: RHR / respiratory rate / skin temp / SpO2 baseline, 7-120 (30).
        acute_days: ACWR acute EWMA time constant, 3-14 (7); chronic_days: 14-56 (28),
            > acute_days (Williams et al. 2017).
    Raises:
        InputError: on construction with a value outside the allowed set or range.
    """

    energy_unit: str = "kJ"
    temperature_unit: str = "C"
    clock: str = "24h"
    hrv_normal_window_days: int = 60
    baseline_window_days: int = 30
    acute_days: int = 7
    chronic_days: int = 28

    _CHOICES = {"energy_unit": ("kJ", "kcal"), "temperature_unit": ("C", "F"),
                "clock": ("24h", "12h")}
    _RANGES = {"hrv_normal_window_days": (14, 180), "baseline_window_days": (7, 120),
               "acute_days": (3, 14), "chronic_days": (14, 56)}

    def __post_init__(self) -> None:
        for name, allowed in self._CHOICES.items():
            if getattr(self, name) not in allowed:
                raise InputError(f"Setting {name} must be one of {', '.join(allowed)}, "
                                 f"not {getattr(self, name)!r}.")
        for name, (lo, hi) in self._RANGES.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
                raise InputError(f"Setting {name} must be a whole number from {lo} to {hi}, "
                                 f"not {value!r}.")
        if self.chronic_days <= self.acute_days:
            raise InputError("Setting chronic_days must be longer than acute_days.")

    @property
    def hour12(self) -> bool:
        """True for a 12-hour clock."""
        return self.clock == "12h"

    def energy(self, kj: Any) -> Any:
        """kJ in the chosen energy unit."""
        return kj if self.energy_unit == "kJ" else kj_to_kcal(kj)

    def temperature(self, celsius: Any) -> Any:
        """Degrees C in the chosen temperature unit."""
        return celsius if self.temperature_unit == "C" else c_to_f(celsius)

    def temperature_delta(self, delta_c: Any) -> Any:
        """A temperature difference in the chosen unit."""
        return delta_c if self.temperature_unit == "C" else c_delta_to_f(delta_c)

    @property
    def temperature_label(self) -> str:
        """"°C" or "°F"."""
        return "°" + self.temperature_unit

    def clock_label(self, minutes: float) -> str:
        """Clock time in the chosen format (see :func:`format_clock`)."""
        return format_clock(minutes, hour12=self.hour12)
