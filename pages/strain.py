"""Strain: day strain with the EWMA acute:chronic workload ratio of strain and of energy
(Williams et al. 2017; provisional while the chronic window is thin), strain against next-day
recovery, weekly heart-rate-zone minutes and workouts by activity over time."""

import streamlit as st

from whoop import ui
from whoop.charts import analytics as ac
from whoop.charts import basic as charts
from whoop.metrics import basic as m
from whoop.metrics import load as ml
from whoop.metrics.units import format_hmm, missing
from whoop.ui import insights as ins

MIN_PAIRS = 7
MIN_BAND_DAYS = 3
MEASURES = {"workout_count": "Workouts", "duration_min": "Time", "energy_kj": "Energy"}

sel = ui.require_selection("Strain", "strain")
if sel is not None:
    s = ins.settings()
    shown = m.in_range(ui.view(sel.athlete_id), sel.start, sel.end)
    workouts = m.workouts_local(ui.records("workouts", sel.athlete_id), sel.start, sel.end)
    load = ins.in_range(ins.training_load(sel.athlete_id, s), sel.start, sel.end)
    c1, c2, c3, c4 = st.columns(4)
    strain = shown["day_strain"]
    c1.metric("Mean day strain", f"{strain.mean():.1f}" if strain.notna().any() else "–",
              border=True)
    c2.metric("Workouts", f"{len(workouts)}", border=True)
    c3.metric("Workout time (h:mm)", format_hmm(workouts["duration_min"].sum()) if len(workouts)
              else "–", border=True, help="h:mm")
    energy = shown["energy_kj"].mean()
    c4.metric("Mean daily energy", f"{s.energy(energy):,.0f} {s.energy_unit}"
              if shown["energy_kj"].notna().any() else "–", border=True,
              help="Whole-day energy expenditure of the scored days.")

    st.subheader("Day strain and training load")
    last = ins.latest_row(load, ["acwr_strain"])
    lo, hi = ml.SWEET_SPOT
    need = ins.provisional_need(s)
    if last is None:
        ins.insufficient("no scored, closed day with strain in this range.")
    else:
        c1, c2, c3 = st.columns(3)
        prov = " (provisional)" if last["acwr_provisional"] else ""
        c1.metric(f"ACWR day strain{prov}", f"{last['acwr_strain']:.2f}", border=True,
                  help=f"Acute ({s.acute_days}-day) over chronic ({s.chronic_days}-day) EWMA "
                       f"of day strain on {last['date']:%d %b %Y}; {lo}–{hi} is the usual "
                       "target band.")
        c2.metric(f"ACWR energy{prov}", "–" if missing(last["acwr_energy"])
                  else f"{last['acwr_energy']:.2f}", border=True)
        c3.metric(f"Days with data (last {s.chronic_days})", f"{int(last['load_days'])}",
                  border=True, help=f"The ratio is provisional below {need}.")
        if last["acwr_provisional"]:
            st.info(f"Provisional: only {int(last['load_days'])} of the last {s.chronic_days} "
                    f"days have strain data; the ratio settles once {need} do (dotted grey on "
                    "the charts).", icon=":material/hourglass_top:")
        strain_tab, energy_tab = st.tabs(["Day strain", f"Energy ({s.energy_unit})"])
        for tab, stem in ((strain_tab, "strain"), (energy_tab, "energy_kj")):
            with tab:
                ui.chart(ac.load_figure(load, stem, settings=s), key=f"load_{stem}")
                ui.chart(ac.acwr_figure(load, stem), key=f"acwr_{stem}")
        st.caption(
            f"Bars: daily load; orange: acute load ({s.acute_days}-day EWMA), blue: chronic load "
            f"({s.chronic_days}-day EWMA) (Williams et al. 2017). The acute:chronic ratio "
            f"compares the last week with your usual: {lo}–{hi} (green band) is the range linked "
            "with the lowest injury risk (Hulin et al. 2016), above it load is climbing faster "
            f"than you are used to. Dotted grey = provisional (fewer than {need} of "
            f"{s.chronic_days} days with data). Days without data are gaps, not rest days.")

    st.subheader("Strain vs next-day recovery")
    pairs = ins.in_range(ins.strain_pairs(sel.athlete_id), sel.start, sel.end)
    if pairs.empty:
        ins.insufficient("no day in this range has both a scored strain and a scored recovery "
                         "the next day.")
    else:
        if len(pairs) < MIN_PAIRS:
            ins.insufficient(f"{len(pairs)} day pair(s) in this range; the strain-band summary "
                             f"needs at least {MIN_PAIRS}.")
        left, right = st.columns([3, 2])
        with left:
            ui.chart(ac.strain_recovery_figure(pairs), key="strain_recovery")
        if len(pairs) >= MIN_PAIRS:
            with right:
                bands = ml.next_recovery_by_strain_band(pairs)
                thin = bands["n"] < MIN_BAND_DAYS
                bands.loc[thin, ["mean_next_recovery", "sd_next_recovery"]] = float("nan")
                ui.chart(ac.strain_band_figure(bands), key="strain_bands")
            st.dataframe(bands.rename(columns={  # full width: a side column cut it off
                "strain_band": "Strain band", "n": "Days",
                "mean_next_recovery": "Next-day recovery (%)",
                "sd_next_recovery": "SD"}).round(1), hide_index=True, width="stretch")
        st.caption(f"{len(pairs)} day pairs: each dot is a day's strain and the recovery the "
                   "next morning, coloured by WHOOP zone; dotted lines split WHOOP's strain "
                   "bands (light, moderate, strenuous, all out). Falling bars mean harder days "
                   f"cost you recovery (bands with fewer than {MIN_BAND_DAYS} days stay blank); "
                   "association, not cause: sleep and life stress matter too.")

    st.subheader("Heart-rate zones per week")
    zones, by_time = ins.workout_frames(sel.athlete_id, sel.start, sel.end)
    if zones.empty:
        ins.insufficient("no scored workout in this range.")
    else:
        ui.chart(charts.hr_zones_figure(zones), key="zones")
        st.caption("Minutes of scored workout time per WHOOP heart-rate zone (by % of max HR), "
                   "weeks starting Monday. Zones 1-2 build the aerobic base, 4-5 are hard.")

    st.subheader("Workouts by activity")
    by_activity = ml.workouts_by_activity(workouts, freq=None)
    if by_activity.empty:
        st.info("No workouts in this range.")
    else:
        measure = st.segmented_control("Show", list(MEASURES), default="workout_count",
                                       format_func=lambda k: MEASURES[k], key="activity_measure",
                                       required=True) or "workout_count"
        frame = by_time.copy()
        label = {"workout_count": "workouts", "duration_min": "hours",
                 "energy_kj": s.energy_unit}[measure]
        if measure == "duration_min":
            frame[measure] = frame[measure] / 60
        elif measure == "energy_kj":
            frame[measure] = s.energy(frame[measure])
        ui.chart(ac.activity_time_figure(frame, measure, label), key="activity_time")
        per = "week (from Monday)" if (sel.end - sel.start).days <= 120 else "month"
        st.caption(f"Per {per}, by local start date; the most frequent activities stacked; "
                   "all workouts count, manual ones too.")
        ui.chart(charts.activity_figure(by_activity), key="activity_total")
        # full width below the chart: a side column is too narrow for the time and energy
        st.dataframe(by_activity.assign(time=by_activity["duration_min"].map(format_hmm),
                                        energy=s.energy(by_activity["energy_kj"]))[
            ["sport_name", "workout_count", "activity_strain_sum", "activity_strain_mean",
             "time", "energy"]],
            hide_index=True, width="stretch", column_config={
                "sport_name": st.column_config.TextColumn("Activity", width="medium"),
                "workout_count": st.column_config.NumberColumn("Workouts", width="small"),
                "activity_strain_sum": st.column_config.NumberColumn("Total strain",
                                                                     format="%.1f"),
                "activity_strain_mean": st.column_config.NumberColumn("Mean strain",
                                                                      format="%.1f"),
                "time": st.column_config.TextColumn("Time (h:mm)", width="small"),
                "energy": st.column_config.NumberColumn(f"Energy ({s.energy_unit})",
                                                        format="%.0f")})
