"""Figures of the basic pages (Overview, Recovery, HRV, Sleep, Strain, Data): frame in,
``plotly.graph_objects.Figure`` out. No streamlit, no IO.

Input frames come from :mod:`whoop.metrics.basic` (``daily_view`` rows are one per calendar
day with NaN for missing or unscored days). Lines never bridge a gap: every trace keeps
``connectgaps=False`` and the frames carry NaN rows for missing days.

Colours: WHOOP's recovery zones green ``#16EC06`` (67-100 %), yellow ``#FFDE00`` (34-66 %),
red ``#FF0026`` (0-33 %), and the plotly template: :mod:`whoop.charts.theme`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from whoop import escape
from whoop.charts import theme
from whoop.charts.theme import (  # noqa: F401
    BLUE,
    FG,
    GREEN,
    GREY,
    ORANGE,
    RED,
    TEAL,
    VIOLET,
    YELLOW,
    ZONE_COLORS,
)
from whoop.metrics.catalog import CATALOG
from whoop.metrics.load import ZONE_COLUMNS
from whoop.metrics.units import format_hmm

STAGE_COLORS = {"light_sleep_min": "#7FB2FF", "deep_sleep_min": "#3D5AFE",
                "rem_sleep_min": "#B388FF", "awake_min": "#9AA0A6"}
HR_ZONE_COLORS = ["#5F6B7A", "#3FA9F5", "#2BD4C5", "#16EC06", "#FF9F1C", "#FF0026"]


def _layout(fig: go.Figure, *, title: str | None = None, yaxis: str | None = None,
            height: int = 340, **extra: Any) -> go.Figure:
    """:func:`whoop.charts.theme.layout` with the daily charts' choices: one unified hover per
    day, narrow bar gaps, no vertical grid lines."""
    extra = {"hovermode": "x unified", **extra}
    theme.layout(fig, title=title, yaxis=yaxis, height=height, bargap=0.15, **extra)
    fig.update_xaxes(showgrid=False)
    return fig


def line_trace(x: Iterable[object], y: Iterable[object], name: str, color: str, *, width: float = 2,
               dash: str | None = None, hover: str = "%{y:.1f}") -> go.Scatter:
    """A line that breaks at NaN (``connectgaps=False``) with ``"<name>: <hover>"`` on hover;
    shared by the figure modules."""
    return go.Scatter(x=x, y=y, name=name, mode="lines", connectgaps=False,
                      line=dict(color=color, width=width, dash=dash),
                      hovertemplate=f"{name}: {hover}<extra></extra>")


def recovery_figure(cal: pd.DataFrame) -> go.Figure:
    """Daily recovery bars coloured by zone, 7- and 30-day rolling means, and a grey marker on
    days that exist but have no valid score (calibrating, unscorable, pending, no sleep).

    Args:
        cal: ``daily_view`` rows: ``date``, ``recovery_score``, ``recovery_zone``,
            ``recovery_status``, ``has_row``, ``recovery_score_7d``, ``recovery_score_30d``.
    """
    fig = go.Figure()
    for zone, color in ZONE_COLORS.items():
        part = cal[cal["recovery_zone"] == zone]
        fig.add_bar(x=part["date"], y=part["recovery_score"], name=zone.capitalize(),
                    marker_color=color, marker_line_width=0,
                    hovertemplate="Recovery: %{y:.0f}%<extra></extra>")
    unscored = cal[cal["has_row"] & cal["recovery_score"].isna()]
    if len(unscored):
        fig.add_scatter(x=unscored["date"], y=[4] * len(unscored), mode="markers",
                        name="Not scored", marker=dict(symbol="x-thin-open", size=9, color=GREY,
                                                       line=dict(width=2, color=GREY)),
                        customdata=unscored["recovery_status"],
                        hovertemplate="Not scored (%{customdata})<extra></extra>")
    fig.add_trace(line_trace(cal["date"], cal["recovery_score_7d"], "7-day mean", FG,
                             hover="%{y:.0f}%"))
    fig.add_trace(line_trace(cal["date"], cal["recovery_score_30d"], "30-day mean", BLUE,
                             dash="dot", hover="%{y:.0f}%"))
    fig.update_layout(barmode="overlay")
    _layout(fig, yaxis="Recovery %")
    fig.update_yaxes(range=[0, 100])
    return fig


def zone_figure(dist: pd.DataFrame) -> go.Figure:
    """Donut of days per recovery zone (``zone_distribution`` rows: zone, days, pct)."""
    fig = go.Figure(go.Pie(
        labels=[z.capitalize() for z in dist["zone"]], values=dist["days"], hole=0.6, sort=False,
        marker=dict(colors=[ZONE_COLORS[z] for z in dist["zone"]]),
        textinfo="percent", hovertemplate="%{label}: %{value} days (%{percent})<extra></extra>"))
    _layout(fig, height=300)
    fig.update_layout(hovermode=False, showlegend=True)
    return fig


def sleep_need_figure(cal: pd.DataFrame) -> go.Figure:
    """Hours asleep per night (bars) against sleep need (line), hover in h:mm."""
    hours = cal["asleep_min"] / 60.0
    need = cal["sleep_need_min"] / 60.0
    fig = go.Figure()
    fig.add_bar(x=cal["date"], y=hours, name="Asleep", marker_color=VIOLET, marker_line_width=0,
                customdata=[format_hmm(v) for v in cal["asleep_min"]],
                hovertemplate="Asleep: %{customdata}<extra></extra>")
    fig.add_scatter(x=cal["date"], y=need, name="Sleep need", mode="lines", connectgaps=False,
                    line=dict(color=YELLOW, width=2, shape="hv"),
                    customdata=[format_hmm(v) for v in cal["sleep_need_min"]],
                    hovertemplate="Need: %{customdata}<extra></extra>")
    return _layout(fig, yaxis="Hours")


def sleep_stages_figure(cal: pd.DataFrame) -> go.Figure:
    """Stacked bars of light, deep (SWS), REM and awake time per night, in hours."""
    fig = go.Figure()
    for col in STAGE_COLORS:
        name = CATALOG[col].label
        fig.add_bar(x=cal["date"], y=cal[col] / 60.0, name=name, marker_color=STAGE_COLORS[col],
                    marker_line_width=0, customdata=[format_hmm(v) for v in cal[col]],
                    hovertemplate=f"{name}: %{{customdata}}<extra></extra>")
    fig.update_layout(barmode="stack", legend_traceorder="normal")
    return _layout(fig, yaxis="Hours")


def sleep_quality_figure(cal: pd.DataFrame) -> go.Figure:
    """Sleep performance, efficiency and consistency (%) per night."""
    fig = go.Figure()
    for col, color in (("sleep_performance_pct", GREEN), ("sleep_efficiency_pct", BLUE),
                       ("sleep_consistency_pct", ORANGE)):
        fig.add_trace(line_trace(cal["date"], cal[col], CATALOG[col].label, color,
                                 hover="%{y:.0f}%"))
    _layout(fig, yaxis="%")
    fig.update_yaxes(range=[0, 105])
    return fig


#: bar width of a day on a date axis (plotly measures date widths in milliseconds)
DAY_MS = 86_400_000
NAP_BAR_DAYS = 0.8


def naps_figure(naps: pd.DataFrame, start: date | None = None,
                end: date | None = None) -> go.Figure:
    """Each nap as a bar of its time asleep (minutes) on its local date, naps of one day
    stacked. Bars are :data:`NAP_BAR_DAYS` of a day wide, centred on the date, and the x axis
    runs from half a day before ``start`` (or the first nap) to half a day after ``end`` (or the
    last nap), so no bar is cut at either edge and the axis is the page's date range.

    Args:
        naps: :func:`whoop.metrics.basic.naps` frame (``date`` datetime64, ``asleep_min``).
        start, end: the range shown (dates; None = the naps' own first / last date).
    """
    fig = go.Figure()
    fig.add_bar(x=naps["date"], y=naps["asleep_min"], name="Nap", marker_color=TEAL,
                width=[NAP_BAR_DAYS * DAY_MS] * len(naps),
                customdata=[format_hmm(v) for v in naps["asleep_min"]],
                hovertemplate="Nap: %{customdata}<extra></extra>")
    _layout(fig, yaxis="Minutes asleep", height=260, barmode="stack")
    if len(naps):
        first = min(pd.Timestamp(naps["date"].min()), pd.Timestamp(start or naps["date"].min()))
        last = max(pd.Timestamp(naps["date"].max()), pd.Timestamp(end or naps["date"].max()))
        half = pd.Timedelta(hours=12)
        fig.update_xaxes(range=[first - half, last + half])
    return fig


def activity_figure(by_activity: pd.DataFrame, top: int = 12) -> go.Figure:
    """Horizontal bars: workouts per activity, total activity strain and time in the hover; the
    ``top`` most frequent activities.

    Args:
        by_activity: :func:`whoop.metrics.load.workouts_by_activity` rows with ``freq=None``
            (sport_name, workout_count, activity_strain_sum, duration_min), most frequent first.
    """
    data = by_activity.head(top).iloc[::-1]
    fig = go.Figure(go.Bar(
        x=data["workout_count"], y=data["sport_name"].map(escape.plotly, na_action="ignore"),
        orientation="h", marker_color=BLUE,
        customdata=list(zip(data["activity_strain_sum"],
                            [format_hmm(v) for v in data["duration_min"]], strict=False)),
        hovertemplate="%{y}: %{x} workouts, strain %{customdata[0]:.1f}, "
                      "%{customdata[1]} h:mm<extra></extra>"))
    _layout(fig, height=max(220, 28 * len(data) + 60))
    fig.update_layout(hovermode="closest")
    fig.update_xaxes(title="Workouts")
    return fig


def hr_zones_figure(weekly: pd.DataFrame) -> go.Figure:
    """Stacked bars of workout minutes per heart-rate zone per week.

    Args:
        weekly: :func:`whoop.metrics.load.weekly_zone_minutes` frame (``week_start`` = Monday,
            ``hr_zone_0_min`` ... ``hr_zone_5_min``); a zone without any value is left out,
            and zone 0 (API only) also when it has no minutes.
    """
    fig = go.Figure()
    for i, col in enumerate(ZONE_COLUMNS):
        if col not in weekly or weekly[col].isna().all() or \
                (i == 0 and not weekly[col].fillna(0).any()):
            continue
        fig.add_bar(x=weekly["week_start"], y=weekly[col], name=f"Zone {i}",
                    marker_color=HR_ZONE_COLORS[i], marker_line_width=0,
                    hovertemplate=f"Zone {i}: %{{y:.0f}} min<extra></extra>")
    fig.update_layout(barmode="stack")
    return _layout(fig, yaxis="Minutes per week")


def coverage_figure(cal: pd.DataFrame) -> go.Figure:
    """Calendar heatmap of days with data (green) vs missing (dark), weeks as columns and
    weekdays as rows. ``cal``: rows per calendar day with ``date`` and ``has_row`` (bool)."""
    dates = pd.to_datetime(cal["date"])
    week = (dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")).dt.normalize()
    grid = pd.DataFrame({"week": week, "weekday": dates.dt.day_of_week,
                         "value": cal["has_row"].astype(float), "label": dates.dt.strftime("%a %d %b %Y")})
    z = grid.pivot(index="weekday", columns="week", values="value")
    text = grid.pivot(index="weekday", columns="week", values="label")
    days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    z = z.reindex(range(7))
    text = text.reindex(range(7))
    fig = go.Figure(go.Heatmap(
        z=z.to_numpy(), x=list(z.columns), y=days, text=text.to_numpy(), zmin=0, zmax=1,
        colorscale=[[0, "#2A2F3A"], [1, GREEN]], showscale=False, xgap=2, ygap=2,
        hovertemplate="%{text}<extra></extra>"))
    _layout(fig, height=190)
    fig.update_layout(hovermode="closest", margin=dict(l=10, r=10, t=10, b=10))
    fig.update_yaxes(autorange="reversed", showgrid=False)
    return fig
