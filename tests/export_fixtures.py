"""Project-generated WHOOP export fixtures: small invented rows written with the exact headers of
every variant in docs/WHOOP.md#headers, as CSV text, ZIP, gzip-wrapped ZIP, folder or loose files.

Nothing here is copied from a real export. The invented athlete (tz UTC+01:00 unless said):

=====  =====================  =====================  =========  ==================================
cycle  start (local)          end (local)            tz         what it shows
=====  =====================  =====================  =========  ==================================
C1     2024-03-12 23:10:00    (open)                 UTC+01:00  open current cycle, recovery set
C2     2024-03-11 23:40:00    2024-03-12 23:10:00    UTC+01:00  fully scored; a nap; 2 workouts
C3     2024-03-10 23:05:00    2024-03-11 22:40:00    UTCZ       DST/travel: C3 end == C2 start
C4     2024-03-09 23:30:00    2024-03-10 23:05:00    UTCZ       no recovery; unscored sleep
C5     2024-03-08 00:00:00    2024-03-09 00:00:00    UTCZ       placeholder, every metric empty
=====  =====================  =====================  =========  ==================================
"""

from __future__ import annotations

import csv
import gzip
import io
import zipfile
from pathlib import Path

# ----------------------------------------------------------------- headers (docs/WHOOP.md#headers)
CYCLES_26 = [
    "Cycle start time", "Cycle end time", "Cycle timezone", "Recovery score %",
    "Resting heart rate (bpm)", "Heart rate variability (ms)", "Skin temp (celsius)",
    "Blood oxygen %", "Day Strain", "Energy burned (cal)", "Max HR (bpm)", "Average HR (bpm)",
    "Sleep onset", "Wake onset", "Sleep performance %", "Respiratory rate (rpm)",
    "Asleep duration (min)", "In bed duration (min)", "Light sleep duration (min)",
    "Deep (SWS) duration (min)", "REM duration (min)", "Awake duration (min)",
    "Sleep need (min)", "Sleep debt (min)", "Sleep efficiency %", "Sleep consistency %",
]
CYCLES_25 = CYCLES_26[:-1]
SLEEPS_18 = [
    "Cycle start time", "Cycle end time", "Cycle timezone", "Sleep onset", "Wake onset",
    "Sleep performance %", "Respiratory rate (rpm)", "Asleep duration (min)",
    "In bed duration (min)", "Light sleep duration (min)", "Deep (SWS) duration (min)",
    "REM duration (min)", "Awake duration (min)", "Sleep need (min)", "Sleep debt (min)",
    "Sleep efficiency %", "Sleep consistency %", "Nap",
]
SLEEPS_17 = [c for c in SLEEPS_18 if c != "Sleep consistency %"]
WORKOUTS_17 = [
    "Cycle start time", "Cycle end time", "Cycle timezone", "Workout start time",
    "Workout end time", "Duration (min)", "Activity name", "Activity Strain",
    "Energy burned (cal)", "Max HR (bpm)", "Average HR (bpm)", "HR Zone 1 %", "HR Zone 2 %",
    "HR Zone 3 %", "HR Zone 4 %", "HR Zone 5 %", "GPS enabled",
]
WORKOUTS_20 = WORKOUTS_17 + ["Distance (meters)", "Altitude gain (meters)",
                             "Altitude change (meters)"]
JOURNAL_6 = ["Cycle start time", "Cycle end time", "Cycle timezone", "Question text",
             "Answered yes", "Notes"]
