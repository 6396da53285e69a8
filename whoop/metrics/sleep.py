"""Sleep: asleep vs need (and the need's parts), the rolling 14-night debt ledger, stage
percentages.

WHOOP's sleep need (API ``sleep_needed``; WHOOP "How does WHOOP calculate sleep need?") is
baseline + need from recent strain + need from sleep debt + need from recent naps (<= 0). The
export only has ``Sleep need`` and ``Sleep debt``; the remaining part is reported as
``need_other_min`` (need - debt) so stacked bars always add up to the total need.
Nights count only when the main sleep is ``SCORED`` (docs/ARCHITECTURE.md "The day model").
"""

from __future__ import annotations

import math

import pandas as pd

from whoop.metrics.calendar import full_calendar, masked, rolling_count, sleep_ok


def sleep_need_split(days: pd.DataFrame) -> pd.DataFrame:
    """Every night: time asleep vs sleep need, the need split into its parts.

    Args:
        days: daily frame (``schema.DAYS``: asleep_min, sleep_need_min, sleep_debt_min,
            need_baseline_min, need_strain_min, need_nap_min, nap_min, sleep states).
    Returns:
        one row per calendar day (gaps as NaN rows): ``date`` datetime64[s]; float64 minutes:
        ``asleep_min``, ``sleep_need_min``, ``need_baseline_min``, ``need_strain_min``,
        ``need_debt_min`` (= WHOOP sleep debt, API ``need_from_sleep_debt``),
        ``need_nap_min`` (<= 0), ``need_other_min`` (need minus the known parts; the whole
        non-debt need for export data, ~0 for API data), ``nap_min``;
        ``asleep_minus_need_min`` = asleep - need (min) and
        ``asleep_of_need_pct`` = 100 x asleep / need (%, WHOOP's sleep-performance idea).
    """
    cal = full_calendar(days)
    ok = sleep_ok(cal) if len(cal) else pd.Series(dtype=bool)

    def col(name: str) -> pd.Series:
        return masked(cal, name, ok)

    need = col("sleep_need_min")
    asleep = col("asleep_min")
    parts = {"need_baseline_min": col("need_baseline_min"),
             "need_strain_min": col("need_strain_min"),
             "need_debt_min": col("sleep_debt_min"),
             "need_nap_min": col("need_nap_min")}
    known = sum(p.fillna(0.0) for p in parts.values())
    out = pd.DataFrame({"date": cal["date"], "asleep_min": asleep, "sleep_need_min": need, **parts})
    out["need_other_min"] = (need - known).where(need.notna())
    nap = masked(cal, "nap_min", pd.Series(True, index=cal.index)) if len(cal) else \
        pd.Series(dtype="float64")
    out["nap_min"] = nap
    out["asleep_minus_need_min"] = asleep - need
    out["asleep_of_need_pct"] = 100 * asleep / need.where(need > 0)
    return out.reset_index(drop=True)


LEDGER_NIGHTS = 14
WEEK_NIGHTS = 7


