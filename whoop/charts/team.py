"""The Team page's figure: every athlete's recovery over the last 28 days as small multiples.

All panels share one pair of axes: panel ``i`` sits in column ``i % cols`` and row
``i // cols``, its bars shifted right by the column and lifted by the row (bar ``base``), one bar
trace per WHOOP zone for the whole roster, one line trace for every panel's floor and one text
trace for the athletes' names. Building it costs about the same for 5 athletes as for 100
(plotly's ``make_subplots`` builds two axes per panel: about 0.4 s for 100; a layout annotation
per name costs a validated object each, and a hover label per bar made of two parts a nested
list each). No streamlit, no IO.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from whoop import escape
from whoop.charts import theme
from whoop.charts.theme import GREY, ZONE_COLORS

#: Panel height in recovery points (100 for the bars, the rest for the name above them).
_ROW_UNITS = 135
#: Panel width in days (28 bars and a gap).
_GAP_DAYS = 4
ROW_PX = 95


def recovery_multiples(series: pd.DataFrame, *, cols: int = 5) -> go.Figure:
    """Small multiples of daily recovery, one panel per athlete, bars in WHOOP zone colours.

    Args:
        series: :func:`whoop.metrics.team.recovery_series` rows (``athlete_id``, ``athlete``,
            ``date``, ``recovery_score_pct`` %, ``recovery_zone``), the same days for every
            athlete; panels in the order athletes first appear.
        cols: panels per row.
    Returns:
        a figure of ``ceil(athletes / cols)`` rows of ``ROW_PX`` px: three bar traces (the
        zones), the floors' line trace and the names' text trace (names escaped with
        :func:`whoop.escape.plotly`: a name is never plotly markup); an empty roster gives
        those traces empty.
    """
    order = pd.unique(series["athlete_id"])
    panel = pd.Series(np.arange(len(order)), index=order)
    dates = np.unique(series["date"].to_numpy())
    n_days = max(len(dates), 1)
    day_index = pd.Series(np.arange(len(dates)), index=pd.DatetimeIndex(dates))
    p = panel.reindex(series["athlete_id"].to_numpy()).to_numpy()
    d = day_index.reindex(series["date"].to_numpy()).to_numpy()
    x = (p % cols) * (n_days + _GAP_DAYS) + d
    base = -(p // cols) * _ROW_UNITS
    # one hover label per bar ("name, day"), each name escaped and each day formatted once
    first = series.drop_duplicates("athlete_id")
    fp = panel.reindex(first["athlete_id"].to_numpy()).to_numpy()
    escaped = np.empty(len(order), dtype=object)
    escaped[fp] = [escape.plotly(name) for name in first["athlete"]]
    labels = pd.DatetimeIndex(dates).strftime("%a %d %b").to_numpy(dtype=object)
    hover = np.array([[f"{name}, {label}" for label in labels] for name in escaped], dtype=object)
    hover = hover[p, d] if len(p) else np.array([], dtype=object)
    fig = go.Figure()
    for zone, color in ZONE_COLORS.items():
        hit = (series["recovery_zone"] == zone).fillna(False).to_numpy()
        fig.add_bar(x=x[hit], y=series["recovery_score_pct"].to_numpy()[hit], base=base[hit],
                    name=zone.capitalize(), marker_color=color, marker_line_width=0,
                    hovertext=hover[hit], hovertemplate="%{hovertext}: %{y:.0f}%<extra></extra>")
    left = (fp % cols) * (n_days + _GAP_DAYS) - 0.5
    floor = -(fp // cols) * _ROW_UNITS
    line_x = np.column_stack([left, left + n_days, np.full(len(fp), np.nan)]).ravel()
    line_y = np.column_stack([floor, floor, np.full(len(fp), np.nan)]).ravel()
    fig.add_scatter(x=line_x, y=line_y, mode="lines", line={"color": GREY, "width": 1},
                    hoverinfo="skip", showlegend=False)
    fig.add_scatter(x=left, y=floor + 100, text=escaped[fp], mode="text", textposition="top right",
                    textfont={"size": 12}, cliponaxis=False, hoverinfo="skip", showlegend=False)
    rows = max(1, -(-len(order) // cols))
    theme.layout(fig, height=40 + rows * ROW_PX, barmode="overlay", bargap=0.1)
    # the names' trace would widen the autorange: the panels' own span, as without it
    span = [float(left.min()), float((left + n_days).max())] if len(left) else None
    fig.update_xaxes(visible=False, range=span)
    fig.update_yaxes(visible=False, range=[-(rows - 1) * _ROW_UNITS - 5, _ROW_UNITS - 5])
    return fig
