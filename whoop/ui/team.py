"""The Team page's Streamlit glue: who may see it, the roster's frames (cached per data version)
and the page's parts (the day, the table, the filter, the way to one athlete's pages, the small
multiples, the CSV download).

Only a coach (or the personal deployment's owner) sees the page
(:attr:`whoop.accounts.Viewer.is_coach`); the frames hold only the athletes of
:meth:`~whoop.accounts.Viewer.athlete_ids`. The roster is read with one query per table
(:meth:`Store.roster_days`, :meth:`Store.roster_freshness`) whatever its size, and
:mod:`whoop.metrics.team` computes every row in one pass.
"""

from __future__ import annotations

import io
from datetime import date

import pandas as pd
import streamlit as st

from whoop import csvout
from whoop.charts.team import recovery_multiples
from whoop.metrics import team as mt
from whoop.metrics.units import Settings
from whoop.ui import data
from whoop.ui.analytics import APP_WIDE, current_settings
from whoop.ui.layout import chart
from whoop.ui.session import viewer
from whoop.ui.sidebar import select_athlete

OVERVIEW_PAGE = "pages/overview.py"
_LAST_KEY = "_whoop_team_last_day"     # the roster's latest day when the picker was last drawn
DAY_KEY, SORT_KEY, FLAG_KEY, OPEN_KEY = "team_day", "team_sort", "team_flags", "team_open"
REFUSAL = ("The Team page is for coaches. Your account sees your own data on the other pages.")
_CACHE: data.CacheOptions = {"ttl": data.TTL_S, "max_entries": data.MAX_ENTRIES, "show_spinner": False}
ZONE_STYLE = {"green": "background-color: rgba(22,236,6,0.25)",
              "yellow": "background-color: rgba(255,222,0,0.25)",
              "red": "background-color: rgba(255,0,38,0.3)"}


def roster_ids() -> list[int] | None:
    """The athletes the signed-in person may see on the Team page, or None when they are no
    coach (the page then refuses)."""
    who = viewer()
    if not who.is_coach:
        return None
    return who.athlete_ids(data.get_store())


@st.cache_data(**_CACHE)
def _roster(location: str, version: str, ids: tuple[int, ...]) -> tuple[pd.DataFrame, pd.DataFrame]:
    store = data.get_store()
    return (store.roster_days(list(ids), columns=mt.ROSTER_COLUMNS),
            store.roster_freshness(list(ids)))


