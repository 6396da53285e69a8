"""Late rescores and deletions, deterministic in (seed, record id, now), for the sandbox.

WHOOP rescores records after the fact (a user edits a sleep, an activity is re-processed) and users
delete workouts and naps; the API then shows a later ``updated_at`` and changed values, and webhooks
announce ``*.updated`` / ``*.deleted`` (docs/WHOOP.md#webhooks-and-deletions). :func:`rescore`
reproduces that:

* every SCORED main sleep or workout draws ``u = unit_hash(seed, "rescore", id)``;
* ``u < 0.03``: rescored at ``t = end + 1 h + 71 h x unit_hash(seed, "rescore-at", id)``. A main
  sleep moves 5-15 min from awake to light sleep (efficiency and performance follow) and its
  recovery moves by 1-4 points and HRV by +-2 %; a workout's strain and kJ grow 3 %. The record's
  ``updated_at`` (and the recovery's) becomes ``t``;
* ``0.03 <= u < 0.04`` for workouts and naps: deleted at ``t`` (main sleeps are never deleted,
  so every cycle keeps its recovery);
* only events with ``t <= now`` apply, so a later ``now`` applies a superset of the changes.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from whoop.synth.model import MS_PER_MIN, SynthAthlete, iso_z, parse_iso, unit_hash


@dataclass
class RescoreResult:
    """The athlete after late changes up to ``now``.

    Attributes:
        athlete: a deep copy of the input with rescored values and without deleted records.
        updated: ``(kind, id, at)`` for each rescore: kind ``"sleep"`` / ``"recovery"`` (id = the
            sleep UUID, as in v2 webhooks) / ``"workout"``; ``at`` the new ``updated_at``.
        deleted: ``(kind, id, at)``: ``"workout"`` or ``"sleep"`` (naps only) and the UUID.
    """

    athlete: SynthAthlete
    updated: list[tuple[str, str, datetime]] = field(default_factory=list)
    deleted: list[tuple[str, str, datetime]] = field(default_factory=list)


def _event(seed: int, record: dict) -> tuple[float, datetime]:
    u = unit_hash(seed, "rescore", record["id"])
    at = parse_iso(record["end"]) + timedelta(hours=1 + 71 * unit_hash(seed, "rescore-at", record["id"]))
    return u, at.replace(microsecond=at.microsecond // 1000 * 1000)


def rescore(athlete: SynthAthlete, seed: int, now: datetime) -> RescoreResult:
    """Apply the late rescores and deletions that happened up to ``now`` (rules in the module
    docstring). ``athlete`` is not modified. Deterministic; monotone in ``now``."""
    out = RescoreResult(copy.deepcopy(athlete))
    a = out.athlete
    recoveries = {r["sleep_id"]: r for r in a.recoveries}
    kept_sleeps = []
    for s in a.sleeps:
        u, at = _event(seed, s)
        if s["score_state"] != "SCORED" or at > now:
            kept_sleeps.append(s)
            continue
        if s["nap"] and 0.03 <= u < 0.04:
            out.deleted.append(("sleep", s["id"], at))
            continue
        kept_sleeps.append(s)
        if not s["nap"] and u < 0.03:
            st = s["score"]["stage_summary"]
            moved = min(st["total_awake_time_milli"], round((5 + 10 * u / 0.03) * MS_PER_MIN))
            st["total_awake_time_milli"] -= moved
            st["total_light_sleep_time_milli"] += moved
            asleep = (st["total_in_bed_time_milli"] - st["total_awake_time_milli"]
                      - st["total_no_data_time_milli"])
            sc = s["score"]
            sc["sleep_efficiency_percentage"] = round(100 * asleep / st["total_in_bed_time_milli"], 8)
            need = sum(sc["sleep_needed"].values())
            sc["sleep_performance_percentage"] = min(100.0, round(100 * asleep / need))
            s["updated_at"] = iso_z(at)
            out.updated.append(("sleep", s["id"], at))
            rec = recoveries.get(s["id"])
            if rec is not None and rec["score_state"] == "SCORED":
                step = 1 + round(3 * unit_hash(seed, "rescore-step", s["id"]))
                rs = rec["score"]
                rs["recovery_score"] = float(min(99, max(1, rs["recovery_score"] + step)))
                rs["hrv_rmssd_milli"] = round(rs["hrv_rmssd_milli"] * 1.02, 6)
                rec["updated_at"] = iso_z(at)
                out.updated.append(("recovery", s["id"], at))
    a.sleeps = kept_sleeps
    kept_workouts = []
    for w in a.workouts:
        u, at = _event(seed, w)
        if w["score_state"] != "SCORED" or at > now or u >= 0.04:
            kept_workouts.append(w)
        elif u >= 0.03:
            out.deleted.append(("workout", w["id"], at))
        else:
            w["score"]["strain"] = round(min(21.0, w["score"]["strain"] * 1.03), 6)
            w["score"]["kilojoule"] = round(w["score"]["kilojoule"] * 1.03, 3)
            w["updated_at"] = iso_z(at)
            out.updated.append(("workout", w["id"], at))
            kept_workouts.append(w)
    a.workouts = kept_workouts
    out.updated.sort(key=lambda e: e[2])
    out.deleted.sort(key=lambda e: e[2])
    return out
