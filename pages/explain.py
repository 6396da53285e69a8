"""Explain a day: that day's recovery, each input's deviation from its own baseline (HRV vs the
HRV normal range, resting HR, respiratory rate, skin temperature, sleep vs need, prior-day
strain), the journal answers filed under the day, and the most similar past days."""

import pandas as pd
import streamlit as st

from whoop import ui
from whoop.metrics import basic as m
from whoop.metrics import explain as mx
from whoop.metrics.units import format_duration
from whoop.ui import analytics as ua

ZONE_WORD = {"green": "green", "yellow": "yellow", "red": "red"}

sel = ui.require_selection("Explain a day", "explain")
if sel is not None:
    s = ua.current_settings()
    hrv_w, win = s.hrv_normal_window_days, s.baseline_window_days
    day = st.date_input("Day", value=sel.last_day, min_value=sel.first_day,
                        max_value=sel.last_day, key="explain_day", format="YYYY-MM-DD")
    ex = ua.explain_day(sel.athlete_id, day, s)

    st.subheader(f"{day:%A, %d %B %Y}")
    if not ex.found:
        st.warning("No WHOOP data on this day (a wear gap). Pick another day.",
                   icon=":material/event_busy:")
    else:
        zone = m.zone_of(ex.recovery_score)
        left, right = st.columns([1, 3])
        with left:
            if zone is None:
                st.metric("Recovery", "–", border=True,
                          help="No scored recovery on this day (pending, unscorable, "
                               "calibrating or no main sleep).")
            else:
                st.metric("Recovery", f":{ZONE_WORD[zone]}[{ex.recovery_score:.0f}%]",
                          border=True, help="WHOOP zones: green 67-100, yellow 34-66, red 0-33.")
        with right:
            st.markdown("**What stood out**")
            dev = ex.deviations
            for _, row in dev.iterrows():
                sentence = ua.deviation_sentence(row, s, hrv_w, win)
                flag = " **(unusual)**" if pd.notna(row["z"]) and abs(row["z"]) >= 2 else ""
                st.markdown(f"- {sentence}{flag}")

        st.subheader("Inputs against their baselines")
        with_base = dev["z"].notna()
        if not with_base.any():
            need = mx.min_days(win)
            st.warning(f"Insufficient data: the baselines need at least {need} valid days in the "
                       f"{win} days before this day (HRV: {mx.min_days(hrv_w)} of {hrv_w}).",
                       icon=":material/hourglass_empty:")
        else:
            ui.chart(ua.deviation_figure(dev), key="deviation")
            st.caption("Bars: how many standard deviations each input is from your baseline "
                       "(the days before this one). Green: the direction that usually goes with "
                       "better recovery, red: worse, grey: neither. Beyond the dotted lines "
                       "(±2 SD) is unusual for you.")

        def show(x: str, v: float) -> str:
            """An input's value or baseline in the chosen units."""
            if pd.isna(v):
                return "–"
            if x == "skin_temp_c":
                return f"{s.temperature(v):.2f} {s.temperature_label}"
            if x == "asleep_minus_need_min":
                return format_duration(v)
            if x == "prior_day_strain":
                return f"{v:.1f}"
            return f"{v:.0f} ms" if x == "hrv_rmssd_ms" else f"{v:.1f} {mx.INPUTS[x]}"

        table = pd.DataFrame({
            "Input": [ua.INPUT_NAMES[x] for x in dev["input"]],
            "Value": [show(x, v) for x, v in zip(dev["input"], dev["value"])],
            "Baseline": [show(x, v) for x, v in zip(dev["input"], dev["baseline"])],
            "z": dev["z"],
            "Baseline days": dev["days_used"],
            "Window": [f"{hrv_w} d" if x == "hrv_rmssd_ms" else f"{win} d" for x in dev["input"]],
        })
        st.dataframe(table, hide_index=True, width="stretch", column_config={
            "z": st.column_config.NumberColumn(format="%+.2f"),
            "Baseline days": st.column_config.NumberColumn(help="Valid days the baseline rests on.")})
        st.caption(f"HRV: ln(RMSSD) against the {hrv_w}-day normal (Plews et al.), shown as a "
                   f"geometric mean in ms; others against the {win} days before the day. "
                   "Sleep vs need = time asleep − sleep need (+ = more than needed). Windows "
                   "are set on the Settings page.")

        st.subheader("Journal answers filed under this day")
        if ex.journal.empty:
            st.info("No journal answers filed under this day.")
        else:
            st.caption("Answers describe the day before and are filed under this day's cycle.")
            answers = pd.DataFrame({
                "Question": ex.journal["question"],
                "Answer": ex.journal["answered_yes"].map({True: "Yes", False: "No"}).fillna("–"),
                "Notes": ex.journal["notes"].fillna(""),
            })
            st.dataframe(answers, hide_index=True, width="stretch")

    st.subheader("Most similar past days")
    sim = ex.similar
    if sim.empty:
        st.info(f"Insufficient data: a similar day needs at least {mx.MIN_SHARED} inputs with a "
                "baseline on both days, and there is no such earlier day yet.")
    else:
        mean_rec = sim["recovery_score"].mean()
        if pd.notna(mean_rec):
            st.write(f"On the {len(sim)} most similar earlier days your recovery averaged "
                     f"**{mean_rec:.0f}%**.")
        st.dataframe(pd.DataFrame({
            "Date": sim["date"].dt.date, "Recovery": sim["recovery_score"],
            "Distance": sim["distance"], "Shared inputs": sim["shared_inputs"]}),
            hide_index=True, width="stretch", column_config={
                "Date": st.column_config.DateColumn(format="ddd D MMM YYYY"),
                "Recovery": st.column_config.NumberColumn(format="%.0f%%"),
                "Distance": st.column_config.NumberColumn(
                    format="%.2f", help="Root-mean-square difference of the inputs' z-scores: "
                                        "0 = the same pattern.")})
        st.caption("Similar = closest pattern of the inputs' z-scores (nearest neighbours), "
                   "among days before this one.")
