"""Overview: flags when the latest day is outside your normal ranges (HRV normal range, resting
HR / respiratory rate / skin temperature / SpO2 z-scores), the latest day's recovery, HRV,
resting HR, sleep and day strain against their 30-day baselines with a "normal for you?" line,
and how much of the range has data."""

import streamlit as st

from whoop import ui
from whoop.charts import basic as charts
from whoop.metrics import baselines as mb
from whoop.metrics import basic as m
from whoop.metrics import catalog
from whoop.metrics.units import format_hmm, missing
from whoop.ui import insights as ins

sel = ui.require_selection("Overview", "overview")
if sel is not None:
    s = ins.settings()
    history = m.in_range(ui.view(sel.athlete_id), None, sel.end)
    shown = m.in_range(history, sel.start, sel.end)
    base = ins.baselines(sel.athlete_id, s)  # whole history: baselines need the days before
    st.subheader(f"{sel.end:%A, %d %B %Y}")

    hrv_w, win = s.hrv_normal_window_days, s.baseline_window_days
    messages, row = ins.flags(base, sel.end)
    if row is None:
        ins.insufficient("no scored recovery up to this day, so there is nothing to compare "
                         "with your normal ranges yet.")
    else:
        day = row["date"]
        checked = (["HRV"] if not missing(row["hrv_normal_low"])
                   and not missing(row["hrv_ln_rmssd_7d"]) else [])
        checked += [m.label for m in catalog.with_baseline()
                    if not missing(row[f"{m.baseline}_z"])]
        for msg in messages:  # above the HRV range is worth a note, not an alarm
            alert = st.info if msg.startswith("HRV above") else st.warning
            alert(f"{msg} ({day:%a %d %b}).", icon=":material/flag:")
        if not checked:
            ins.insufficient(
                f"your normal ranges need {mb.min_days(hrv_w)} valid nights in the {hrv_w} days "
                f"before a day (HRV) and {mb.min_days(win)} in the {win} days before it (resting "
                f"HR, respiratory rate, skin temperature, SpO2); on {day:%d %b %Y} there are "
                f"{int(row['hrv_normal_days'])} and {int(row['rhr_days'])}.")
        elif not messages:
            st.success(f"Nothing unusual on {day:%a %d %b}: {', '.join(checked)} within your "
                       "normal range.", icon=":material/check_circle:")
        if checked:
            st.caption(f"Normal for you = HRV 7-day mean of ln RMSSD within mean ± 0.5 SD of "
                       f"the {hrv_w} days before (Plews et al.); other inputs within 2 SD of "
                       f"their {win}-day baseline. Scored, non-calibrating main sleeps only.")

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
    with cols[1]:  # HRV and resting HR against the baselines their words below use
        hrv_kpi, hrv_unusual = ins.hrv_kpi(base, kpis["hrv_rmssd_ms"])
        ui.kpi_card("HRV (RMSSD)", hrv_kpi, lambda v: f"{v:.0f} ms",
                    delta_fmt=lambda v: f"{v:.1f} ms", asof=sel.end, spark=shown["hrv_rmssd_ms"],
                    baseline_name=f"{hrv_w}-d normal", unusual=hrv_unusual)
        st.caption(ins.hrv_line(base, kpis["hrv_rmssd_ms"].day, s))
    with cols[2]:
        rhr_kpi, rhr_unusual = ins.baseline_kpi(base, "rhr", kpis["resting_heart_rate_bpm"])
        ui.kpi_card("Resting HR", rhr_kpi, lambda v: f"{v:.0f} bpm",
                    delta_fmt=lambda v: f"{v:.1f} bpm", asof=sel.end, lower_is_better=True,
                    spark=shown["resting_heart_rate_bpm"], baseline_name=f"{win}-d mean",
                    unusual=rhr_unusual)
        st.caption(ins.baseline_line(base, "rhr", kpis["resting_heart_rate_bpm"].day, s))
    with cols[3]:
        ui.kpi_card("Sleep (asleep)", kpis["asleep_min"], format_hmm, asof=sel.end,
                    spark=shown["asleep_min"],
                    extra=f"Sleep need that night: {format_hmm(need.value)} (h:mm)."
                    if need.day == kpis["asleep_min"].day else None)
        st.caption(ins.ledger_line(ins.sleep_frames(sel.athlete_id).ledger,
                                   kpis["asleep_min"].day))
    with cols[4]:
        ui.kpi_card("Sleep performance", kpis["sleep_performance_pct"], lambda v: f"{v:.0f}%",
                    asof=sel.end, spark=shown["sleep_performance_pct"],
                    extra="Hours asleep as a share of WHOOP's sleep need.")
        st.caption(ins.baseline_line(base, "resp", kpis["sleep_performance_pct"].day, s,
                                     named=True))
    with cols[5]:
        ui.kpi_card("Day strain", kpis["day_strain"], lambda v: f"{v:.1f}", asof=sel.end,
                    spark=shown["day_strain"],
                    extra="WHOOP strain 0-21; the running day's strain is not final, so the "
                          "last closed day is shown.")
        st.caption(ins.acwr_line(ins.training_load(sel.athlete_id, s), kpis["day_strain"].day, s))

    st.subheader("Recovery in range")
    ui.chart(charts.recovery_figure(shown))

    cov = m.coverage(ui.days(sel.athlete_id), sel.start, sel.end)
    st.subheader("Coverage")
    st.write(f"Data on **{cov.days_with_data} of {cov.range_days} days** ({cov.pct:.0f}%) in "
             f"the range; {cov.missing_days} missing day(s) in {len(cov.gaps)} gap(s).")
    ui.chart(charts.coverage_figure(shown))
