"""Long horizons: calendar heatmap, year-over-year, month-of-year, period A vs period B.

Recovery zones are WHOOP's: green 67-100 %, yellow 34-66 %, red 0-33 % (WHOOP "Recovery"
support article, https://support.whoop.com/WHOOP_Data/Recovery__HRV/WHOOP_Recovery). Means count
valid days only (docs/ARCHITECTURE.md "The day model": scored, non-calibrating).
"""

from __future__ import annotations

import pandas as pd

from whoop.metrics.basic import recovery_zone
from whoop.metrics.calendar import full_calendar, valid_columns
from whoop.metrics.catalog import columns

#: the metrics period A vs B compares: the catalogue's view "periods"
HEADLINE_METRICS: list[str] = columns("periods")


def valid_metrics(days: pd.DataFrame, metrics: list[str] | None = None) -> pd.DataFrame:
    """The headline metrics (or ``metrics``, catalogue columns) with invalid days set to NaN by
    their catalogue validity rule, on a full calendar.

    Returns:
        ``date`` datetime64[s] plus one float64 column per metric (units as in ``schema.DAYS``).
    """
    cal = full_calendar(days)
    wanted = HEADLINE_METRICS if metrics is None else metrics
    return pd.concat([cal[["date"]], valid_columns(cal, list(wanted))], axis=1)


def calendar_heatmap_frame(days: pd.DataFrame, metric: str = "recovery_score") -> pd.DataFrame:
    """Cells of a calendar heatmap: a year per row of weeks, one cell per day.

    Returns:
        one row per calendar day of every year touched (Jan 1 - Dec 31): ``date``
        datetime64[s], ``year`` int64, ``week`` int64 (0-53, column in the year: weeks start on
        Monday, the week holding Jan 1 is 0), ``weekday`` int64 (0 = Monday), ``value`` float64
        (``metric``, NaN for missing or invalid days), ``zone`` str/NA (recovery zone, only for
        recovery_score).
    """
    vals = valid_metrics(days, [metric])
    if vals.empty:
        return pd.DataFrame({"date": pd.Series(dtype="datetime64[s]"),
                             "year": pd.Series(dtype="int64"), "week": pd.Series(dtype="int64"),
                             "weekday": pd.Series(dtype="int64"),
                             "value": pd.Series(dtype="float64"), "zone": pd.Series(dtype="str")})
    lo = pd.Timestamp(year=vals["date"].iloc[0].year, month=1, day=1)
    hi = pd.Timestamp(year=vals["date"].iloc[-1].year, month=12, day=31)
    idx = pd.date_range(lo, hi, freq="D").astype("datetime64[s]")
    value = vals.set_index("date")[metric].reindex(idx)
    date = pd.Series(idx)
    jan1_wd = pd.to_datetime(date.dt.year.astype(str) + "-01-01").dt.day_of_week
    out = pd.DataFrame({
        "date": date, "year": date.dt.year.astype("int64"),
        "week": ((date.dt.day_of_year - 1 + jan1_wd) // 7).astype("int64"),
        "weekday": date.dt.day_of_week.astype("int64"), "value": value.to_numpy(),
    })
    out["zone"] = (recovery_zone(out["value"]).astype("str").where(out["value"].notna())
                   if metric == "recovery_score" else pd.NA)
    return out


def year_over_year(days: pd.DataFrame, metric: str = "recovery_score", *,
                   smooth_days: int = 7) -> pd.DataFrame:
    """One line per year: ``metric`` by day of year, as a centred ``smooth_days`` rolling mean
    (needs half the window valid, else NaN; the gaps stay gaps).

    Returns:
        ``year`` int64, ``day_of_year`` int64 (1-366), ``date`` datetime64[s], ``value`` float64.
    """
    vals = valid_metrics(days, [metric])
    roll = vals[metric].rolling(smooth_days, center=True, min_periods=max(1, smooth_days // 2))
    return pd.DataFrame({"year": vals["date"].dt.year.astype("int64"),
                         "day_of_year": vals["date"].dt.day_of_year.astype("int64"),
                         "date": vals["date"], "value": roll.mean()})


def month_of_year(days: pd.DataFrame, metric: str = "recovery_score") -> pd.DataFrame:
    """Monthly mean of ``metric`` per year (for a year x month grid or month-of-year lines).

    Returns:
        ``year`` int64, ``month`` int64 (1-12), ``mean`` float64, ``n`` int64 (valid days);
        months without valid days are absent.
    """
    vals = valid_metrics(days, [metric]).dropna(subset=[metric])
    g = vals.groupby([vals["date"].dt.year.rename("year"), vals["date"].dt.month.rename("month")])
    out = g[metric].agg(["mean", "size"]).rename(columns={"size": "n"}).reset_index()
    return out.astype({"year": "int64", "month": "int64", "mean": "float64", "n": "int64"})


def compare_periods(days: pd.DataFrame, a: tuple, b: tuple,
                    metrics: list[str] | None = None) -> pd.DataFrame:
    """Period A vs period B for every headline metric.

    Args:
        a, b: (start, end) inclusive dates for each period.
        metrics: default :data:`HEADLINE_METRICS`.
    Returns:
        one row per metric: ``metric`` str, ``mean_a``, ``mean_b`` float64 (metric units),
        ``n_a``, ``n_b`` int64 (valid days), ``difference`` = mean_b - mean_a, ``pct_change`` =
        100 x difference / mean_a (NaN when mean_a is 0 or missing).
    """
    return compare_valid_periods(valid_metrics(days, metrics), a, b)


def compare_valid_periods(vals: pd.DataFrame, a: tuple, b: tuple) -> pd.DataFrame:
    """:func:`compare_periods` on a :func:`valid_metrics` frame already computed (one row per
    metric column of ``vals``, in their order), so a cached frame serves every pair of periods.
    """
    names = [c for c in vals.columns if c != "date"]

    def period(bounds: tuple) -> pd.DataFrame:
        lo, hi = pd.Timestamp(bounds[0]), pd.Timestamp(bounds[1])
        return vals[(vals["date"] >= lo) & (vals["date"] <= hi)][names]

    pa, pb = period(a), period(b)
    out = pd.DataFrame({"metric": names, "mean_a": pa.mean().to_numpy(),
                        "mean_b": pb.mean().to_numpy(), "n_a": pa.count().to_numpy(),
                        "n_b": pb.count().to_numpy()})
    out["difference"] = out["mean_b"] - out["mean_a"]
    out["pct_change"] = 100 * out["difference"] / out["mean_a"].where(out["mean_a"] != 0)
    return out.astype({"metric": "str", "n_a": "int64", "n_b": "int64"})
