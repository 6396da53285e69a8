"""Quirks of the WHOOP export (docs/EXPORT_QUIRKS.md) and the unit conversions, on the invented athlete of
tests/export_fixtures.py; expected values are computed by hand in the comments."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from tests import export_fixtures as fx
from whoop.export import read_export_files


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


@pytest.fixture(scope="module")
def data():
    return read_export_files([(name, text.encode()) for name, text in fx.export_csvs().items()])


def test_cycles_whole_rows(data):
    rows = data.cycles[["start_utc", "end_utc", "tz_offset_min", "score_state", "day_strain",
                        "energy_kj", "avg_heart_rate_bpm", "max_heart_rate_bpm"]]
    nan = float("nan")
    expected = pd.DataFrame({
        # local wall clock minus the row offset: 23:10 at UTC+01:00 -> 22:10Z; UTCZ = +00:00
        "start_utc": [utc("2024-03-12 22:10"), utc("2024-03-11 22:40"), utc("2024-03-10 23:05"),
                      utc("2024-03-09 23:30"), utc("2024-03-08 00:00")],
        "end_utc": [pd.NaT, utc("2024-03-12 22:10"), utc("2024-03-11 22:40"),
                    utc("2024-03-10 23:05"), utc("2024-03-09 00:00")],
        "tz_offset_min": [60, 60, 0, 0, 0],
        # open -> PENDING_SCORE; placeholder without any metric -> UNSCORABLE
        "score_state": ["PENDING_SCORE", "SCORED", "SCORED", "SCORED", "UNSCORABLE"],
        "day_strain": [nan, 14.3, 9.8, 6.1, nan],
        # kcal x 4.184: 2500 -> 10460, 2100 -> 8786.4, 1900 -> 7949.6
        "energy_kj": [nan, 10460.0, 8786.4, 7949.6, nan],
        "avg_heart_rate_bpm": [nan, 68.0, 64.0, 61.0, nan],
        "max_heart_rate_bpm": [nan, 171.0, 150.0, 130.0, nan],
    })
    expected["start_utc"] = expected["start_utc"].astype("datetime64[us, UTC]")
    expected["end_utc"] = pd.to_datetime(expected["end_utc"], utc=True).astype("datetime64[us, UTC]")
    expected["tz_offset_min"] = expected["tz_offset_min"].astype("Int64")
    expected["score_state"] = expected["score_state"].astype("string")
    pd.testing.assert_frame_equal(rows, expected, check_exact=False, rtol=1e-12)


def test_dst_travel_cycles_join_without_gap(data):
    """C3 ends '2024-03-11 22:40:00' at UTCZ, C2 starts '2024-03-11 23:40:00' at UTC+01:00:
    different strings, one instant (docs/WHOOP.md#timestamps-and-offsets)."""
    by_start = data.cycles.sort_values("start_utc").reset_index(drop=True)
    closed = by_start.dropna(subset=["end_utc"])
    c3 = by_start[by_start["start_utc"] == utc("2024-03-10 23:05")].iloc[0]
    c2 = by_start[by_start["start_utc"] == utc("2024-03-11 22:40")].iloc[0]
    assert c3["end_utc"] == c2["start_utc"]
    assert (c3["tz_offset_min"], c2["tz_offset_min"]) == (0, 60)
    # every closed cycle after the placeholder ends where the next one starts
    joins = closed.iloc[1:]
    nxt = by_start.set_index("start_utc")
    assert all(end in nxt.index for end in joins["end_utc"])


def test_recoveries_only_for_cycles_with_recovery(data):
    rec = data.recoveries
    assert rec["cycle_start_utc"].tolist() == [utc("2024-03-12 22:10"), utc("2024-03-11 22:40"),
                                               utc("2024-03-10 23:05")]
    assert rec["recovery_score"].tolist() == [61.0, 74.0, 33.0]
    assert rec["resting_heart_rate_bpm"].tolist() == [52.0, 50.0, 58.0]
    assert rec["hrv_rmssd_ms"].tolist() == [71.0, 80.0, 45.0]
    assert rec["skin_temp_c"].tolist()[:2] == [33.41, 33.12] and math.isnan(rec["skin_temp_c"][2])
    assert rec["spo2_pct"].tolist()[:2] == [96.25, 95.5]
    assert rec["score_state"].tolist() == ["SCORED"] * 3
    assert rec["user_calibrating"].isna().all()


def test_sleeps_naps_and_unscored(data):
    s = data.sleeps.set_index("start_utc")
    assert len(s) == 5 and s.index.is_unique
    nap = s.loc[utc("2024-03-12 13:00")]          # 14:00 at UTC+01:00
    assert nap["nap"] == True  # noqa: E712  (pandas boolean)
    assert nap["cycle_start_utc"] == utc("2024-03-11 22:40")  # shares C2's start with C2's main sleep
    assert (nap["end_utc"], nap["asleep_min"], nap["score_state"]) == (
        utc("2024-03-12 14:10"), 62.0, "SCORED")
    main = s.loc[utc("2024-03-11 22:40")]
    assert main["nap"] == False  # noqa: E712
    assert (main["sleep_performance_pct"], main["asleep_min"], main["in_bed_min"],
            main["light_sleep_min"], main["deep_sleep_min"], main["rem_sleep_min"],
            main["awake_min"], main["sleep_need_min"], main["sleep_debt_min"],
            main["sleep_efficiency_pct"], main["sleep_consistency_pct"],
            main["respiratory_rate_rpm"]) == (81, 410, 480, 230, 95, 105, 50, 500, 40, 91, 72, 14.6)
    unscored = s.loc[utc("2024-03-10 00:15")]
    assert unscored["score_state"] == "UNSCORABLE"
    assert unscored["end_utc"] == utc("2024-03-10 05:05")
    assert unscored[["sleep_performance_pct", "asleep_min", "in_bed_min"]].isna().all()
    open_sleep = s.loc[utc("2024-03-12 22:10")]   # the open cycle's sleep is already scored
    assert (open_sleep["score_state"], open_sleep["cycle_start_utc"]) == (
        "SCORED", utc("2024-03-12 22:10"))


def test_workouts_units_and_zone_minutes(data):
    w = data.workouts.set_index("start_utc")
    run = w.loc[utc("2024-03-12 16:30")]
    # zones % x 60 min / 100: 10,25,40,20,5 % -> 6, 15, 24, 12, 3 min; 650 kcal -> 2719.6 kJ
    assert [run[f"hr_zone_{i}_min"] for i in range(1, 6)] == pytest.approx([6, 15, 24, 12, 3])
    assert run["energy_kj"] == pytest.approx(2719.6)
    assert (run["sport_name"], run["duration_min"], run["activity_strain"], run["gps_enabled"],
            run["end_utc"], run["cycle_start_utc"], run["tz_offset_min"]) == (
        "Running", 60.0, 11.2, True, utc("2024-03-12 17:30"), utc("2024-03-11 22:40"), 60)
    lift = w.loc[utc("2024-03-12 11:00")]
    assert lift["sport_name"] == "Weightlifting, heavy"
    assert [lift[f"hr_zone_{i}_min"] for i in range(1, 6)] == pytest.approx([22.5, 9, 0, 0, 0])
    manual = w.loc[utc("2024-03-10 09:00")]
    assert manual["score_state"] == "UNSCORABLE"
    assert manual[["activity_strain", "energy_kj", "hr_zone_1_min"]].isna().all()
    assert manual["cycle_start_utc"] == utc("2024-03-09 23:30")
    assert set(w["score_state"]) == {"SCORED", "UNSCORABLE"}


def test_journal_dedup_orphans_conflicts_multiline(data):
    j = data.journal
    assert j["entry_key"].tolist() == [
        "orphan|Feeling sick or ill?|false|",
        "orphan|Hydrated sufficiently?|true|",
        "2024-03-12T22:10:00Z|Have any alcoholic drinks?",
        f"2024-03-12T22:10:00Z|{fx.QUESTION_COMMA}",
        "2024-03-11T22:40:00Z|Have any alcoholic drinks?",
        "2024-03-10T23:05:00Z|Read (non-screened device) while in bed?",
    ]
    assert j["answered_yes"].tolist() == [False, True, False, True, True, False]
    assert j["cycle_start_utc"].isna().tolist() == [True, True, False, False, False, False]
    assert j["notes"].tolist()[3:5] == [fx.NOTE_MULTILINE, "one beer"]  # conflict: last kept
    assert j["question"][3] == fx.QUESTION_COMMA
    assert j["cycle_end_utc"].isna().tolist()[2:] == [True, True, False, False]


def test_half_hour_and_negative_offsets():
    rows = [
        {"Cycle start time": "2024-01-15 06:32:11", "Cycle end time": "2024-01-16 06:00:00",
         "Cycle timezone": "UTC+05:30", "Day Strain": "1.0"},
        {"Cycle start time": "2024-01-14 06:32:11", "Cycle end time": "2024-01-15 01:02:11",
         "Cycle timezone": "UTC-05:00", "Day Strain": "2.0"},
    ]
    c = read_export_files([("physiological_cycles.csv",
                            fx.csv_text(fx.CYCLES_26, rows).encode())]).cycles
    assert c["start_utc"].tolist() == [utc("2024-01-15 01:02:11"), utc("2024-01-14 11:32:11")]
    assert c["tz_offset_min"].tolist() == [330, -300]


def test_main_sleeps_synthesized_from_cycles_without_sleeps_csv():
    files = fx.export_csvs(kinds=("cycles",))
    data = read_export_files([(n, t.encode()) for n, t in files.items()])
    s = data.sleeps
    assert s["start_utc"].tolist() == [utc("2024-03-12 22:10"), utc("2024-03-11 22:40"),
                                       utc("2024-03-10 23:05")]
    assert s["cycle_start_utc"].tolist() == s["start_utc"].tolist()
    assert s["nap"].tolist() == [False, False, False]
    assert s["asleep_min"].tolist() == [430.0, 410.0, 425.0]
    assert set(s["source_ref"]) == {"physiological_cycles.csv"}
    assert any(w.startswith("no sleeps.csv: main sleeps taken from") for w in data.warnings)


def test_source_provenance_demo():
    files = fx.export_csvs(kinds=("cycles", "journal"))
    data = read_export_files([(n, t.encode()) for n, t in files.items()], source="demo")
    assert set(data.cycles["source"]) == {"demo"} and set(data.journal["source"]) == {"demo"}
    assert set(data.journal["source_ref"]) == {"journal_entries.csv"}


def test_repeated_cycle_start_keeps_last_with_warning():
    rows = fx.cycles_rows()
    rows.append({**rows[1], "Day Strain": "15.0"})
    data = read_export_files([("physiological_cycles.csv",
                               fx.csv_text(fx.CYCLES_26, rows).encode())])
    expected = fx.expected_frames(data.files)["cycles"]
    expected.loc[expected["start_utc"] == utc("2024-03-11 22:40"), "day_strain"] = 15.0
    pd.testing.assert_frame_equal(data.cycles.sort_values("start_utc", ignore_index=True),
                                  expected.sort_values("start_utc", ignore_index=True))
    assert any("1 cycles in physiological_cycles.csv repeat" in w for w in data.warnings)


def test_main_sleep_filed_under_the_previous_cycle_joins_the_cycle_naming_its_onset():
    """docs/EXPORT_QUIRKS.md, a main sleep filed under the previous cycle: Q2's sleep row names Q3's
    cycle start, Q2's cycle row names the sleep's onset; the cycle row wins. Q3's own row shows a
    nap, so Q3's main sleep keeps the sleeps.csv key, and the nap stays in Q3. UTC+02:00: 22:30
    local -> 20:30Z."""
    files = fx.previous_cycle_sleep_csvs()
    data = read_export_files([(n, t.encode()) for n, t in files.items()])
    s = data.sleeps.set_index("start_utc")
    assert s.loc[utc("2024-06-02 20:30"), "cycle_start_utc"] == utc("2024-06-02 20:30")  # Q2
    assert s.loc[utc("2024-06-01 21:15"), "cycle_start_utc"] == utc("2024-06-01 21:15")  # Q3
    assert s.loc[utc("2024-06-02 14:00"), "cycle_start_utc"] == utc("2024-06-01 21:15")  # nap
    assert s.loc[utc("2024-06-03 21:00"), "cycle_start_utc"] == utc("2024-06-03 21:00")  # Q1
    assert any("1 main sleep in sleeps.csv" in w and "previous cycle" in w
               for w in data.warnings), data.warnings


def test_main_sleep_filed_under_the_previous_cycle_keeps_its_day_in_the_store(db):
    """Through the importer into a real DuckDB file: every day with a recovery has its main
    sleep (before the fix 2024-06-03 had recovery 55 but no asleep time or performance)."""
    from whoop.importer import import_uploads
    from whoop.store import Store

    store = Store(db)
    files = fx.previous_cycle_sleep_csvs()
    import_uploads(store, [(n, t.encode()) for n, t in files.items()], athlete="q")
    days = store.days(store.athlete_id("q"))
    assert days["date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-06-02", "2024-06-03",
                                                            "2024-06-04"]
    assert days["recovery_score"].tolist() == [80.0, 55.0, 66.0]
    assert days["has_main_sleep"].tolist() == [True, True, True]
    assert days["asleep_min"].tolist() == [420.0, 405.0, 440.0]
    assert days["sleep_performance_pct"].tolist() == [92.0, 79.0, 84.0]
    assert days["nap_min"].tolist() == [45.0, 0.0, 0.0]
