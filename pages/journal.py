"""Journal impact: for each journal question, recovery, HRV, resting HR and sleep performance of
the cycles answered "yes" vs "no" (means, difference, 95% bootstrap CI, n). Association, not
causation. The period defaults to all history (a question needs 5 "yes" and 5 "no" answers)."""

import pandas as pd
import streamlit as st

from whoop import ui
from whoop.charts import analytics as charts
from whoop.csvout import csv_bytes
from whoop.metrics import journal as mj
from whoop.metrics.catalog import CATALOG
from whoop.ui import analytics as ua

PERIODS = ["All history", "Sidebar range", "Custom"]

sel = ui.require_selection("Journal", "journal", "what goes with better or worse recovery")
if sel is not None:
    s = ua.current_settings()
    st.info("**Association, not causation.** A difference between \"yes\" and \"no\" days says "
            "that the two go together in your data, not that the behaviour caused it (a hard "
            "day may bring both a drink and a poor night). Each answer describes the day "
            "*before* and is filed under the next cycle, so it is compared with the recovery, "
            "HRV, resting HR and sleep performance of the cycle it is filed under.",
            icon=":material/info:")

    left, right = st.columns([2, 3])
    with left:
        period = st.segmented_control("Period", PERIODS, default=PERIODS[0], required=True,
                                      key="journal_period") or PERIODS[0]
    start, end = None, None
    if period == "Sidebar range":
        start, end = sel.start, sel.end
    elif period == "Custom":
        with right:
            picked = st.date_input("From - to", value=(sel.first_day, sel.last_day),
                                   min_value=sel.first_day, max_value=sel.last_day,
                                   key="journal_custom", format="YYYY-MM-DD")
        if isinstance(picked, (tuple, list)) and len(picked) == 2:
            start, end = picked
        elif isinstance(picked, (tuple, list)) and len(picked) == 1:
            start = picked[0]
    shown_start, shown_end = start or sel.first_day, end or sel.last_day
    st.caption(f"{shown_start:%d %b %Y} – {shown_end:%d %b %Y}. The period starts as all "
               "history, not the sidebar range: each question needs at least "
               f"{mj.MIN_ANSWERS} \"yes\" and {mj.MIN_ANSWERS} \"no\" answers with valid data, "
               "which a short range rarely has.")

    impact, answered_days = ua.journal_impact(sel.athlete_id, start, end)
    if impact.empty:
        st.warning("No journal answers in this period. The WHOOP journal lives in the export's "
                   "journal_entries.csv; answer questions in the WHOOP app and import a new "
                   "export to see their impact here.", icon=":material/edit_note:")
    else:
        good = impact[impact["sufficient"]]
        questions = impact["question"].nunique()
        ok_questions = good["question"].nunique()
        c1, c2, c3 = st.columns(3)
        c1.metric("Questions answered", questions, border=True)
        c2.metric("With enough answers", ok_questions, border=True,
                  help=f"At least {mj.MIN_ANSWERS} valid yes and {mj.MIN_ANSWERS} valid no "
                       "answers for a metric.")
        c3.metric("Days with answers", answered_days, border=True)

        if good.empty:
            st.warning(f"Insufficient data: no question has {mj.MIN_ANSWERS} \"yes\" and "
                       f"{mj.MIN_ANSWERS} \"no\" answers on days with valid data in this period.",
                       icon=":material/hourglass_empty:")
        else:
            st.subheader("Difference on \"yes\" days (yes − no, 95% CI)")
            st.caption("Each dot is the mean on \"yes\" days minus the mean on \"no\" days; the "
                       "bar is its 95% bootstrap confidence interval. Green = better on yes days "
                       "(higher recovery, HRV or sleep performance, lower resting HR), red = "
                       "worse, grey: the interval crosses 0 (no clear difference).")
            tabs = st.tabs([CATALOG[m].label for m in mj.IMPACT_METRICS])
            for tab, metric in zip(tabs, mj.IMPACT_METRICS, strict=False):
                with tab:
                    rows = good[good["metric"] == metric]
                    if rows.empty:
                        st.info(f"Insufficient data for {CATALOG[metric].label.lower()}.")
                        continue
                    label = CATALOG[metric].title(s)
                    ui.chart(charts.journal_forest_figure(rows, metric, label=label),
                             key=f"forest_{metric}")

            st.subheader("All results")
            table = pd.DataFrame({
                "Question": good["question"],
                "Metric": good["metric"].map(lambda m: CATALOG[m].title(s)),
                "n yes": good["n_yes"], "n no": good["n_no"],
                "Mean yes": good["mean_yes"], "Mean no": good["mean_no"],
                "Difference": good["difference"], "CI low": good["ci_low"],
                "CI high": good["ci_high"],
                "On yes days": mj.yes_day_verdict(good).map(
                    {"better": "better", "worse": "worse", "unclear": "no clear diff."}),
            })
            # On screen: n and the interval in one column each, so the table fits a 1280 px
            # window; the download keeps every number in its own numeric column.
            shown = table.drop(columns=["n yes", "n no", "CI low", "CI high"]).assign(
                n=[f"{y} / {n}" for y, n in zip(good["n_yes"], good["n_no"], strict=True)],
                **{"95% CI": [f"{lo:.1f} to {hi:.1f}" for lo, hi in
                              zip(good["ci_low"], good["ci_high"], strict=True)]})
            shown = shown[["Question", "Metric", "n", "Mean yes", "Mean no", "Difference",
                           "95% CI", "On yes days"]]
            num = st.column_config.NumberColumn(format="%.1f", width="small")
            st.dataframe(shown, hide_index=True, width="stretch", column_config={
                **{c: num for c in ("Mean yes", "Mean no", "Difference")},
                "Question": st.column_config.TextColumn(width="medium"),
                "n": st.column_config.TextColumn("n yes / no", width="small")})
            st.download_button("Download as CSV", csv_bytes(table),  # formula-safe
                               file_name="journal_impact.csv", mime="text/csv",
                               key="journal_csv", icon=":material/download:")

        bad = impact[~impact["sufficient"]]
        if len(bad):
            st.subheader("Insufficient data")
            st.caption(f"These questions (or metrics) have fewer than {mj.MIN_ANSWERS} valid "
                       "\"yes\" or \"no\" answers in the period, so no difference is estimated.")
            listing = (bad.assign(metric=bad["metric"].map(lambda m: CATALOG[m].label))
                       .groupby("question", sort=True)
                       .agg(metrics=("metric", ", ".join), n_yes=("n_yes", "max"),
                            n_no=("n_no", "max")).reset_index())
            st.dataframe(listing, hide_index=True, width="stretch", column_config={
                "question": "Question", "metrics": "Insufficient for", "n_yes": "n yes",
                "n_no": "n no"})
