"""KPI cards (``st.metric``) with the change against the 30-day baseline."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date

import pandas as pd
import streamlit as st

from whoop.metrics.basic import BASELINE_MIN_DAYS, BASELINE_WINDOW_DAYS, Kpi

ZONE_MARKDOWN = {"green": "green", "yellow": "yellow", "red": "red"}


def _nan(x: float) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def kpi_card(label: str, kpi: Kpi, fmt: Callable[[float], str], *,
             delta_fmt: Callable[[float], str] | None = None, asof: date | None = None,
             lower_is_better: bool = False, color: str | None = None,
             spark: pd.Series | None = None, extra: str | None = None) -> None:
    """One bordered ``st.metric``: the latest value, its delta against the 30-day baseline
    (``delta_description`` says the baseline and its n), the day when it is not ``asof``, an
    optional markdown ``color`` (``green``/``yellow``/``red``) for the value and a sparkline."""
    when = "" if kpi.day is None or kpi.day == asof else f" · {kpi.day:%a %d %b}"
    if _nan(kpi.value):
        st.metric(label, "–", border=True, help="No scored value in the selected range.")
        return
    value = fmt(kpi.value)
    if color:
        value = f":{ZONE_MARKDOWN.get(color, color)}[{value}]"
    if _nan(kpi.delta):
        delta, note = None, (f"baseline needs {BASELINE_MIN_DAYS} of the "
                             f"{BASELINE_WINDOW_DAYS} days before (has {kpi.n})")
    else:
        delta = (delta_fmt or fmt)(kpi.delta)
        if not delta.startswith("-"):
            delta = "+" + delta
        note = f"vs {BASELINE_WINDOW_DAYS}-d baseline {fmt(kpi.baseline)} (n={kpi.n})"
    chart = None
    if spark is not None:
        chart = [float(v) for v in spark.dropna().tail(BASELINE_WINDOW_DAYS)] or None
    st.metric(label + when, value, delta, delta_color="inverse" if lower_is_better else "normal",
              border=True, chart_data=chart, chart_type="area", delta_description=note,
              help=extra)
