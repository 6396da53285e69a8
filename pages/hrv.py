"""HRV: the 7-day mean of ln RMSSD inside your normal range (mean ± 0.5 SD of the days before,
Plews et al.) with out-of-range days flagged, its 7-day coefficient of variation, and resting HR,
respiratory rate, skin temperature and SpO2 against their baselines with z-scores."""

import pandas as pd
import streamlit as st

from whoop import ui
from whoop.charts import analytics as ac
from whoop.metrics import baselines as mb
from whoop.metrics import basic as m
from whoop.metrics import catalog
from whoop.metrics.units import missing
from whoop.ui import insights as ins

sel = ui.require_selection("HRV", "hrv")
if sel is not None:
    s = ins.settings()
    hrv_w, win = s.hrv_normal_window_days, s.baseline_window_days
    history = m.in_range(ui.view(sel.athlete_id), None, sel.end)
    shown = m.in_range(history, sel.start, sel.end)
    base = ins.baselines(sel.athlete_id, s)  # whole history, then the range
    rng = ins.in_range(base, sel.start, sel.end)
    hrv = m.latest_kpi(history, "hrv_rmssd_ms", sel.end)
    rhr = m.latest_kpi(history, "resting_heart_rate_bpm", sel.end)
    hrv, hrv_unusual = ins.hrv_kpi(base, hrv)  # the baselines the words below use
    rhr, rhr_unusual = ins.baseline_kpi(base, "rhr", rhr)
    c1, c2 = st.columns(2)  # two rows: four across cut the cards' baseline line
    c3, c4 = st.columns(2)
    with c1:
        ui.kpi_card("Latest HRV", hrv, lambda v: f"{v:.0f} ms", delta_fmt=lambda v: f"{v:.1f} ms",
                    asof=sel.end, baseline_name=f"{hrv_w}-d normal", unusual=hrv_unusual)
    c2.metric("Mean HRV in range", f"{shown['hrv_rmssd_ms'].mean():.0f} ms"
              if shown["hrv_rmssd_ms"].notna().any() else "–", border=True)
    with c3:
        ui.kpi_card("Latest resting HR", rhr, lambda v: f"{v:.0f} bpm",
                    delta_fmt=lambda v: f"{v:.1f} bpm", asof=sel.end, lower_is_better=True,
                    baseline_name=f"{win}-d mean", unusual=rhr_unusual)
    c4.metric("Mean resting HR in range", f"{shown['resting_heart_rate_bpm'].mean():.0f} bpm"
              if shown["resting_heart_rate_bpm"].notna().any() else "–", border=True)

    st.subheader("HRV against your normal range")
    nights = int(rng["hrv_rmssd_ms"].notna().sum())
    last = ins.latest_row(rng, ["hrv_ln_rmssd_7d", "hrv_rmssd_ms"]) if nights else None
    if last is None:
        ins.insufficient("no scored HRV in this range.")
    else:
        c1, c2, c3 = st.columns(3)
        c1.metric("HRV 7-day mean", f"{ins.hrv_ms(last['hrv_ln_rmssd_7d']):.0f} ms"
                  if not missing(last["hrv_ln_rmssd_7d"]) else "–", border=True,
                  help="Mean of ln RMSSD over the last 7 days (needs 3 nights), shown in ms.")
        c2.metric("Normal range", f"{ins.hrv_ms(last['hrv_normal_low']):.0f}–"
                  f"{ins.hrv_ms(last['hrv_normal_high']):.0f} ms"
                  if not missing(last["hrv_normal_low"]) else "–", border=True,
                  help=f"Mean ± 0.5 SD of ln RMSSD over the {hrv_w} days before the day.")
        c3.metric("7-day CV", f"{last['hrv_cv_7d_pct']:.1f} %"
                  if not missing(last["hrv_cv_7d_pct"]) else "–", border=True,
                  help="Coefficient of variation of ln RMSSD over the last 7 days.")
        st.caption(f"{last['date']:%a %d %b %Y}: " + ins.hrv_line(base, last["date"], s))
        if rng["hrv_normal_low"].isna().all():
            ins.insufficient(
                f"the {hrv_w}-day normal range needs {mb.min_days(hrv_w)} valid nights in the "
                f"{hrv_w} days before a day; on {last['date']:%d %b %Y} there are "
                f"{int(last['hrv_normal_days'])}. The band appears once there are enough.")
        below, above = int(rng["hrv_below_normal"].sum()), int(rng["hrv_above_normal"].sum())
        ui.chart(ac.hrv_figure(rng), key="hrv_normal")
        band = rng["hrv_normal_days"].where(rng["hrv_normal_low"].notna())
        based = (f", based on {int(band.min())}–{int(band.max())} valid nights"
                 if band.notna().any() else "")
        st.caption(
            f"Grey dots: nightly RMSSD; blue line: 7-day mean of ln RMSSD (a geometric mean, in "
            f"ms); green band: your normal range, mean ± 0.5 SD of ln RMSSD over the {hrv_w} "
            f"days before each day (Plews et al. 2012/2013){based}. In this range the 7-day "
            f"mean was below the band on **{below}** day(s) (red) and above it on **{above}** "
            "(yellow). A stretch below usually means accumulated stress, illness or poor sleep. "
            "Scored, non-calibrating main sleeps only.")

        st.subheader("HRV day-to-day variation (7-day CV)")
        if rng["hrv_cv_7d_pct"].isna().all():
            ins.insufficient(f"the 7-day CV needs {mb.HRV_7D_MIN_DAYS} valid nights within 7 "
                             "days.")
        else:
            ui.chart(ac.hrv_cv_figure(rng), key="hrv_cv")
            cv = rng["hrv_cv_7d_pct"]
            st.caption(f"Coefficient of variation of ln RMSSD over each 7-day window (median "
                       f"{cv.median():.1f} % in this range). Low and steady: your body is "
                       "coping; a CV that jumps (with a falling mean) signals disruption by "
                       "load, travel, illness or alcohol (Plews et al. 2012).")

    st.subheader("Resting HR, respiratory rate, skin temperature and SpO2 vs your baseline")
    rows = []
    inputs = catalog.in_view("hrv_page")
    for metric in inputs:
        prefix, col, name, u = metric.baseline, metric.column, metric.label, metric.suffix
        r = ins.latest_row(rng, [col])
        if r is None:
            rows.append({"Input": name, "Day": "–", "Value": "–", "Baseline": "–",
                         "Deviation": "–", "z": "–", "Baseline days": 0})
            continue
        z = r[f"{prefix}_z"]
        rows.append({
            "Input": name, "Day": f"{r['date']:%a %d %b}",
            "Value": metric.fmt(r[col], s),
            "Baseline": metric.fmt(r[f"{prefix}_baseline_{u}"], s)
            if not missing(r[f"{prefix}_baseline_{u}"]) else "insufficient data",
            "Deviation": metric.fmt(r[f"{prefix}_dev_{u}"], s, delta=True),
            "z": "–" if missing(z) else f"{z:+.1f}" + (" (unusual)" if abs(z) >= 2 else ""),
            "Baseline days": int(r[f"{prefix}_days"])})
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.caption(f"Latest valid day of each input in the range. Baseline = mean of the valid days "
               f"in the {win} days before (needs {mb.min_days(win)}); z = deviation / SD of "
               "those days. |z| ≥ 2 is unusual for you (red dots on the charts).")
    grid = [cell for _ in range(0, len(inputs), 2) for cell in st.columns(2)]
    for cell, metric in zip(grid, inputs, strict=False):
        prefix, col, name, u = metric.baseline, metric.column, metric.label, metric.suffix
        if prefix is None:      # the page's inputs all have a baseline
            continue
        with cell:
            st.markdown(f"**{name}**")
            have = int(rng[col].notna().sum())
            days_used = rng[f"{prefix}_days"].where(rng[f"{prefix}_baseline_{u}"].notna())
            if have == 0:
                ins.insufficient(f"no valid {name.lower()} in this range.")
                continue
            if days_used.isna().all():
                ins.insufficient(f"the {win}-day baseline needs {mb.min_days(win)} valid days "
                                 f"before a day; there are at most "
                                 f"{int(rng[f'{prefix}_days'].max())}.")
            ui.chart(ac.baseline_figure(rng, prefix, settings=s), key=f"base_{prefix}")
            if days_used.notna().any():
                st.caption(f"Baseline based on {int(days_used.min())}–{int(days_used.max())} "
                           f"days; {int((rng[f'{prefix}_z'].abs() >= 2).sum())} unusual day(s) "
                           "in this range.")
    st.caption("Measured during the main sleep; only scored, non-calibrating recoveries count. "
               "Gaps stay gaps.")