#: The Spanish cycles header of docs/WHOOP.md#files-and-containers, in the same order as CYCLES_26.
CYCLES_ES = [
    "Hora de inicio del ciclo", "Hora de finalización del ciclo", "Zona horaria del ciclo",
    "Puntuación de recuperación (%)", "Frecuencia cardíaca en reposo (lpm)",
    "Variabilidad de la frecuencia cardíaca (ms)", "Temp. cutánea (grados centígrados)",
    "Oxígeno en sangre %", "Esfuerzo del día", "Energía quemada (cal)", "FC máx. (lpm)",
    "FC promedio (lpm)", "Inicio del sueño", "Inicio de la vigilia",
    "Calificación del sueño (%)", "Frecuencia respiratoria (rpm)", "Duración del sueño (min)",
    "Tiempo en la cama (min)", "Duración de sueño ligero (min)",
    "Duración de sueño profundo (SWS) (min)", "Duración de sueño REM (min)",
    "Tempo despierto/a (min)", "Sueño necesario (min)", "Deuda de sueño (min)",
    "Eficiencia del sueño %", "Regularidad del sueño %",
]
JOURNAL_ES = ["Hora de inicio del ciclo", "Hora de finalización del ciclo",
              "Zona horaria del ciclo", "Texto de la pregunta", 'Respondió "Sí"', "Notas"]

FILE_NAMES = {"cycles": "physiological_cycles.csv", "sleeps": "sleeps.csv",
              "workouts": "workouts.csv", "journal": "journal_entries.csv"}

# ------------------------------------------------------------------------------ invented rows
_C = {
    "C1": ("2024-03-12 23:10:00", "", "UTC+01:00"),
    "C2": ("2024-03-11 23:40:00", "2024-03-12 23:10:00", "UTC+01:00"),
    "C3": ("2024-03-10 23:05:00", "2024-03-11 22:40:00", "UTCZ"),
    "C4": ("2024-03-09 23:30:00", "2024-03-10 23:05:00", "UTCZ"),
    "C5": ("2024-03-08 00:00:00", "2024-03-09 00:00:00", "UTCZ"),
}


def _cyc(key: str) -> dict[str, str]:
    start, end, tz = _C[key]
    return {"Cycle start time": start, "Cycle end time": end, "Cycle timezone": tz}


def _sleep(onset: str, wake: str, perf: str, asleep: str, consistency: str = "80") -> dict:
    return {"Sleep onset": onset, "Wake onset": wake, "Sleep performance %": perf,
            "Respiratory rate (rpm)": "14.6", "Asleep duration (min)": asleep,
            "In bed duration (min)": "480", "Light sleep duration (min)": "230",
            "Deep (SWS) duration (min)": "95", "REM duration (min)": "105",
            "Awake duration (min)": "50", "Sleep need (min)": "500", "Sleep debt (min)": "40",
            "Sleep efficiency %": "91", "Sleep consistency %": consistency}


S1 = _sleep("2024-03-12 23:10:00", "2024-03-13 07:20:00", "88", "430", "77")
S2 = _sleep("2024-03-11 23:40:00", "2024-03-12 07:05:00", "81", "410", "72")
S3 = _sleep("2024-03-10 23:05:00", "2024-03-11 06:45:00", "90", "425", "")


def cycles_rows() -> list[dict[str, str]]:
    """Five invented cycles, newest first (see the module table)."""
    return [
        {**_cyc("C1"), "Recovery score %": "61", "Resting heart rate (bpm)": "52",
         "Heart rate variability (ms)": "71", "Skin temp (celsius)": "33.41",
         "Blood oxygen %": "96.25", **S1},
        {**_cyc("C2"), "Recovery score %": "74", "Resting heart rate (bpm)": "50",
         "Heart rate variability (ms)": "80", "Skin temp (celsius)": "33.12",
         "Blood oxygen %": "95.50", "Day Strain": "14.3", "Energy burned (cal)": "2500",
         "Max HR (bpm)": "171", "Average HR (bpm)": "68", **S2},
        {**_cyc("C3"), "Recovery score %": "33", "Resting heart rate (bpm)": "58",
         "Heart rate variability (ms)": "45", "Skin temp (celsius)": "",
         "Blood oxygen %": "", "Day Strain": "9.8", "Energy burned (cal)": "2100",
         "Max HR (bpm)": "150", "Average HR (bpm)": "64", **S3},
        {**_cyc("C4"), "Day Strain": "6.1", "Energy burned (cal)": "1900",
         "Max HR (bpm)": "130", "Average HR (bpm)": "61"},
        {**_cyc("C5")},
    ]


