"""Sleep: time asleep against sleep need, stages, performance / efficiency / consistency, and
naps kept apart from the main sleep."""

import streamlit as st

from whoop import ui
from whoop.charts import basic as charts
from whoop.metrics import basic as m

sel = ui.require_selection("Sleep", "sleep")
if sel is not None:
    shown = m.in_range(ui.view(sel.athlete_id), sel.start, sel.end)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Mean asleep", m.format_hmm(shown["asleep_min"].mean()), border=True,
              help="Light + deep + REM, h:mm per night.")
    c2.metric("Mean sleep need", m.format_hmm(shown["sleep_need_min"].mean()), border=True)
    perf = shown["sleep_performance_pct"].mean()
    c3.metric("Mean performance", "–" if perf != perf else f"{perf:.0f}%", border=True)
    eff = shown["sleep_efficiency_pct"].mean()
    c4.metric("Mean efficiency", "–" if eff != eff else f"{eff:.0f}%", border=True)

    st.subheader("Asleep vs need")
    ui.chart(charts.sleep_need_figure(shown))
    st.subheader("Sleep stages")
    ui.chart(charts.sleep_stages_figure(shown))
    st.subheader("Performance, efficiency, consistency")
    ui.chart(charts.sleep_quality_figure(shown))

    st.subheader("Naps")
    naps = m.naps(ui.records("sleeps", sel.athlete_id), sel.start, sel.end)
    if naps.empty:
        st.info("No naps in this range.")
    else:
        st.caption(f"{len(naps)} nap(s), {m.format_hmm(naps['asleep_min'].sum())} h:mm asleep in "
                   "total. Naps never open a day and are not part of the nightly numbers above.")
        ui.chart(charts.naps_figure(naps))
        table = naps.assign(asleep=naps["asleep_min"].map(m.format_hmm),
                            in_bed=naps["in_bed_min"].map(m.format_hmm))
        st.dataframe(table[["start_local", "end_local", "asleep", "in_bed", "score_state"]],
                     hide_index=True, width="stretch", column_config={
                         "start_local": st.column_config.DatetimeColumn("Start",
                                                                        format="ddd D MMM YYYY HH:mm"),
                         "end_local": st.column_config.DatetimeColumn("End", format="HH:mm"),
                         "asleep": "Asleep (h:mm)", "in_bed": "In bed (h:mm)",
                         "score_state": "Score state"})
