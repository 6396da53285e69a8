"""Temporary stand-in for whoop.synth.generate_athlete while it is being written (tiny invented rows)."""
from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone


def _iso(dt):
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond//1000:03d}Z"


@dataclass
class A:
    user_id: int; email: str; first_name: str; last_name: str
    height_meter: float; weight_kilogram: float; max_heart_rate: int
    cycles: list = field(default_factory=list); recoveries: list = field(default_factory=list)
    sleeps: list = field(default_factory=list); workouts: list = field(default_factory=list)
    journal: list = field(default_factory=list)


def generate_athlete(seed, *, index=0, start, end):
    a = A(1000 + seed * 10 + index, f"demo{index}@example.com", "Demo", f"Athlete{index}", 1.8, 75.0, 190)
    day = start.replace(hour=6, minute=0, second=0, microsecond=0)
    d0 = day
    n = 0
    while day < end:
        r = random.Random(f"{seed}:{index}:{(day - d0).days}")
        sleep_start = day - timedelta(hours=8)
        cid = 10_000 + (day - d0).days
        cyc_end = day + timedelta(days=1) - timedelta(hours=8)
        pending = cyc_end > end - timedelta(hours=30)
        state = "PENDING_SCORE" if pending else ("UNSCORABLE" if n % 17 == 5 else "SCORED")
        cyc = {"id": cid, "user_id": a.user_id, "created_at": _iso(day), "updated_at": _iso(day),
               "start": _iso(sleep_start), "timezone_offset": "+01:00", "score_state": state}
        if cyc_end <= end:
            cyc["end"] = _iso(cyc_end)
        if state == "SCORED":
            cyc["score"] = {"strain": round(r.uniform(5, 18), 3), "kilojoule": 9000.0, "average_heart_rate": 65, "max_heart_rate": 170}
        a.cycles.append(cyc)
        sid = str(uuid.UUID(int=random.Random(f"s{seed}{index}{n}").getrandbits(128), version=4))
        sl = {"id": sid, "cycle_id": cid, "user_id": a.user_id, "created_at": _iso(day), "updated_at": _iso(day),
              "start": _iso(sleep_start), "end": _iso(day), "timezone_offset": "+01:00", "nap": False, "score_state": state}
        if state == "SCORED":
            sl["score"] = {"stage_summary": {k: 1000 for k in ["total_in_bed_time_milli", "total_awake_time_milli", "total_no_data_time_milli", "total_light_sleep_time_milli", "total_slow_wave_sleep_time_milli", "total_rem_sleep_time_milli", "sleep_cycle_count", "disturbance_count"]},
                           "sleep_needed": {"baseline_milli": 1, "need_from_sleep_debt_milli": 1, "need_from_recent_strain_milli": 1, "need_from_recent_nap_milli": 0},
                           "respiratory_rate": 15.0, "sleep_performance_percentage": 90.0, "sleep_consistency_percentage": 80.0, "sleep_efficiency_percentage": 90.0}
        a.sleeps.append(sl)
        rec = {"cycle_id": cid, "sleep_id": sid, "user_id": a.user_id, "created_at": _iso(day), "updated_at": _iso(day), "score_state": state}
        if state == "SCORED":
            rec["score"] = {"user_calibrating": n < 3, "recovery_score": 50.0, "resting_heart_rate": 55.0, "hrv_rmssd_milli": 60.0}
        a.recoveries.append(rec)
        if n % 2 == 0 and day + timedelta(hours=11) < end:
            wid = str(uuid.UUID(int=random.Random(f"w{seed}{index}{n}").getrandbits(128), version=4))
            ws = day + timedelta(hours=10)
            w = {"id": wid, "user_id": a.user_id, "created_at": _iso(ws), "updated_at": _iso(ws), "start": _iso(ws),
                 "end": _iso(ws + timedelta(hours=1)), "timezone_offset": "+01:00", "sport_name": "running", "score_state": "SCORED",
                 "score": {"strain": 10.0, "average_heart_rate": 140, "max_heart_rate": 170, "kilojoule": 2000.0, "percent_recorded": 100.0,
                           "zone_durations": {f"zone_{z}_milli": 600000 for z in ["zero", "one", "two", "three", "four", "five"]}}}
            a.workouts.append(w)
        day += timedelta(days=1)
        n += 1
    return a