def sleep_debt_ledger(days: pd.DataFrame, *, nights: int = LEDGER_NIGHTS) -> pd.DataFrame:
    """Rolling sleep-debt ledger: the shortfall against sleep need (without its debt part) over
    the last ``nights`` (14) calendar nights, with WHOOP's own sleep debt beside it.

    Formula (minutes):

        need_without_debt_t = sleep_need_t - need_from_sleep_debt_t
        sleep_balance_t     = asleep_t - need_without_debt_t        (+ surplus, - shortfall)
        debt_ledger_t       = max(0, -sum(sleep_balance_k, k = t-nights+1 .. t))
        debt_7d_t           = -sum(sleep_balance_k, k = t-6 .. t)  (+ short, - above need)

    Why against the need *without* the debt part: WHOOP's sleep need already contains the debt
    of recent nights (API ``need_from_sleep_debt``; the export's ``Sleep need`` includes its
    ``Sleep debt``), so a shortfall measured against the whole need comes back in the next
    night's need and would be counted twice. Naps add nothing: WHOOP's need already subtracts
    recent naps (API ``need_from_recent_nap`` <= 0; the export's total need is computed the same
    way and is lower after nap days), so crediting them again would double them too.

    Why a window and not a running total: the cost of restricted sleep accumulates over about two
    weeks and then stops growing in the data we have (Van Dongen et al. 2003 Sleep 26:117-126,
    "The cumulative cost of additional wakefulness": 14 days of 4 h or 6 h in bed, deficits rose
    almost linearly with cumulative sleep lost), and a debt is repaid by longer sleep over
    several days (Kitamura et al. 2016 Sci Rep 6:35812, "Estimating individual optimal sleep
    duration and potential sleep debt": recovery took days of extended sleep, not one night).
    A 14-night window therefore covers the horizon the evidence speaks to; an all-history sum
    (the earlier ledger) grows without bound for anyone a little under their need. Surpluses in
    the window repay shortfalls in it; the ledger never goes below zero.

    Windows run over calendar nights; nights without a scored main sleep (or without a need)
    add nothing. The 14-night ledger needs ``ceil(nights / 2)`` (7) scored nights in the window
    and the 7-night sum 4 of 7, else NaN (project rule of :func:`whoop.metrics.basic.min_periods`).

    Args:
        days: daily frame (``schema.DAYS``: asleep_min, sleep_need_min, sleep_debt_min, sleep
            states).
        nights: ledger window in calendar nights (default 14).
    Returns:
        one row per calendar day (empty input -> empty frame): ``date`` datetime64[s]; float64
        minutes: ``need_without_debt_min``, ``sleep_balance_min`` (NaN on unscored nights),
        ``debt_ledger_min`` (>= 0), ``debt_7d_min``, ``whoop_sleep_debt_min`` (WHOOP's own debt,
        API ``need_from_sleep_debt`` / export ``Sleep debt``, where reported);
        ``ledger_nights`` int64 (scored nights in the ledger window).
    Raises:
        ValueError: ``nights`` < 1.
    """
    if nights < 1:
        raise ValueError(f"nights must be >= 1, got {nights}")
    split = sleep_need_split(days)
    need = split["sleep_need_min"] - split["need_debt_min"].fillna(0.0)
    balance = split["asleep_min"] - need

    def window_sum(n: int) -> tuple[pd.Series, pd.Series]:
        roll = balance.rolling(n, min_periods=1)
        count = rolling_count(balance, n)
        return roll.sum().where(count >= math.ceil(n / 2)), count

    ledger, count = window_sum(nights)
    week, _ = window_sum(WEEK_NIGHTS)
    return pd.DataFrame({
        "date": split["date"], "need_without_debt_min": need, "sleep_balance_min": balance,
        "debt_ledger_min": (-ledger).clip(lower=0.0) + 0.0, "debt_7d_min": -week + 0.0,
        "whoop_sleep_debt_min": split["need_debt_min"], "ledger_nights": count,
    })


def stage_percentages(days: pd.DataFrame) -> pd.DataFrame:
    """Sleep stages as percentages, per night.

    ``light_pct``, ``deep_pct`` (slow-wave), ``rem_pct`` = 100 x stage / asleep_min (light + deep
    + REM); ``awake_pct`` = 100 x awake_min / in_bed_min. Units %, float64; NaN for unscored or
    missing nights (one row per calendar day, ``date`` datetime64[s]). Source: WHOOP stage summary
    (API ``stage_summary``; export ``Light/Deep (SWS)/REM/Awake duration (min)``).
    """
    cal = full_calendar(days)
    ok = sleep_ok(cal) if len(cal) else pd.Series(dtype=bool)
    asleep = masked(cal, "asleep_min", ok)
    asleep = asleep.where(asleep > 0)
    in_bed = masked(cal, "in_bed_min", ok)
    in_bed = in_bed.where(in_bed > 0)
    return pd.DataFrame({
        "date": cal["date"],
        "light_pct": 100 * masked(cal, "light_sleep_min", ok) / asleep,
        "deep_pct": 100 * masked(cal, "deep_sleep_min", ok) / asleep,
        "rem_pct": 100 * masked(cal, "rem_sleep_min", ok) / asleep,
        "awake_pct": 100 * masked(cal, "awake_min", ok) / in_bed,
    }).reset_index(drop=True)
