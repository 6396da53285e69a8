"""The two real exports in ../shared/whoop/exports (skipped when absent). Expected values are
computed inside the tests from the raw CSV text with the csv module and datetime (an
implementation independent of whoop.export); no row of those files is copied here."""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pytest

from whoop.export import read_export, read_export_files

pytestmark = pytest.mark.real_export
EXPORTS = Path(__file__).resolve().parents[1].parent / "shared" / "whoop" / "exports"
ZIP = EXPORTS / "my_whoop_data_2025_02_16.zip"
FOLDER = EXPORTS / "my_whoop_data_2025_11_21"
NAMES = {"cycles": "physiological_cycles.csv", "sleeps": "sleeps.csv",
         "workouts": "workouts.csv", "journal": "journal_entries.csv"}
CASES = {
    "zip": (ZIP, {"cycles": 338, "sleeps": 348, "workouts": 386}),
    "folder": (FOLDER, {"cycles": 370, "sleeps": 371, "workouts": 340}),
}


def raw_texts(path: Path) -> dict[str, str]:
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            return {k: archive.read(n).decode("utf-8") for k, n in NAMES.items()}
    return {k: (path / n).read_text(encoding="utf-8") for k, n in NAMES.items()}


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def to_utc(local: str, tz: str) -> pd.Timestamp | None:
    """'YYYY-MM-DD HH:MM:SS' in 'UTC+HH:MM' / 'UTCZ' -> UTC (docs/WHOOP.md#timestamps-and-offsets),
    by hand."""
    if not local:
        return None
    if tz == "UTCZ":
        offset = timedelta(0)
    else:
        sign, hh, mm = re.fullmatch(r"UTC([+-])(\d\d):(\d\d)", tz).groups()
        offset = (1 if sign == "+" else -1) * timedelta(hours=int(hh), minutes=int(mm))
    naive = datetime.strptime(local, "%Y-%m-%d %H:%M:%S")
    return pd.Timestamp(naive.replace(tzinfo=timezone(offset)).astimezone(UTC))


def num(text: str) -> float:
    return float(text) if text else math.nan


def same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-12)


@pytest.fixture(scope="module", params=list(CASES))
def case(request):
    path, counts = CASES[request.param]
    if not path.exists():
        pytest.skip(f"{path} not present")
    return read_export([path]), raw_texts(path), counts, path


def test_row_counts(case):
    data, raw, counts, _ = case
    assert {k: len(getattr(data, k)) for k in counts} == counts
    cyc = rows(raw["cycles"])
    with_recovery = [r for r in cyc if any(r[c] for c in (
        "Recovery score %", "Resting heart rate (bpm)", "Heart rate variability (ms)",
        "Skin temp (celsius)", "Blood oxygen %"))]
    assert len(data.recoveries) == len(with_recovery)
    assert int(data.sleeps["nap"].sum()) == sum(r["Nap"] == "true" for r in rows(raw["sleeps"]))


