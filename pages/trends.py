"""Long horizons: the whole history as a calendar heatmap of recovery (a year per row of
weeks), year-over-year and month-of-year views of a chosen metric, and period A vs period B for
every headline metric."""

from datetime import date, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from whoop import ui
from whoop.metrics import catalog
from whoop.ui import analytics as ua
from whoop.ui import horizons as uh

CHOICES = catalog.columns("trend")  # year over year and month of year
MIN_TREND_DAYS = 14
MIN_PERIOD_DAYS = 5
MIN_MONTH_DAYS = uh.MIN_MONTH_DAYS
PERIOD_DAYS = 90


def _range(label: str, key: str, default: tuple, first: date, last: date) -> tuple:
    """A from-to date input; a half-picked range counts as that one day."""
    picked = st.date_input(label, value=default, min_value=first, max_value=last, key=key,
                           format="YYYY-MM-DD")
    if isinstance(picked, (tuple, list)) and len(picked) == 2:
        return tuple(picked)
    if isinstance(picked, (tuple, list)) and len(picked) == 1:
        return picked[0], picked[0]
    return default


sel = ui.require_selection(
    "Trends", "trends", lambda sel: f"whole history {sel.first_day:%d %b %Y} – "
    f"{sel.last_day:%d %b %Y} (this page ignores the sidebar range; period A and B have their "
    "own dates)")
if sel is not None:
    s = ua.current_settings()

    st.subheader("Recovery calendar")
    calendar = uh.recovery_calendar(sel.athlete_id)
    scored = calendar.scored
    if scored == 0:
        st.warning("Insufficient data: no scored recovery yet, so the calendar has nothing to "
                   "colour.", icon=":material/hourglass_empty:")
    else:
        st.caption(f"One square per day, a row of weeks per year, newest year first (Monday "
                   f"at the top): green 67-100 %, yellow 34-66 %, red 0-33 %; blank = no scored "
                   f"recovery. {scored} scored days.")
        for year, fig in calendar.figures:  # newest year first
            ui.chart(fig, key=f"cal_{year}")

    st.subheader("Year over year and month of year")
    metric = st.segmented_control("Metric", CHOICES, default="recovery_score", required=True,
                                  format_func=lambda m: catalog.CATALOG[m].label,
                                  key="trends_metric") or "recovery_score"
    chosen_metric = catalog.CATALOG[metric]
    hours = chosen_metric.unit == "min"  # durations in hours on these axes
    label, div = chosen_metric.title(s, unit="h" if hours else None), 60 if hours else 1
    views = uh.year_views(sel.athlete_id, metric, div)
    n_valid = views.n_valid
    if n_valid < MIN_TREND_DAYS:
        st.warning(f"Insufficient data: {n_valid} valid day(s) of "
                   f"{chosen_metric.label.lower()}; these views need at least "
                   f"{MIN_TREND_DAYS}.", icon=":material/hourglass_empty:")
    else:
        with_values = views.years_with_values
        years = len(with_values)
        left, right = st.columns(2)
        with left:
            st.markdown("**Year over year** (7-day centred mean by day of year)")
            chosen = with_values[0]
            if len(with_values) >= 2:
                chosen = st.selectbox("Year to compare with the others", with_values,
                                      key="trends_yoy_year")
            ui.chart(uh.year_over_year_figure(sel.athlete_id, metric, div, label, chosen),
                     key="yoy")
            if years < 2:
                st.caption("Only one year of data so far: the lines become comparable once a "
                           "second year arrives.")
            else:
                st.caption(f"Blue: {chosen}; grey: the other {years - 1} year(s), as thin lines "
                           "and (from two of them on) the band from their lowest to their "
                           "highest value on each day of year.")
        with right:
            st.markdown("**Month of year** (monthly mean, a row per year)")
            ui.chart(uh.month_of_year_figure(sel.athlete_id, metric, div, label), key="moy")
            st.caption(f"Hover a cell for its mean; months with fewer than {MIN_MONTH_DAYS} "
                       "valid days stay blank.")

    st.subheader("Period A vs period B")
    b_end = sel.last_day
    b_start = max(sel.first_day, b_end - timedelta(days=PERIOD_DAYS - 1))
    a_end = max(sel.first_day, b_start - timedelta(days=1))
    a_start = max(sel.first_day, a_end - timedelta(days=PERIOD_DAYS - 1))
    ca, cb = st.columns(2)
    with ca:
        a = _range("Period A", "period_a", (a_start, a_end), sel.first_day, sel.last_day)
    with cb:
        b = _range("Period B", "period_b", (b_start, b_end), sel.first_day, sel.last_day)
    comp = uh.compare_periods(sel.athlete_id, a, b, catalog.columns("periods"))
    enough = (comp["n_a"] >= MIN_PERIOD_DAYS) & (comp["n_b"] >= MIN_PERIOD_DAYS)

    def fmt(m: str, v: Any, delta: bool = False) -> str:
        return catalog.fmt(m, v, s, delta=delta)

    table = pd.DataFrame({
        "Metric": [catalog.CATALOG[m].label for m in comp["metric"]],
        "Mean A": [fmt(m, v) for m, v in zip(comp["metric"], comp["mean_a"], strict=True)],
        "Mean B": [fmt(m, v) for m, v in zip(comp["metric"], comp["mean_b"], strict=True)],
        "B − A": [fmt(m, v, True) if ok else "insufficient data"
                  for m, v, ok in zip(comp["metric"], comp["difference"], enough, strict=False)],
        "Change": [f"{p:+.1f} %" if ok and pd.notna(p) and catalog.CATALOG[m].unit not in ("%", "°C")
                   else "" for m, p, ok in zip(comp["metric"], comp["pct_change"], enough, strict=False)],
        "Days A": comp["n_a"], "Days B": comp["n_b"],
    })
    st.dataframe(table, hide_index=True, width="stretch", height="content",  # every row shown
                 column_config={"Metric": st.column_config.TextColumn(width="medium"),
                                "Days A": st.column_config.NumberColumn(width="small"),
                                "Days B": st.column_config.NumberColumn(width="small")})
    st.caption(f"Means over valid days only (scored, not calibrating). A difference needs at "
               f"least {MIN_PERIOD_DAYS} valid days in each period, else \"insufficient data\". "
               "Differences of % metrics are in percentage points (pts); percent change is "
               "left out for them and for temperature. "
               f"A: {a[0]:%d %b %Y} – {a[1]:%d %b %Y}, B: {b[0]:%d %b %Y} – {b[1]:%d %b %Y}.")
    if a == b:
        st.info("Period A and B are the same dates; pick two different periods to compare.")
