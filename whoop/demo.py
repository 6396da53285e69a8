"""The demo data: a synthetic athlete (:mod:`whoop.synth`) written as a WHOOP "Data Export" ZIP.

The ZIP follows docs/WHOOP.md "The Data Export" exactly, so the demo goes through the same importer
as a real export (``whoop.export.read_export``): four CSVs at the ZIP root, the exact header strings
(``whoop.export.headers.CANONICAL``), newest-first rows, local wall-clock times in the row's ``Cycle
timezone`` (``UTC-05:00``, ``UTC+05:30``, ``UTCZ`` for zero), energy in kcal, whole minutes, zone
percentages, lowercase ``true``/``false``, the open cycle first with empty end/strain/energy/HR, RFC
4180 quoting only where needed (journal notes with commas, quotes and newlines), LF line ends, one
final newline, UTF-8 without BOM, every ZIP member stamped with the same fixed time.
"""

from __future__ import annotations

import bisect
import csv
import io
import zipfile
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from pathlib import Path

from whoop.synth import SPORT_EXPORT_NAMES, SynthAthlete, generate_athlete, history_start
from whoop.synth.model import UTC, make_profile, parse_iso
from whoop.timezones import export_timezone, offset_minutes

DEMO_ATHLETE = "demo"            # athlete name the demo data is stored under
DEMO_END = date(2026, 11, 1)     # fixed default export date, so the demo is reproducible

_CYCLE_BASE = ["Cycle start time", "Cycle end time", "Cycle timezone"]
_SLEEP_COLS = ["Sleep onset", "Wake onset", "Sleep performance %", "Respiratory rate (rpm)",
               "Asleep duration (min)", "In bed duration (min)", "Light sleep duration (min)",
               "Deep (SWS) duration (min)", "REM duration (min)", "Awake duration (min)",
               "Sleep need (min)", "Sleep debt (min)", "Sleep efficiency %"]
CYCLES_HEADER = _CYCLE_BASE + [
    "Recovery score %", "Resting heart rate (bpm)", "Heart rate variability (ms)",
    "Skin temp (celsius)", "Blood oxygen %", "Day Strain", "Energy burned (cal)", "Max HR (bpm)",
    "Average HR (bpm)"] + _SLEEP_COLS + ["Sleep consistency %"]
SLEEPS_HEADER = _CYCLE_BASE + _SLEEP_COLS + ["Sleep consistency %", "Nap"]
WORKOUTS_HEADER = _CYCLE_BASE + [
    "Workout start time", "Workout end time", "Duration (min)", "Activity name", "Activity Strain",
    "Energy burned (cal)", "Max HR (bpm)", "Average HR (bpm)", "HR Zone 1 %", "HR Zone 2 %",
    "HR Zone 3 %", "HR Zone 4 %", "HR Zone 5 %", "GPS enabled", "Distance (meters)",
    "Altitude gain (meters)", "Altitude change (meters)"]
JOURNAL_HEADER = _CYCLE_BASE + ["Question text", "Answered yes", "Notes"]
FILES = ("journal_entries.csv", "physiological_cycles.csv", "sleeps.csv", "workouts.csv")

_KCAL_PER_KJ = 1 / 4.184        # docs/WHOOP.md#units: "Energy burned (cal)" holds kcal
_ZONES = ("zone_one_milli", "zone_two_milli", "zone_three_milli", "zone_four_milli",
          "zone_five_milli")


def _offset_min(offset: str) -> int:
    """Minutes east of UTC of an API ``timezone_offset``; ValueError when it is empty."""
    minutes = offset_minutes(offset)
    if minutes is None:
        raise ValueError("a demo record has an empty timezone_offset")
    return minutes


def export_tz(offset: str) -> str:
    """API ``timezone_offset`` -> export ``Cycle timezone``: ``-05:00`` -> ``UTC-05:00``,
    ``Z`` / ``+00:00`` -> ``UTCZ`` (docs/WHOOP.md#timestamps-and-offsets).

    Raises:
        ValueError: ``offset`` is empty or not an offset.
    """
    return export_timezone(_offset_min(offset))


def _local(instant: str | None, offset: str) -> str:
    """ISO UTC -> ``YYYY-MM-DD HH:MM:SS`` wall-clock at ``offset`` (seconds truncated)."""
    if not instant:
        return ""
    local = parse_iso(instant) + timedelta(minutes=_offset_min(offset))
    return local.strftime("%Y-%m-%d %H:%M:%S")


