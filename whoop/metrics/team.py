"""The team view: one row per athlete for one day, and each athlete's recent recovery, computed
for the whole roster at once from :meth:`whoop.store.Store.roster_days` and
:meth:`~whoop.store.Store.roster_freshness` (one query per table, whatever the roster's size).

Same numbers as each athlete's own pages: the rows come from the very functions the Overview
uses (:func:`whoop.metrics.baselines.baselines` and :func:`~whoop.metrics.baselines.flag_messages`,
:func:`whoop.metrics.sleep.sleep_debt_ledger`, :func:`whoop.metrics.load.acwr`, the catalogue's
validity rules through :func:`whoop.metrics.calendar.valid_columns`), called once for all
athletes: the athletes' histories are laid end to end on one calendar, each shifted so that more
empty days than the longest window separate one athlete from the next. Every window of those
functions is trailing (it looks back at most ``max window`` days), so no window ever reaches
into another athlete's days, a day's value equals the one computed on that athlete alone, and
the EWMAs of the ACWR restart per athlete (``groups``). The calendar is built once and handed
to every function (on a calendar :func:`~whoop.metrics.calendar.full_calendar` reindexes
nothing), their frames sit side by side without joins, and only each athlete's row of the day
and of its flags come back off the shared calendar. Cost: one pass over ``athletes x days``
rows, not one pass per athlete; the page reads only :data:`ROSTER_COLUMNS`.
"""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pandas as pd

from whoop.metrics import baselines as mb
from whoop.metrics import load as ml
from whoop.metrics import sleep as ms
from whoop.metrics.basic import recovery_zone
from whoop.metrics.calendar import full_calendar, valid_columns

#: Days of the recovery small multiples.
SERIES_DAYS = 28
#: Where the shifted calendar starts (any date: only differences matter).
_EPOCH = pd.Timestamp("2000-01-01")
_SLOT = "_slot"
_DAY_COLUMNS = ["recovery_score", "hrv_rmssd_ms", "resting_heart_rate_bpm", "asleep_min",
                "sleep_need_min", "sleep_performance_pct", "day_strain"]
_STATES = ["cycle_score_state", "recovery_score_state", "sleep_score_state", "source"]
_ROW_COLUMNS = [*_DAY_COLUMNS, "hrv_ln_rmssd_7d", "hrv_normal_low", "hrv_normal_high",
                "hrv_below_normal", "hrv_above_normal", "rhr_z", "debt_ledger_min", "acwr_strain",
                "acwr_provisional"]
#: The columns of :func:`whoop.metrics.baselines.baselines` the rows and the flags read.
_BASE_COLUMNS = ["hrv_ln_rmssd_7d", "hrv_normal_low", "hrv_normal_high", "hrv_below_normal",
                 "hrv_above_normal", "hrv_below_streak_days",
                 *(c for m in mb.with_baseline() for c in (m.column, f"{m.baseline}_z")
                   if c not in _DAY_COLUMNS)]
#: Any of these known on a day makes it a day of the Overview's flags.
_FLAG_INPUTS = ["hrv_ln_rmssd_7d", *(m.column for m in mb.with_baseline())]
#: The columns of ``schema.DAYS`` :func:`team_frame` and :func:`recovery_series` read: what the
#: page asks :meth:`whoop.store.Store.roster_days` for (``columns=``); the others would only
#: be carried along.
ROSTER_COLUMNS = ["date", "is_open", "has_main_sleep", *_STATES[:3], "user_calibrating",
                  *dict.fromkeys([*_DAY_COLUMNS, *(m.column for m in mb.with_baseline()),
                                  "sleep_debt_min"])]
#: The team frame's columns, in order (dtypes in :func:`team_frame`).
COLUMNS = [
    "athlete_id", "athlete", "date", "recovery_score_pct", "recovery_zone", "hrv_rmssd_ms",
    "hrv_7d_ms", "hrv_normal_low_ms", "hrv_normal_high_ms", "hrv_vs_normal", "resting_hr_bpm",
    "resting_hr_z", "asleep_h", "sleep_need_h", "sleep_performance_pct", "sleep_debt_14n_h",
    "day_strain", "acwr", "acwr_provisional", "flags", "flag_kinds", "flags_date",
    "last_record_date", "last_record_utc", "last_sync_utc", "token_status",
]
_NUMBERS = re.compile(r" for \d+ days?$| is \d+(?:\.\d+)? SD")


