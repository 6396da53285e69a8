"""Streamlit helpers of the analytics pages (Journal, Trends, Explain a day, Settings).

Settings, remembered in the store's ``settings`` table under the
:class:`~whoop.metrics.units.Settings` field names as keys, values JSON-encoded by
``Store.set_setting``:

* units ``energy_unit`` ("kJ"/"kcal"), ``temperature_unit`` ("C"/"F"), ``clock`` ("24h"/"12h")
  are the viewer's display preference: always app-wide (``athlete_id = 0``);
* windows ``hrv_normal_window_days``, ``baseline_window_days``, ``acute_days``, ``chronic_days``
  are app-wide too, and an athlete may override them (``athlete_id = <id>``; a JSON ``null``
  there means "use the app-wide value"), e.g. a coach keeping a longer window for one athlete.

:func:`current_settings` resolves defaults <- app-wide <- athlete; stored values that fail
validation are ignored (logged) so a hand-edited database never breaks a page. Settings are not
secrets; they are cached (``st.cache_data``) and the cache is cleared on every save.

Also here: cached journal impact and explain-a-day results keyed by the athlete's data version,
the explain-a-day sentences and the deviation bar chart (names, units and formats of the
metrics: :mod:`whoop.metrics.catalog`).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, fields, replace
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from whoop.charts.history import calendar_heatmap_figure
from whoop.charts.theme import FG, GREEN, GREY, GRID, RED
from whoop.errors import InputError, SignInError
from whoop.metrics import explain as mx
from whoop.metrics import journal as mj
from whoop.metrics.catalog import CATALOG
from whoop.metrics.units import Settings, format_duration, missing
from whoop.ui import data
from whoop.ui.sidebar import selection

log = logging.getLogger("whoop.ui")

APP_WIDE = 0
UNIT_KEYS: tuple[str, ...] = ("energy_unit", "temperature_unit", "clock")
WINDOW_KEYS: tuple[str, ...] = ("hrv_normal_window_days", "baseline_window_days", "acute_days",
                                "chronic_days")
SETTINGS_TTL_S = 600

# ------------------------------------------------------------------------------- settings
def _valid_items(raw: dict[str, Any]) -> dict[str, Any]:
    """The subset of ``raw`` (stored JSON values) that passes :class:`Settings` validation one
    key at a time."""
    ok: dict[str, Any] = {}
    for key, value in raw.items():
        try:
            replace(Settings(), **{key: value})
        except (InputError, TypeError) as exc:
            log.warning("ignoring stored setting %s=%r: %s", key, value, exc)
            continue
        ok[key] = value
    return ok


@st.cache_data(ttl=SETTINGS_TTL_S, max_entries=64, show_spinner=False)
def _stored(location: str, athlete_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """(app-wide, athlete override) raw stored values, unknown / null keys left out."""
    store = data.get_store()
    names = [f.name for f in fields(Settings)]
    app = {k: v for k in names if (v := store.get_setting(k, athlete_id=APP_WIDE)) is not None}
    own: dict[str, Any] = {}
    if athlete_id != APP_WIDE:
        own = {k: v for k in WINDOW_KEYS
               if (v := store.get_setting(k, athlete_id=athlete_id)) is not None}
    return app, own


def _athlete(athlete_id: int | None) -> int:
    if athlete_id is not None:
        return athlete_id
    sel = selection()
    return sel.athlete_id if sel is not None else APP_WIDE


def current_settings(athlete_id: int | None = None) -> Settings:
    """The effective :class:`Settings`: defaults, then app-wide values, then the athlete's own
    window overrides. ``athlete_id`` defaults to the sidebar's athlete (app-wide without one).

    Invalid stored values are skipped; a combination that is invalid as a whole (e.g. an
    athlete's acute window longer than the app-wide chronic one) falls back to app-wide windows.
    """
    aid = _athlete(athlete_id)
    app, own = _stored(data.location(), aid)
    app, own = _valid_items(app), _valid_items(own)
    try:
        base = replace(Settings(), **app)
    except InputError as exc:
        log.warning("app-wide settings ignored: %s", exc)
        base = replace(Settings(), **{k: v for k, v in app.items() if k in UNIT_KEYS})
    try:
        return replace(base, **own)
    except InputError as exc:
        log.warning("athlete %s window settings ignored: %s", aid, exc)
        return base


def has_override(athlete_id: int) -> bool:
    """True when the athlete has window settings of their own."""
    return athlete_id != APP_WIDE and bool(_stored(data.location(), athlete_id)[1])


def save_settings(settings: Settings, *, athlete_id: int = APP_WIDE) -> None:
    """Store ``settings`` (already validated by construction): units app-wide; windows app-wide
    when ``athlete_id`` is 0, else as that athlete's override. Clears the settings cache. A
    team's athlete saves only their own windows (units and app-wide windows are the coach's).

    Raises:
        SignInError: an athlete tried the app-wide settings or another athlete's.
        whoop.errors.DatabaseBusyError (or another StoreError): the database cannot be written.
    """
    coach = data.scope() is None
    if not coach and athlete_id == APP_WIDE:
        raise SignInError("only a coach changes the settings of every athlete")
    if athlete_id != APP_WIDE:
        data.allowed(athlete_id)
    store = data.get_store()
    values = asdict(settings)
    for key in UNIT_KEYS if coach else ():       # units are app-wide: a coach's choice
        store.set_setting(key, values[key], athlete_id=APP_WIDE)
    for key in WINDOW_KEYS:
        store.set_setting(key, values[key], athlete_id=athlete_id)
    _stored.clear()


def clear_override(athlete_id: int) -> None:
    """Make the athlete use the app-wide windows again (stores JSON null per window key)."""
    data.allowed(athlete_id)
    store = data.get_store()
    for key in WINDOW_KEYS:
        store.set_setting(key, None, athlete_id=athlete_id)
    _stored.clear()


# ------------------------------------------------------------------------ cached analytics
@st.cache_data(ttl=data.TTL_S, max_entries=data.MAX_ENTRIES, show_spinner=False)
def _impact(location: str, version: str, athlete_id: int, start: date | None,
            end: date | None) -> tuple[pd.DataFrame, int]:
    days, journal = data.days(athlete_id), data.records("journal", athlete_id)
    answered = mj.answers_with_metrics(days, journal, start=start, end=end)
    return mj.journal_impact(days, journal, start=start, end=end), int(answered["date"].nunique())


def journal_impact(athlete_id: int, start: date | None, end: date | None) -> tuple[pd.DataFrame,
                                                                                   int]:
    """:func:`whoop.metrics.journal.journal_impact` of the athlete over ``[start, end]`` (None =
    open), cached per data version, and the number of days with answers in the period."""
    return _impact(*data.athlete_key(athlete_id), athlete_id, start, end)


@st.cache_data(ttl=data.TTL_S, max_entries=data.MAX_ENTRIES, show_spinner=False)
def _explain(location: str, version: str, athlete_id: int, day: date, hrv_window: int,
             window: int) -> mx.ExplainedDay:
    return mx.explain_day(data.days(athlete_id), data.records("journal", athlete_id), day, k=5,
                          hrv_window=hrv_window, window=window)


def explain_day(athlete_id: int, day: date, settings: Settings) -> mx.ExplainedDay:
    """:func:`whoop.metrics.explain.explain_day` with the settings' windows, cached."""
    return _explain(*data.athlete_key(athlete_id), athlete_id, day,
                    settings.hrv_normal_window_days, settings.baseline_window_days)


