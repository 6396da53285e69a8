"""whoop.synth: determinism, extension, API v2 schema validity, realistic ranges and relations."""

from __future__ import annotations

import copy
import json
import math
import os
import re
import statistics
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest

from whoop.synth import QUESTIONS, generate_athlete, history_start, rescore
from whoop.synth.model import parse_iso
from whoop.timezones import offset_minutes

UTC = UTC
END = datetime(2026, 11, 1, 16, 0, tzinfo=UTC)
START = history_start(END, 400)
OPENAPI = Path(__file__).resolve().parents[2] / "shared" / "whoop" / "openapi" / "openapi.yaml"
ISO_MS_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


@pytest.fixture(scope="module")
def athlete():
    return generate_athlete(7, start=START, end=END)


def _scored(records):
    return [r for r in records if r["score_state"] == "SCORED"]


def _pearson(xs, ys):
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=False))
    return sxy / math.sqrt(sum((x - mx) ** 2 for x in xs) * sum((y - my) ** 2 for y in ys))


# --- determinism and extension -----------------------------------------------------------------

def test_same_seed_gives_identical_records(athlete):
    again = generate_athlete(7, start=START, end=END)
    assert json.dumps(again.__dict__, sort_keys=True) == json.dumps(athlete.__dict__, sort_keys=True)


def test_different_seed_or_index_gives_other_records(athlete):
    other = generate_athlete(8, start=START, end=END)
    second = generate_athlete(7, index=1, start=START, end=END)
    assert other.user_id != athlete.user_id != second.user_id
    hrv = [r["score"]["hrv_rmssd_milli"] for r in _scored(athlete.recoveries)[:50]]
    assert hrv != [r["score"]["hrv_rmssd_milli"] for r in _scored(other.recoveries)[:50]]
    assert {s["id"] for s in athlete.sleeps}.isdisjoint({s["id"] for s in other.sleeps})
    assert {c["id"] for c in athlete.cycles}.isdisjoint({c["id"] for c in second.cycles})


def _final(kind, records):
    """Records that must not change when the clock advances (keyed by id)."""
    key = "cycle_id" if kind == "recoveries" else "id"
    out = {}
    for r in records:
        if r["score_state"] == "PENDING_SCORE" or (kind == "cycles" and "end" not in r):
            continue
        out[r[key]] = r
    return out


@pytest.mark.parametrize("later", [timedelta(days=5), timedelta(hours=7), timedelta(minutes=20)])
def test_later_end_keeps_earlier_final_records(athlete, later):
    ext = generate_athlete(7, start=START, end=END + later)
    for kind in ("cycles", "recoveries", "sleeps", "workouts"):
        before, after = _final(kind, getattr(athlete, kind)), _final(kind, getattr(ext, kind))
        assert before, kind
        missing = [k for k, r in before.items() if after.get(k) != r]
        assert missing == [], kind
    assert ext.journal[: len(athlete.journal)] == athlete.journal
    # the open cycle becomes closed (same id and start) once the clock passes the next onset
    if later >= timedelta(days=1):
        open_before = athlete.cycles[-1]
        same = next(c for c in ext.cycles if c["id"] == open_before["id"])
        assert same["start"] == open_before["start"] and "end" in same
        assert len(ext.cycles) > len(athlete.cycles)


def test_records_finished_just_before_end_are_pending():
    probe = generate_athlete(7, start=START, end=END)
    sleep = next(s for s in reversed(probe.sleeps) if not s["nap"])
    wake = parse_iso(sleep["end"])
    just_after = generate_athlete(7, start=START, end=wake + timedelta(minutes=2))
    s2 = next(s for s in just_after.sleeps if s["id"] == sleep["id"])
    r2 = next(r for r in just_after.recoveries if r["sleep_id"] == sleep["id"])
    assert s2["score_state"] == r2["score_state"] == "PENDING_SCORE"
    assert "score" not in s2 and "score" not in r2
    before_wake = generate_athlete(7, start=START, end=wake - timedelta(minutes=1))
    assert sleep["id"] not in {s["id"] for s in before_wake.sleeps}
    assert "end" not in before_wake.cycles[-1]


def test_naive_or_empty_interval_is_rejected():
    with pytest.raises(ValueError):
        generate_athlete(7, start=START.replace(tzinfo=None), end=END)
    with pytest.raises(ValueError):
        generate_athlete(7, start=END, end=START)


# --- schema validity ---------------------------------------------------------------------------