def _i(x: float | None) -> str:
    return "" if x is None else str(round(x))


def _f(x: float | None, digits: int) -> str:
    return "" if x is None else f"{x:.{digits}f}"


def _min(ms: float | None) -> str:
    return "" if ms is None else str(round(ms / 60_000))


def _sleep_fields(sleep: dict | None, with_onset: bool) -> list[str]:
    """The 13 sleep columns shared by cycles and sleeps, plus consistency (14 values)."""
    if sleep is None or "score" not in sleep:
        blank = [""] * 14
        if sleep is not None and with_onset:
            blank[0] = _local(sleep["start"], sleep["timezone_offset"])
            blank[1] = _local(sleep["end"], sleep["timezone_offset"])
        return blank
    sc, st = sleep["score"], sleep["score"]["stage_summary"]
    asleep = (st["total_light_sleep_time_milli"] + st["total_slow_wave_sleep_time_milli"]
              + st["total_rem_sleep_time_milli"])
    return [_local(sleep["start"], sleep["timezone_offset"]),
            _local(sleep["end"], sleep["timezone_offset"]),
            _i(sc.get("sleep_performance_percentage")), _f(sc.get("respiratory_rate"), 1),
            _min(asleep), _min(st["total_in_bed_time_milli"]),
            _min(st["total_light_sleep_time_milli"]), _min(st["total_slow_wave_sleep_time_milli"]),
            _min(st["total_rem_sleep_time_milli"]), _min(st["total_awake_time_milli"]),
            _min(sum(sc["sleep_needed"].values())),
            _min(sc["sleep_needed"]["need_from_sleep_debt_milli"]),
            _i(sc.get("sleep_efficiency_percentage")), _i(sc.get("sleep_consistency_percentage"))]