# --------------------------------------------------------------------------------- format
def deviation_sentence(row: pd.Series, s: Settings, hrv_window: int, window: int) -> str:
    """Plain words for one :class:`~whoop.metrics.explain.ExplainedDay` deviation row, e.g.
    "HRV 18% below your 60-day normal" or "Resting HR 4.0 bpm above your 30-day baseline"."""
    x = row["input"]
    metric = CATALOG[x]
    name = metric.name
    need = mx.min_days(hrv_window if x == "hrv_rmssd_ms" else window)
    if missing(row["value"]):
        return f"{name}: no valid value on this day."
    if missing(row["baseline"]):
        return (f"{name}: not enough history for a baseline yet (insufficient data: "
                f"{int(row['days_used'])} of the {need} valid days needed).")
    dev = float(row["deviation"])
    side = "above" if dev > 0 else "below"
    if x == "hrv_rmssd_ms":
        pct = 100 * dev / float(row["baseline"])
        return f"HRV {abs(pct):.0f}% {side} your {hrv_window}-day normal."
    span = f"your {window}-day baseline"
    if x == "asleep_minus_need_min":
        val = float(row["value"])
        got = (f"slept {format_duration(abs(val))} "
               f"{'more' if val >= 0 else 'less'} than needed")
        better = "better" if dev > 0 else "worse"
        return f"Sleep vs need: {got}, {format_duration(abs(dev))} {better} than {span}."
    if x == "prior_day_strain":
        return f"Prior-day strain {float(row['value']):.1f}, {abs(dev):.1f} {side} {span}."
    return f"{name} {metric.fmt(abs(dev), s, delta=True).lstrip('+')} {side} {span}."