def _openapi_components():
    if not OPENAPI.exists():
        if os.environ.get("CI") == "true":  # CI always has ../shared: the schema checks must run
            pytest.fail(f"{OPENAPI} is missing under CI")
        pytest.skip("shared/whoop/openapi/openapi.yaml not present")
    doc = json.loads(OPENAPI.read_text())

    def fix(node):  # OpenAPI 3.0 "nullable" -> JSON Schema type lists
        if isinstance(node, dict):
            node = {k: fix(v) for k, v in node.items()}
            if node.pop("nullable", False) and "type" in node:
                node["type"] = [node["type"], "null"]
            return node
        if isinstance(node, list):
            return [fix(v) for v in node]
        return node

    return fix(doc["components"])


@pytest.fixture(scope="module")
def validators():
    comps = _openapi_components()
    return {name: jsonschema.Draft7Validator({"$ref": f"#/components/schemas/{name}",
                                              "components": comps})
            for name in ("Cycle", "Recovery", "Sleep", "WorkoutV2", "UserBasicProfile",
                         "UserBodyMeasurement")}


def test_every_record_matches_the_openapi_schema(athlete, validators):
    kinds = {"Cycle": athlete.cycles, "Recovery": athlete.recoveries, "Sleep": athlete.sleeps,
             "WorkoutV2": athlete.workouts, "UserBasicProfile": [athlete.profile()],
             "UserBodyMeasurement": [athlete.body_measurement()]}
    for name, records in kinds.items():
        assert records, name
        for rec in records:
            errors = list(validators[name].iter_errors(rec))
            assert errors == [], (name, rec, errors[:1])


def test_schema_validator_rejects_broken_records(athlete, validators):
    bad = copy.deepcopy(_scored(athlete.sleeps)[0])
    del bad["score"]["stage_summary"]["total_rem_sleep_time_milli"]
    assert not validators["Sleep"].is_valid(bad)
    bad_cycle = dict(athlete.cycles[0], id="not-an-int")
    assert not validators["Cycle"].is_valid(bad_cycle)


def test_ids_and_timestamps_have_api_shapes(athlete):
    ids = [c["id"] for c in athlete.cycles]
    assert ids == sorted(ids) and len(set(ids)) == len(ids) and all(i < 2**63 for i in ids)
    for rec in athlete.sleeps + athlete.workouts:
        assert uuid.UUID(rec["id"]).version == 5
    for rec in athlete.cycles + athlete.recoveries + athlete.sleeps + athlete.workouts:
        for key in ("created_at", "updated_at", "start", "end"):
            if key in rec:
                assert ISO_MS_Z.match(rec[key]), (key, rec[key])
        assert rec["user_id"] == athlete.user_id
        assert parse_iso(rec["updated_at"]) >= parse_iso(rec["created_at"])
    for rec in athlete.sleeps + athlete.workouts:
        assert parse_iso(rec["created_at"]) > parse_iso(rec["end"])
    assert athlete.profile()["email"] == "demo1@example.com"
    assert athlete.first_name == "Demo" and athlete.last_name == "Athlete"


# --- the story ---------------------------------------------------------------------------------

def test_cycles_are_contiguous_with_placeholders_and_one_open_cycle(athlete):
    cycles = athlete.cycles
    assert "end" not in cycles[-1] and all("end" in c for c in cycles[:-1])
    for a, b in zip(cycles, cycles[1:], strict=False):
        assert a["end"] == b["start"]
    with_sleep = {s["cycle_id"] for s in athlete.sleeps if not s["nap"]}
    placeholders = [c for c in cycles if c["id"] not in with_sleep]
    assert placeholders[0] is cycles[0] and len(placeholders) >= 2   # first day + a wear gap
    for c in placeholders[:-1]:
        local = parse_iso(c["start"]) + timedelta(minutes=offset_minutes(c["timezone_offset"]))
        assert (local.hour, local.minute, local.second) == (0, 0, 0)
    rec_cycles = {r["cycle_id"] for r in athlete.recoveries}
    assert rec_cycles == with_sleep
    long_cycles = [c for c in cycles[:-1]
                   if parse_iso(c["end"]) - parse_iso(c["start"]) > timedelta(days=2)]
    assert long_cycles, "a wear gap leaves one long cycle"


