"""Overview: the latest day's recovery, HRV, resting HR, sleep and day strain against their
30-day baselines, and how much of the range has data."""

import streamlit as st

from whoop import ui
from whoop.charts import basic as charts
from whoop.metrics import basic as m

sel = ui.require_selection("Overview", "overview")
if sel is not None:
    history = m.in_range(ui.view(sel.athlete_id), None, sel.end)
    shown = m.in_range(history, sel.start, sel.end)
    st.subheader(f"{sel.end:%A, %d %B %Y}")

    kpis = {c: m.latest_kpi(history, c, sel.end) for c in
            ("recovery_score", "hrv_rmssd_ms", "resting_heart_rate_bpm", "asleep_min",
             "sleep_performance_pct", "day_strain")}
    rec = kpis["recovery_score"]
    need = m.latest_kpi(history, "sleep_need_min", sel.end)
    cols = [*st.columns(3), *st.columns(3)]
    with cols[0]:
        ui.kpi_card("Recovery", rec, lambda v: f"{v:.0f}%", asof=sel.end,
                    color=m.zone_of(rec.value), spark=shown["recovery_score"],
                    extra="WHOOP zones: green 67-100, yellow 34-66, red 0-33.")
    with cols[1]:
        ui.kpi_card("HRV (RMSSD)", kpis["hrv_rmssd_ms"], lambda v: f"{v:.0f} ms",
                    delta_fmt=lambda v: f"{v:.1f} ms", asof=sel.end, spark=shown["hrv_rmssd_ms"])
    with cols[2]:
        ui.kpi_card("Resting HR", kpis["resting_heart_rate_bpm"], lambda v: f"{v:.0f} bpm",
                    delta_fmt=lambda v: f"{v:.1f} bpm", asof=sel.end, lower_is_better=True,
                    spark=shown["resting_heart_rate_bpm"])
    with cols[3]:
        ui.kpi_card("Sleep (asleep)", kpis["asleep_min"], m.format_hmm, asof=sel.end,
                    spark=shown["asleep_min"],
                    extra=f"Sleep need that night: {m.format_hmm(need.value)} (h:mm)."
                    if need.day == kpis["asleep_min"].day else None)
    with cols[4]:
        ui.kpi_card("Sleep performance", kpis["sleep_performance_pct"], lambda v: f"{v:.0f}%",
                    asof=sel.end, spark=shown["sleep_performance_pct"],
                    extra="Hours asleep as a share of WHOOP's sleep need.")
    with cols[5]:
        ui.kpi_card("Day strain", kpis["day_strain"], lambda v: f"{v:.1f}", asof=sel.end,
                    spark=shown["day_strain"],
                    extra="WHOOP strain 0-21; the running day's strain is not final, so the "
                          "last closed day is shown.")

    st.subheader("Recovery in range")
    ui.chart(charts.recovery_figure(shown))

    cov = m.coverage(ui.days(sel.athlete_id), sel.start, sel.end)
    st.subheader("Coverage")
    st.write(f"Data on **{cov.days_with_data} of {cov.range_days} days** ({cov.pct:.0f}%) in "
             f"the range; {cov.missing_days} missing day(s) in {len(cov.gaps)} gap(s).")
    ui.chart(charts.coverage_figure(shown))