def deviation_figure(dev: pd.DataFrame) -> go.Figure:
    """Horizontal bars of each input's z-score (value vs its baseline, SD units), green when the
    direction is usually good for recovery, red when usually bad, grey when neither; dotted lines
    at ±2 SD. Inputs without a baseline are left out.

    Args:
        dev: ``ExplainedDay.deviations`` (input, z, ...).
    """
    d = dev.dropna(subset=["z"]).iloc[::-1]
    good = [CATALOG[x].higher_is_better for x in d["input"]]
    colors = [GREY if g is None else (GREEN if (z > 0) == g else RED)
              for g, z in zip(good, d["z"], strict=False)]
    fig = go.Figure(go.Bar(x=d["z"], y=[CATALOG[x].name for x in d["input"]], orientation="h",
                           marker_color=colors, hovertemplate="%{y}: z = %{x:+.2f}<extra></extra>"))
    for edge in (-2, 2):
        fig.add_vline(x=edge, line=dict(color=GREY, dash="dot", width=1))
    fig.add_vline(x=0, line=dict(color=FG, width=1))
    lim = max(3.0, float(np.nanmax(np.abs(d["z"]))) + 0.5) if len(d) else 3.0
    fig.update_xaxes(range=[-lim, lim], title="SD from your baseline (z)", zeroline=False)
    fig.update_layout(height=60 + 44 * max(1, len(d)), showlegend=False, bargap=0.35)
    fig.update_traces(marker_line_width=0)
    fig.update_xaxes(gridcolor=GRID)
    return fig


MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
#: day of year (1-366, non-leap year) on which each month starts
MONTH_START_DOY = [1, 32, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335]


def calendar_year_figure(cells: pd.DataFrame) -> go.Figure:
    """One year of :func:`whoop.charts.history.calendar_heatmap_figure` (``cells`` of a single
    year from :func:`whoop.metrics.horizons.calendar_heatmap_frame`) with month names under the
    week columns, room for the year title and no grid lines across the squares."""
    fig = calendar_heatmap_figure(cells)
    year = int(cells["year"].iloc[0])
    jan1_wd = pd.Timestamp(year=year, month=1, day=1).day_of_week
    weeks = [(pd.Timestamp(year=year, month=mo, day=1).day_of_year - 1 + jan1_wd) // 7
             for mo in range(1, 13)]
    fig.update_xaxes(showticklabels=True, tickvals=weeks, ticktext=MONTHS, showgrid=False,
                     range=[-0.6, 53.6], ticks="")
    fig.update_yaxes(showgrid=False)
    fig.update_layout(height=230, margin=dict(l=10, r=10, t=30, b=10))
    return fig
