"""Basic daily metrics for the dashboard pages (pure pandas, no IO, no streamlit).

Input is the daily table (``schema.DAYS``: one row per day *with data*, measures float64 in the
canonical units: minutes, kJ, ms, bpm, %, strain 0-21) and the record tables (``schema.SLEEPS``,
``schema.WORKOUTS``) for naps and workouts (workout aggregates live in
:mod:`whoop.metrics.load`).

Rules used here:

* Only ``SCORED`` records count (docs/ARCHITECTURE.md "The day model"); the masks come from
  :mod:`whoop.metrics.calendar` (recovery: scored, not calibrating, with a main sleep; sleep:
  scored main sleep; strain: scored and closed cycle). Unscored days become NaN, never 0.
* Rolling means run on a full daily calendar (a missing day is a NaN row, so a 7-day window is 7
  calendar days, not 7 rows) and need more than half the window filled
  (``min_periods = ceil(window / 2)``: 4 of 7, 15 of 30). A project rule: a mean resting on fewer
  days than that is mostly noise, and gaps must stay gaps in the charts.
* WHOOP recovery zones (WHOOP, "How does WHOOP Recovery work?", support.whoop.com):
  green 67-100 %, yellow 34-66 %, red 0-33 %. Scores are whole percents in WHOOP's apps; a
  fractional API score is classified by the same thresholds (``>= 67`` green, ``>= 34`` yellow).
* The 30-day baseline of a day is the mean of the valid values of the 30 calendar days *before*
  it (the day itself excluded) and needs at least ``BASELINE_MIN_DAYS`` = 10 of them (the same
  one-third rule as :func:`whoop.metrics.baselines.min_days`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from whoop import schema
from whoop.metrics.calendar import full_calendar, valid_columns
from whoop.metrics.catalog import CATALOG
from whoop.metrics.units import missing

ZONE_GREEN_MIN = 67.0
ZONE_YELLOW_MIN = 34.0
ZONES: tuple[str, ...] = ("green", "yellow", "red")
BASELINE_WINDOW_DAYS = 30
BASELINE_MIN_DAYS = 10
ROLLING_WINDOWS: tuple[int, ...] = (7, 30)

#: the catalogue's columns of the daily table (masked by their validity rule in valid_values)
DAILY_COLUMNS = tuple(c for c in CATALOG if c in schema.DAYS)
ROLLING_COLUMNS = ("recovery_score", "hrv_rmssd_ms", "resting_heart_rate_bpm", "day_strain",
                   "asleep_min")



def min_periods(window: int) -> int:
    """Values a ``window``-day rolling mean needs: ``ceil(window / 2)`` (4 of 7, 15 of 30)."""
    return max(1, math.ceil(window / 2))


def recovery_zone(score: pd.Series) -> pd.Series:
    """WHOOP recovery zone of each score: ``"green"`` (>= 67), ``"yellow"`` (>= 34), ``"red"``
    (< 34), ``<NA>`` for a missing score.

    Args:
        score: recovery scores in % (0-100), float, NaN for missing.
    Returns:
        ``string`` series aligned to ``score``.
    """
    values = pd.to_numeric(score, errors="coerce").astype("float64")
    zone = np.select([values >= ZONE_GREEN_MIN, values >= ZONE_YELLOW_MIN, values.notna()],
                     ["green", "yellow", "red"], default="")
    return pd.Series(zone, index=score.index, dtype="string").replace("", pd.NA)


def zone_of(score: float | None) -> str | None:
    """The WHOOP recovery zone of one score (``"green"``/``"yellow"``/``"red"``), None if missing."""
    if score is None or missing(score):
        return None
    return "green" if score >= ZONE_GREEN_MIN else "yellow" if score >= ZONE_YELLOW_MIN else "red"


def recovery_status(days: pd.DataFrame) -> pd.Series:
    """Why a day's recovery counts or not: ``scored``, ``calibrating`` (WHOOP's first days of
    wear: ``user_calibrating``), ``unscorable``, ``pending``, ``no sleep`` (placeholder cycle
    without a main sleep) or ``missing`` (no recovery record / no row).

    Returns a ``string`` series aligned to ``days``.
    """
    idx = days.index
    state = days.get("recovery_score_state", pd.Series(pd.NA, index=idx, dtype="string"))
    state = state.astype("string")
    calibrating = days.get("user_calibrating", pd.Series(False, index=idx))
    calibrating = calibrating.astype("boolean").fillna(False).astype(bool)
    main = days.get("has_main_sleep", pd.Series(True, index=idx)).astype("boolean").fillna(True)
    out = pd.Series("missing", index=idx, dtype="string")
    out = out.mask(state.eq("PENDING_SCORE").fillna(False).to_numpy(), "pending")
    out = out.mask(state.eq("UNSCORABLE").fillna(False).to_numpy(), "unscorable")
    out = out.mask(~main.astype(bool).to_numpy(), "no sleep")
    out = out.mask((state.eq("SCORED").fillna(False) & ~calibrating).to_numpy(), "scored")
    out = out.mask(calibrating.to_numpy() & state.notna().to_numpy(), "calibrating")
    return out


def trailing_mean(values: pd.Series, window: int, periods: int | None = None) -> pd.Series:
    """Trailing mean over ``window`` rows ending on each row (the row included), NaN where fewer
    than ``periods`` (default :func:`min_periods`) values are present.

    ``values`` must be on a full daily calendar (one row per day, NaN for a missing day) so that
    the window is ``window`` calendar days.
    """
    need = min_periods(window) if periods is None else periods
    return values.astype("float64").rolling(window, min_periods=need).mean()


def valid_values(days: pd.DataFrame) -> pd.DataFrame:
    """``days`` with every catalogue measure (:data:`DAILY_COLUMNS`) that does not count set to
    NaN by its validity rule (:mod:`whoop.metrics.catalog`: recovery columns outside
    ``recovery_ok``, sleep columns outside ``sleep_ok``, cycle columns outside ``cycle_ok``, so
    a running cycle's partial strain is not a day strain). Adds ``recovery_status``."""
    out = days.copy()
    valid = valid_columns(days, list(DAILY_COLUMNS))
    for col in DAILY_COLUMNS:
        out[col] = valid[col]
    out["recovery_status"] = recovery_status(days)
    return out


def daily_view(days: pd.DataFrame, end: date | pd.Timestamp | None = None) -> pd.DataFrame:
    """The frame every page plots: a full daily calendar from the first day to ``end`` (default
    the last day) with valid-only measures (:func:`valid_values`), ``recovery_zone``,
    ``recovery_status`` (``"no row"`` on missing days), ``has_row`` and, for each column in
    ``ROLLING_COLUMNS``, ``<col>_7d`` and ``<col>_30d`` trailing means (:func:`trailing_mean`),
    computed on the whole history so a range's first days have their means.

    Args:
        days: the daily table (``schema.DAYS`` columns; ``date`` datetime64).
    Returns:
        one row per calendar day, ``date`` datetime64[s]; empty (with those columns) for no days.
    """
    frame = valid_values(days)
    cal = full_calendar(frame, end=end if end is not None and len(frame) else None)
    cal["recovery_status"] = cal["recovery_status"].astype("string").fillna("no row")
    cal["recovery_zone"] = recovery_zone(cal["recovery_score"]) if len(cal) else \
        pd.Series(dtype="string")
    for col in ROLLING_COLUMNS:
        for w in ROLLING_WINDOWS:
            cal[f"{col}_{w}d"] = trailing_mean(cal[col], w) if len(cal) else \
                pd.Series(dtype="float64")
    return cal


def in_range(cal: pd.DataFrame, start: date | None, end: date | None) -> pd.DataFrame:
    """Rows of ``cal`` with ``start <= date <= end`` (inclusive; None = open)."""
    mask = pd.Series(True, index=cal.index)
    if start is not None:
        mask &= cal["date"] >= pd.Timestamp(start)
    if end is not None:
        mask &= cal["date"] <= pd.Timestamp(end)
    return cal[mask].reset_index(drop=True)


@dataclass(frozen=True)
class Kpi:
    """A metric's latest valid value and its change against the 30-day baseline.

    Attributes:
        column: the daily column (e.g. ``hrv_rmssd_ms``).
        value: the latest valid value on or before the as-of day (NaN when none), in the column's unit.
        day: the day of ``value`` (None when none).
        baseline: mean of the valid values in the ``BASELINE_WINDOW_DAYS`` calendar days before
            ``day`` (NaN with fewer than ``BASELINE_MIN_DAYS`` values).
        n: how many values the baseline rests on.
        delta: ``value - baseline`` (NaN when either is NaN).
        sd: sample SD (ddof 1) of the baseline's values (NaN with the baseline).
    """

    column: str
    value: float
    day: date | None
    baseline: float
    n: int
    delta: float
    sd: float = float("nan")

    @property
    def z(self) -> float:
        """``delta / sd``: how unusual the value is against its own baseline (NaN when the
        SD is NaN or 0). |z| >= 2 is "unusual for you", the rule of
        :mod:`whoop.metrics.baselines`."""
        return self.delta / self.sd if self.sd > 0 else float("nan")


def latest_kpi(cal: pd.DataFrame, column: str, asof: date | pd.Timestamp | None = None, *,
               window: int = BASELINE_WINDOW_DAYS, min_days: int = BASELINE_MIN_DAYS) -> Kpi:
    """The :class:`Kpi` of ``column`` for the latest valid value on or before ``asof``.

    Args:
        cal: a frame with ``date`` and ``column`` (valid values only, e.g. :func:`daily_view`).
        asof: last day to consider (default: all rows).
    """
    dates = pd.to_datetime(cal["date"])
    values = pd.to_numeric(cal[column], errors="coerce").astype("float64")
    ok = values.notna()
    if asof is not None:
        ok &= dates <= pd.Timestamp(asof)
    if not ok.any():
        return Kpi(column, float("nan"), None, float("nan"), 0, float("nan"))
    last = dates[ok].max()
    value = float(values[ok & (dates == last)].iloc[-1])
    before = values[(dates < last) & (dates >= last - pd.Timedelta(days=window))].dropna()
    n = int(len(before))
    baseline = float(before.mean()) if n >= min_days else float("nan")
    sd = float(before.std(ddof=1)) if n >= min_days else float("nan")
    return Kpi(column, value, last.date(), baseline, n, value - baseline, sd)


def zone_distribution(cal: pd.DataFrame) -> pd.DataFrame:
    """Days per recovery zone among valid recovery scores.

    Returns:
        3 rows in order green, yellow, red; columns ``zone`` (str), ``days`` (int64),
        ``pct`` (float64, share of the valid days in %, NaN when there are none).
    """
    zones = recovery_zone(cal["recovery_score"]).dropna()
    counts = zones.value_counts().reindex(list(ZONES), fill_value=0).astype("int64")
    total = int(counts.sum())
    pct = counts / total * 100.0 if total else counts * float("nan")
    return pd.DataFrame({"zone": list(ZONES), "days": counts.to_numpy(),
                         "pct": pct.astype("float64").to_numpy()})


@dataclass(frozen=True)
class Coverage:
    """How much of a date range has data.

    Attributes:
        start, end: the range (inclusive).
        range_days: calendar days in the range.
        days_with_data: days that have a row in the daily table.
        missing_days: ``range_days - days_with_data``.
        pct: ``100 * days_with_data / range_days`` (NaN for an empty range).
        gaps: frame ``start``, ``end`` (datetime64[s]), ``days`` (int64): runs of missing days.
    """

    start: date | None
    end: date | None
    range_days: int
    days_with_data: int
    missing_days: int
    pct: float
    gaps: pd.DataFrame


def coverage(days: pd.DataFrame, start: date | None = None, end: date | None = None) -> Coverage:
    """Coverage of ``[start, end]`` (defaults: first and last day of ``days``) by the daily
    table ``days`` (a frame with ``date``; rows are days with data)."""
    dates = pd.to_datetime(days["date"]).dt.normalize().drop_duplicates()
    empty_gaps = pd.DataFrame({"start": pd.Series(dtype="datetime64[s]"),
                               "end": pd.Series(dtype="datetime64[s]"),
                               "days": pd.Series(dtype="int64")})
    lo = pd.Timestamp(start) if start is not None else (dates.min() if len(dates) else None)
    hi = pd.Timestamp(end) if end is not None else (dates.max() if len(dates) else None)
    if lo is None or hi is None or hi < lo:
        return Coverage(None if lo is None else lo.date(), None if hi is None else hi.date(),
                        0, 0, 0, float("nan"), empty_gaps)
    calendar = pd.date_range(lo, hi, freq="D")
    present = calendar.isin(dates)
    n = len(calendar)
    have = int(present.sum())
    missing = ~present
    run_id = (missing != np.roll(missing, 1)).cumsum() if n else np.array([])
    gap_rows = []
    if missing.any():
        frame = pd.DataFrame({"date": calendar, "missing": missing, "run": run_id})
        for _, grp in frame[frame["missing"]].groupby("run"):
            gap_rows.append((grp["date"].iloc[0], grp["date"].iloc[-1], len(grp)))
    gaps = pd.DataFrame(gap_rows, columns=["start", "end", "days"]) if gap_rows else empty_gaps
    gaps = gaps.astype({"start": "datetime64[s]", "end": "datetime64[s]", "days": "int64"})
    return Coverage(lo.date(), hi.date(), n, have, n - have, 100.0 * have / n, gaps)


def local_date(instants: pd.Series, offset_min: pd.Series) -> pd.Series:
    """Local calendar date (datetime64[s], midnight) of UTC ``instants`` at ``offset_min``
    minutes east of UTC (missing offset -> UTC)."""
    offset = pd.to_numeric(offset_min, errors="coerce").astype("float64").fillna(0.0)
    local = instants.dt.tz_convert(None) + pd.to_timedelta(offset, unit="min")
    return local.dt.floor("D").astype("datetime64[s]")


def local_time(instants: pd.Series, offset_min: pd.Series) -> pd.Series:
    """Local wall-clock time (naive datetime64) of UTC ``instants`` at ``offset_min``."""
    offset = pd.to_numeric(offset_min, errors="coerce").astype("float64").fillna(0.0)
    return instants.dt.tz_convert(None) + pd.to_timedelta(offset, unit="min")


def naps(sleeps: pd.DataFrame, start: date | None = None, end: date | None = None) -> pd.DataFrame:
    """Naps (sleeps with ``nap`` True), kept apart from main sleeps (docs/ARCHITECTURE.md "The day
    model").

    Returns:
        columns ``date`` (local date of the nap's onset, datetime64[s]), ``start_local``,
        ``end_local`` (naive local wall-clock), ``asleep_min``, ``in_bed_min`` (float64 minutes),
        ``score_state``; within ``[start, end]``, sorted by onset.
    """
    cols = ["date", "start_local", "end_local", "asleep_min", "in_bed_min", "score_state"]
    if sleeps.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in cols})
    nap = sleeps[sleeps["nap"].astype("boolean").fillna(False).astype(bool)].copy()
    out = pd.DataFrame({
        "date": local_date(nap["start_utc"], nap["tz_offset_min"]),
        "start_local": local_time(nap["start_utc"], nap["tz_offset_min"]),
        "end_local": local_time(nap["end_utc"], nap["tz_offset_min"]),
        "asleep_min": nap["asleep_min"].astype("float64"),
        "in_bed_min": nap["in_bed_min"].astype("float64"),
        "score_state": nap["score_state"].astype("string"),
    })
    out = in_range(out.sort_values("start_local").reset_index(drop=True), start, end)
    return out


def local_in_range(records: pd.DataFrame, start: date | None = None,
                   end: date | None = None) -> pd.DataFrame:
    """Records (``schema.SLEEPS`` / ``schema.WORKOUTS``: ``start_utc``, ``tz_offset_min``) plus
    ``date`` (local date of the start, datetime64[s], :func:`local_date`), kept where
    ``start <= date <= end`` (inclusive; None = open), index reset."""
    out = records.copy()
    out["date"] = local_date(out["start_utc"], out["tz_offset_min"]) if len(out) else \
        pd.Series(dtype="datetime64[s]")
    return in_range(out, start, end)


def workouts_local(workouts: pd.DataFrame, start: date | None = None,
                   end: date | None = None) -> pd.DataFrame:
    """:func:`local_in_range` of ``workouts`` with a missing ``sport_name`` -> ``"Unknown"``."""
    out = local_in_range(workouts, start, end)
    out["sport_name"] = out["sport_name"].astype("string").fillna("Unknown")
    return out
