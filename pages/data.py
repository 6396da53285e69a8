"""Data: upload a WHOOP export, load the demo athlete, connect WHOOP, import
history, coverage per athlete, data quality of the selected athlete in the range (coverage map
by source, excluded records and why), and deleting an athlete's data."""

import streamlit as st

from whoop import escape, ui
from whoop.charts.history import coverage_figure
from whoop.ui import insights as ins
from whoop.ui.connect import render_whoop_card
from whoop.ui.upload import upload_card

sel = ui.selection()
ui.page_header("Data", caption="Import, sync and manage what is stored in the local database.")

upload_card(sel)

with ui.guard("WHOOP connect card"):
    render_whoop_card()

coach = ui.data.scope() is None          # a coach (or the personal app's owner) sees everyone
if coach:
    with st.container(border=True):
        st.subheader("Demo data")
        st.write("A deterministic synthetic athlete called 'demo', written in the real export "
                 "format and loaded through the same importer.")
        ui.load_demo_button(key="demo_data", primary=sel is None)

st.subheader("Coverage per athlete")
coverage = ui.data.coverage_table()
if coverage.empty:
    st.info("No data yet.")
else:
    st.dataframe(coverage, hide_index=True, width="stretch", column_config={
        "athlete": "Athlete", "first_day": "First day", "last_day": "Last day",
        "days_with_data": "Days with data", "missing_days": "Missing days",
        "coverage_pct": st.column_config.NumberColumn("Coverage", format="%.0f%%")})

st.subheader("Import history")
history = ui.data.runs_table()
if history.empty:
    st.info("Nothing imported yet.")
else:
    # Pixel widths that add up to the 800 px a 1280 px window leaves the page, so no column
    # is pushed off screen; wider windows stretch them.
    col = st.column_config
    st.dataframe(history, hide_index=True, width="stretch", column_config={
        "finished": col.DatetimeColumn("Finished (UTC)", format="YYYY-MM-DD HH:mm", width=118),
        "athlete": col.TextColumn("Athlete", width=88), "kind": col.TextColumn("Kind", width=50),
        "source": col.TextColumn("Source", width=120), "status": col.TextColumn("Status", width=56),
        "records": col.TextColumn("Records", width=170),
        "requests": col.NumberColumn("Requests", width=48, help="HTTP requests sent to WHOOP"),
        "warnings": col.NumberColumn("Warnings", width=48), "error": col.TextColumn("Error",
                                                                                    width=90)})

if sel is not None:
    st.subheader("Data quality")
    cov, excl = ins.quality(sel.athlete_id, sel.start, sel.end)
    by_source = cov["source"].value_counts()
    st.write(f"**{escape.markdown(sel.athlete)}**, {sel.start:%d %b %Y} – {sel.end:%d %b %Y}: "
             + ", ".join(f"**{n}** day(s) {src}" for src, n in by_source.items()) + ".")
    ui.chart(coverage_figure(cov), key="coverage_map")
    st.caption("One square per day (weeks across, a row per weekday; a block of rows per "
               "year for ranges over a year), coloured by "
               "where the day's data came from: api (WHOOP sync), export (uploaded ZIP), "
               "api+export (both; the API wins), demo. Blank = missing: every chart leaves "
               "those days as gaps, never zeros.")
    st.markdown("**Records left out of the statistics**")
    excl = excl.assign(why=ins.exclusion_why(excl, sel.athlete_id, sel.last_day))
    st.dataframe(excl, hide_index=True, width="stretch", column_config={
        "record": "Record", "reason": "Reason", "count": "Count", "why": "Why"})
    st.caption("Only SCORED records count in baselines and statistics; these are shown as "
               "such (or as gaps) and never as zeros. Counts are for the selected range.")

everyone = ui.athletes(with_data=False)
if everyone and not coach:
    mine = everyone[0]
    with st.expander("Leave the team", icon=":material/logout:"):
        st.write("Revokes this dashboard's access at WHOOP. Your account stays, so you can "
                 "connect again later.")
        wipe = st.checkbox("Also delete all my data from this dashboard", key="leave_delete")
        if st.button("Leave the team", key="leave_go"):
            ui.actions.leave_team(mine.athlete_id, mine.name, delete_data=wipe)
elif everyone:
    with st.expander("Delete athlete data", icon=":material/delete:"):
        names = {a.name: a for a in everyone}
        default = sel.athlete if sel is not None and sel.athlete in names else next(iter(names))
        victim = st.selectbox("Athlete", list(names), index=list(names).index(default),
                              key="delete_pick")
        sure = st.checkbox(f"Yes, delete every record, day, import run and setting of "
                           f"'{escape.markdown(victim)}'. This cannot be undone.",
                           key="delete_confirm")
        if st.button("Delete athlete data", disabled=not sure, key="delete_go"):
            ui.delete_athlete(names[victim].athlete_id, victim)
