"""Full-calendar reindexing and the masks that decide which days count in statistics.

The daily frame (``schema.DAYS``) has one row per day *with data*; missing days are absent rows.
Day-based windows (7-day mean, 28-day load) must run on a full calendar so a gap is a gap, not a
shorter window. docs/ARCHITECTURE.md "The day model": only ``SCORED`` records count in baselines and
statistics; ``PENDING_SCORE``, ``UNSCORABLE`` and ``user_calibrating`` days never do.
"""

from __future__ import annotations

from datetime import date
from typing import TypeAlias

import numpy as np
import pandas as pd

from whoop import schema

SCORED = "SCORED"

#: A day as the metrics take it: anything ``pd.Timestamp`` reads (a ``date``, a ``datetime`` or
#: ``pd.Timestamp``, a ``numpy.datetime64``, an ISO ``YYYY-MM-DD`` string).
DateLike: TypeAlias = date | np.datetime64 | str


def full_calendar(days: pd.DataFrame, start: DateLike | None = None,
                  end: DateLike | None = None) -> pd.DataFrame:
    """Reindex ``days`` to every calendar date from ``start`` (default first date) to ``end``.

    Args:
        days: frame with a ``date`` column (datetime64, one row per date; duplicates keep last).
        start, end: optional bounds (inclusive), anything ``pd.Timestamp`` accepts.
    Returns:
        the same columns (plus any ``schema.DAYS`` column the input lacks, all-missing),
        one row per calendar day, ``date`` as datetime64[s], added days all-NA
        (float columns NaN, nullable columns <NA>), plus ``has_row`` (bool: the day had a row).
        Without bounds, ``days`` that already are one row per consecutive day (``date``
        datetime64[s]: a calendar, e.g. this function's own result) come back without the
        reindexing, each row as it is, ``has_row`` True: what the reindexing would give.
    """
    if start is None and end is None and _consecutive(days):
        return _as_calendar(days)
    frame = days.assign(date=pd.to_datetime(days["date"]).astype("datetime64[s]"))
    if not (frame["date"].is_monotonic_increasing and frame["date"].is_unique):
        frame = frame.drop_duplicates("date", keep="last").sort_values("date")
    if frame.empty and (start is None or end is None):
        return frame.assign(**_absent(frame), has_row=True).reset_index(drop=True)
    lo = pd.Timestamp(start) if start is not None else frame["date"].iloc[0]
    hi = pd.Timestamp(end) if end is not None else frame["date"].iloc[-1]
    idx = pd.date_range(lo.normalize(), hi.normalize(), freq="D").astype("datetime64[s]")
    out = frame.set_index("date").reindex(idx)
    out.index.name = "date"
    # the absent columns after the reindexing (nothing to move), has_row last as ever
    # frame's dates are sorted and unique: a day had a row where searching finds it
    have = frame["date"].to_numpy()
    at = np.minimum(np.searchsorted(have, idx.to_numpy()), max(len(have) - 1, 0))
    has_row = have[at] == idx.to_numpy() if len(have) else np.zeros(len(idx), dtype=bool)
    out = out.assign(**_absent(frame, out.index), has_row=has_row)
    return out.reset_index()


def _absent(days: pd.DataFrame, index: pd.Index | None = None) -> dict[str, pd.Series]:
    """The ``schema.DAYS`` columns ``days`` lacks, all-missing, on ``index`` (default its own)."""
    index = days.index if index is None else index
    return {col: pd.Series(schema.missing_array(dtype, len(index)), index=index)
            for col, dtype in schema.DAYS.items() if col not in days.columns}


def _consecutive(days: pd.DataFrame) -> bool:
    """Whether ``days`` already has one row per calendar day, in order: ``date`` of dtype
    datetime64[s], each one day after the one before (a :func:`full_calendar` result)."""
    if "date" not in days.columns or days["date"].dtype != "datetime64[s]" or len(days) < 1:
        return False
    step = np.diff(days["date"].to_numpy().astype("int64"))
    return bool((step == 86_400).all())