def test_day_labels_increase_one_cycle_per_day(athlete):
    """docs/ARCHITECTURE.md "The day model": wake-up local date, or the start date for placeholders."""
    main = {s["cycle_id"]: s for s in athlete.sleeps if not s["nap"]}
    labels = []
    for c in athlete.cycles:
        ref = main[c["id"]]["end"] if c["id"] in main else c["start"]
        labels.append((parse_iso(ref) + timedelta(minutes=offset_minutes(c["timezone_offset"]))).date())
    assert all(b > a for a, b in zip(labels, labels[1:], strict=False))
    assert labels[-1] == datetime(2026, 11, 1).date()
    assert (labels[-1] - labels[0]).days + 1 - len(labels) < 20     # only wear gaps are missing


def test_timezones_travel_and_dst(athlete):
    offsets = Counter(c["timezone_offset"] for c in athlete.cycles)
    assert {"-05:00", "-04:00", "Z"} <= set(offsets)
    assert len(offsets) >= 4
    changes = sum(a["timezone_offset"] != b["timezone_offset"]
                  for a, b in zip(athlete.cycles, athlete.cycles[1:], strict=False))
    assert changes >= 4


def test_states_calibration_naps_and_sports(athlete):
    states = Counter(r["score_state"] for r in athlete.sleeps + athlete.workouts + athlete.recoveries)
    assert states["UNSCORABLE"] >= 1 and states["SCORED"] > 500
    for rec in athlete.sleeps + athlete.workouts + athlete.recoveries + athlete.cycles:
        assert ("score" in rec) == (rec["score_state"] == "SCORED")
    calib = [r["score"]["user_calibrating"] for r in _scored(athlete.recoveries)]
    assert calib[:3] == [True] * 3 and not any(calib[4:])
    assert sum(s["nap"] for s in athlete.sleeps) >= 10
    sports = Counter(w["sport_name"] for w in athlete.workouts)
    assert {"running", "cycling", "weightlifting", "functional-fitness", "yoga"} <= set(sports)
    for w in _scored(athlete.workouts):
        has_gps = "distance_meter" in w["score"]
        assert not has_gps or w["sport_name"] in ("running", "cycling", "walking")
    assert any("distance_meter" in w["score"] for w in _scored(athlete.workouts))


def test_sleep_arithmetic(athlete):
    for s in _scored(athlete.sleeps):
        st, sc = s["score"]["stage_summary"], s["score"]
        parts = (st["total_light_sleep_time_milli"] + st["total_slow_wave_sleep_time_milli"]
                 + st["total_rem_sleep_time_milli"] + st["total_awake_time_milli"]
                 + st["total_no_data_time_milli"])
        assert parts == st["total_in_bed_time_milli"]
        assert st["total_in_bed_time_milli"] == round(
            (parse_iso(s["end"]) - parse_iso(s["start"])).total_seconds() * 1000)
        need = sc["sleep_needed"]
        assert need["need_from_recent_nap_milli"] <= 0
        assert 7.5 * 3_600_000 <= need["baseline_milli"] <= 8.5 * 3_600_000
        asleep = parts - st["total_awake_time_milli"] - st["total_no_data_time_milli"]
        assert sc["sleep_efficiency_percentage"] == pytest.approx(100 * asleep / parts, abs=1e-6)
        if not s["nap"]:
            expect = min(100, 100 * asleep / sum(need.values()))
            assert abs(sc["sleep_performance_percentage"] - expect) <= 0.5
            assert 11 <= sc["respiratory_rate"] <= 21
            assert 5 <= st["total_in_bed_time_milli"] / 3_600_000 <= 10.5


def test_workout_arithmetic(athlete):
    for w in _scored(athlete.workouts):
        sc = w["score"]
        dur = (parse_iso(w["end"]) - parse_iso(w["start"])).total_seconds() * 1000
        zones = sum(sc["zone_durations"].values())
        assert zones == pytest.approx(dur * sc["percent_recorded"] / 100, abs=2)
        assert 0 < sc["strain"] <= 21 and sc["average_heart_rate"] < sc["max_heart_rate"]
        assert sc["max_heart_rate"] <= athlete.max_heart_rate and sc["kilojoule"] > 0
    cycles = _scored(athlete.cycles)
    strains = [c["score"]["strain"] for c in cycles]
    assert 0 <= min(strains) and max(strains) <= 21 and 8 < statistics.fmean(strains) < 15


