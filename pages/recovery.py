"""Recovery: daily score coloured by WHOOP's zones, 7- and 30-day rolling means, zone
distribution; unscored days are marked, never drawn as zero."""

import streamlit as st

from whoop import ui
from whoop.charts import basic as charts
from whoop.metrics import basic as m

sel = ui.require_selection("Recovery", "recovery")
if sel is not None:
    shown = m.in_range(ui.view(sel.athlete_id), sel.start, sel.end)
    scores = shown["recovery_score"]
    dist = m.zone_distribution(shown)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Mean recovery", f"{scores.mean():.0f}%" if scores.notna().any() else "–",
              border=True)
    for col, zone, days, pct in zip((c2, c3, c4), dist["zone"], dist["days"], dist["pct"], strict=False):
        col.metric(f"{zone.capitalize()} days", f"{days}",
                   f"{pct:.0f}% of scored days" if days else None, delta_color="off",
                   delta_arrow="off", border=True)
    ui.chart(charts.recovery_figure(shown))

    status = shown.loc[shown["has_row"] & scores.isna(), "recovery_status"].value_counts()
    if len(status):
        st.caption("Marked × and left out of the means: " +
                   ", ".join(f"{n} {s}" for s, n in status.items()) +
                   ". Missing days are gaps; the rolling means need more than half their window.")

    left, right = st.columns([1, 1])
    with left:
        st.subheader("Zone distribution")
        ui.chart(charts.zone_figure(dist))
    with right:
        st.subheader("Days per zone")
        st.dataframe(dist.rename(columns={"zone": "Zone", "days": "Days", "pct": "% of scored"}),
                     hide_index=True, width="stretch",
                     column_config={"% of scored": st.column_config.NumberColumn(format="%.0f%%")})
        st.caption("WHOOP zones: green 67-100 %, yellow 34-66 %, red 0-33 %.")
