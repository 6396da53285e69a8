"""Explain a day: that day's recovery, each input's deviation from its own baseline (HRV vs the
HRV normal range, resting HR, respiratory rate, skin temperature, sleep vs need, prior-day
strain), the journal answers filed under the day, and the most similar past days."""

import pandas as pd
import streamlit as st

from whoop import ui
from whoop.metrics import basic as m
from whoop.metrics import explain as mx
from whoop.metrics.catalog import CATALOG
from whoop.ui import analytics as ua

sel = ui.require_selection("Explain a day", "explain", "one day against your own baselines")
if sel is not None:
    s = ua.current_settings()
    hrv_w, win = s.hrv_normal_window_days, s.baseline_window_days
    left, right = st.columns([1, 3], gap="large")
    with left:
        day = st.date_input("Day", value=sel.last_day, min_value=sel.first_day,
                            max_value=sel.last_day, key="explain_day", format="YYYY-MM-DD")
    ex = ua.explain_day(sel.athlete_id, day, s)
    dev = ex.deviations
    zone = m.zone_of(ex.recovery_score)
    with left:
        if zone is None:
            st.metric("Recovery", "–", border=True,
                      help="No scored recovery on this day (pending, unscorable, calibrating, "
                           "no main sleep or no data).")
        else:
            st.metric("Recovery", f":{zone}[{ex.recovery_score:.0f}%]",
                      f"{zone} zone", delta_color="off", delta_arrow="off", border=True,
                      help="WHOOP zones: green 67-100, yellow 34-66, red 0-33.")
    with right:
        st.subheader(f"{day:%A, %d %B %Y}")
        if not ex.found:
            st.warning("No WHOOP data on this day (a wear gap). Pick another day.",
                       icon=":material/event_busy:")
        else:
            st.markdown("**What stood out**")
            lines = []
            for _, row in dev.iterrows():
                sentence = ua.deviation_sentence(row, s, hrv_w, win)
                flag = " **(unusual)**" if pd.notna(row["z"]) and abs(row["z"]) >= 2 else ""
                lines.append(f"- {sentence}{flag}")
            st.markdown("\n".join(lines))

    if ex.found:
        st.subheader("Inputs against their baselines")
        c1, c2 = st.container(), st.container()  # stacked: side by side cut the tables
        with c1:
            if not dev["z"].notna().any():
                st.warning(f"Insufficient data: the baselines need at least {mx.min_days(win)} "
                           f"valid days in the {win} days before this day (HRV: "
                           f"{mx.min_days(hrv_w)} of {hrv_w}).", icon=":material/hourglass_empty:")
            else:
                ui.chart(ua.deviation_figure(dev), key="deviation")
                st.caption("How many standard deviations each input is from your baseline. "
                           "Green: the direction that usually goes with better recovery, red: "
                           "worse, grey: neither. Beyond the dotted lines (±2 SD) is unusual.")
        with c2:
            table = pd.DataFrame({
                "Input": [CATALOG[x].name for x in dev["input"]],
                "Value": [CATALOG[x].fmt(v, s) for x, v in zip(dev["input"], dev["value"], strict=True)],
                "Baseline": [CATALOG[x].fmt(v, s)
                             for x, v in zip(dev["input"], dev["baseline"], strict=True)],
                "z": dev["z"],
                "Days used": [f"{n} of {hrv_w if x == 'hrv_rmssd_ms' else win}"
                              for x, n in zip(dev["input"], dev["days_used"], strict=True)],
            })
            st.dataframe(table, hide_index=True, width="stretch", column_config={
                "z": st.column_config.NumberColumn(format="%+.2f", width="small"),
                "Days used": st.column_config.TextColumn(
                    help="Valid days the baseline rests on, of the window's days.")})
            st.caption(f"HRV: ln(RMSSD) against the {hrv_w}-day normal (Plews et al.), shown as "
                       f"a geometric mean in ms; others against the {win} days before the day. "
                       "Sleep vs need = time asleep − sleep need (+ = more than needed). "
                       "Windows are set on the Settings page.")

    c1, c2 = st.container(), st.container()  # stacked: side by side cut the tables
    with c1:
        st.subheader("Journal answers")
        if ex.journal.empty:
            st.info("No journal answers filed under this day.")
        else:
            answers = pd.DataFrame({
                "Question": ex.journal["question"],
                "Answer": ex.journal["answered_yes"].map({True: "Yes", False: "No"}).fillna("–"),
                "Notes": ex.journal["notes"].fillna(""),
            })
            st.dataframe(answers, hide_index=True, width="stretch")
            st.caption("Filed under this day: the answers describe the day before.")
    with c2:
        st.subheader("Most similar past days")
        sim = ex.similar
        if sim.empty:
            st.info(f"Insufficient data: a similar day needs at least {mx.MIN_SHARED} inputs with "
                    "a baseline on both days, and there is no such earlier day yet.")
        else:
            st.dataframe(pd.DataFrame({
                "Date": sim["date"].dt.date, "Recovery": sim["recovery_score"],
                "Distance": sim["distance"], "Shared inputs": sim["shared_inputs"]}),
                hide_index=True, width="stretch", column_config={
                    "Date": st.column_config.DateColumn(format="ddd D MMM YYYY"),
                    "Recovery": st.column_config.NumberColumn(format="%.0f%%"),
                    "Distance": st.column_config.NumberColumn(
                        format="%.2f", help="Root-mean-square difference of the inputs' "
                                            "z-scores: 0 = the same pattern.")})
            mean_rec = sim["recovery_score"].mean()
            avg = (f" Their recovery averaged **{mean_rec:.0f}%**." if pd.notna(mean_rec) else "")
            st.caption("The earlier days with the closest pattern of input z-scores (nearest "
                       f"neighbours).{avg}")