def test_journal_after_dedup(case):
    data, raw, _, _ = case
    entries = rows(raw["journal"])
    distinct = list(dict.fromkeys(tuple(r.values()) for r in entries))
    keys = set()
    for values in distinct:
        r = dict(zip(entries[0].keys(), values, strict=False))
        start = to_utc(r["Cycle start time"], r["Cycle timezone"])
        keys.add(("orphan", r["Question text"], r["Answered yes"], r["Notes"]) if start is None
                 else (start, r["Question text"]))
    assert len(data.journal) == len(keys)
    assert data.journal["entry_key"].is_unique
    dropped = len(entries) - len(distinct)
    if dropped:
        assert f"{dropped} exact duplicate journal rows dropped" in " ".join(data.warnings)
    sample = entries[len(entries) // 2]
    key = (to_utc(sample["Cycle start time"], sample["Cycle timezone"]).strftime(
        "%Y-%m-%dT%H:%M:%SZ") + "|" + sample["Question text"])
    got = data.journal.set_index("entry_key").loc[key]
    assert got["answered_yes"] == (sample["Answered yes"] == "true")
    assert (got["notes"] if isinstance(got["notes"], str) else "") == sample["Notes"]


@pytest.mark.parametrize("index", [0, 1, 7, -1])
def test_cycle_and_recovery_values(case, index):
    data, raw, _, _ = case
    r = rows(raw["cycles"])[index]
    start = to_utc(r["Cycle start time"], r["Cycle timezone"])
    got = data.cycles.set_index("start_utc").loc[start]
    end = to_utc(r["Cycle end time"], r["Cycle timezone"])
    assert (got["end_utc"] if not pd.isna(got["end_utc"]) else None) == end
    assert same(got["energy_kj"], num(r["Energy burned (cal)"]) * 4.184)
    assert same(got["day_strain"], num(r["Day Strain"]))
    assert same(got["max_heart_rate_bpm"], num(r["Max HR (bpm)"]))
    assert got["score_state"] == ("PENDING_SCORE" if end is None else "SCORED")
    if r["Recovery score %"]:
        rec = data.recoveries.set_index("cycle_start_utc").loc[start]
        assert same(rec["recovery_score"], num(r["Recovery score %"]))
        assert same(rec["hrv_rmssd_ms"], num(r["Heart rate variability (ms)"]))
        assert same(rec["skin_temp_c"], num(r["Skin temp (celsius)"]))
        assert same(rec["spo2_pct"], num(r["Blood oxygen %"]))


@pytest.mark.parametrize("index", [0, 3, 100, -1])
def test_sleep_values(case, index):
    data, raw, _, _ = case
    r = rows(raw["sleeps"])[index]
    got = data.sleeps.set_index("start_utc").loc[to_utc(r["Sleep onset"], r["Cycle timezone"])]
    assert got["end_utc"] == to_utc(r["Wake onset"], r["Cycle timezone"])
    assert got["cycle_start_utc"] == to_utc(r["Cycle start time"], r["Cycle timezone"])
    assert got["nap"] == (r["Nap"] == "true")
    assert same(got["asleep_min"], num(r["Asleep duration (min)"]))
    assert same(got["deep_sleep_min"], num(r["Deep (SWS) duration (min)"]))
    assert same(got["respiratory_rate_rpm"], num(r["Respiratory rate (rpm)"]))
    assert same(got["sleep_consistency_pct"], num(r["Sleep consistency %"]))


@pytest.mark.parametrize("index", [0, 5, 50, -1])
def test_workout_values(case, index):
    data, raw, _, _ = case
    r = rows(raw["workouts"])[index]
    got = data.workouts.set_index("start_utc").loc[
        to_utc(r["Workout start time"], r["Cycle timezone"])]
    assert got["sport_name"] == r["Activity name"]
    assert got["cycle_start_utc"] == to_utc(r["Cycle start time"], r["Cycle timezone"])
    assert same(got["energy_kj"], num(r["Energy burned (cal)"]) * 4.184)
    duration = num(r["Duration (min)"])
    for i in range(1, 6):
        assert same(got[f"hr_zone_{i}_min"], num(r[f"HR Zone {i} %"]) / 100 * duration)
    assert same(got["distance_m"], num(r.get("Distance (meters)", "")))


def test_offset_changes_join_without_gap(case):
    """Wherever consecutive cycles change offset (DST/travel), the earlier one's end is the later
    one's start in UTC (docs/WHOOP.md#timestamps-and-offsets)."""
    data, raw, _, _ = case
    by_start = data.cycles.sort_values("start_utc").reset_index(drop=True)
    nxt = by_start.shift(-1)
    change = (by_start["tz_offset_min"] != nxt["tz_offset_min"]) & nxt["start_utc"].notna()
    assert change.sum() >= 1
    assert (by_start.loc[change, "end_utc"] == nxt.loc[change, "start_utc"]).all()
    raw_tz = {r["Cycle timezone"] for r in rows(raw["cycles"])}
    assert len(raw_tz) == by_start["tz_offset_min"].nunique()


def test_upload_bytes_equal_path_read():
    if not ZIP.exists():
        pytest.skip(f"{ZIP} not present")
    by_path = read_export([ZIP])
    by_bytes = read_export_files([(ZIP.name, ZIP.read_bytes())])
    for name, frame in by_path.frames().items():
        pd.testing.assert_frame_equal(frame, by_bytes.frames()[name])
    assert by_bytes.files["sleeps"] == "my_whoop_data_2025_02_16.zip:sleeps.csv"
