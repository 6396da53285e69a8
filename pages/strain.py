"""Strain: day strain on WHOOP's 0-21 scale with rolling means, workouts by activity and
weekly time in heart-rate zones."""

import streamlit as st

from whoop import ui
from whoop.charts import basic as charts
from whoop.metrics import basic as m

sel = ui.require_selection("Strain", "strain")
if sel is not None:
    shown = m.in_range(ui.view(sel.athlete_id), sel.start, sel.end)
    workouts = m.workouts_local(ui.records("workouts", sel.athlete_id), sel.start, sel.end)
    c1, c2, c3, c4 = st.columns(4)
    strain = shown["day_strain"]
    c1.metric("Mean day strain", f"{strain.mean():.1f}" if strain.notna().any() else "–",
              border=True)
    c2.metric("Workouts", f"{len(workouts)}", border=True)
    c3.metric("Workout time (h:mm)", m.format_hmm(workouts["duration_min"].sum()) if len(workouts)
              else "–", border=True, help="h:mm")
    energy = shown["energy_kj"].mean()
    c4.metric("Mean daily energy", f"{energy:,.0f} kJ" if shown["energy_kj"].notna().any()
              else "–", border=True, help="Whole-day energy expenditure of the scored days.")

    st.subheader("Day strain")
    ui.chart(charts.strain_figure(shown))

    st.subheader("Workouts by activity")
    by_activity = m.workouts_by_activity(workouts)
    if by_activity.empty:
        st.info("No workouts in this range.")
    else:
        left, right = st.columns([3, 2])
        with left:
            ui.chart(charts.activity_figure(by_activity))
        with right:
            st.dataframe(by_activity.assign(time=by_activity["duration_min"].map(m.format_hmm))[
                ["sport_name", "workouts", "strain_total", "strain_mean", "time", "energy_kj"]],
                hide_index=True, width="stretch", column_config={
                    "sport_name": "Activity", "workouts": "Workouts",
                    "strain_total": st.column_config.NumberColumn("Total strain", format="%.1f"),
                    "strain_mean": st.column_config.NumberColumn("Mean strain", format="%.1f"),
                    "time": "Time (h:mm)",
                    "energy_kj": st.column_config.NumberColumn("Energy (kJ)", format="%.0f")})
        st.subheader("Heart-rate zones per week")
        ui.chart(charts.hr_zones_figure(m.hr_zone_minutes_weekly(workouts)))
        st.caption("Minutes of workout time per WHOOP heart-rate zone (by % of max HR), weeks "
                   "starting Monday.")
