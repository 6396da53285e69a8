"""Strain and training load: EWMA acute:chronic workload ratio, weekly HR-zone minutes, strain
against next-day recovery, workouts by activity.

ACWR (Hulin et al. 2016 Br J Sports Med 50:231-236 for the ratio and its 0.8-1.3 "sweet spot";
Williams et al. 2017 Br J Sports Med 51:209-210 "Better way to determine the acute:chronic workload
ratio?" for the exponentially weighted form):

    EWMA_today = lambda * load_today + (1 - lambda) * EWMA_yesterday,  lambda = 2 / (N + 1)

with N = 7 days (acute) and N = 28 days (chronic); ACWR = acute / chronic. The first valid day
seeds both averages. A day without data (absent, open, or not ``SCORED``) is skipped: the averages
carry over unchanged (a missing strap is not a rest day) and the output for that day is NaN so a
chart shows the gap. The ratio is *provisional* while fewer than ``PROVISIONAL_MIN_DAYS`` (21) of
the last 28 calendar days have data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from whoop.metrics.basic import local_date
from whoop.metrics.calendar import SCORED, cycle_ok, full_calendar, masked, recovery_ok, rolling_count

ACUTE_DAYS = 7
CHRONIC_DAYS = 28
PROVISIONAL_MIN_DAYS = 21
SWEET_SPOT = (0.8, 1.3)
#: WHOOP's strain categories (light, moderate, strenuous, all out) as [low, high) bins.
STRAIN_BINS = [0.0, 10.0, 14.0, 18.0, 21.01]
STRAIN_LABELS = ["light (0-9.9)", "moderate (10-13.9)", "strenuous (14-17.9)", "all out (18-21)"]


def ewma(values: pd.Series, span_days: int, groups: pd.Series | None = None) -> pd.Series:
    """EWMA with lambda = 2/(span_days+1) (Williams et al. 2017), seeded by the first valid value,
    skipping NaN (state carried, output NaN there). Same units as ``values``. With ``groups``
    (aligned to ``values``) each group is its own series, seeded by its own first value (several
    athletes' calendars end to end, :mod:`whoop.metrics.team`)."""
    alpha = 2.0 / (span_days + 1)
    if groups is None:
        out = values.ewm(alpha=alpha, adjust=False, ignore_na=True).mean()
    else:
        out = (values.groupby(groups.to_numpy(), sort=False)
               .ewm(alpha=alpha, adjust=False, ignore_na=True).mean()
               .droplevel(0).reindex(values.index))
    return out.where(values.notna())


def acwr_column(stem: str) -> str:
    """The ratio column of :func:`acwr` for an output stem: ``acwr_`` + the stem without its unit
    suffix, since a ratio has no unit (``strain`` -> ``acwr_strain``, ``energy_kj`` ->
    ``acwr_energy``)."""
    return "acwr_" + stem.removesuffix("_kj")


def acwr(days: pd.DataFrame, column: str = "day_strain", *, acute: int = ACUTE_DAYS,
         chronic: int = CHRONIC_DAYS, name: str | None = None,
         groups: str | None = None) -> pd.DataFrame:
    """EWMA acute:chronic workload ratio of one daily load column.

    Args:
        days: daily frame (``schema.DAYS``); uses date, ``column``, cycle_score_state, is_open.
        column: ``day_strain`` (WHOOP strain 0-21) or ``energy_kj`` (kJ).
        acute, chronic: EWMA time constants in days (7, 28).
        name: output stem; default ``strain`` for day_strain, ``energy_kj`` for energy_kj.
        groups: a column of ``days`` naming independent series laid end to end on the calendar,
            e.g. several athletes separated by more than ``chronic`` empty days: the EWMAs
            restart at each group (:func:`ewma`); days the calendar adds take the group of the
            day before.
    Returns:
        one row per calendar day: ``date`` datetime64[s]; ``acute_{name}``, ``chronic_{name}``
        float64 (units of ``column``); :func:`acwr_column` of ``name`` (``acwr_strain``,
        ``acwr_energy``: a ratio, so without the unit; NaN when chronic is 0 or the day has no
        data); ``load_days`` int64 (days with data in the last ``chronic`` calendar
        days); ``acwr_provisional`` bool (fewer than 3/4 of ``chronic`` days, i.e. 21 of
        28). Empty input -> empty frame.
    """
    stem = name or {"day_strain": "strain"}.get(column, column)
    cal = full_calendar(days)
    load = masked(cal, column, cycle_ok(cal)) if len(cal) else pd.Series(dtype="float64")
    by = cal[groups].ffill() if groups is not None and len(cal) else None
    a = ewma(load, acute, by)
    c = ewma(load, chronic, by)
    ratio = (a / c.where(c > 0)).where(load.notna())
    n = rolling_count(load, chronic)
    need = int(np.ceil(chronic * PROVISIONAL_MIN_DAYS / CHRONIC_DAYS))
    return pd.DataFrame({
        "date": cal["date"], f"acute_{stem}": a, f"chronic_{stem}": c, acwr_column(stem): ratio,
        "load_days": n, "acwr_provisional": (n < need).astype(bool),
    }).reset_index(drop=True)


def training_load(days: pd.DataFrame, *, acute: int = ACUTE_DAYS,
                  chronic: int = CHRONIC_DAYS) -> pd.DataFrame:
    """ACWR of day strain and of energy side by side (the ``training_load.csv`` frame).

    Returns:
        ``date``, ``day_strain``, ``acute_strain``, ``chronic_strain``, ``acwr_strain``,
        ``energy_kj``, ``acute_energy_kj``, ``chronic_energy_kj`` (kJ), ``acwr_energy`` (ratio; all float64),
        ``load_days`` (int64, days with strain data in the chronic window),
        ``acwr_provisional`` (bool, from strain).
    """
    s = acwr(days, "day_strain", acute=acute, chronic=chronic)
    e = acwr(days, "energy_kj", acute=acute, chronic=chronic)
    cal = full_calendar(days)
    ok = cycle_ok(cal) if len(cal) else pd.Series(dtype=bool)
    out = pd.DataFrame({"date": s["date"],
                        "day_strain": masked(cal, "day_strain", ok).to_numpy(),
                        "acute_strain": s["acute_strain"], "chronic_strain": s["chronic_strain"],
                        "acwr_strain": s["acwr_strain"],
                        "energy_kj": masked(cal, "energy_kj", ok).to_numpy(),
                        "acute_energy_kj": e["acute_energy_kj"],
                        "chronic_energy_kj": e["chronic_energy_kj"],
                        "acwr_energy": e["acwr_energy"]})
    out["load_days"] = s["load_days"]
    out["acwr_provisional"] = s["acwr_provisional"]
    return out


#: WHOOP heart-rate zone columns of ``schema.WORKOUTS`` (zone 0 only from the API), minutes.
ZONE_COLUMNS = [f"hr_zone_{i}_min" for i in range(6)]


def weekly_zone_minutes(workouts: pd.DataFrame) -> pd.DataFrame:
    """Minutes per WHOOP heart-rate zone per ISO week (Monday start, local date of workout start).

    Zones are WHOOP's %-of-max-HR zones (API ``zone_durations``; the export has no zone 0 and
    zone minutes = zone % x duration / 100). Only ``SCORED`` workouts count.

    Args:
        workouts: ``schema.WORKOUTS`` frame (start_utc, tz_offset_min, score_state, hr_zone_*_min).
    Returns:
        ``week_start`` datetime64[s] (Monday), ``hr_zone_0_min`` ... ``hr_zone_5_min`` float64 min
        (NaN sums stay 0 only when a zone had any value that week), ``workout_count`` int64; weeks
        without workouts are absent. Empty input -> empty frame with these columns.
    """
    cols = ["week_start", *ZONE_COLUMNS, "workout_count"]
    if workouts is None or workouts.empty:
        return pd.DataFrame({c: pd.Series(dtype="datetime64[s]" if c == "week_start" else
                                          ("int64" if c == "workout_count" else "float64"))
                             for c in cols})
    w = workouts[(workouts["score_state"] == SCORED).fillna(False).astype(bool)]
    date = local_date(w["start_utc"], w["tz_offset_min"])
    week = (date - pd.to_timedelta(date.dt.day_of_week, unit="D")).astype("datetime64[s]")
    z = pd.DataFrame({c: pd.to_numeric(w[c], errors="coerce").astype("float64")
                      if c in w.columns else np.nan for c in ZONE_COLUMNS}, index=w.index)
    z["week_start"] = week
    g = z.groupby("week_start")
    out = g[ZONE_COLUMNS].sum(min_count=1)
    out["workout_count"] = g.size().astype("int64")
    return out.reset_index()[cols]


def strain_vs_next_recovery(days: pd.DataFrame) -> pd.DataFrame:
    """Day strain paired with the next day's recovery (cf. WHOOP's performance assessments).

    Day D's strain accrues after day D's recovery; the recovery it affects is day D+1's (the next
    cycle). Pairs need a scored, closed cycle on D and a scored, non-calibrating recovery on the
    calendar day D+1.

    Returns:
        ``date`` datetime64[s] (day D), ``day_strain`` float64 (0-21), ``next_recovery_score``
        float64 (%), ``strain_band`` str (WHOOP category of :data:`STRAIN_LABELS`).
    """
    cal = full_calendar(days)
    if cal.empty:
        return pd.DataFrame({"date": pd.Series(dtype="datetime64[s]"),
                             "day_strain": pd.Series(dtype="float64"),
                             "next_recovery_score": pd.Series(dtype="float64"),
                             "strain_band": pd.Series(dtype="str")})
    strain = masked(cal, "day_strain", cycle_ok(cal))
    rec = masked(cal, "recovery_score", recovery_ok(cal)).shift(-1)
    out = pd.DataFrame({"date": cal["date"], "day_strain": strain, "next_recovery_score": rec})
    out = out.dropna(subset=["day_strain", "next_recovery_score"]).reset_index(drop=True)
    out["strain_band"] = pd.cut(out["day_strain"], STRAIN_BINS, labels=STRAIN_LABELS,
                                right=False).astype("str")
    return out


def next_recovery_by_strain_band(pairs: pd.DataFrame) -> pd.DataFrame:
    """Summary of :func:`strain_vs_next_recovery`: per WHOOP strain band, ``n`` (int64),
    ``mean_next_recovery`` and ``sd_next_recovery`` (float64, %; SD ddof 1). All four bands
    are listed, empty ones with n = 0 and NaN."""
    g = pairs.groupby("strain_band")["next_recovery_score"]
    out = pd.DataFrame({"n": g.size(), "mean_next_recovery": g.mean(), "sd_next_recovery": g.std()})
    out = out.reindex(STRAIN_LABELS)
    out["n"] = out["n"].fillna(0).astype("int64")
    return out.rename_axis("strain_band").reset_index()


#: ``freq`` of :func:`workouts_by_activity` -> pandas period whose start labels the bin
#: ("W-SUN" periods run Monday..Sunday, so their start is the Monday).
PERIODS = {"W": "W-SUN", "W-MON": "W-SUN", "MS": "M", "YS": "Y"}


def workouts_by_activity(workouts: pd.DataFrame, *, freq: str | None = "MS") -> pd.DataFrame:
    """Workouts per activity, per period or over the whole frame.

    Periods go by the local date of each workout's start (its own ``tz_offset_min``):
    ``freq`` "W" or "W-MON" = weeks that *start* on Monday (ISO weeks), each labelled by that
    Monday (unlike ``pd.Grouper(freq="W-MON")``, whose bins *end* on a Monday and carry its
    date); "MS" = calendar months, labelled by the 1st; "YS" = years, labelled by 1 January;
    None = no periods (one row per activity, ``period_start`` NaT). All score states count (a
    manual activity is still an activity); a missing ``sport_name`` becomes ``"Unknown"``.

    Args:
        workouts: ``schema.WORKOUTS`` frame (start_utc, tz_offset_min, sport_name,
            duration_min, activity_strain, energy_kj).
        freq: "W" / "W-MON", "MS", "YS" or None.
    Returns:
        ``period_start`` datetime64[s], ``sport_name`` str, ``workout_count`` int64,
        ``duration_min`` float64 (sum, min), ``activity_strain_sum`` and
        ``activity_strain_mean`` float64 (WHOOP activity strain 0-21 over the workouts that
        have one; the mean is NaN when none has), ``energy_kj`` float64 (sum, kJ); missing
        values sum to 0. Sorted by ``period_start``, then ``workout_count`` and
        ``activity_strain_sum`` descending. Empty input -> empty frame with these columns.
    Raises:
        ValueError: an unknown ``freq``.
    """
    if freq is not None and freq not in PERIODS:
        raise ValueError(f"freq must be one of {sorted(PERIODS)} or None, got {freq!r}")
    cols = ["period_start", "sport_name", "workout_count", "duration_min",
            "activity_strain_sum", "activity_strain_mean", "energy_kj"]
    if workouts is None or workouts.empty:
        return pd.DataFrame({c: pd.Series(dtype={"period_start": "datetime64[s]",
                                                 "sport_name": "str",
                                                 "workout_count": "int64"}.get(c, "float64"))
                             for c in cols})
    date = local_date(workouts["start_utc"], workouts["tz_offset_min"])
    period = (date.dt.to_period(PERIODS[freq]).dt.start_time.astype("datetime64[s]")
              if freq is not None else pd.Series(pd.NaT, index=workouts.index,
                                                 dtype="datetime64[s]"))
    frame = pd.DataFrame({
        "period_start": period,
        "sport_name": workouts["sport_name"].astype("str").str.strip().fillna("Unknown"),
        "duration_min": pd.to_numeric(workouts["duration_min"], errors="coerce"),
        "activity_strain": pd.to_numeric(workouts["activity_strain"], errors="coerce"),
        "energy_kj": pd.to_numeric(workouts["energy_kj"], errors="coerce"),
    })
    out = frame.groupby(["period_start", "sport_name"], dropna=False).agg(
        workout_count=("duration_min", "size"), duration_min=("duration_min", "sum"),
        activity_strain_sum=("activity_strain", "sum"),
        activity_strain_mean=("activity_strain", "mean"), energy_kj=("energy_kj", "sum"))
    out = out.reset_index().astype({"period_start": "datetime64[s]", "workout_count": "int64",
                                    "duration_min": "float64", "energy_kj": "float64",
                                    "activity_strain_sum": "float64",
                                    "activity_strain_mean": "float64"})
    out = out.sort_values(["period_start", "workout_count", "activity_strain_sum"],
                          ascending=[True, False, False], kind="stable")
    return out[cols].reset_index(drop=True)