def _csv(header: list[str], rows: Iterable[list[str]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    buf.write(",".join(header) + "\n")
    writer.writerows(rows)
    return buf.getvalue()


def export_tables(athlete: SynthAthlete, *, cycles_columns: int = 26,
                  workouts_columns: int = 17) -> dict[str, str]:
    """The four export CSVs of ``athlete`` as text: file name -> CSV text.

    ``cycles_columns`` 26 (current) or 25 (legacy, without ``Sleep consistency %``; sleeps.csv
    then has 17 columns instead of 18); ``workouts_columns`` 17 (current) or 20 (legacy, with
    distance and altitude). Header strings per docs/WHOOP.md#headers.

    Raises:
        ValueError: an unknown column count.
    """
    if cycles_columns not in (25, 26) or workouts_columns not in (17, 20):
        raise ValueError("cycles_columns must be 25 or 26 and workouts_columns 17 or 20")
    legacy = cycles_columns == 25
    cycles = sorted(athlete.cycles, key=lambda c: c["start"])
    by_id = {c["id"]: c for c in cycles}
    starts = [parse_iso(c["start"]) for c in cycles]
    main = {s["cycle_id"]: s for s in athlete.sleeps if not s["nap"]}
    rec = {r["cycle_id"]: r for r in athlete.recoveries}

    def head(c: dict) -> list[str]:
        off = c["timezone_offset"]
        return [_local(c["start"], off), _local(c.get("end"), off), export_tz(off)]

    cyc_rows, sleep_rows, work_rows, jour_rows = [], [], [], []
    for c in reversed(cycles):
        r = rec.get(c["id"])
        rs = r.get("score") if r else None
        cs = c.get("score") if c.get("end") else None
        recovery = ([_i(rs["recovery_score"]), _i(rs["resting_heart_rate"]),
                     _i(rs["hrv_rmssd_milli"]), _f(rs.get("skin_temp_celsius"), 2),
                     _f(rs.get("spo2_percentage"), 2)] if rs else [""] * 5)
        strain = ([_f(cs["strain"], 1), _i(cs["kilojoule"] * _KCAL_PER_KJ),
                   _i(cs["max_heart_rate"]), _i(cs["average_heart_rate"])] if cs else [""] * 4)
        row = head(c) + recovery + strain + _sleep_fields(main.get(c["id"]), with_onset=False)
        cyc_rows.append(row[:cycles_columns])
    for s in sorted(athlete.sleeps, key=lambda s: (by_id[s["cycle_id"]]["start"], s["start"]),
                    reverse=True):
        fields = _sleep_fields(s, with_onset=True)
        if s["nap"]:
            fields[-1] = ""
        sleep_rows.append(head(by_id[s["cycle_id"]]) + fields[: 13 if legacy else 14]
                          + ["true" if s["nap"] else "false"])
    for w in sorted(athlete.workouts, key=lambda w: w["start"], reverse=True):
        c = cycles[bisect.bisect_right(starts, parse_iso(w["start"])) - 1]
        ws = w.get("score")
        dur_ms = (parse_iso(w["end"]) - parse_iso(w["start"])).total_seconds() * 1000
        off = c["timezone_offset"]
        row = head(c) + [_local(w["start"], off), _local(w["end"], off), _min(dur_ms),
                         SPORT_EXPORT_NAMES.get(w["sport_name"], w["sport_name"].title())]
        if ws:
            row += [_f(ws["strain"], 1), _f(round(ws["kilojoule"] * _KCAL_PER_KJ), 1),
                    _i(ws["max_heart_rate"]), _i(ws["average_heart_rate"])]
            row += [_i(100 * ws["zone_durations"][z] / dur_ms) for z in _ZONES]
        else:
            row += [""] * 9
        if ws is not None and "distance_meter" in ws:       # GPS
            row += ["true", _f(ws["distance_meter"], 2), _f(ws["altitude_gain_meter"], 2),
                    _f(ws["altitude_change_meter"], 2)]
        else:
            row += ["false", "", "", ""]
        work_rows.append(row[:workouts_columns])
    order = {c["id"]: i for i, c in enumerate(cycles)}
    for j in sorted(athlete.journal, key=lambda j: order[j["cycle_id"]], reverse=True):
        jour_rows.append(head(by_id[j["cycle_id"]]) + [
            j["question"], "true" if j["answered_yes"] else "false", j["notes"] or ""])
    return {
        "journal_entries.csv": _csv(JOURNAL_HEADER, jour_rows),
        "physiological_cycles.csv": _csv(CYCLES_HEADER[:cycles_columns], cyc_rows),
        "sleeps.csv": _csv([h for h in SLEEPS_HEADER if not (legacy and h == "Sleep consistency %")],
                           sleep_rows),
        "workouts.csv": _csv(WORKOUTS_HEADER[:workouts_columns], work_rows),
    }


def demo_clock(end: date, *, seed: int = 7, index: int = 0) -> datetime:
    """The demo's "now": 12:00 home-local time on ``end`` (UTC-aware)."""
    home = make_profile(seed, index).home
    return datetime(end.year, end.month, end.day, 12, tzinfo=UTC) - timedelta(
        minutes=home.offset(end))


def write_demo_export(dest: Path, *, seed: int = 7, days: int = 400, end: date | None = None,
                      cycles_columns: int = 26, workouts_columns: int = 17) -> Path:
    """Write ``dest/my_whoop_data_YYYY_MM_DD.zip`` in WHOOP's export format and return its path.

    The athlete is ``generate_athlete(seed, index=0, start=history_start(now, days), end=now)``
    with ``now`` = 12:00 home-local time on ``end`` (default :data:`DEMO_END`, fixed so the demo
    is reproducible; the UI may pass today's date). Same arguments -> same bytes: the members are
    deflated in a fixed order with one fixed timestamp (``end`` 12:00:00), like the real export
    whose members all carry the generation time (docs/WHOOP.md#files-and-containers).

    Raises:
        ValueError: ``days < 1`` or unknown column counts.
        OSError: ``dest`` cannot be written.
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    end = end or DEMO_END
    now = demo_clock(end, seed=seed)
    athlete = generate_athlete(seed, start=history_start(now, days, seed=seed), end=now)
    tables = export_tables(athlete, cycles_columns=cycles_columns,
                           workouts_columns=workouts_columns)
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    path = dest / f"my_whoop_data_{end:%Y_%m_%d}.zip"
    stamp = (end.year, end.month, end.day, 12, 0, 0)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in FILES:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            zf.writestr(info, tables[name].encode("utf-8"))
    path.write_bytes(buf.getvalue())
    return path