def sleeps_rows() -> list[dict[str, str]]:
    """Main sleeps of C1-C3, a nap in C2 and an unscored sleep in C4."""
    nap = {**_sleep("2024-03-12 14:00:00", "2024-03-12 15:10:00", "", "62", ""),
           "In bed duration (min)": "70", "Sleep need (min)": "", "Sleep debt (min)": ""}
    unscored = {"Sleep onset": "2024-03-10 00:15:00", "Wake onset": "2024-03-10 05:05:00"}
    return [
        {**_cyc("C1"), **S1, "Nap": "false"},
        {**_cyc("C2"), **nap, "Nap": "true"},
        {**_cyc("C2"), **S2, "Nap": "false"},
        {**_cyc("C3"), **S3, "Nap": "false"},
        {**_cyc("C4"), **unscored, "Nap": "false"},
    ]


def workouts_rows() -> list[dict[str, str]]:
    """Two scored workouts in C2 (one with GPS), one manual workout without HR in C4."""
    return [
        {**_cyc("C2"), "Workout start time": "2024-03-12 17:30:00",
         "Workout end time": "2024-03-12 18:30:00", "Duration (min)": "60",
         "Activity name": "Running", "Activity Strain": "11.2", "Energy burned (cal)": "650.0",
         "Max HR (bpm)": "171", "Average HR (bpm)": "148", "HR Zone 1 %": "10",
         "HR Zone 2 %": "25", "HR Zone 3 %": "40", "HR Zone 4 %": "20", "HR Zone 5 %": "5",
         "GPS enabled": "true", "Distance (meters)": "10234.50",
         "Altitude gain (meters)": "85.20", "Altitude change (meters)": "-3.40"},
        {**_cyc("C2"), "Workout start time": "2024-03-12 12:00:00",
         "Workout end time": "2024-03-12 12:45:00", "Duration (min)": "45",
         "Activity name": "Weightlifting, heavy", "Activity Strain": "7.5",
         "Energy burned (cal)": "280.0", "Max HR (bpm)": "140", "Average HR (bpm)": "105",
         "HR Zone 1 %": "50", "HR Zone 2 %": "20", "HR Zone 3 %": "0", "HR Zone 4 %": "0",
         "HR Zone 5 %": "0", "GPS enabled": "false"},
        {**_cyc("C4"), "Workout start time": "2024-03-10 09:00:00",
         "Workout end time": "2024-03-10 09:30:00", "Duration (min)": "30",
         "Activity name": "Other", "GPS enabled": "false"},
    ]


NOTE_MULTILINE = "slept badly,\nwoke at 3\r\nthen read"
QUESTION_COMMA = "Eat any food close to bedtime (e.g., within 2 hours)?"


def journal_rows() -> list[dict[str, str]]:
    """Journal quirks: 2 orphans, an exact duplicate, a conflicting repeat (last wins: 'true'),
    a question with commas, a quoted multi-line note, ``TRUE`` in capitals."""
    orphan = {"Cycle start time": "", "Cycle end time": "", "Cycle timezone": ""}
    return [
        {**orphan, "Question text": "Feeling sick or ill?", "Answered yes": "false", "Notes": ""},
        {**orphan, "Question text": "Hydrated sufficiently?", "Answered yes": "true", "Notes": ""},
        {**_cyc("C1"), "Question text": "Have any alcoholic drinks?", "Answered yes": "false",
         "Notes": ""},
        {**_cyc("C1"), "Question text": QUESTION_COMMA, "Answered yes": "TRUE",
         "Notes": NOTE_MULTILINE},
        {**_cyc("C1"), "Question text": "Have any alcoholic drinks?", "Answered yes": "false",
         "Notes": ""},
        {**_cyc("C2"), "Question text": "Have any alcoholic drinks?", "Answered yes": "false",
         "Notes": ""},
        {**_cyc("C2"), "Question text": "Have any alcoholic drinks?", "Answered yes": "true",
         "Notes": "one beer"},
        {**_cyc("C3"), "Question text": "Read (non-screened device) while in bed?",
         "Answered yes": "False", "Notes": ""},
    ]