def test_physiology_ranges_and_relations(athlete):
    recs = {r["cycle_id"]: r["score"] for r in _scored(athlete.recoveries)}
    hrv = [s["hrv_rmssd_milli"] for s in recs.values()]
    score = [s["recovery_score"] for s in recs.values()]
    rhr = [s["resting_heart_rate"] for s in recs.values()]
    assert 20 < min(hrv) and max(hrv) < 250 and 35 <= min(rhr) and max(rhr) <= 90
    assert 1 <= min(score) and max(score) <= 99 and 45 < statistics.fmean(score) < 70
    assert _pearson(hrv, score) > 0.5
    assert _pearson(rhr, score) < -0.2
    alcohol = {j["cycle_id"]: j["answered_yes"] for j in athlete.journal
               if j["question"] == "Have any alcoholic drinks?" and j["cycle_id"] in recs}
    yes = [recs[c]["recovery_score"] for c, a in alcohol.items() if a]
    no = [recs[c]["recovery_score"] for c, a in alcohol.items() if not a]
    assert len(yes) >= 20 and statistics.fmean(yes) < statistics.fmean(no) - 5
    # strain lowers the next recovery
    order = [c["id"] for c in athlete.cycles]
    strain = {c["id"]: c["score"]["strain"] for c in _scored(athlete.cycles)}
    pairs = [(strain[a], recs[b]["recovery_score"]) for a, b in zip(order, order[1:], strict=False)
             if a in strain and b in recs]
    hard = [r for s, r in pairs if s >= 16]
    easy = [r for s, r in pairs if s < 10]
    assert statistics.fmean(hard) < statistics.fmean(easy)


def test_sick_spell_shows_in_vitals(athlete):
    order = [r["cycle_id"] for r in _scored(athlete.recoveries)]
    hrv = {r["cycle_id"]: r["score"]["hrv_rmssd_milli"] for r in _scored(athlete.recoveries)}
    rhr = {r["cycle_id"]: r["score"]["resting_heart_rate"] for r in _scored(athlete.recoveries)}
    resp = {s["cycle_id"]: s["score"]["respiratory_rate"] for s in _scored(athlete.sleeps)
            if not s["nap"]}
    base = statistics.median(resp.values())
    sick = [i for i, c in enumerate(order) if resp.get(c, 0) > base + 1.2]
    assert len(sick) >= 3
    for name, values, sign in (("hrv", hrv, -1), ("rhr", rhr, +1)):
        before = [statistics.fmean(values[order[j]] for j in range(max(0, i - 20), i - 6))
                  for i in sick if i > 20]
        during = [values[order[i]] for i in sick if i > 20]
        change = statistics.fmean(d - b for d, b in zip(during, before, strict=False))
        assert sign * change > 0, name
    ratio = statistics.fmean(hrv[order[i]] / statistics.fmean(hrv[order[j]] for j in range(i - 20, i - 6))
                             for i in sick if i > 20)
    assert ratio < 0.85


def test_journal_questions_answers_and_notes(athlete):
    assert {j["question"] for j in athlete.journal} == set(QUESTIONS)
    cycles_with_sleep = {s["cycle_id"] for s in athlete.sleeps if not s["nap"]}
    answered = {j["cycle_id"] for j in athlete.journal}
    assert answered <= cycles_with_sleep and len(answered) > 0.7 * len(cycles_with_sleep)
    notes = [j["notes"] for j in athlete.journal if j["notes"]]
    assert notes and any("\n" in n for n in notes)


# --- rescore -----------------------------------------------------------------------------------

def test_rescore_is_deterministic_monotone_and_moves_updated_at(athlete):
    first = rescore(athlete, 7, END - timedelta(days=100))
    later = rescore(athlete, 7, END)
    assert rescore(athlete, 7, END).updated == later.updated
    assert set(first.updated) <= set(later.updated) and set(first.deleted) <= set(later.deleted)
    assert later.updated and later.deleted
    sleeps = {s["id"]: s for s in later.athlete.sleeps}
    works = {w["id"]: w for w in later.athlete.workouts}
    original = {r["id"]: r for r in athlete.sleeps + athlete.workouts}
    for kind, rid, at in later.updated:
        if kind == "recovery":
            rec = next(r for r in later.athlete.recoveries if r["sleep_id"] == rid)
            assert rec["updated_at"] == sleeps[rid]["updated_at"]
            continue
        new = sleeps.get(rid) or works[rid]
        assert parse_iso(new["updated_at"]) == at > parse_iso(original[rid]["updated_at"])
        assert new["score"] != original[rid]["score"]
    for _kind, rid, _ in later.deleted:
        assert rid not in sleeps and rid not in works and rid in original
    assert athlete.sleeps == generate_athlete(7, start=START, end=END).sleeps   # input untouched
