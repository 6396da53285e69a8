"""Sleep: time asleep against sleep need split into its parts, the sleep-debt ledger, bedtime
and wake-time regularity (circular statistics), weekday vs weekend (social jet lag), stage
percentages, performance / efficiency / consistency, and naps kept apart from the main sleep."""

from typing import cast

import pandas as pd
import streamlit as st

from whoop import ui
from whoop.charts import analytics as ac
from whoop.charts import basic as charts
from whoop.metrics import basic as m
from whoop.metrics import catalog
from whoop.metrics import clock as mc
from whoop.metrics.units import format_duration, format_hmm, missing
from whoop.ui import insights as ins

EVENTS = {"bedtime": "Bedtime", "wake": "Wake time", "mid_sleep": "Mid-sleep"}
NIGHTS = {"all": "All nights", "work": "Before work days (Sun–Thu nights)",
          "free": "Before free days (Fri–Sat nights)"}

sel = ui.require_selection("Sleep", "sleep")
if sel is not None:
    s = ins.settings()
    shown = m.in_range(ui.view(sel.athlete_id), sel.start, sel.end)
    frames = ins.sleep_frames(sel.athlete_id)  # whole history (rolling windows), then the range
    split = ins.in_range(frames.split, sel.start, sel.end)
    ledger = ins.in_range(frames.ledger, sel.start, sel.end)
    reg, sjl = ins.regularity(sel.athlete_id, sel.start, sel.end)
    stats = reg.set_index(["event", "nights"])
    nights = int(split["asleep_min"].notna().sum())

    # a metric no night in the range has (disturbances come from the API only) gets no card
    cards = [m for m in catalog.in_view("sleep_page") if shown[m.column].notna().any()]
    cells = [cell for start in range(0, len(cards), 4) for cell in st.columns(4)]   # rows of 4: values fit
    for cell, metric in zip(cells, cards, strict=False):
        cell.metric(f"Mean {metric.name.lower()}", metric.fmt(shown[metric.column].mean(), s),
                    border=True, help=f"{metric.label}: mean of the scored main sleeps in the "
                                      "range.")
    c1, c2, c3, c4 = st.columns(4)
    last = ins.latest_row(ledger, ["debt_ledger_min"])
    whoop_debt = None if last is None else last["whoop_sleep_debt_min"]
    c1.metric("Sleep debt (14 nights)", "–" if last is None
              else format_hmm(last["debt_ledger_min"]), border=True,
              help="Time asleep short of WHOOP's sleep need without its debt part, added up "
                   "over the last 14 nights (h:mm, so a debt of many hours fits the card); "
                   "nights above need pay it back, never below zero."
                   + ("" if missing(whoop_debt) else
                      f" WHOOP's own sleep debt that night: {format_duration(whoop_debt)}."))
    for col, event in ((c2, "bedtime"), (c3, "wake")):
        st_row = cast(pd.Series, stats.loc[(event, "all")])     # (event, nights) is the whole index
        col.metric(f"Mean {EVENTS[event].lower()}", s.clock_label(st_row["mean_min"])
                   if st_row["sufficient"] else "–", border=True,
                   help="Circular mean of the local clock times (23:30 and 00:30 average to "
                        "00:00).")
        if st_row["sufficient"]:
            col.caption(f"± {format_duration(st_row['sd_min'])} spread (circular SD), "
                        f"{int(st_row['n'])} nights")
    c4.metric("Social jet lag", "–" if missing(sjl) else format_duration(sjl), border=True,
              help="Difference of the mean mid-sleep before free days and before work days "
                   "(Wittmann et al. 2006).")

    st.subheader("Asleep vs need")
    if nights == 0:
        ins.insufficient("no scored main sleep in this range.")
    else:
        ui.chart(ac.sleep_need_figure(split), key="need_split")
        api_parts = split[["need_baseline_min", "need_strain_min"]].notna().any().any()
        st.caption(
            "Bars: WHOOP's sleep need, stacked by its parts; line: hours asleep. "
            + ("Baseline, recent strain, sleep debt and naps come from the WHOOP API's "
               "sleep_needed. " if api_parts else
               "The export only reports the need and its sleep-debt part, so the rest shows as "
               "\"Other / unsplit\" (baseline + strain + naps); sync with the API for the full "
               "split. ")
            + "A line below the top of the bars is a night short of need.")

    st.subheader("Sleep-debt ledger")
    if ledger["sleep_balance_min"].notna().sum() == 0:
        ins.insufficient("no scored night with a sleep need in this range.")
    else:
        ui.chart(ac.debt_ledger_figure(ledger), key="ledger")
        st.caption(
            "Bars: each night's time asleep minus WHOOP's sleep need without its debt part "
            "(green above need, red short); the debt part is left out because WHOOP adds last "
            "nights' shortfall to tonight's need, and naps are already subtracted from it. "
            "Orange line: the shortfall added up over the last 14 nights (surpluses pay it back, "
            "never below zero; needs 7 scored nights), on your whole history, so the first "
            "days of a range count the nights before it; cumulative sleep loss builds up over "
            "about two weeks (Van Dongen et al. 2003) and takes several nights to repay "
            "(Kitamura et al. 2016). Dotted: WHOOP's own sleep debt.")

    st.subheader("Bedtime and wake-time regularity")
    if not stats.loc[("bedtime", "all"), "sufficient"]:
        ins.insufficient(f"regularity needs at least {mc.MIN_NIGHTS} scored nights in the "
                         f"range; there are {int(cast(pd.Series, stats.loc[('bedtime', 'all')])['n'])}.")
    else:
        ui.chart(ac.clock_figure(ins.in_range(frames.clock, sel.start, sel.end), settings=s),
                 key="clock")
        st.caption("Dots: each night's local bedtime (violet) and wake time (yellow); lines: "
                   "their 14-day circular means. Night at the top, morning below; a tight band "
                   "is a regular rhythm.")

    st.subheader("Weekday vs weekend (social jet lag)")
    table = pd.DataFrame({label: [ins.fmt_clock_spread(cast(pd.Series, stats.loc[(e, n)]), s) for e in EVENTS]
                          for n, label in NIGHTS.items()}, index=list(EVENTS.values()))
    st.dataframe(table.rename_axis("").reset_index(), hide_index=True, width="stretch")
    if missing(sjl):
        ins.insufficient(f"social jet lag needs {mc.MIN_NIGHTS} nights before work days and "
                         f"{mc.MIN_NIGHTS} before free days in the range.")
    else:
        st.caption(
            f"Mean clock time ± spread (circular SD) and nights. Social jet lag = "
            f"**{format_duration(sjl)}** between the mid-sleep before free days and before work "
            "days (Wittmann et al. 2006); under an hour is usual, two hours or more is like "
            "flying across time zones every weekend.")

    st.subheader("Sleep stages")
    pct_tab, hours_tab = st.tabs(["Share of the night (%)", "Hours per night"])
    with pct_tab:
        stages = ins.in_range(frames.stages, sel.start, sel.end)
        if stages["light_pct"].notna().sum() < 3:
            ins.insufficient("the 7-night rolling shares need at least 3 scored nights with "
                             "stages in the range.")
        else:
            ui.chart(ac.stage_pct_figure(stages), key="stage_pct")
            mean = stages[["light_pct", "deep_pct", "rem_pct"]].mean()
            st.caption(f"7-night rolling means. Light, deep (SWS) and REM as % of time asleep "
                       f"(range means {mean['light_pct']:.0f} / {mean['deep_pct']:.0f} / "
                       f"{mean['rem_pct']:.0f} %), awake as % of time in bed. Adults typically "
                       "spend about 15-25 % each in deep and REM sleep.")
    with hours_tab:
        ui.chart(charts.sleep_stages_figure(shown), key="stage_hours")
    st.subheader("Performance, efficiency, consistency")
    ui.chart(charts.sleep_quality_figure(shown))

    st.subheader("Naps")
    naps = m.naps(ui.records("sleeps", sel.athlete_id), sel.start, sel.end)
    if naps.empty:
        st.info("No naps in this range.")
    else:
        st.caption(f"{len(naps)} nap(s), {format_hmm(naps['asleep_min'].sum())} h:mm asleep in "
                   "total. Naps never open a day and are not part of the nightly numbers above.")
        ui.chart(charts.naps_figure(naps, sel.start, sel.end))
        table = naps.assign(asleep=naps["asleep_min"].map(format_hmm),
                            in_bed=naps["in_bed_min"].map(format_hmm))
        st.dataframe(table[["start_local", "end_local", "asleep", "in_bed", "score_state"]],
                     hide_index=True, width="stretch", column_config={
                         "start_local": st.column_config.DatetimeColumn(
                             "Start", format="ddd D MMM YYYY HH:mm"),
                         "end_local": st.column_config.DatetimeColumn("End", format="HH:mm"),
                         "asleep": "Asleep (h:mm)", "in_bed": "In bed (h:mm)",
                         "score_state": "Score state"})
