"""HRV: nightly RMSSD and resting heart rate with their 7-day means and 30-day baselines."""

import streamlit as st

from whoop import ui
from whoop.charts import basic as charts
from whoop.metrics import basic as m

sel = ui.require_selection("HRV", "hrv")
if sel is not None:
    history = m.in_range(ui.view(sel.athlete_id), None, sel.end)
    shown = m.in_range(history, sel.start, sel.end)
    hrv = m.latest_kpi(history, "hrv_rmssd_ms", sel.end)
    rhr = m.latest_kpi(history, "resting_heart_rate_bpm", sel.end)
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        ui.kpi_card("Latest HRV", hrv, lambda v: f"{v:.0f} ms", delta_fmt=lambda v: f"{v:.1f} ms",
                    asof=sel.end)
    c2.metric("Mean HRV in range", f"{shown['hrv_rmssd_ms'].mean():.0f} ms"
              if shown["hrv_rmssd_ms"].notna().any() else "–", border=True)
    with c3:
        ui.kpi_card("Latest resting HR", rhr, lambda v: f"{v:.0f} bpm",
                    delta_fmt=lambda v: f"{v:.1f} bpm", asof=sel.end, lower_is_better=True)
    c4.metric("Mean resting HR in range", f"{shown['resting_heart_rate_bpm'].mean():.0f} bpm"
              if shown["resting_heart_rate_bpm"].notna().any() else "–", border=True)

    st.subheader("Heart rate variability (RMSSD)")
    ui.chart(charts.metric_figure(shown, "hrv_rmssd_ms", name="HRV", unit="ms",
                                  color=charts.GREEN))
    st.subheader("Resting heart rate")
    ui.chart(charts.metric_figure(shown, "resting_heart_rate_bpm", name="Resting HR", unit="bpm",
                                  color=charts.RED))
    st.caption("Measured during the main sleep; only scored recoveries count. Rolling means are "
               "over calendar days and need more than half the window, so gaps stay gaps.")
