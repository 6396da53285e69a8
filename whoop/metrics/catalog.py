"""The metric catalogue: every daily metric once, with what the rest of the package needs to
know about it.

Each :class:`Metric` names its daily column (``schema.DAYS``; two explain-a-day inputs are
derived from other columns), its label, canonical unit and display digits, which direction is
better for the athlete, the validity rule that decides which days count, where WHOOP gives it,
and the views it appears in. Baselines, journal impact, explain a day, Trends, period A vs B,
the Sleep page's cards and the report read this table; adding a metric the store already
carries is one entry here.

Validity rules (``Metric.valid``, applied by :func:`whoop.metrics.calendar.valid_columns`):
``"recovery"`` = scored, non-calibrating recovery of a main sleep; ``"sleep"`` = scored main
sleep; ``"cycle"`` = scored, closed cycle (docs/ARCHITECTURE.md "The day model").

Better direction (``Metric.higher_is_better``): WHOOP treats a higher recovery, HRV and sleep
performance as better and a resting heart rate or respiratory rate above baseline as a strain
sign ("How does WHOOP Recovery work?", support.whoop.com; Buchheit 2014 Front Physiol 5:73 on
HRV and resting HR); sleep above need is better and a hard prior day costs recovery (WHOOP sleep
need / strain); skin temperature matters either way off baseline (None). Fewer sleep
disturbances are better (WHOOP API ``SleepStageSummary.disturbance_count``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from whoop.metrics.units import Settings, format_duration, missing

#: views a metric can appear in
VIEWS = frozenset({
    "periods",   # Trends: period A vs B table (and the valid headline metrics behind it)
    "trend",     # Trends: year over year and month of year choice
    "impact",    # Journal: yes vs no days
    "explain",   # Explain a day: deviation from its baseline
    "hrv_page",  # HRV page: baseline table and charts
    "sleep_page",  # Sleep page: range-mean cards
})


@dataclass(frozen=True)
class Metric:
    """One metric of the catalogue.

    Attributes:
        column: daily column (``schema.DAYS``) or derived input name; canonical unit in the name.
        label: table / axis label ("HRV (RMSSD)"); name: the words used in sentences ("HRV").
        unit: canonical unit as shown: "%", "ms", "bpm", "rpm", "°C", "kJ", "min" or "" (strain
            0-21, counts). "°C" and "kJ" follow the person's Settings; "min" shows as a duration.
        digits: decimals of a value; delta_digits: decimals of a difference.
        higher_is_better: True / False / None (neither).
        valid: "recovery", "sleep" or "cycle" (module docstring).
        source: where the value comes from (WHOOP API field; the export header where it has one).
        views: subset of :data:`VIEWS`.
        baseline: prefix of its trailing-baseline columns (``{prefix}_baseline_{suffix}``...,
            :func:`whoop.metrics.baselines.metric_baselines`), None for no baseline.
    """

    column: str
    label: str
    unit: str
    digits: int
    higher_is_better: bool | None
    valid: str
    source: str
    views: frozenset[str] = field(default_factory=frozenset)
    name: str = ""
    delta_digits: int = 1
    baseline: str | None = None

    def __post_init__(self) -> None:
        if not self.name:
            object.__setattr__(self, "name", self.label)
        if self.valid not in ("recovery", "sleep", "cycle") or not self.views <= VIEWS:
            raise ValueError(f"bad catalogue entry {self.column}")

    @property
    def suffix(self) -> str:
        """Unit suffix of the column name (``bpm``, ``c``, ``pct``, ``count``), used in the
        baseline column names."""
        return self.column.rsplit("_", 1)[1]

    def unit_label(self, s: Settings) -> str:
        """The display unit in the chosen units ("%", "°F", "kcal", "min", "")."""
        return {"°C": s.temperature_label, "kJ": s.energy_unit}.get(self.unit, self.unit)

    def title(self, s: Settings, *, unit: str | None = None, text: str | None = None) -> str:
        """Label (or ``text``) with its unit for an axis or a column: "Resting HR (bpm)",
        "HRV (RMSSD, ms)"; ``unit`` overrides the display unit."""
        u = self.unit_label(s) if unit is None else unit
        words = self.label if text is None else text
        if not u:
            return words
        return f"{words[:-1]}, {u})" if words.endswith(")") else f"{words} ({u})"

    def fmt(self, value: Any, s: Settings, *, delta: bool = False) -> str:
        """One value for display in the chosen units ("–" when missing). ``delta`` formats a
        difference: signed, temperatures without the 32 °F offset, % metrics in points."""
        if missing(value):
            return "–"
        v = float(value)
        sign = "+" if delta else ""
        if self.unit == "min":
            v = float(round(v)) or 0.0  # no "-0 min"
            out = format_duration(v)
            return ("+" + out) if delta and v >= 0 else out
        digits = self.delta_digits if delta else self.digits
        if self.unit == "kJ":
            return f"{s.energy(v):{sign},.{digits}f} {s.energy_unit}"
        if self.unit == "°C":
            v = s.temperature_delta(v) if delta else s.temperature(v)
        v = round(v, digits) + 0.0  # no "-0.0"
        unit = {"%": " pts" if delta else " %", "": ""}.get(self.unit, f" {self.unit_label(s)}")
        return f"{v:{sign}.{digits}f}{unit}"


_R, _S, _C = "recovery", "sleep", "cycle"
_HEAD = frozenset({"periods"})
_TREND = frozenset({"periods", "trend"})

CATALOG: dict[str, Metric] = {m.column: m for m in (
    Metric("recovery_score", "Recovery", "%", 0, True, _R,
           "recovery.score.recovery_score; export \"Recovery score %\"", _TREND | {"impact"}),
    Metric("hrv_rmssd_ms", "HRV (RMSSD)", "ms", 0, True, _R,
           "recovery.score.hrv_rmssd_milli; export \"Heart rate variability (ms)\"",
           _TREND | {"impact", "explain"}, name="HRV"),
    Metric("resting_heart_rate_bpm", "Resting HR", "bpm", 0, False, _R,
           "recovery.score.resting_heart_rate; export \"Resting heart rate (bpm)\"",
           _TREND | {"impact", "explain", "hrv_page"}, baseline="rhr"),
    Metric("respiratory_rate_rpm", "Respiratory rate", "rpm", 1, False, _S,
           "sleep.score.respiratory_rate; export \"Respiratory rate (rpm)\"",
           _HEAD | {"explain", "hrv_page"}, baseline="resp"),
    Metric("skin_temp_c", "Skin temperature", "°C", 2, None, _R,
           "recovery.score.skin_temp_celsius; export \"Skin temp (celsius)\"",
           _HEAD | {"explain", "hrv_page"}, delta_digits=2, baseline="skin_temp"),
    Metric("spo2_pct", "Blood oxygen (SpO2)", "%", 1, True, _R,
           "recovery.score.spo2_percentage; export \"Blood oxygen %\"",
           _HEAD | {"hrv_page"}, name="Blood oxygen", baseline="spo2"),
    Metric("day_strain", "Day strain", "", 1, None, _C,
           "cycle.score.strain; export \"Day Strain\"", _TREND),
    Metric("energy_kj", "Energy", "kJ", 0, None, _C,
           "cycle.score.kilojoule; export \"Energy burned (cal)\" (kcal x 4.184)", _HEAD,
           delta_digits=0),
    Metric("avg_heart_rate_bpm", "Average HR", "bpm", 0, None, _C,
           "cycle.score.average_heart_rate; export \"Average HR (bpm)\""),
    Metric("max_heart_rate_bpm", "Max HR", "bpm", 0, None, _C,
           "cycle.score.max_heart_rate; export \"Max HR (bpm)\""),
    Metric("asleep_min", "Time asleep", "min", 0, True, _S,
           "light + deep + REM of sleep.score.stage_summary; export \"Asleep duration (min)\"",
           _TREND | {"sleep_page"}, name="Asleep"),
    Metric("sleep_need_min", "Sleep need", "min", 0, None, _S,
           "sum of sleep.score.sleep_needed; export \"Sleep need (min)\"",
           _HEAD | {"sleep_page"}),
    Metric("sleep_performance_pct", "Sleep performance", "%", 0, True, _S,
           "sleep.score.sleep_performance_percentage; export \"Sleep performance %\"",
           _TREND | {"impact", "sleep_page"}, name="Performance"),
    Metric("sleep_efficiency_pct", "Sleep efficiency", "%", 0, True, _S,
           "sleep.score.sleep_efficiency_percentage; export \"Sleep efficiency %\"",
           _HEAD | {"sleep_page"}, name="Efficiency"),
    Metric("sleep_consistency_pct", "Sleep consistency", "%", 0, True, _S,
           "sleep.score.sleep_consistency_percentage; export \"Sleep consistency %\"", _HEAD),
    Metric("in_bed_min", "Time in bed", "min", 0, None, _S,
           "sleep.score.stage_summary.total_in_bed_time_milli; export \"In bed duration (min)\""),
    Metric("light_sleep_min", "Light", "min", 0, None, _S,
           "stage_summary.total_light_sleep_time_milli; export \"Light sleep duration (min)\""),
    Metric("deep_sleep_min", "Deep (SWS)", "min", 0, None, _S,
           "stage_summary.total_slow_wave_sleep_time_milli; export \"Deep (SWS) duration (min)\""),
    Metric("rem_sleep_min", "REM", "min", 0, None, _S,
           "stage_summary.total_rem_sleep_time_milli; export \"REM duration (min)\""),
    Metric("awake_min", "Awake", "min", 0, None, _S,
           "stage_summary.total_awake_time_milli; export \"Awake duration (min)\""),
    Metric("sleep_debt_min", "Sleep debt", "min", 0, False, _S,
           "sleep_needed.need_from_sleep_debt_milli; export \"Sleep debt (min)\""),
    Metric("disturbance_count", "Sleep disturbances", "", 0, False, _S,
           "sleep.score.stage_summary.disturbance_count (API only; NULL for export data)",
           _TREND | {"explain", "sleep_page"}, name="Disturbances", baseline="disturbances"),
    # explain-a-day inputs derived from the columns above (whoop.metrics.explain)
    Metric("asleep_minus_need_min", "Sleep vs need", "min", 0, True, _S,
           "asleep_min - sleep_need_min of the day's main sleep", frozenset({"explain"})),
    Metric("prior_day_strain", "Prior-day strain", "", 1, False, _C,
           "day_strain of the calendar day before", frozenset({"explain"})),
)}


def in_view(view: str) -> list[Metric]:
    """The catalogue's metrics of ``view`` (a :data:`VIEWS` member), in catalogue order.

    Raises:
        KeyError: an unknown view.
    """
    if view not in VIEWS:
        raise KeyError(view)
    return [m for m in CATALOG.values() if view in m.views]


def columns(view: str) -> list[str]:
    """The columns of :func:`in_view` ``(view)``."""
    return [m.column for m in in_view(view)]


def with_baseline() -> list[Metric]:
    """The metrics with a trailing baseline (``Metric.baseline`` set), in catalogue order."""
    return [m for m in CATALOG.values() if m.baseline]


def by_prefix(prefix: str) -> Metric:
    """The metric whose baseline prefix is ``prefix`` ("rhr", "resp", ...).

    Raises:
        KeyError: no metric has that prefix.
    """
    for m in CATALOG.values():
        if m.baseline == prefix:
            return m
    raise KeyError(prefix)


def fmt(column: str, value: Any, s: Settings, *, delta: bool = False) -> str:
    """:meth:`Metric.fmt` of the catalogue entry ``column`` (KeyError when unknown)."""
    return CATALOG[column].fmt(value, s, delta=delta)
