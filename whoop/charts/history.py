"""Long-horizon figures: calendar maps (recovery, coverage by source), year over year and month
of year. Frame in (from :mod:`whoop.metrics.horizons` / :mod:`whoop.metrics.quality`),
``plotly.graph_objects.Figure`` out; missing days stay blank. No streamlit, no IO.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from whoop.charts.analytics import _layout
from whoop.charts.basic import BLUE, FG, GREEN, GREY, ORANGE, RED, TEAL, VIOLET, YELLOW
from whoop.charts.basic import line_trace as _line

SOURCE_COLORS = {"api": BLUE, "api+export": TEAL, "export": VIOLET, "demo": ORANGE,
                 "unknown": GREY, "missing": "rgba(0,0,0,0)"}


def calendar_heatmap_figure(cells: pd.DataFrame) -> go.Figure:
    """A year per row of weeks, one cell per day in WHOOP recovery colours (red 0-33, yellow
    34-66, green 67-100); missing days stay blank.

    Args:
        cells: :func:`whoop.metrics.horizons.calendar_heatmap_frame` frame.
    """
    years = sorted(cells["year"].unique()) if len(cells) else []
    fig = make_subplots(rows=max(1, len(years)), cols=1, subplot_titles=[str(y) for y in years],
                        vertical_spacing=0.04 if len(years) > 1 else 0.1)
    scale = [[0.0, RED], [0.335, RED], [0.335, YELLOW], [0.665, YELLOW], [0.665, GREEN],
             [1.0, GREEN]]
    days_lbl = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    for row, year in enumerate(years, start=1):
        c = cells[cells["year"] == year]
        z = np.full((7, 54), np.nan)
        text = np.full((7, 54), "", dtype=object)
        z[c["weekday"].to_numpy(), c["week"].to_numpy()] = c["value"].to_numpy()
        text[c["weekday"].to_numpy(), c["week"].to_numpy()] = c["date"].dt.strftime("%Y-%m-%d")
        fig.add_trace(go.Heatmap(z=z, text=text, zmin=0, zmax=100, colorscale=scale,
                                 showscale=False, xgap=2, ygap=2, y=days_lbl,
                                 hovertemplate="%{text}: %{z:.0f} %<extra></extra>"),
                      row=row, col=1)
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(showticklabels=False)
    return _layout(fig, height=max(200, 170 * max(1, len(years))), hovermode="closest")


def year_over_year_figure(yoy: pd.DataFrame, *, label: str = "Recovery (%)") -> go.Figure:
    """One line per year by day of year (:func:`whoop.metrics.horizons.year_over_year`)."""
    fig = go.Figure()
    palette = [BLUE, ORANGE, GREEN, VIOLET, TEAL, YELLOW, RED, FG, GREY]
    for i, (year, g) in enumerate(yoy.groupby("year")):
        fig.add_trace(_line(g["day_of_year"], g["value"], str(year), palette[i % len(palette)]))
    fig.update_xaxes(title="day of year")
    return _layout(fig, yaxis=label, hovermode="x unified")


def month_of_year_figure(moy: pd.DataFrame, *, label: str = "Recovery (%)") -> go.Figure:
    """Year x month grid of monthly means (:func:`whoop.metrics.horizons.month_of_year`)."""
    grid = moy.pivot(index="year", columns="month", values="mean").reindex(columns=range(1, 13))
    fig = go.Figure(go.Heatmap(z=grid.to_numpy(), x=["Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
                               y=[str(y) for y in grid.index], colorscale="Viridis",
                               colorbar=dict(title=label), xgap=2, ygap=2,
                               hovertemplate="%{y} %{x}: %{z:.1f}<extra></extra>"))
    return _layout(fig, height=max(220, 40 * len(grid) + 120), hovermode="closest")


#: marker colour of a question in :func:`journal_forest_figure` by its yes-day verdict

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
#: height of one weekday row of the coverage map, px (a label each at font size 13)
COVERAGE_ROW_PX = 22


def coverage_figure(cov: pd.DataFrame) -> go.Figure:
    """Coverage map: a block of seven rows (Mon..Sun, top to bottom) per year, weeks of the
    year across (week 0 holds 1 January, weeks start on Monday), one square per day coloured by
    source (api, api+export, export, demo); missing days blank. Every row has its
    ``"YYYY Ddd"`` label, and the height gives each row :data:`COVERAGE_ROW_PX` pixels.

    Args:
        cov: :func:`whoop.metrics.quality.coverage` frame.
    """
    if cov.empty:
        return _layout(go.Figure(), height=200)
    date = cov["date"]
    jan1_wd = pd.to_datetime(date.dt.year.astype(str) + "-01-01").dt.day_of_week
    week = (date.dt.day_of_year - 1 + jan1_wd) // 7
    rows = [f"{y} {d}" for y in sorted(date.dt.year.unique()) for d in WEEKDAYS]
    label = date.dt.year.astype(str) + " " + date.dt.day_of_week.map(dict(enumerate(WEEKDAYS)))
    fig = go.Figure()
    for source, g in cov.assign(week=week, row=label).groupby("source"):
        if source == "missing":
            continue
        fig.add_trace(go.Scatter(
            x=g["week"], y=g["row"], mode="markers", name=str(source),
            text=g["date"].dt.strftime("%Y-%m-%d"),
            marker=dict(symbol="square", size=7, color=SOURCE_COLORS.get(str(source), GREY)),
            hovertemplate="%{text}: " + str(source) + "<extra></extra>"))
    fig.update_xaxes(title="week of year", range=[-1, 54])
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=rows,
                     range=[len(rows) - 0.5, -0.5], tickmode="array", tickvals=rows,
                     ticktext=rows, tickfont=dict(size=11))
    return _layout(fig, height=max(240, COVERAGE_ROW_PX * len(rows) + 110), hovermode="closest")
