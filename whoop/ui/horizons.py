"""Cached long-horizon frames and figures of the Trends page (:mod:`whoop.metrics.horizons`,
:mod:`whoop.charts.history`), so a rerun that changes nothing they depend on recomputes nothing:

* frames (``st.cache_data``, a copy per call): the recovery calendar cells, a metric's year-over-
  year and month-of-year views, the valid headline metrics that period A vs B averages;
* figures (``st.cache_resource``, the same object every call): the recovery calendar, one figure
  per year, and the year-over-year and month-of-year figures of a metric. Building a calendar
  year costs about 30 ms of plotly, and a history has a calendar per year. Callers pass them to
  :func:`whoop.ui.layout.chart` and never change them (``st.plotly_chart`` only reads a figure).

Every entry is keyed by (database location, the athlete's data version:
:func:`whoop.ui.data.athlete_key`, athlete id, and what else it depends on), like the loaders of
:mod:`whoop.ui.data`: another athlete, or the same athlete after an import or sync, is another key,
never a stale or foreign frame. Health frames only, never a token or secret.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from whoop.charts import history
from whoop.metrics import horizons as mh
from whoop.ui import data
from whoop.ui.analytics import MONTH_START_DOY, MONTHS, calendar_year_figure

_CACHE: data.CacheOptions = dict(ttl=data.TTL_S, max_entries=data.MAX_ENTRIES, show_spinner=False)
#: smallest number of valid days of a month shown in the month-of-year grid
MIN_MONTH_DAYS = 7


@dataclass(frozen=True)
class Calendar:
    """The recovery calendar of one athlete.

    Attributes:
        scored: days with a valid recovery score.
        figures: ``(year, figure)`` per year touched, newest year first
            (:func:`whoop.ui.analytics.calendar_year_figure` of
            :func:`whoop.metrics.horizons.calendar_heatmap_frame`).
    """

    scored: int
    figures: list[tuple[int, go.Figure]]


@st.cache_resource(**_CACHE)
def _calendar(location: str, version: str, athlete_id: int) -> Calendar:
    cells = mh.calendar_heatmap_frame(data.days(athlete_id), "recovery_score")
    figures = [(int(year), calendar_year_figure(cells[cells["year"] == year]))
               for year in sorted(cells["year"].unique(), reverse=True)]
    return Calendar(int(cells["value"].notna().sum()), figures)


def recovery_calendar(athlete_id: int) -> Calendar:
    """The athlete's recovery :class:`Calendar`. Shared figures: do not change them."""
    return _calendar(*data.athlete_key(athlete_id), athlete_id)


@dataclass(frozen=True)
class YearViews:
    """A metric's long-horizon views, already divided by the display divisor.

    Attributes:
        n_valid: valid days of the metric.
        yoy: :func:`whoop.metrics.horizons.year_over_year` (``value`` / divisor).
        moy: :func:`whoop.metrics.horizons.month_of_year` (``mean`` / divisor, NaN for months
            with fewer than :data:`MIN_MONTH_DAYS` valid days).
        years_with_values: years with a value in ``yoy``, newest first.
    """

    n_valid: int
    yoy: pd.DataFrame
    moy: pd.DataFrame
    years_with_values: list[int]


@st.cache_data(**_CACHE)
def _views(location: str, version: str, athlete_id: int, metric: str, div: float) -> YearViews:
    days = data.days(athlete_id)
    n_valid = int(mh.valid_metrics(days, [metric])[metric].notna().sum())
    yoy = mh.year_over_year(days, metric)
    moy = mh.month_of_year(days, metric)
    yoy["value"] = yoy["value"] / div
    moy["mean"] = (moy["mean"] / div).where(moy["n"] >= MIN_MONTH_DAYS)
    years = sorted(yoy.dropna(subset=["value"])["year"].unique(), reverse=True)
    return YearViews(n_valid, yoy, moy, years)


def year_views(athlete_id: int, metric: str, div: float) -> YearViews:
    """The :class:`YearViews` of ``metric`` (a ``schema.DAYS`` column) divided by ``div``
    (e.g. 60 for minutes shown as hours)."""
    return _views(*data.athlete_key(athlete_id), athlete_id, metric, div)


@st.cache_resource(**_CACHE)
def _yoy_figure(location: str, version: str, athlete_id: int, metric: str, div: float,
                label: str, highlight: int) -> go.Figure:
    views = _views(location, version, athlete_id, metric, div)
    fig = history.year_over_year_figure(views.yoy, label=label, highlight=highlight)
    fig.update_xaxes(title=None, tickvals=MONTH_START_DOY, ticktext=MONTHS)
    return fig


def year_over_year_figure(athlete_id: int, metric: str, div: float, label: str,
                          highlight: int) -> go.Figure:
    """:func:`whoop.charts.history.year_over_year_figure` of :func:`year_views` with month names
    on the day-of-year axis. Shared figure: do not change it."""
    return _yoy_figure(*data.athlete_key(athlete_id), athlete_id, metric, div, label,
                       int(highlight))


@st.cache_resource(**_CACHE)
def _moy_figure(location: str, version: str, athlete_id: int, metric: str, div: float,
                label: str) -> go.Figure:
    views = _views(location, version, athlete_id, metric, div)
    return history.month_of_year_figure(views.moy, label=label)


def month_of_year_figure(athlete_id: int, metric: str, div: float, label: str) -> go.Figure:
    """:func:`whoop.charts.history.month_of_year_figure` of :func:`year_views`. Shared figure:
    do not change it."""
    return _moy_figure(*data.athlete_key(athlete_id), athlete_id, metric, div, label)


@st.cache_data(**_CACHE)
def _valid(location: str, version: str, athlete_id: int,
           metrics: tuple[str, ...]) -> pd.DataFrame:
    return mh.valid_metrics(data.days(athlete_id), list(metrics))


@st.cache_data(**_CACHE)
def _compare(location: str, version: str, athlete_id: int, a: tuple[date, date],
             b: tuple[date, date], metrics: tuple[str, ...]) -> pd.DataFrame:
    return mh.compare_valid_periods(_valid(location, version, athlete_id, metrics), a, b)


def compare_periods(athlete_id: int, a: tuple[date, date], b: tuple[date, date],
                    metrics: list[str]) -> pd.DataFrame:
    """:func:`whoop.metrics.horizons.compare_periods` of the athlete's days for periods ``a``
    and ``b`` ((start, end), inclusive); the valid metrics are cached once per data version, so
    picking other periods only averages them."""
    return _compare(*data.athlete_key(athlete_id), athlete_id, (a[0], a[1]), (b[0], b[1]),
                    tuple(metrics))