def roster(ids: list[int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(:meth:`Store.roster_days`, :meth:`Store.roster_freshness`) of ``ids``, cached by the
    store's data version (any athlete's import or sync refreshes it)."""
    return _roster(data.location(), data.data_version(), tuple(sorted(ids)))


@st.cache_data(**_CACHE)
def _frames(location: str, version: str, ids: tuple[int, ...], day: date, hrv_window: int,
            window: int, acute: int, chronic: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    days, fresh = _roster(location, version, ids)
    team = mt.team_frame(days, fresh, day, hrv_window=hrv_window, window=window, acute=acute,
                         chronic=chronic)
    return team, mt.recovery_series(days, fresh, day)


def frames(ids: list[int], day: date, s: Settings) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(:func:`whoop.metrics.team.team_frame`, :func:`~whoop.metrics.team.recovery_series`)
    of ``ids`` on ``day`` with the app-wide windows ``s``."""
    return _frames(data.location(), data.data_version(), tuple(sorted(ids)), day,
                   s.hrv_normal_window_days, s.baseline_window_days, s.acute_days, s.chronic_days)


def settings() -> Settings:
    """The app-wide settings (the team's windows; an athlete's own overrides apply on their
    own pages)."""
    return current_settings(APP_WIDE)


def pick_day(days: pd.DataFrame) -> date:
    """The date picker: any day of the roster's data, the latest by default. A picker left on
    the latest day follows it when a newer day arrives (a sync, WHOOP's webhooks); a day the
    coach picked stays."""
    first, last = days["date"].min().date(), days["date"].max().date()
    picked, seen = st.session_state.get(DAY_KEY), st.session_state.get(_LAST_KEY)
    if not isinstance(picked, date) or not first <= picked <= last or picked == seen:
        st.session_state[DAY_KEY] = last
    st.session_state[_LAST_KEY] = last
    return st.date_input("Day", min_value=first, max_value=last, key=DAY_KEY, format="YYYY-MM-DD")


def controls(team: pd.DataFrame) -> pd.DataFrame:
    """The order and flag filter; returns the rows to show, in order."""
    left, right = st.columns(2)
    with left:
        order = st.selectbox("Sort by", list(mt.SORTS), key=SORT_KEY)
    with right:
        kinds = st.multiselect("Only athletes flagged with", mt.flag_options(team), key=FLAG_KEY,
                               placeholder="any flag or none")
    return mt.filter_flags(mt.sort_team(team, order or next(iter(mt.SORTS))), kinds)


def _display(team: pd.DataFrame) -> pd.DataFrame:
    out = team.drop(columns=["athlete_id", "flag_kinds", "date"])
    low, high = team["hrv_normal_low_ms"], team["hrv_normal_high_ms"]
    rng = [f"{lo:.0f}–{hi:.0f}" if pd.notna(lo) and pd.notna(hi) else None
           for lo, hi in zip(low, high, strict=True)]
    out.insert(list(out.columns).index("hrv_normal_low_ms"), "hrv_normal_range_ms", rng)
    return out.drop(columns=["hrv_normal_low_ms", "hrv_normal_high_ms"])


COLUMN_CONFIG = {
    "athlete": st.column_config.TextColumn("Athlete", pinned=True),
    "recovery_score_pct": st.column_config.NumberColumn("Recovery %", format="%.0f"),
    "recovery_zone": st.column_config.TextColumn("Zone"),
    "hrv_rmssd_ms": st.column_config.NumberColumn("HRV ms", format="%.0f"),
    "hrv_7d_ms": st.column_config.NumberColumn("HRV 7-d ms", format="%.0f"),
    "hrv_normal_range_ms": st.column_config.TextColumn("HRV normal ms"),
    "hrv_vs_normal": st.column_config.TextColumn("HRV vs normal"),
    "resting_hr_bpm": st.column_config.NumberColumn("RHR bpm", format="%.0f"),
    "resting_hr_z": st.column_config.NumberColumn("RHR z", format="%+.1f"),
    "asleep_h": st.column_config.NumberColumn("Asleep h", format="%.1f"),
    "sleep_need_h": st.column_config.NumberColumn("Need h", format="%.1f"),
    "sleep_performance_pct": st.column_config.NumberColumn("Sleep perf. %", format="%.0f"),
    "sleep_debt_14n_h": st.column_config.NumberColumn("Debt 14 n h", format="%.1f"),
    "day_strain": st.column_config.NumberColumn("Strain", format="%.1f"),
    "acwr": st.column_config.NumberColumn("ACWR", format="%.2f"),
    "acwr_provisional": st.column_config.CheckboxColumn("ACWR provisional"),
    "flags": st.column_config.TextColumn("Flags", width="large"),
    "flags_date": st.column_config.DateColumn("Flags of"),
    "last_record_date": st.column_config.DateColumn("Last day"),
    "last_record_utc": st.column_config.DatetimeColumn("Last record (UTC)", format="YYYY-MM-DD HH:mm"),
    "last_sync_utc": st.column_config.DatetimeColumn("Last sync (UTC)", format="YYYY-MM-DD HH:mm"),
    "token_status": st.column_config.TextColumn("WHOOP connection"),
}


def table(team: pd.DataFrame) -> None:
    """The sortable table (click a header to re-sort), zones coloured."""
    shown = _display(team)
    styled = shown.style.map(lambda z: ZONE_STYLE.get(z, "") if isinstance(z, str) else "",
                             subset=["recovery_zone"])
    st.dataframe(styled, column_config=COLUMN_CONFIG, hide_index=True, width="stretch")


def open_athlete(team: pd.DataFrame) -> None:
    """Pick an athlete of the table and open their pages: the sidebar picks them and the app
    goes to the Overview."""
    names = team.loc[team["last_record_date"].notna(), "athlete"].tolist()
    if not names:
        return
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    with left:
        name = st.selectbox("Athlete", names, key=OPEN_KEY)
    with right:
        if st.button("Open their pages", icon=":material/person:", key=OPEN_KEY + "_go"):
            select_athlete(name)
            st.switch_page(OVERVIEW_PAGE)


def download(team: pd.DataFrame, day: date) -> None:
    """The CSV of the rows shown (:func:`whoop.csvout.write_csv`: names stay data)."""
    buffer = io.StringIO()
    csvout.write_csv(mt.csv_frame(team), buffer, date_format="%Y-%m-%d")
    st.download_button("Download CSV", buffer.getvalue(), file_name=f"team_{day:%Y-%m-%d}.csv",
                       mime="text/csv", icon=":material/download:")


def multiples(series: pd.DataFrame, shown: pd.DataFrame) -> None:
    """The small multiples of the athletes shown, in the table's order."""
    order = pd.Series(range(len(shown)), index=shown["athlete_id"].to_numpy())
    part = series[series["athlete_id"].isin(order.index)]
    part = part.assign(_o=order.reindex(part["athlete_id"].to_numpy()).to_numpy())
    part = part.sort_values(["_o", "date"], kind="stable").drop(columns="_o")
    chart(recovery_multiples(part), key="team_multiples")


def names_caption(team: pd.DataFrame) -> str:
    """"n athletes" with the roster size, for the caption above the table."""
    return f"{len(team)} athlete{'s' if len(team) != 1 else ''}"


def refuse() -> None:
    """The refusal a person who is no coach sees (nothing of the roster is read)."""
    st.warning(REFUSAL, icon=":material/block:")



#: how often an open Team page asks whether the roster's data changed
FOLLOW_S = 3.0


@st.fragment(run_every=FOLLOW_S)
def follow(version: str) -> None:
    """Keep an open Team page current: every :data:`FOLLOW_S` seconds compare the store's data
    version with ``version`` (the one the page was drawn from) and rerun the page when a worker
    has synced or applied WHOOP's webhooks meanwhile. Draws nothing."""
    if data.data_version() != version:
        st.rerun()