def _as_calendar(days: pd.DataFrame) -> pd.DataFrame:
    """What the reindexing of :func:`full_calendar` gives for consecutive ``days`` (every row
    kept as it is, ``has_row`` True everywhere: each day had a row), without the reindexing."""
    out = days.assign(**_absent(days), has_row=True)
    if out.columns[0] != "date":
        out = out[["date", *(c for c in out.columns if c != "date")]]
    return out.reset_index(drop=True)


def rolling_count(values: pd.Series, window: int) -> pd.Series:
    """Values present (not NaN) in the ``window`` rows (``window`` >= 1) ending at each row
    (int64, same index): ``values.rolling(window, min_periods=1).count()`` with 0 for none,
    from one cumulative sum instead of a rolling pass."""
    present = np.cumsum(values.notna().to_numpy(), dtype="int64")
    before = np.concatenate([np.zeros(min(window, len(present)), dtype="int64"), present[:-window]])
    return pd.Series(present - before, index=values.index)


def _true(series: pd.Series | None, index: pd.Index, default: bool) -> pd.Series:
    if series is None:
        return pd.Series(default, index=index)
    return series.astype("boolean").fillna(default).astype(bool)


def recovery_ok(days: pd.DataFrame) -> pd.Series:
    """Mask of days whose recovery metrics count: recovery ``SCORED``, not ``user_calibrating``,
    opened by a main sleep (``has_main_sleep`` not False). Missing state columns count as OK only
    for ``has_main_sleep``; a missing ``recovery_score_state`` means not scored."""
    state = days.get("recovery_score_state")
    scored = (state == SCORED).fillna(False).astype(bool) if state is not None else \
        pd.Series(False, index=days.index)
    calibrating = _true(days.get("user_calibrating"), days.index, False)
    main = _true(days.get("has_main_sleep"), days.index, True)
    return scored & ~calibrating & main


def sleep_ok(days: pd.DataFrame) -> pd.Series:
    """Mask of days whose main-sleep metrics count: ``sleep_score_state == "SCORED"`` and a main
    sleep (``has_main_sleep`` not False)."""
    state = days.get("sleep_score_state")
    scored = (state == SCORED).fillna(False).astype(bool) if state is not None else \
        pd.Series(False, index=days.index)
    return scored & _true(days.get("has_main_sleep"), days.index, True)


def cycle_ok(days: pd.DataFrame) -> pd.Series:
    """Mask of days whose cycle metrics (day strain, energy) count: ``cycle_score_state ==
    "SCORED"`` and the cycle is closed (``is_open`` not True: a running cycle's strain is
    partial)."""
    state = days.get("cycle_score_state")
    scored = (state == SCORED).fillna(False).astype(bool) if state is not None else \
        pd.Series(False, index=days.index)
    return scored & ~_true(days.get("is_open"), days.index, False)


def masked(days: pd.DataFrame, column: str, ok: pd.Series) -> pd.Series:
    """``days[column]`` as float64 with NaN where ``ok`` is False or the column is absent."""
    if column not in days.columns:
        return pd.Series(float("nan"), index=days.index, dtype="float64")
    values = pd.to_numeric(days[column], errors="coerce").astype("float64")
    return values.where(ok.to_numpy())


#: validity rule of the catalogue (``Metric.valid``) -> its mask
MASKS = {"recovery": recovery_ok, "sleep": sleep_ok, "cycle": cycle_ok}


def valid_columns(days: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The catalogue ``columns`` of ``days`` as float64, NaN on days their validity rule
    (:data:`whoop.metrics.catalog.CATALOG` ``valid``) leaves out or where the column is absent;
    same index as ``days``, one mask computed per rule.

    Raises:
        KeyError: a column that is not in the catalogue.
    """
    from whoop.metrics.catalog import CATALOG

    rules = {CATALOG[c].valid for c in columns}
    masks = {rule: MASKS[rule](days) for rule in rules}
    return pd.DataFrame({c: masked(days, c, masks[CATALOG[c].valid]) for c in columns},
                        index=days.index)
