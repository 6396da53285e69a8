"""Sleep: asleep vs need (and the need's parts), the cumulative debt ledger, stage percentages.

WHOOP's sleep need (API ``sleep_needed``; WHOOP "How does WHOOP calculate sleep need?") is
baseline + need from recent strain + need from sleep debt + need from recent naps (<= 0). The
export only has ``Sleep need`` and ``Sleep debt``; the remaining part is reported as
``need_other_min`` (need - debt) so stacked bars always add up to the total need.
Nights count only when the main sleep is ``SCORED`` (DESIGN.md).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from whoop.metrics.calendar import full_calendar, masked, sleep_ok

NEED_PARTS = ["need_baseline_min", "need_strain_min", "need_debt_min", "need_nap_min",
              "need_other_min"]


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


def sleep_debt_ledger(days: pd.DataFrame) -> pd.DataFrame:
    """Cumulative sleep-debt ledger: shortfalls add, surpluses repay, never below zero.

    Formula (a Lindley recursion, vectorised as ``S_t - min(0, min_k<=t S_k)`` with ``S`` the
    cumulative sum of nightly balances):

        debt_t = max(0, debt_{t-1} + need_t - asleep_t - nap_credit_t)

    ``nap_credit_t`` = minutes of naps taken in the previous day's waking hours (``nap_min`` of
    day t-1), but only where the need has no nap part (export data): WHOOP's API need already
    subtracts recent naps (``need_from_recent_nap``), so counting them again would double them.
    Nights without a scored main sleep add nothing and show NaN. Units: minutes.

    Returns:
        one row per calendar day: ``date`` datetime64[s]; ``nightly_balance_min`` float64
        (need - asleep - nap credit, positive = shortfall); ``debt_ledger_min`` float64 (>= 0);
        ``whoop_sleep_debt_min`` float64 (WHOOP's own figure, where reported);
        ``debt_7d_min`` float64 (sum of the last 7 balances, NaN if fewer than 4 nights).
    """
    split = sleep_need_split(days)
    nap = split["nap_min"].shift(1).fillna(0.0).where(split["need_nap_min"].isna(), 0.0)
    balance = split["sleep_need_min"] - split["asleep_min"] - nap
    inc = balance.fillna(0.0).to_numpy()
    s = np.cumsum(inc)
    ledger = s - np.minimum(np.minimum.accumulate(s), 0.0) if s.size else s
    roll = balance.rolling(7, min_periods=1)
    return pd.DataFrame({
        "date": split["date"], "nightly_balance_min": balance,
        "debt_ledger_min": pd.Series(ledger, index=split.index).where(balance.notna()),
        "whoop_sleep_debt_min": split["need_debt_min"],
        "debt_7d_min": roll.sum().where(roll.count() >= 4),
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
