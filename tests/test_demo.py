"""whoop.demo: the demo export is byte-stable, in WHOOP's export format, and imports like a real one."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, timedelta

import pandas as pd
import pytest

from whoop.demo import DEMO_ATHLETE, demo_clock, export_tables, write_demo_export
from whoop.export import read_export
from whoop.synth import generate_athlete, history_start
from whoop.synth.model import parse_iso

# Header strings copied from docs/WHOOP.md#headers (not from whoop.demo, so a typo there fails here).
CYCLES_26 = ("Cycle start time,Cycle end time,Cycle timezone,Recovery score %,Resting heart rate "
             "(bpm),Heart rate variability (ms),Skin temp (celsius),Blood oxygen %,Day Strain,"
             "Energy burned (cal),Max HR (bpm),Average HR (bpm),Sleep onset,Wake onset,Sleep "
             "performance %,Respiratory rate (rpm),Asleep duration (min),In bed duration (min),"
             "Light sleep duration (min),Deep (SWS) duration (min),REM duration (min),Awake "
             "duration (min),Sleep need (min),Sleep debt (min),Sleep efficiency %,Sleep "
             "consistency %")
SLEEPS_18 = ("Cycle start time,Cycle end time,Cycle timezone,Sleep onset,Wake onset,Sleep "
             "performance %,Respiratory rate (rpm),Asleep duration (min),In bed duration (min),"
             "Light sleep duration (min),Deep (SWS) duration (min),REM duration (min),Awake "
             "duration (min),Sleep need (min),Sleep debt (min),Sleep efficiency %,Sleep "
             "consistency %,Nap")
WORKOUTS_17 = ("Cycle start time,Cycle end time,Cycle timezone,Workout start time,Workout end "
               "time,Duration (min),Activity name,Activity Strain,Energy burned (cal),Max HR "
               "(bpm),Average HR (bpm),HR Zone 1 %,HR Zone 2 %,HR Zone 3 %,HR Zone 4 %,HR Zone "
               "5 %,GPS enabled")
WORKOUTS_20 = WORKOUTS_17 + ",Distance (meters),Altitude gain (meters),Altitude change (meters)"
JOURNAL_6 = "Cycle start time,Cycle end time,Cycle timezone,Question text,Answered yes,Notes"


@pytest.fixture(scope="module")
def demo_zip(tmp_path_factory):
    return write_demo_export(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def members(demo_zip):
    with zipfile.ZipFile(demo_zip) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_same_arguments_same_bytes(tmp_path, demo_zip):
    again = write_demo_export(tmp_path)
    assert again.name == demo_zip.name == "my_whoop_data_2026_11_01.zip"
    assert again.read_bytes() == demo_zip.read_bytes()
    other = write_demo_export(tmp_path / "other", seed=8)
    assert other.read_bytes() != demo_zip.read_bytes()


def test_zip_layout_and_text_encoding(demo_zip, members):
    with zipfile.ZipFile(demo_zip) as zf:
        infos = zf.infolist()
    assert [i.filename for i in infos] == ["journal_entries.csv", "physiological_cycles.csv",
                                           "sleeps.csv", "workouts.csv"]
    assert {i.date_time for i in infos} == {(2026, 11, 1, 12, 0, 0)}
    assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in infos)
    for name, data in members.items():
        assert not data.startswith(b"\xef\xbb\xbf"), name
        assert b"\r" not in data and data.endswith(b"\n") and not data.endswith(b"\n\n"), name
        data.decode("utf-8")


def test_headers_are_exactly_whoops(members):
    first = {n: d.decode().split("\n", 1)[0] for n, d in members.items()}
    assert first == {"physiological_cycles.csv": CYCLES_26, "sleeps.csv": SLEEPS_18,
                     "workouts.csv": WORKOUTS_17, "journal_entries.csv": JOURNAL_6}


def test_header_variants():
    end = demo_clock(date(2026, 11, 1))
    athlete = generate_athlete(7, start=history_start(end, 60), end=end)
    legacy = export_tables(athlete, cycles_columns=25, workouts_columns=20)
    head = {n: t.split("\n", 1)[0] for n, t in legacy.items()}
    assert head["physiological_cycles.csv"] == CYCLES_26.removesuffix(",Sleep consistency %")
    assert head["sleeps.csv"] == SLEEPS_18.replace(",Sleep consistency %", "")
    assert head["workouts.csv"] == WORKOUTS_20
    for name, text in legacy.items():
        width = len(next(csv.reader(io.StringIO(text))))
        assert all(len(r) == width for r in csv.reader(io.StringIO(text))), name
    gps = [r for r in _rows(legacy["workouts.csv"]) if r["GPS enabled"] == "true"]
    assert gps and all(float(r["Distance (meters)"]) > 0 for r in gps)
    assert all(r["Distance (meters)"] == "" for r in _rows(legacy["workouts.csv"])
               if r["GPS enabled"] == "false")
    with pytest.raises(ValueError):
        export_tables(athlete, cycles_columns=24)


def test_cycles_newest_first_open_cycle_first_and_value_shapes(members):
    rows = _rows(members["physiological_cycles.csv"].decode())
    assert rows[0]["Cycle end time"] == "" and rows[0]["Day Strain"] == ""
    assert rows[0]["Energy burned (cal)"] == rows[0]["Max HR (bpm)"] == ""
    assert all(r["Cycle end time"] for r in rows[1:])
    zones = {r["Cycle timezone"] for r in rows}
    assert "UTCZ" in zones and "UTC+00:00" not in zones and "UTC-05:00" in zones
    assert all(z == "UTCZ" or (z[:4] in ("UTC+", "UTC-") and len(z) == 9) for z in zones)
    def utc(r):
        z = r["Cycle timezone"]
        off = "+00:00" if z == "UTCZ" else z[3:]
        return pd.Timestamp(r["Cycle start time"] + off)
    starts = [utc(r) for r in rows]
    assert starts == sorted(starts, reverse=True)
    scored = [r for r in rows if r["Recovery score %"]]
    assert len(scored) > 300
    for r in scored:
        assert r["Recovery score %"].isdigit() and r["Heart rate variability (ms)"].isdigit()
        assert r["Sleep onset"] == r["Cycle start time"]
    strains = [r["Day Strain"] for r in rows[1:] if r["Day Strain"]]
    assert all(len(s.split(".")[1]) == 1 for s in strains)
    kcal = [int(r["Energy burned (cal)"]) for r in rows[1:] if r["Energy burned (cal)"]]
    assert 1000 < sum(kcal) / len(kcal) < 5000
    placeholders = [r for r in rows if r["Cycle start time"].endswith(" 00:00:00")]
    assert placeholders and all(r["Sleep onset"] == "" for r in placeholders)
    # a timezone change writes one instant twice: previous end (old offset) != next start text
    changed = [(a, b) for a, b in zip(rows[1:], rows[2:], strict=False)
               if a["Cycle timezone"] != b["Cycle timezone"]]
    assert changed and all(b["Cycle end time"] != a["Cycle start time"] for a, b in changed)


def test_sleeps_workouts_and_journal_rows(members):
    sleeps = _rows(members["sleeps.csv"].decode())
    naps = [r for r in sleeps if r["Nap"] == "true"]
    assert naps and all(r["Sleep consistency %"] == "" for r in naps)
    assert {r["Nap"] for r in sleeps} == {"true", "false"}
    workouts = _rows(members["workouts.csv"].decode())
    for r in workouts:
        if r["Activity Strain"]:
            assert sum(int(r[f"HR Zone {k} %"]) for k in range(1, 6)) <= 101
            assert r["Energy burned (cal)"].endswith(".0")
    assert {"Running", "Cycling", "Weightlifting", "Functional Fitness", "Yoga"} <= {
        r["Activity name"] for r in workouts}
    text = members["journal_entries.csv"].decode()
    assert '"Eat any food close to bedtime (e.g., within 2 hours)?"' in text
    journal = _rows(text)
    assert {r["Answered yes"] for r in journal} == {"true", "false"}
    assert any("\n" in r["Notes"] for r in journal)
    assert journal[0]["Cycle end time"] == ""


def test_round_trip_through_the_importer(demo_zip, members):
    data = read_export([demo_zip], source="demo")
    now = demo_clock(date(2026, 11, 1))
    athlete = generate_athlete(7, start=history_start(now, 400), end=now)
    assert len(data.cycles) == len(athlete.cycles)
    assert len(data.sleeps) == len(athlete.sleeps)
    assert len(data.workouts) == len(athlete.workouts)
    assert len(data.journal) == len(athlete.journal)
    # the export has a recovery only where one was scored (empty columns otherwise)
    assert len(data.recoveries) == sum(r["score_state"] == "SCORED" for r in athlete.recoveries)
    assert DEMO_ATHLETE == "demo" and set(data.cycles["source"]) == {"demo"}
    # values: cycle starts (UTC, second precision), HRV and strain of a few cycles
    starts = sorted(parse_iso(c["start"]).replace(microsecond=0) for c in athlete.cycles)
    got = sorted(t.to_pydatetime() for t in data.cycles["start_utc"])
    assert got == starts
    recs = {parse_iso(c["start"]).replace(microsecond=0): r["score"]
            for c in athlete.cycles for r in athlete.recoveries
            if r["cycle_id"] == c["id"] and "score" in r}
    frame = data.recoveries.set_index("cycle_start_utc")
    checked = 0
    for ts, score in list(recs.items())[-30:]:
        row = frame.loc[pd.Timestamp(ts)]
        assert row["hrv_rmssd_ms"] == round(score["hrv_rmssd_milli"])
        assert row["recovery_score"] == score["recovery_score"]
        checked += 1
    assert checked == 30
    open_row = data.cycles.sort_values("start_utc").iloc[-1]
    assert pd.isna(open_row["end_utc"])
    kj = {parse_iso(c["start"]).replace(microsecond=0): c["score"]["kilojoule"]
          for c in athlete.cycles if "end" in c and "score" in c}
    cyc = data.cycles.set_index("start_utc")
    for ts, value in list(kj.items())[-10:]:
        assert cyc.loc[pd.Timestamp(ts), "energy_kj"] == pytest.approx(value, abs=4.184)
    notes = [n for n in data.journal["notes"].dropna() if "\n" in n]
    assert notes
    assert data.workouts["sport_name"].nunique() >= 5
    first_sleep = parse_iso(min(s["start"] for s in athlete.sleeps)) - timedelta(days=1)
    assert data.sleeps["start_utc"].min().to_pydatetime() > first_sleep
