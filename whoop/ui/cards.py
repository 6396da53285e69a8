"""KPI cards (``st.metric``) with the change against the value's baseline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Literal

import pandas as pd
import streamlit as st

from whoop.metrics.baselines import UNUSUAL_Z
from whoop.metrics.basic import BASELINE_WINDOW_DAYS, Kpi
from whoop.metrics.units import missing


def delta_color(kpi: Kpi, *, unusual: bool | None = None,
                lower_is_better: bool = False) -> Literal["normal", "inverse", "off"]:
    """``st.metric``'s ``delta_color``: green/red (``"normal"``, or ``"inverse"`` when lower is
    better) only when the change is unusual for the person, else grey (``"off"``).

    ``unusual`` is the verdict the page's words use (e.g. HRV's 7-day mean outside its normal
    range); None falls back to the card's own baseline, ``|kpi.z| >= 2`` (the "unusual for
    you" rule of :mod:`whoop.metrics.baselines`). So a badge is coloured only where the words
    beside it call the day unusual.
    """
    if unusual is None:
        unusual = not missing(kpi.z) and abs(kpi.z) >= UNUSUAL_Z
    if not unusual:
        return "off"
    return "inverse" if lower_is_better else "normal"


def kpi_card(label: str, kpi: Kpi, fmt: Callable[[float], str], *,
             delta_fmt: Callable[[float], str] | None = None, asof: date | None = None,
             lower_is_better: bool = False, color: str | None = None,
             spark: pd.Series | None = None, extra: str | None = None,
             baseline_name: str = f"{BASELINE_WINDOW_DAYS}-d mean",
             unusual: bool | None = None) -> None:
    """One bordered ``st.metric``: the latest value, its delta against ``kpi.baseline``
    (``delta_description`` "vs <baseline_name> <baseline>", short enough for a quarter of a
    1280 px page; the n goes to the help), the day when it is not ``asof``, an optional
    markdown ``color`` (``green``/``yellow``/``red``) for the value and a sparkline. The delta
    is coloured only when unusual (:func:`delta_color`)."""
    when = "" if kpi.day is None or kpi.day == asof else f" · {kpi.day:%a %d %b}"
    if missing(kpi.value):
        st.metric(label, "–", border=True, help="No scored value in the selected range.")
        return
    value = fmt(kpi.value)
    if color:
        value = f":{color}[{value}]"
    if missing(kpi.delta):
        delta, note = None, f"{baseline_name}: too few days"
        why = f"Too few valid days before the day for the {baseline_name} (has {kpi.n})."
    else:
        delta = (delta_fmt or fmt)(kpi.delta)
        if not delta.startswith("-"):
            delta = "+" + delta
        note = f"vs {baseline_name} {fmt(kpi.baseline)}"
        why = (f"Change against your {baseline_name} ({fmt(kpi.baseline)}, {kpi.n} valid days "
               "before the day); coloured only when unusual for you.")
    chart = None
    if spark is not None:
        chart = [float(v) for v in spark.dropna().tail(BASELINE_WINDOW_DAYS)] or None
    st.metric(label + when, value, delta,
              delta_color=delta_color(kpi, unusual=unusual, lower_is_better=lower_is_better),
              border=True, chart_data=chart, chart_type="area", delta_description=note,
              help=why if extra is None else f"{extra}  \n{why}")