ROWS = {"cycles": cycles_rows, "sleeps": sleeps_rows, "workouts": workouts_rows,
        "journal": journal_rows}
HEADERS = {
    "current": {"cycles": CYCLES_26, "sleeps": SLEEPS_18, "workouts": WORKOUTS_17,
                "journal": JOURNAL_6},
    "legacy": {"cycles": CYCLES_25, "sleeps": SLEEPS_17, "workouts": WORKOUTS_20,
               "journal": JOURNAL_6},
}


# ------------------------------------------------------------------------------------ writers
def csv_text(header: list[str], rows: list[dict[str, str]], *, names: list[str] | None = None,
             crlf: bool = False, bom: bool = False, final_newline: bool = True) -> str:
    """CSV text with ``header`` (written as ``names`` if given, e.g. translated), RFC 4180
    quoting only where needed (as WHOOP writes), LF or CRLF."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n" if crlf else "\n")
    writer.writerow(names or header)
    for row in rows:
        writer.writerow([row.get(col, "") for col in header])
    text = buf.getvalue()
    if not final_newline:
        text = text.rstrip("\r\n")
    return ("\ufeff" if bom else "") + text


def export_csvs(variant: str = "current", *, kinds: tuple[str, ...] = tuple(FILE_NAMES),
                **text_options) -> dict[str, str]:
    """File name -> CSV text of the invented export in header ``variant`` (current / legacy)."""
    return {FILE_NAMES[k]: csv_text(HEADERS[variant][k], ROWS[k](), **text_options)
            for k in kinds}


def zip_bytes(files: dict[str, str | bytes], *, folder: str = "") -> bytes:
    """A ZIP holding ``files`` (at the root, or under ``folder/``), deflate-compressed."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            data = text.encode("utf-8") if isinstance(text, str) else text
            archive.writestr(f"{folder}/{name}" if folder else name, data)
    return buf.getvalue()


def write_zip(path: Path, files: dict[str, str | bytes], *, folder: str = "") -> Path:
    path.write_bytes(zip_bytes(files, folder=folder))
    return path


def write_gzip_zip(path: Path, files: dict[str, str | bytes]) -> Path:
    """A ZIP wrapped in gzip (as some download clients deliver it, docs/WHOOP.md#files-and-containers)."""
    path.write_bytes(gzip.compress(zip_bytes(files)))
    return path