def flag_kind(message: str) -> str:
    """A flag message of :func:`whoop.metrics.baselines.flag_messages` without its numbers, the
    filter's categories: ``"HRV below your normal range for 3 days"`` -> ``"HRV below your
    normal range"``, ``"Resting HR is 2.4 SD above your baseline"`` -> ``"Resting HR above your
    baseline"``."""
    return _NUMBERS.sub("", message)


def _gap_days(hrv_window: int, window: int, acute: int, chronic: int) -> int:
    """Empty days between two athletes on the shared calendar: more than any trailing window."""
    return max(hrv_window, window, acute, chronic, ms.LEDGER_NIGHTS, mb.HRV_7D_DAYS) + 1


def _stack(days: pd.DataFrame, gap: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(``days`` with dates shifted so athletes follow each other ``gap`` empty days apart and a
    ``_slot`` column, the athletes' slots: ``athlete_id``, ``first``, ``last`` real dates,
    ``start`` shifted first date, ``shift`` timedelta)."""
    span = days.groupby("athlete_id", sort=True)["date"].agg(first="min", last="max")
    length = (span["last"] - span["first"]).dt.days + 1 + gap
    start = _EPOCH + pd.to_timedelta(np.concatenate([[0], length.cumsum().to_numpy()[:-1]]),
                                     unit="D")
    slots = span.reset_index().assign(start=start.astype("datetime64[s]"))
    slots["shift"] = slots["start"] - slots["first"]
    index = pd.Series(np.arange(len(slots)), index=slots["athlete_id"].to_numpy())
    slot = index.reindex(days["athlete_id"].to_numpy()).to_numpy()
    stacked = days.assign(date=(days["date"] + slots["shift"].to_numpy()[slot]).astype("datetime64[s]"))
    stacked[_SLOT] = slot.astype("float64")
    return stacked, slots


def _unstack(frame: pd.DataFrame, slots: pd.DataFrame, day: pd.Timestamp
             ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two sets of rows of a per-calendar-day frame of the shifted calendar, back on
    ``athlete_id`` and real ``date`` (the empty days between athletes never count): each
    athlete's row of ``day``, and each athlete's latest row on or before ``day`` with an HRV
    7-day mean or any baseline input (the day of the Overview's flags,
    :func:`whoop.ui.insights.flags`). Only those rows are copied, not the calendar."""
    dates = frame["date"].to_numpy()
    slot = np.searchsorted(slots["start"].to_numpy(), dates, side="right") - 1
    real = dates - slots["shift"].to_numpy()[slot]
    keep = (real <= slots["last"].to_numpy()[slot]) & (real <= day.to_datetime64())
    on_day = np.flatnonzero(keep & (real == day.to_datetime64()))
    inputs = frame[_FLAG_INPUTS].notna().any(axis=1).to_numpy()
    candidates = np.flatnonzero(keep & inputs)
    athlete = slot[candidates]
    latest = candidates[np.append(athlete[1:] != athlete[:-1], True)] if len(candidates) else candidates

    def rows(at: np.ndarray) -> pd.DataFrame:
        out = frame.iloc[at].reset_index(drop=True)
        out["date"] = pd.Series(real[at]).astype("datetime64[s]")
        out.insert(0, "athlete_id", slots["athlete_id"].to_numpy()[slot[at]])
        return out
    return rows(on_day), rows(latest)


def _flags(latest: pd.DataFrame) -> pd.DataFrame:
    """Per athlete: the Overview's flags (:func:`whoop.ui.insights.flags`) of the rows
    ``latest`` of :func:`_unstack` (:func:`~whoop.metrics.baselines.flag_messages` of each,
    all at once: :func:`~whoop.metrics.baselines.flag_lists`)."""
    inputs = latest[["hrv_below_streak_days", "hrv_above_normal",
                     *(f"{m.baseline}_z" for m in mb.with_baseline())]]
    messages = mb.flag_lists(inputs)
    rows = [(a, "; ".join(m), tuple(flag_kind(x) for x in m), d)
            for a, m, d in zip(latest["athlete_id"].to_numpy(), messages, latest["date"].to_numpy(),
                               strict=True)]
    return pd.DataFrame(rows, columns=["athlete_id", "flags", "flag_kinds", "flags_date"])


def team_frame(days: pd.DataFrame, freshness: pd.DataFrame, day: date, *,
               hrv_window: int = mb.HRV_NORMAL_WINDOW_DAYS, window: int = mb.BASELINE_WINDOW_DAYS,
               acute: int = ml.ACUTE_DAYS, chronic: int = ml.CHRONIC_DAYS) -> pd.DataFrame:
    """One row per athlete of ``freshness`` for ``day``: readiness, load and data freshness.

    Args:
        days: :meth:`Store.roster_days` (``athlete_id`` + ``schema.DAYS``), any dates (days after
            ``day`` are ignored; the history before it feeds the baselines).
        freshness: :meth:`Store.roster_freshness` (athlete_id, name, last_record_utc,
            last_sync_utc, token_status): the roster, one row per athlete.
        day: the day shown (a day label, local date).
        hrv_window, window, acute, chronic: the settings' windows (days), as on the Overview.
    Returns:
        :data:`COLUMNS`, one row per athlete in ``freshness`` order (blank where the athlete
        has no valid value that day; the measures are the day's own, not an earlier day's):
        ``athlete_id`` int64; ``athlete`` str (as stored: escape where shown); ``date``
        datetime64[s] (= ``day``);
        ``recovery_score_pct`` float64 % and ``recovery_zone`` string (green/yellow/red, WHOOP's
        zones); ``hrv_rmssd_ms`` float64 ms (the night's RMSSD), ``hrv_7d_ms`` (7-day mean of ln
        RMSSD, back in ms), ``hrv_normal_low_ms`` / ``hrv_normal_high_ms`` (the normal range,
        Plews et al.), ``hrv_vs_normal`` string (below/within/above: the 7-day mean against the
        range, blank until both are known); ``resting_hr_bpm`` float64 and ``resting_hr_z``
        float64 (z against the ``window``-day baseline); ``asleep_h``, ``sleep_need_h``
        float64 h, ``sleep_performance_pct`` float64 % (WHOOP's sleep performance);
        ``sleep_debt_14n_h`` float64 h (the 14-night ledger); ``day_strain`` float64 (WHOOP
        0-21, closed cycles only); ``acwr`` float64 (EWMA acute:chronic ratio of day strain),
        ``acwr_provisional`` boolean; ``flags`` str (the Overview's flag messages joined by
        "; ", "" for none), ``flag_kinds`` tuple of str (:func:`flag_kind` of each),
        ``flags_date`` datetime64[s] (the day the flags are of: the latest with HRV or baseline
        inputs on or before ``day``); ``last_record_date`` datetime64[s] (the athlete's newest
        day), ``last_record_utc``, ``last_sync_utc`` (UTC timestamps), ``token_status`` str
        (the WHOOP connection, blank: never connected).
    """
    day = pd.Timestamp(day).normalize()
    ids = freshness["athlete_id"].astype("int64").to_numpy()
    out = pd.DataFrame({"athlete_id": ids, "athlete": freshness["name"].astype(str).to_numpy()})
    out["date"] = pd.Series(day, index=out.index).astype("datetime64[s]")
    mine = days["athlete_id"].isin(ids).to_numpy()
    known = days if mine.all() else days[mine]          # (no copy of the rows when all are)
    known = known.assign(athlete_id=known["athlete_id"].astype("int64"))
    last_date = known.groupby("athlete_id")["date"].max()
    before = (known["date"] <= day).to_numpy()
    upto = known if before.all() else known[before]
    # the score states as categories: the calendars reindex them (a take of codes, not of text)
    upto = upto.astype({c: "category" for c in _STATES if c in upto.columns})
    if upto.empty:
        rows = pd.DataFrame({"athlete_id": pd.Series(dtype="int64")})
        flags = pd.DataFrame({"athlete_id": pd.Series(dtype="int64"), "flags": [],
                              "flag_kinds": [], "flags_date": []})
    else:
        stacked, slots = _stack(upto, _gap_days(hrv_window, window, acute, chronic))
        # one calendar for every function: on a calendar full_calendar only marks has_row,
        # which none of them reads, so each gives what it gives on ``stacked``
        cal = full_calendar(stacked)
        valid = valid_columns(cal, _DAY_COLUMNS).assign(date=cal["date"])
        base = mb.baselines(cal, hrv_window=hrv_window, window=window)
        ledger = ms.sleep_debt_ledger(cal)
        load = ml.acwr(cal, acute=acute, chronic=chronic, groups=_SLOT)
        parts = [base[["date", *_BASE_COLUMNS]], ledger[["date", "debt_ledger_min"]],
                 load[["date", "acwr_strain", "acwr_provisional"]]]
        if all(part["date"].equals(valid["date"]) for part in parts):
            # one calendar, one row per day in the same order: side by side, no join
            merged = pd.concat([valid, *(part.drop(columns="date") for part in parts)], axis=1)
        else:
            merged = valid
            for part in parts:
                merged = merged.merge(part, on="date")
        rows, latest = _unstack(merged, slots, day)
        flags = _flags(latest)
    rows = rows.reindex(columns=["athlete_id", *_ROW_COLUMNS])
    r = out[["athlete_id"]].merge(rows.astype({"athlete_id": "int64"}), on="athlete_id", how="left")
    out["recovery_score_pct"] = r["recovery_score"].astype("float64")
    out["recovery_zone"] = recovery_zone(out["recovery_score_pct"])
    out["hrv_rmssd_ms"] = r["hrv_rmssd_ms"].astype("float64")
    out["hrv_7d_ms"] = np.exp(r["hrv_ln_rmssd_7d"].astype("float64"))
    out["hrv_normal_low_ms"] = np.exp(r["hrv_normal_low"].astype("float64"))
    out["hrv_normal_high_ms"] = np.exp(r["hrv_normal_high"].astype("float64"))
    known_range = out["hrv_7d_ms"].notna() & out["hrv_normal_low_ms"].notna()
    where = np.where(r["hrv_below_normal"].fillna(False).astype(bool), "below",
                     np.where(r["hrv_above_normal"].fillna(False).astype(bool), "above", "within"))
    out["hrv_vs_normal"] = pd.Series(where, dtype="string").where(known_range.to_numpy(), pd.NA)
    out["resting_hr_bpm"] = r["resting_heart_rate_bpm"].astype("float64")
    out["resting_hr_z"] = r["rhr_z"].astype("float64")
    out["asleep_h"] = r["asleep_min"].astype("float64") / 60
    out["sleep_need_h"] = r["sleep_need_min"].astype("float64") / 60
    out["sleep_performance_pct"] = r["sleep_performance_pct"].astype("float64")
    out["sleep_debt_14n_h"] = r["debt_ledger_min"].astype("float64") / 60
    out["day_strain"] = r["day_strain"].astype("float64")
    out["acwr"] = r["acwr_strain"].astype("float64")
    out["acwr_provisional"] = r["acwr_provisional"].astype("boolean")
    f = out[["athlete_id"]].merge(flags, on="athlete_id", how="left")
    out["flags"] = f["flags"].fillna("").astype(str).to_numpy()
    out["flag_kinds"] = [k if isinstance(k, tuple) else () for k in f["flag_kinds"]]
    out["flags_date"] = pd.to_datetime(f["flags_date"]).astype("datetime64[s]").to_numpy()
    out["last_record_date"] = last_date.reindex(ids).astype("datetime64[s]").to_numpy()
    for col in ("last_record_utc", "last_sync_utc"):
        out[col] = freshness[col].to_numpy()
    out["token_status"] = freshness["token_status"].astype("string").to_numpy()
    return out[COLUMNS]


def recovery_series(days: pd.DataFrame, freshness: pd.DataFrame, day: date, *,
                    n_days: int = SERIES_DAYS) -> pd.DataFrame:
    """Each athlete's recovery over the ``n_days`` days ending on ``day`` (small multiples).

    Args:
        days, freshness: as :func:`team_frame`.
    Returns:
        ``athlete_id`` int64, ``athlete`` str, ``date`` datetime64[s], ``recovery_score_pct``
        float64 (NaN on a day without a valid recovery: unscored, calibrating, no main sleep,
        no data), ``recovery_zone`` string; ``n_days`` rows per athlete of ``freshness``, in its
        order, oldest day first.
    """
    end = pd.Timestamp(day).normalize()
    dates = pd.date_range(end - pd.Timedelta(days=n_days - 1), end, freq="D").astype("datetime64[s]")
    ids = freshness["athlete_id"].astype("int64").to_numpy()
    grid = pd.DataFrame({"athlete_id": np.repeat(ids, len(dates)),
                         "athlete": np.repeat(freshness["name"].astype(str).to_numpy(), len(dates)),
                         "date": np.tile(dates.to_numpy(), len(ids))})
    window = days[(days["date"] >= dates[0]) & (days["date"] <= end)]
    score = valid_columns(window, ["recovery_score"])["recovery_score"]
    have = pd.DataFrame({"athlete_id": window["athlete_id"].astype("int64").to_numpy(),
                         "date": window["date"].astype("datetime64[s]").to_numpy(),
                         "recovery_score_pct": score.to_numpy()})
    have = have.drop_duplicates(["athlete_id", "date"], keep="last")
    out = grid.merge(have, on=["athlete_id", "date"], how="left")
    out["recovery_score_pct"] = out["recovery_score_pct"].astype("float64")
    out["recovery_zone"] = recovery_zone(out["recovery_score_pct"])
    return out


def filter_flags(team: pd.DataFrame, kinds: list[str]) -> pd.DataFrame:
    """The rows of a :func:`team_frame` with at least one flag of ``kinds`` (all rows when
    ``kinds`` is empty)."""
    if not kinds:
        return team
    wanted = set(kinds)
    return team[[bool(wanted.intersection(k)) for k in team["flag_kinds"]]]


def flag_options(team: pd.DataFrame) -> list[str]:
    """Every flag kind present in a :func:`team_frame`, sorted."""
    return sorted({k for kinds in team["flag_kinds"] for k in kinds})


def csv_frame(team: pd.DataFrame) -> pd.DataFrame:
    """The team frame as downloaded: every column but ``athlete_id`` and ``flag_kinds``
    (write it with :func:`whoop.csvout.write_csv`, which keeps hostile names as data)."""
    return team.drop(columns=["athlete_id", "flag_kinds"])


#: Orders of the team table: label -> (column, ascending). Blanks always last.
SORTS: dict[str, tuple[str, bool]] = {
    "Recovery, lowest first": ("recovery_score_pct", True),
    "Athlete name": ("athlete", True),
    "Resting HR z, highest first": ("resting_hr_z", False),
    "Sleep debt, most first": ("sleep_debt_14n_h", False),
    "ACWR, highest first": ("acwr", False),
    "Flags, most first": ("flag_count", False),
    "Last record, oldest first": ("last_record_date", True),
}


def sort_team(team: pd.DataFrame, order: str) -> pd.DataFrame:
    """A :func:`team_frame` in the order ``order`` (a key of :data:`SORTS`), ties by name,
    athletes without a value last.

    Raises:
        KeyError: an unknown order.
    """
    column, ascending = SORTS[order]
    key = (team["flag_kinds"].map(len) if column == "flag_count" else team[column])
    keyed = team.assign(_key=key.to_numpy(), _name=team["athlete"].str.casefold())
    keyed = keyed.sort_values("_name", kind="stable")
    keyed = keyed.sort_values("_key", ascending=ascending, kind="stable", na_position="last")
    return keyed.drop(columns=["_key", "_name"]).reset_index(drop=True)
