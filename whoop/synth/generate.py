"""The physiology chain and the API v2 records: :func:`generate_athlete`.

The chain walks the days from the anchor in order and carries the slow state: a random-walk
drift of the HRV baseline, fitness and fatigue as 42- and 7-day exponentially weighted training
loads (Banister's impulse-response model as CTL/ATL, Coggan's time constants), sleep debt, the
last day's strain and nap, and recent bed/wake times for sleep consistency.

Nightly physiology (all effects on ln RMSSD, the scale HRV-guided training works on, Plews et
al. 2013, Sports Med 43:773):
  * individual baseline, a +-5 % seasonal wave (higher in summer) and fitness (CTL);
  * previous day's strain above 10 and acute load above chronic load lower HRV and raise RHR
    (Stanley, Peake & Buchheit 2013, Sports Med 43:1259, post-exercise parasympathetic recovery);
  * alcohol -12 % HRV, +3.5 bpm RHR, less REM (Pietilä et al. 2018, JMIR Ment Health 5:e23);
  * illness: HRV down to -33 %, RHR +7 bpm, respiratory rate +2 rpm, skin temp +0.9 degC
    (Mishra et al. 2020, Nat Biomed Eng 4:1208, wearable signals before COVID-19 symptoms;
    Miller et al. 2020, PLoS One 15:e0243693, WHOOP respiratory rate);
  * jet lag after >= 3 h offset changes, a high-stress day, late food, screens in bed: smaller
    negative effects; magnesium and reading: small positive ones.
The recovery score is a logistic map of a weighted sum of HRV, RHR, sleep performance and
respiratory rate relative to their baselines, HRV weighing most (WHOOP: "Recovery ... is based
on HRV, resting heart rate, respiratory rate and sleep performance", whoop.com/thelocker).
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from typing import Any

from whoop.synth.model import (
    MS_PER_MIN,
    UTC,
    Profile,
    SynthAthlete,
    cycle_id_for,
    iso_z,
    make_profile,
    synth_uuid,
    user_id_for,
)
from whoop.synth.plan import (
    Q_ALCOHOL,
    Q_FOOD,
    Q_MAGNESIUM,
    Q_READ,
    Q_SCREEN,
    Q_STRESS,
    QUESTIONS,
    Planner,
    SlotPlan,
    WorkoutPlan,
    strain_from_trimp,
    trimp,
)
from whoop.timezones import tzd

_ZONE_MID = (0.42, 0.55, 0.65, 0.75, 0.85, 0.93)    # mean %HRmax inside WHOOP zones 0..5
_ZONE_TOP = (0.50, 0.60, 0.70, 0.80, 0.90, 1.00)
_ZONE_KEYS = ("zone_zero_milli", "zone_one_milli", "zone_two_milli", "zone_three_milli",
              "zone_four_milli", "zone_five_milli")


def anchor_date(start: datetime, profile: Profile) -> date:
    """First day of the history: the home-local date of ``start``, or the next one when local
    midnight of that date is before ``start`` (the first placeholder cycle starts at local 00:00)."""
    d = (start + timedelta(minutes=profile.home.offset(start.date()))).date()
    midnight = datetime(d.year, d.month, d.day, tzinfo=UTC) - timedelta(
        minutes=profile.home.offset(d))
    return d if midnight >= start else d + timedelta(days=1)


def history_start(end: datetime, days: int, *, seed: int = 7, index: int = 0) -> datetime:
    """The anchor to pass as ``start``: home-local midnight ``days`` days before ``end``'s date.

    The sandbox should compute this ONCE at server start (e.g. ``history_start(now, 400)``) and
    keep it fixed while its clock advances: the physiology chain runs from ``start``, so another
    ``start`` gives another (equally valid) history."""
    home = make_profile(seed, index).home
    d = (end + timedelta(minutes=home.offset(end.date()))).date() - timedelta(days=days)
    return datetime(d.year, d.month, d.day, tzinfo=UTC) - timedelta(minutes=home.offset(d))


def generate_athlete(seed: int, *, index: int = 0, start: datetime, end: datetime) -> SynthAthlete:
    """All records of athlete (seed, index) whose cycle starts in [start, end).

    ``end`` is "now": the last cycle is open (no ``end``; its strain counts only what happened
    before ``end``), records finished less than their scoring delay (4-40 min) before ``end``
    are ``PENDING_SCORE``, and sleeps/naps/workouts that have not ended by ``end`` are absent.
    Everything else is final and identical for any later ``end`` (same ids, same values).

    Raises:
        ValueError: naive datetimes, or ``end <= start``.
    """
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be timezone-aware (UTC)")
    if end <= start:
        raise ValueError("end must be after start")
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    profile = make_profile(seed, index)
    planner = Planner(seed, index, profile, anchor_date(start, profile))
    slots: list[SlotPlan] = []
    n = 0
    while True:
        base = planner.base(n)
        if base.kind != "gap":
            start_n = base.cycle_start()
            if start_n >= end:
                next_start = start_n
                break
            slots.append(planner.slot(n))
        n += 1
    name_no = "" if index == 0 else f" {index + 1}"
    athlete = SynthAthlete(
        user_id=user_id_for(seed, index), email=f"demo{index + 1}@example.com",
        first_name="Demo", last_name=f"Athlete{name_no}", height_meter=profile.height_m,
        weight_kilogram=profile.weight_kg, max_heart_rate=profile.max_hr)
    _Chain(seed, index, profile, athlete, end).run(slots, next_start)
    return athlete


class _Chain:
    """Walks the slots in order, carrying the slow physiological state, and emits records."""

    def __init__(self, seed: int, index: int, profile: Profile, athlete: SynthAthlete,
                 now: datetime) -> None:
        self.seed, self.index, self.p, self.a, self.now = seed, index, profile, athlete, now
        self.drift = 0.0
        self.ctl, self.atl = 120.0, 120.0
        self.debt_min = 0.0
        self.prev_strain = 10.0
        self.nap_asleep_ms = 0
        self.streak: list[tuple[float, float]] = []   # (onset, wake) local minutes, this streak
        self.recovery_count = 0

    def run(self, slots: list[SlotPlan], next_start: datetime) -> None:
        last_n = -1
        for i, slot in enumerate(slots):
            for _ in range(slot.n - last_n - 1):      # days off the wrist: loads decay, no data
                self._load(60.0)
            if slot.n - last_n > 1:
                self.streak = []
            last_n = slot.n
            end = slots[i + 1].cycle_start() if i + 1 < len(slots) else None
            nominal_end = end or next_start
            self._slot(slot, end, nominal_end)

    # --- one cycle ------------------------------------------------------------------------
    def _slot(self, s: SlotPlan, end: datetime | None, nominal_end: datetime) -> None:
        p, d = self.p, s.draws
        season = math.sin(2 * math.pi * (s.day.timetuple().tm_yday - 80) / 365.25)
        self.drift = 0.985 * self.drift + 0.012 * d["drift"]
        base_ln = math.log(p.hrv_ms) + 0.05 * season + self.drift + 0.001 * (self.ctl - 120)
        rhr_base = p.rhr_bpm - 1.2 * season - 0.02 * (self.ctl - 120)
        cycle_id = cycle_id_for(self.seed, self.index, s.day)
        start = s.cycle_start()
        main = None
        if s.kind == "normal" and s.main_sleep()[1] <= self.now:
            main = self._main_sleep(s, cycle_id, base_ln, rhr_base)
        # day strain: daily life plus workouts (Edwards TRIMP -> strain)
        length = min((nominal_end - start).total_seconds() / 3600, 26.0)
        elapsed = length if end else min(max((self.now - start).total_seconds() / 3600, 0), length)
        frac = elapsed / length if length > 0 else 0.0
        life = max(15.0, 60 + 15 * d["life"]) * (0.6 if s.sick else 1.0) + 30 * s.travel_day
        load, kj = life * frac, p.bmr_kj_day * elapsed / 24 + life * frac * 9
        max_hr = self.p.rhr_bpm + 60 + 20 * d["life_hr"]
        w_ms = w_hr_ms = 0.0
        for k, w in enumerate(s.workouts):
            if w.end > self.now:
                continue
            rec = self._workout(s, k, w)
            minutes = (w.end - w.start).total_seconds() / 60
            load += trimp(w.zones, minutes)
            kj += _keytel_kj(rec["_avg"], p, minutes)
            max_hr = max(max_hr, rec["_max"])
            w_ms += minutes
            w_hr_ms += minutes * rec["_avg"]
            self.a.workouts.append({k2: v for k2, v in rec.items() if not k2.startswith("_")})
        for k, (ns, ne) in enumerate(s.naps):
            if ne <= self.now:
                self._nap(s, k, ns, ne, cycle_id, main)
        strain = strain_from_trimp(load)
        sleep_min = (s.wake - start).total_seconds() / 60 if s.wake else 0.0
        awake_min = max(elapsed * 60 - sleep_min - w_ms, 1.0)
        avg_hr = (sleep_min * (rhr_base + 3) + w_hr_ms + awake_min * (rhr_base + 18 + life / 10)) / (
            sleep_min + w_ms + awake_min)
        created = min(start + timedelta(minutes=1), self.now)
        cycle = {"id": cycle_id, "user_id": self.a.user_id, "created_at": iso_z(created),
                 "updated_at": iso_z(created), "start": iso_z(start),
                 "timezone_offset": tzd(s.offset_min), "score_state": "SCORED"}
        score = {"strain": round(strain, 6), "kilojoule": round(kj, 3),
                 "average_heart_rate": round(avg_hr), "max_heart_rate": round(max_hr)}
        if end is not None:
            cycle["end"] = iso_z(end)
            settled = end + timedelta(minutes=10 + 20 * d["delay"])
            if settled <= self.now:
                cycle["updated_at"], cycle["score"] = iso_z(settled), score
            else:
                cycle["score_state"] = "PENDING_SCORE"
        elif s.wake is None or s.wake <= self.now:
            cycle["updated_at"] = iso_z(max(created, self.now - timedelta(minutes=3)))
            cycle["score"] = score
        else:
            cycle["score_state"] = "PENDING_SCORE"
        self.a.cycles.append(cycle)
        # state for tomorrow (the full day counts once the cycle is closed)
        full_load = life + sum(trimp(w.zones, (w.end - w.start).total_seconds() / 60)
                               for w in s.workouts)
        self.prev_strain = strain_from_trimp(full_load)
        self._load(full_load)
        self.nap_asleep_ms = sum(int((ne - ns).total_seconds() * 1000 * 0.9) for ns, ne in s.naps)

    def _load(self, day_trimp: float) -> None:
        self.atl += (day_trimp - self.atl) / 7
        self.ctl += (day_trimp - self.ctl) / 42

    # --- sleep and recovery ---------------------------------------------------------------
    def _main_sleep(self, s: SlotPlan, cycle_id: int, base_ln: float, rhr_base: float) -> dict:
        """Main sleep, its recovery and the journal filed under this cycle.

        Stages: awake 5-11 % of time in bed, slow-wave 17-23 % and REM 19-25 % of sleep, light
        the rest (Ohayon et al. 2004, Sleep 27:1255, adult norms); ~90-min sleep cycles. Need =
        baseline + debt + strain (3.5 min per strain point above 8) + nap (minus nap sleep),
        the four parts of WHOOP's ``sleep_needed``; debt carries 35 % of last night's shortfall
        and 40 % of the previous debt (capped 2 h); performance = asleep / need (WHOOP, "Sleep
        performance"), capped 100; efficiency = asleep / in bed; consistency from the mean clock
        deviation of onset and wake against the 4 previous nights of the same wear streak."""
        p, d, b = self.p, s.draws, s.behaviour
        alc, sick = float(b[Q_ALCOHOL]), s.sick
        onset, wake = s.main_sleep()
        in_bed = (wake - onset) // timedelta(milliseconds=1)
        awake = int(in_bed * (0.05 + 0.06 * d["awake"] + 0.03 * alc + 0.02 * sick - 0.01 * b[Q_READ]))
        no_data = int((1 + 19 * d["nodata"] / 0.05) * MS_PER_MIN) if d["nodata"] < 0.05 else 0
        asleep = in_bed - awake - no_data
        sws = int(asleep * (0.17 + 0.06 * d["sws"] + 0.02 * (self.prev_strain > 14) - 0.02 * alc))
        rem = int(asleep * (0.19 + 0.06 * d["rem"] - 0.05 * alc - 0.02 * b[Q_SCREEN]))
        need = {"baseline_milli": round(p.need_base_h * 3_600_000),
                "need_from_sleep_debt_milli": round(self.debt_min * MS_PER_MIN),
                "need_from_recent_strain_milli": round(max(0.0, self.prev_strain - 8) * 3.5 * MS_PER_MIN),
                "need_from_recent_nap_milli": -self.nap_asleep_ms}
        need_ms = sum(need.values())
        perf = min(100.0, round(100 * asleep / need_ms))
        resp = p.resp_rpm + 2.2 * sick + 0.3 * alc + 0.25 * d["resp"]
        onset_loc = _local_min(onset, s.offset_min, s.day)
        wake_loc = _local_min(wake, s.offset_min, s.day)
        score = {"stage_summary": {
                     "total_in_bed_time_milli": in_bed, "total_awake_time_milli": awake,
                     "total_no_data_time_milli": no_data,
                     "total_light_sleep_time_milli": asleep - sws - rem,
                     "total_slow_wave_sleep_time_milli": sws, "total_rem_sleep_time_milli": rem,
                     "sleep_cycle_count": max(1, round(asleep / 5_400_000 + 1.5 * (d["cycles"] - 0.5))),
                     "disturbance_count": round(6 + 10 * d["dist"] + 4 * alc + 3 * sick)},
                 "sleep_needed": need, "respiratory_rate": round(resp * 1024) / 1024,
                 "sleep_performance_percentage": perf}
        if len(self.streak) >= 4:
            dev = sum(abs(onset_loc - o) + abs(wake_loc - w) for o, w in self.streak[-4:]) / 8
            score["sleep_consistency_percentage"] = float(round(min(99, max(20, 100 - 0.4 * dev))))
        score["sleep_efficiency_percentage"] = round(100 * asleep / in_bed, 8)
        self.streak.append((onset_loc, wake_loc))
        state = "UNSCORABLE" if d["sleep_state"] < 0.01 else "SCORED"
        sleep_id = synth_uuid(self.seed, self.index, s.day, "sleep", "main")
        created = wake + timedelta(minutes=1 + 2 * d["delay"])
        settled = wake + timedelta(minutes=4 + 36 * d["delay"])
        rec_state = state if d["rec_state"] >= 0.008 else "UNSCORABLE"
        if settled > self.now:
            state = rec_state = "PENDING_SCORE"
        sleep = {"id": sleep_id, "cycle_id": cycle_id, "user_id": self.a.user_id,
                 "created_at": iso_z(created),
                 "updated_at": iso_z(settled if state != "PENDING_SCORE" else created),
                 "start": iso_z(onset), "end": iso_z(wake), "timezone_offset": tzd(s.offset_min),
                 "nap": False, "score_state": state}
        if state == "SCORED":
            sleep["score"] = score
            deficit = (need_ms - need["need_from_sleep_debt_milli"] - asleep) / MS_PER_MIN
            self.debt_min = min(max(0.35 * deficit + 0.4 * self.debt_min, 0.0), 120.0)
        self.a.sleeps.append(sleep)
        # recovery from the same night
        acute = -0.0025 * min(max(self.atl - self.ctl, -40), 80)
        strain_hit = max(0.0, self.prev_strain - 10)
        noise = 0.09 * d["hrv"]
        ln_hrv = (base_ln + acute - 0.012 * strain_hit - 0.12 * alc - 0.40 * sick - 0.12 * s.jetlag
                  - 0.06 * b[Q_STRESS] - 0.05 * b[Q_FOOD] + 0.03 * b[Q_MAGNESIUM]
                  - 0.02 * b[Q_SCREEN] + 0.02 * b[Q_READ] + 0.08 * (perf - 80) / 100 + noise)
        rhr = round(rhr_base + 3.5 * alc + 7 * sick + 2 * s.jetlag + 1.5 * b[Q_FOOD]
                    + 1.5 * b[Q_STRESS] + 0.15 * strain_hit - 0.06 * 40 * acute
                    - 20 * noise + 1.2 * d["rhr"])
        z = (0.62 * (ln_hrv - base_ln) / 0.15 + 0.2 * (rhr_base - rhr) / 4
             + 0.12 * (perf - 80) / 15 - 0.06 * (resp - p.resp_rpm))
        rscore = {"user_calibrating": self.recovery_count < 4,
                  "recovery_score": float(min(99, max(1, round(100 / (1 + math.exp(-(0.85 + 1.1 * z))))))),
                  "resting_heart_rate": float(rhr), "hrv_rmssd_milli": round(math.exp(ln_hrv), 6)}
        if d["spo2_miss"] >= 0.03:
            rscore["spo2_percentage"] = round(min(100.0, p.spo2_pct - 1.2 * sick + 0.5 * d["spo2"]), 4)
        if d["skin_miss"] >= 0.03:
            rscore["skin_temp_celsius"] = round(p.skin_c + 0.9 * sick + 0.15 * d["skin"], 4)
        self.recovery_count += 1
        rec = {"cycle_id": cycle_id, "sleep_id": sleep_id, "user_id": self.a.user_id,
               "created_at": sleep["created_at"], "updated_at": sleep["updated_at"],
               "score_state": rec_state}
        if rec_state == "SCORED":
            rec["score"] = rscore
        self.a.recoveries.append(rec)
        if s.answered:
            for q in QUESTIONS:
                self.a.journal.append({"cycle_id": cycle_id, "question": q,
                                       "answered_yes": b[q], "notes": s.notes.get(q)})
        return sleep

    def _nap(self, s: SlotPlan, k: int, start: datetime, end: datetime, cycle_id: int,
             main: dict | None) -> None:
        d = s.draws
        in_bed = (end - start) // timedelta(milliseconds=1)
        awake = int(in_bed * (0.06 + 0.08 * d["awake"]))
        asleep = in_bed - awake
        sws, rem = int(asleep * 0.15), int(asleep * 0.12)
        need = (main or {}).get("score", {}).get("sleep_needed") or {
            "baseline_milli": round(self.p.need_base_h * 3_600_000), "need_from_sleep_debt_milli": 0,
            "need_from_recent_strain_milli": 0, "need_from_recent_nap_milli": 0}
        settled = end + timedelta(minutes=5 + 20 * d["delay"])
        created = end + timedelta(minutes=1)
        state = "SCORED" if settled <= self.now else "PENDING_SCORE"
        nap = {"id": synth_uuid(self.seed, self.index, s.day, "sleep", "nap", k),
               "cycle_id": cycle_id, "user_id": self.a.user_id, "created_at": iso_z(created),
               "updated_at": iso_z(settled if state == "SCORED" else created),
               "start": iso_z(start), "end": iso_z(end), "timezone_offset": tzd(s.offset_min),
               "nap": True, "score_state": state}
        if state == "SCORED":
            nap["score"] = {"stage_summary": {
                "total_in_bed_time_milli": in_bed, "total_awake_time_milli": awake,
                "total_no_data_time_milli": 0, "total_light_sleep_time_milli": asleep - sws - rem,
                "total_slow_wave_sleep_time_milli": sws, "total_rem_sleep_time_milli": rem,
                "sleep_cycle_count": max(0, round(asleep / 5_400_000)),
                "disturbance_count": round(1 + 3 * d["dist"])},
                "sleep_needed": dict(need), "respiratory_rate": round(self.p.resp_rpm * 1024) / 1024,
                "sleep_efficiency_percentage": round(100 * asleep / in_bed, 8)}
        self.a.sleeps.append(nap)

    # --- workouts -------------------------------------------------------------------------
    def _workout(self, s: SlotPlan, k: int, w: WorkoutPlan) -> dict:
        p = self.p
        minutes = (w.end - w.start).total_seconds() / 60
        avg = p.max_hr * sum(f * m for f, m in zip(w.zones, _ZONE_MID, strict=False))
        top = max(z for z, f in enumerate(w.zones) if f > 0.01)
        mx = max(round(avg) + 5, round(p.max_hr * _ZONE_TOP[top] * (1 - 0.04 * w.top_zone_draw)))
        settled = w.end + timedelta(minutes=w.delay_min)
        created = w.end + timedelta(minutes=1)
        if w.state_draw < 0.015:
            state = "UNSCORABLE"
        elif w.state_draw < 0.02 or settled > self.now:
            state = "PENDING_SCORE"
        else:
            state = "SCORED"
        rec = {"id": synth_uuid(self.seed, self.index, s.day, "workout", k),
               "user_id": self.a.user_id, "created_at": iso_z(created),
               "updated_at": iso_z(settled if state != "PENDING_SCORE" else created),
               "start": iso_z(w.start), "end": iso_z(w.end), "timezone_offset": tzd(s.offset_min),
               "sport_name": w.sport, "score_state": state, "_avg": avg, "_max": mx}
        if state == "SCORED":
            recorded = int(minutes * MS_PER_MIN * w.percent_recorded / 100)
            zones = [int(f * recorded) for f in w.zones]
            zones[0] += recorded - sum(zones)
            score: dict[str, Any] = {"strain": round(strain_from_trimp(trimp(w.zones, minutes)), 6),
                     "average_heart_rate": round(avg), "max_heart_rate": mx,
                     "kilojoule": round(_keytel_kj(avg, p, minutes), 3),
                     "percent_recorded": w.percent_recorded}
            if w.speed_mps is not None:
                dist = w.speed_mps * minutes * 60
                score.update(distance_meter=round(dist, 4),
                             altitude_gain_meter=round(dist / 1000 * w.climb_m_per_km, 4),
                             altitude_change_meter=round(w.alt_change_m, 4))
            score["zone_durations"] = dict(zip(_ZONE_KEYS, zones, strict=False))
            rec["score"] = score
        return rec


def _keytel_kj(avg_hr: float, p: Profile, minutes: float) -> float:
    """Energy from heart rate, Keytel et al. 2005 (J Sports Sci 23:289), men:
    kJ/min = -55.0969 + 0.6309 HR + 0.1988 kg + 0.2017 age, floored at 4 kJ/min."""
    per_min = -55.0969 + 0.6309 * avg_hr + 0.1988 * p.weight_kg + 0.2017 * p.age
    return max(per_min, 4.0) * minutes


def _local_min(instant: datetime, offset_min: int, day: date) -> float:
    """Local wall-clock minutes relative to midnight at the start of ``day``."""
    local = instant + timedelta(minutes=offset_min)
    base = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return (local - base).total_seconds() / 60