def write_folder(folder: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``files`` (names may contain ``/``) below ``folder``; returns ``folder``."""
    for name, text in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return folder


# ------------------------------------- quirk: a main sleep filed under the previous cycle
#: Three invented cycles at UTC+02:00, newest first. Q2's main sleep (onset 2024-06-02 22:30)
#: opens Q2 in physiological_cycles.csv (its row's ``Sleep onset``, with Q2's recovery), but its
#: row in sleeps.csv carries Q3's ``Cycle start time`` (docs/EXPORT_QUIRKS.md). Q3's own row also shows
#: a late nap's sleep columns (the other 3.3 quirk), so Q3's main sleep is found only by the
#: sleeps.csv key; the nap stays a nap.
_Q = {
    "Q1": ("2024-06-03 23:00:00", "", "UTC+02:00"),
    "Q2": ("2024-06-02 22:30:00", "2024-06-03 23:00:00", "UTC+02:00"),
    "Q3": ("2024-06-01 23:15:00", "2024-06-02 22:30:00", "UTC+02:00"),
}
QS1 = _sleep("2024-06-03 23:00:00", "2024-06-04 07:10:00", "84", "440", "75")
QS2 = _sleep("2024-06-02 22:30:00", "2024-06-03 06:40:00", "79", "405", "70")
QS3 = _sleep("2024-06-01 23:15:00", "2024-06-02 07:00:00", "92", "420", "81")
QNAP = {**_sleep("2024-06-02 16:00:00", "2024-06-02 16:50:00", "", "45", ""),
        "In bed duration (min)": "50", "Sleep need (min)": "", "Sleep debt (min)": ""}


def _qcyc(key: str) -> dict[str, str]:
    start, end, tz = _Q[key]
    return {"Cycle start time": start, "Cycle end time": end, "Cycle timezone": tz}


def previous_cycle_sleep_csvs() -> dict[str, str]:
    """File name -> CSV text of an invented export (current headers) where a main sleep's
    sleeps.csv row names the previous cycle (see ``_Q`` above). Expected days: 2024-06-02 (Q3,
    recovery 80, asleep 420), 2024-06-03 (Q2, recovery 55, asleep 405), 2024-06-04 (Q1, open,
    recovery 66, asleep 440)."""
    strain = {"Day Strain": "10.5", "Energy burned (cal)": "2200", "Max HR (bpm)": "160",
              "Average HR (bpm)": "66"}
    cycles = [
        {**_qcyc("Q1"), "Recovery score %": "66", "Resting heart rate (bpm)": "51",
         "Heart rate variability (ms)": "75", "Skin temp (celsius)": "33.3",
         "Blood oxygen %": "96.0", **QS1},
        {**_qcyc("Q2"), "Recovery score %": "55", "Resting heart rate (bpm)": "54",
         "Heart rate variability (ms)": "62", "Skin temp (celsius)": "33.5",
         "Blood oxygen %": "95.8", **strain, **QS2},
        {**_qcyc("Q3"), "Recovery score %": "80", "Resting heart rate (bpm)": "49",
         "Heart rate variability (ms)": "88", "Skin temp (celsius)": "33.2",
         "Blood oxygen %": "96.4", **strain, **QNAP},
    ]
    sleeps = [
        {**_qcyc("Q1"), **QS1, "Nap": "false"},
        {**_qcyc("Q3"), **QS2, "Nap": "false"},   # the quirk: Q2's sleep under Q3's start
        {**_qcyc("Q3"), **QNAP, "Nap": "true"},
        {**_qcyc("Q3"), **QS3, "Nap": "false"},
    ]
    return {FILE_NAMES["cycles"]: csv_text(CYCLES_26, cycles),
            FILE_NAMES["sleeps"]: csv_text(SLEEPS_18, sleeps)}


# ------------------------------------------------- the rows a reader must give for the above
# Worked out by hand from the invented rows: UTC = local wall clock - the cycle's offset;
# energy kJ = the export's kcal x 4.184; a zone's minutes = its % x the workout's minutes.
# Columns not named are missing (NaN, NaT, <NA>).
_T = "2024-03-{} +00:00".format
_CYCLE_ROWS = [
    dict(start_utc=_T("12 22:10"), tz_offset_min=60, score_state="PENDING_SCORE"),
    dict(start_utc=_T("11 22:40"), end_utc=_T("12 22:10"), tz_offset_min=60, score_state="SCORED",
         day_strain=14.3, energy_kj=10460.0, avg_heart_rate_bpm=68.0, max_heart_rate_bpm=171.0),
    dict(start_utc=_T("10 23:05"), end_utc=_T("11 22:40"), tz_offset_min=0, score_state="SCORED",
         day_strain=9.8, energy_kj=8786.4, avg_heart_rate_bpm=64.0, max_heart_rate_bpm=150.0),
    dict(start_utc=_T("09 23:30"), end_utc=_T("10 23:05"), tz_offset_min=0, score_state="SCORED",
         day_strain=6.1, energy_kj=7949.6, avg_heart_rate_bpm=61.0, max_heart_rate_bpm=130.0),
    dict(start_utc=_T("08 00:00"), end_utc=_T("09 00:00"), tz_offset_min=0,
         score_state="UNSCORABLE"),
]
_RECOVERY_ROWS = [
    dict(cycle_start_utc=_T("12 22:10"), score_state="SCORED", recovery_score=61.0,
         resting_heart_rate_bpm=52.0, hrv_rmssd_ms=71.0, spo2_pct=96.25, skin_temp_c=33.41),
    dict(cycle_start_utc=_T("11 22:40"), score_state="SCORED", recovery_score=74.0,
         resting_heart_rate_bpm=50.0, hrv_rmssd_ms=80.0, spo2_pct=95.5, skin_temp_c=33.12),
    dict(cycle_start_utc=_T("10 23:05"), score_state="SCORED", recovery_score=33.0,
         resting_heart_rate_bpm=58.0, hrv_rmssd_ms=45.0),
]
_STAGES = dict(respiratory_rate_rpm=14.6, sleep_efficiency_pct=91.0, light_sleep_min=230.0,
               deep_sleep_min=95.0, rem_sleep_min=105.0, awake_min=50.0)
_MAIN = dict(_STAGES, nap=False, score_state="SCORED", in_bed_min=480.0, sleep_need_min=500.0,
             sleep_debt_min=40.0)
_SLEEP_ROWS = [
    dict(_MAIN, start_utc=_T("12 22:10"), end_utc=_T("13 06:20"), tz_offset_min=60,
         cycle_start_utc=_T("12 22:10"), sleep_performance_pct=88.0, sleep_consistency_pct=77.0,
         asleep_min=430.0),
    dict(_STAGES, start_utc=_T("12 13:00"), end_utc=_T("12 14:10"), tz_offset_min=60,
         cycle_start_utc=_T("11 22:40"), nap=True, score_state="SCORED", in_bed_min=70.0,
         asleep_min=62.0),
    dict(_MAIN, start_utc=_T("11 22:40"), end_utc=_T("12 06:05"), tz_offset_min=60,
         cycle_start_utc=_T("11 22:40"), sleep_performance_pct=81.0, sleep_consistency_pct=72.0,
         asleep_min=410.0),
    dict(_MAIN, start_utc=_T("10 23:05"), end_utc=_T("11 06:45"), tz_offset_min=0,
         cycle_start_utc=_T("10 23:05"), sleep_performance_pct=90.0, asleep_min=425.0),
    dict(start_utc=_T("10 00:15"), end_utc=_T("10 05:05"), tz_offset_min=0,
         cycle_start_utc=_T("09 23:30"), nap=False, score_state="UNSCORABLE"),
]
_WORKOUT_ROWS = [
    dict(start_utc=_T("12 16:30"), end_utc=_T("12 17:30"), tz_offset_min=60,
         cycle_start_utc=_T("11 22:40"), sport_name="Running", score_state="SCORED",
         activity_strain=11.2, energy_kj=2719.6, avg_heart_rate_bpm=148.0,
         max_heart_rate_bpm=171.0, duration_min=60.0, hr_zone_1_min=6.0, hr_zone_2_min=15.0,
         hr_zone_3_min=24.0, hr_zone_4_min=12.0, hr_zone_5_min=3.0, gps_enabled=True),
    dict(start_utc=_T("12 11:00"), end_utc=_T("12 11:45"), tz_offset_min=60,
         cycle_start_utc=_T("11 22:40"), sport_name="Weightlifting, heavy", score_state="SCORED",
         activity_strain=7.5, energy_kj=1171.52, avg_heart_rate_bpm=105.0,
         max_heart_rate_bpm=140.0, duration_min=45.0, hr_zone_1_min=22.5, hr_zone_2_min=9.0,
         hr_zone_3_min=0.0, hr_zone_4_min=0.0, hr_zone_5_min=0.0, gps_enabled=False),
    dict(start_utc=_T("10 09:00"), end_utc=_T("10 09:30"), tz_offset_min=0,
         cycle_start_utc=_T("09 23:30"), sport_name="Other", score_state="UNSCORABLE",
         duration_min=30.0, gps_enabled=False),
]
_JOURNAL_ROWS = [
    dict(entry_key="orphan|Feeling sick or ill?|false|", question="Feeling sick or ill?",
         answered_yes=False),
    dict(entry_key="orphan|Hydrated sufficiently?|true|", question="Hydrated sufficiently?",
         answered_yes=True),
    dict(entry_key="2024-03-12T22:10:00Z|Have any alcoholic drinks?",
         cycle_start_utc=_T("12 22:10"), tz_offset_min=60, question="Have any alcoholic drinks?",
         answered_yes=False),
    dict(entry_key=f"2024-03-12T22:10:00Z|{QUESTION_COMMA}", cycle_start_utc=_T("12 22:10"),
         tz_offset_min=60, question=QUESTION_COMMA, answered_yes=True, notes=NOTE_MULTILINE),
    dict(entry_key="2024-03-11T22:40:00Z|Have any alcoholic drinks?",
         cycle_start_utc=_T("11 22:40"), cycle_end_utc=_T("12 22:10"), tz_offset_min=60,
         question="Have any alcoholic drinks?", answered_yes=True, notes="one beer"),
    dict(entry_key="2024-03-10T23:05:00Z|Read (non-screened device) while in bed?",
         cycle_start_utc=_T("10 23:05"), cycle_end_utc=_T("11 22:40"), tz_offset_min=0,
         question="Read (non-screened device) while in bed?", answered_yes=False),
]
#: What the legacy headers (docs/WHOOP.md#headers) change: no sleep consistency; workouts
#: with distance and altitude (the Running row only).
_LEGACY = {"sleeps": lambda r: {**r, "sleep_consistency_pct": None},
           "workouts": lambda r: {**r, "distance_m": 10234.5, "altitude_gain_m": 85.2,
                                  "altitude_change_m": -3.4} if r["sport_name"] == "Running" else r}
#: The file each table's rows come from.
TABLE_FILES = {"cycles": "cycles", "recoveries": "cycles", "sleeps": "sleeps",
               "workouts": "workouts", "journal": "journal"}


def expected_rows(variant: str = "current") -> dict[str, list[dict]]:
    """Table name -> the canonical rows (columns not given: missing) a reader must give for
    :func:`export_csvs` in header ``variant``, in file order, before ``source``/``source_ref``."""
    rows = {"cycles": _CYCLE_ROWS, "recoveries": _RECOVERY_ROWS, "sleeps": _SLEEP_ROWS,
            "workouts": _WORKOUT_ROWS, "journal": _JOURNAL_ROWS}
    if variant == "legacy":
        rows = {t: [_LEGACY[t](r) for r in rs] if t in _LEGACY else rs for t, rs in rows.items()}
    return rows


def expected_frames(files: dict[str, str], variant: str = "current") -> dict:
    """Table name -> the whole canonical frame (every column, schema dtypes) a reader must give
    for :func:`export_csvs`, with ``source`` ``export`` and ``source_ref`` the name under which
    the reader found that table's file (``files``: an ``ExportData.files`` mapping; a kind not
    in it: its usual file name)."""
    import pandas as pd

    from whoop import schema
    out = {}
    for table, rows in expected_rows(variant).items():
        ref = files.get(TABLE_FILES[table], FILE_NAMES[TABLE_FILES[table]])
        frame = pd.DataFrame([{**r, "source": "export", "source_ref": ref} for r in rows])
        out[table] = schema.conform(frame, table)
    return out
