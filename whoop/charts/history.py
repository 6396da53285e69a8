"""Long-horizon figures: calendar maps (recovery, coverage by source), year over year and month
of year. Frame in (from :mod:`whoop.metrics.horizons` / :mod:`whoop.metrics.quality`),
``plotly.graph_objects.Figure`` out; missing days stay blank. No streamlit, no IO.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from whoop.charts.basic import line_trace as _line
from whoop.charts.theme import BLUE, GREEN, GREY, ORANGE, RED, TEAL, VIOLET, YELLOW
from whoop.charts.theme import layout as _layout

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


def year_over_year_figure(yoy: pd.DataFrame, *, label: str = "Recovery (%)",
                          highlight: int | None = None) -> go.Figure:
    """The chosen year against the others, by day of year
    (:func:`whoop.metrics.horizons.year_over_year`): ``highlight`` (default: the latest year
    with a value) as a thick blue line; the other years as one grey band (their lowest to
    highest value on each day of year, where at least two of them have one) and thin grey
    lines, so six years read as "this year vs the usual spread", not six tangled colours.
    Missing days stay gaps.

    Args:
        yoy: ``year``, ``day_of_year``, ``value`` (NaN = no value).
        label: the y axis title.
        highlight: the year to emphasise (a year without values: the latest with values).
    """
    fig = go.Figure()
    valued = sorted(yoy.dropna(subset=["value"])["year"].unique())
    if highlight not in valued:
        highlight = valued[-1] if valued else None
    others = yoy[yoy["year"] != highlight]
    if others["year"].nunique() >= 2:
        wide = others.pivot_table(index="day_of_year", columns="year", values="value")
        enough = wide.notna().sum(axis=1) >= 2
        lo, hi = wide.min(axis=1).where(enough), wide.max(axis=1).where(enough)
        fig.add_trace(go.Scatter(x=lo.index, y=lo, mode="lines", line=dict(width=0),
                                 showlegend=False, hoverinfo="skip", connectgaps=False))
        fig.add_trace(go.Scatter(x=hi.index, y=hi, mode="lines", line=dict(width=0),
                                 fill="tonexty", fillcolor="rgba(122,130,144,0.22)",
                                 name="other years (range)", hoverinfo="skip",
                                 connectgaps=False))
    for year, g in others.groupby("year"):
        trace = _line(g["day_of_year"], g["value"], str(year), GREY, width=1)
        trace.update(opacity=0.55, legendgroup="others", showlegend=False)
        fig.add_trace(trace)
    if highlight is not None:
        g = yoy[yoy["year"] == highlight]
        fig.add_trace(_line(g["day_of_year"], g["value"], str(highlight), BLUE, width=3))
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
#: ranges up to this many weeks get one Mon..Sun block instead of a block per year
SHORT_RANGE_WEEKS = 53


def coverage_figure(cov: pd.DataFrame) -> go.Figure:
    """Coverage map, one square per day coloured by source (api, api+export, export, demo);
    missing days blank. The x axis spans only the weeks of the data, so any range fills the
    width:

    * up to :data:`SHORT_RANGE_WEEKS` weeks (a 90-day range, a year across New Year): seven
      rows ``Mon`` .. ``Sun`` (top to bottom) and one column per week, placed at the week's
      Monday on a date axis;
    * longer: a block of seven rows per year labelled ``"YYYY Ddd"``, weeks of the year across
      (week 0 holds 1 January, weeks start on Monday), from the first to the last week with a
      day.

    The height gives each row :data:`COVERAGE_ROW_PX` pixels.

    Args:
        cov: :func:`whoop.metrics.quality.coverage` frame (``date`` datetime64, ``source``).
    """
    if cov.empty:
        return _layout(go.Figure(), height=200)
    date = cov["date"]
    monday = date - pd.to_timedelta(date.dt.day_of_week, unit="D")
    weeks = (monday.max() - monday.min()).days // 7 + 1
    short = weeks <= SHORT_RANGE_WEEKS
    if short:
        x, rows = monday, list(WEEKDAYS)
        label = date.dt.day_of_week.map(dict(enumerate(WEEKDAYS)))
        x_range = [monday.min() - pd.Timedelta(days=4), monday.max() + pd.Timedelta(days=4)]
    else:
        jan1_wd = pd.to_datetime(date.dt.year.astype(str) + "-01-01").dt.day_of_week
        x = (date.dt.day_of_year - 1 + jan1_wd) // 7
        rows = [f"{y} {d}" for y in sorted(date.dt.year.unique()) for d in WEEKDAYS]
        label = (date.dt.year.astype(str) + " "
                 + date.dt.day_of_week.map(dict(enumerate(WEEKDAYS))))
        x_range = [int(x.min()) - 0.6, int(x.max()) + 0.6]
    size = 15 if weeks <= 26 else 10 if short else 7
    fig = go.Figure()
    for source, g in cov.assign(week=x, row=label).groupby("source"):
        if source == "missing":
            continue
        fig.add_trace(go.Scatter(
            x=g["week"], y=g["row"], mode="markers", name=str(source),
            text=g["date"].dt.strftime("%Y-%m-%d"),
            marker=dict(symbol="square", size=size, color=SOURCE_COLORS.get(str(source), GREY)),
            hovertemplate="%{text}: " + str(source) + "<extra></extra>"))
    fig.update_xaxes(title="week (from Monday)" if short else "week of year", range=x_range)
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=rows,
                     range=[len(rows) - 0.5, -0.5], tickmode="array", tickvals=rows,
                     ticktext=rows, tickfont=dict(size=11))
    return _layout(fig, height=max(240, COVERAGE_ROW_PX * len(rows) + 110), hovermode="closest")
