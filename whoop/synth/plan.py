"""The chain-free part of the synthetic history: life events and one plan per day.

Day ``n`` is the local date ``anchor + n``. Slot ``n`` is the cycle labelled with that day:

* ``placeholder`` (n = 0, and the first day after a wear gap): the cycle starts at local 00:00;
  no main sleep, no recovery (docs/EXPORT_QUIRKS.md, placeholder cycles);
* ``normal``: the cycle starts at the onset of the main sleep of the night (n-1 -> n) and its day
  is the wake-up date n (docs/ARCHITECTURE.md "The day model");
* ``gap``: the strap was off; no cycle. The previous cycle runs until the next placeholder.

Every random draw of a day comes from ``rng(seed, index, date, purpose)``, so a day's plan never
depends on how far the history reaches. Events come in 91-day blocks counted from the anchor
(``block_events``): a hard training block (3-4 weeks), a trip abroad (6-9 nights), a wear gap
(2-5 days) and a sick spell (4-8 days) at fixed places in the block, switched on by the block
number (so any 400-day window holds each at least once) or by chance.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from whoop.synth.model import DESTINATIONS, Place, Profile, local_to_utc, rng

BLOCK_DAYS = 91

# Journal questions, in the order they are written (docs/WHOOP.md#headers: the full question text).
Q_ALCOHOL = "Have any alcoholic drinks?"
Q_READ = "Read (non-screen device) while in bed?"
Q_SCREEN = "Viewed a screen device in bed?"
Q_STRESS = "Experience a high-stress day?"
Q_MAGNESIUM = "Take a magnesium supplement?"
Q_FOOD = "Eat any food close to bedtime (e.g., within 2 hours)?"
QUESTIONS = (Q_ALCOHOL, Q_READ, Q_SCREEN, Q_STRESS, Q_MAGNESIUM, Q_FOOD)

_NOTES = {
    Q_ALCOHOL: ("Two glasses of wine with dinner", "Beers with friends, home late",
                'Tried a "sleepy" mocktail, then one cocktail',
                "Team dinner downtown.\nTwo beers, one glass of wine.\nHome after midnight."),
    Q_STRESS: ("Deadline at work", "Long meetings, skipped lunch"),
    Q_FOOD: ("Late pizza, around 22:00", "Snack before bed"),
}

# Sport -> (weekday pattern weight, zone-time fractions for zones 0..5, GPS sport, typical minutes).
# Zone bands are WHOOP's %-of-max-HR zones (0: <50 %, 1: 50-60 %, ... 5: 90-100 %).
SPORT_ZONES = {
    "running": (0.02, 0.08, 0.33, 0.40, 0.14, 0.03),
    "running-intervals": (0.03, 0.10, 0.22, 0.25, 0.25, 0.15),
    "cycling": (0.03, 0.12, 0.35, 0.35, 0.12, 0.03),
    "weightlifting": (0.15, 0.40, 0.30, 0.12, 0.03, 0.0),
    "functional-fitness": (0.05, 0.15, 0.25, 0.30, 0.18, 0.07),
    "yoga": (0.45, 0.45, 0.10, 0.0, 0.0, 0.0),
    "walking": (0.30, 0.55, 0.15, 0.0, 0.0, 0.0),
    "swimming": (0.05, 0.15, 0.35, 0.33, 0.10, 0.02),
}
# API v2 sport_name -> the export's "Activity name" (docs/WHOOP.md#headers: WHOOP's sport list).
SPORT_EXPORT_NAMES = {"running": "Running", "cycling": "Cycling", "weightlifting": "Weightlifting",
                      "functional-fitness": "Functional Fitness", "yoga": "Yoga",
                      "walking": "Walking", "swimming": "Swimming"}
GPS_SPORTS = {"running": (2.6, 3.6), "cycling": (6.5, 8.5), "walking": (1.25, 1.6)}  # m/s

# Weekly template (Mon=0): (sport variant, minutes) choices; None = rest.
_WEEK: dict[int, tuple[tuple[str, float] | None, ...]] = {
    0: (("weightlifting", 60),),
    1: (("running-intervals", 50), ("running", 45)),
    2: (("yoga", 45), None),
    3: (("cycling", 75), ("running", 50)),
    4: (("functional-fitness", 45), ("weightlifting", 55)),
    5: (("running", 90), ("cycling", 120)),
    6: (("walking", 60), ("swimming", 45), None),
}


@dataclass(frozen=True)
class BlockEvents:
    """Day-number ranges of the events of one 91-day block (empty range = none)."""

    training: range
    trip: range
    trip_place: Place | None
    gap: range
    sick: range


@dataclass
class WorkoutPlan:
    """A planned workout: sport, UTC interval, zone fractions (0..5) and chance draws."""

    sport: str
    start: datetime
    end: datetime
    zones: tuple[float, ...]
    speed_mps: float | None     # GPS sports outdoors; None = indoor / no GPS
    climb_m_per_km: float
    alt_change_m: float
    percent_recorded: float
    state_draw: float           # < 0.015 -> UNSCORABLE, < 0.02 -> stuck PENDING_SCORE
    top_zone_draw: float
    delay_min: float            # minutes from end to scored (created/updated)


@dataclass
class SlotPlan:
    """Everything about day ``n`` that does not depend on earlier days' physiology."""

    n: int
    day: date
    kind: str                   # "normal" | "placeholder" | "gap"
    offset_min: int             # the cycle's timezone offset
    start: datetime | None      # cycle start (UTC); None for gaps
    onset: datetime | None = None
    wake: datetime | None = None
    behaviour: dict[str, bool] = field(default_factory=dict)
    answered: bool = False
    notes: dict[str, str] = field(default_factory=dict)
    sick: float = 0.0           # severity 0..1 on this morning
    training: bool = False
    jetlag: float = 0.0
    travel_day: bool = False
    workouts: list[WorkoutPlan] = field(default_factory=list)
    naps: list[tuple[datetime, datetime]] = field(default_factory=list)
    draws: dict[str, float] = field(default_factory=dict)  # physiology noise for the chain

    def cycle_start(self) -> datetime:
        """The cycle start (UTC).

        Raises:
            ValueError: day ``n`` is a wear gap, which has no cycle.
        """
        if self.start is None:
            raise ValueError(f"day {self.n} is a wear gap: it has no cycle start")
        return self.start

    def main_sleep(self) -> tuple[datetime, datetime]:
        """(onset, wake) of the main sleep that opens the cycle (UTC).

        Raises:
            ValueError: day ``n`` has no planned main sleep (a wear gap or a placeholder cycle).
        """
        if self.onset is None or self.wake is None:
            raise ValueError(f"day {self.n} ({self.kind}) has no planned main sleep")
        return self.onset, self.wake


class Planner:
    """Lazily plans slots for one athlete; results are cached per day number."""

    def __init__(self, seed: int, index: int, profile: Profile, anchor: date) -> None:
        self.seed, self.index, self.profile, self.anchor = seed, index, profile, anchor
        self._blocks: dict[int, BlockEvents] = {}
        self._bases: dict[int, SlotPlan] = {}
        self._slots: dict[int, SlotPlan] = {}

    # --- events ---------------------------------------------------------------------------
    def block(self, b: int) -> BlockEvents:
        """Events of block ``b`` (days 91*b .. 91*b+90)."""
        if b not in self._blocks:
            r = rng(self.seed, self.index, "block", b)
            base = b * BLOCK_DAYS
            on_training = b % 2 == 0 or r.random() < 0.3
            t0 = base + r.randint(5, 12)
            training = range(t0, t0 + r.randint(21, 28)) if on_training else range(0)
            on_trip = b % 2 == 1 or r.random() < 0.15
            trip0 = base + r.randint(42, 50)
            trip = range(trip0, trip0 + r.randint(6, 9)) if on_trip else range(0)
            place = DESTINATIONS[(b // 2 + (self.index if b > 1 else 0)) % len(DESTINATIONS)]
            if place.name == self.profile.home.name:
                place = DESTINATIONS[(DESTINATIONS.index(place) + 1) % len(DESTINATIONS)]
            on_gap = b > 0 and (b % 2 == 0 or r.random() < 0.25)
            g0 = base + r.randint(60, 64)
            gap = range(g0, g0 + r.randint(2, 5)) if on_gap else range(0)
            on_sick = b > 0 and (b % 2 == 0 or r.random() < 0.2)
            s0 = base + r.randint(72, 78)
            sick = range(s0, s0 + r.randint(4, 8)) if on_sick else range(0)
            self._blocks[b] = BlockEvents(training, trip, place if on_trip else None, gap, sick)
        return self._blocks[b]

    def events(self, n: int) -> BlockEvents:
        return self.block(max(n, 0) // BLOCK_DAYS)

    def in_gap(self, n: int) -> bool:
        return n in self.events(n).gap

    def evening_offset(self, n: int) -> int:
        """UTC offset (minutes) where the athlete sleeps on the evening of day n."""
        ev = self.events(n)
        d = self.anchor + timedelta(days=n)
        if n in ev.trip and ev.trip_place is not None:
            return ev.trip_place.offset(d)
        return self.profile.home.offset(d)

    def sick_severity(self, n: int) -> float:
        ev = self.events(n)
        if n not in ev.sick:
            return 0.0
        k, length = n - ev.sick.start, len(ev.sick)
        return max(0.25, 1.0 - abs(k - 0.3 * length) / (0.8 * length))

    def jetlag(self, n: int) -> float:
        """Jet lag on the morning of day n: |offset change| / 6 h, fading x0.55 per night."""
        for k in range(4):
            a, b = self.evening_offset(n - 2 - k), self.evening_offset(n - 1 - k)
            if abs(a - b) >= 180:
                return min(1.0, abs(a - b) / 360) * 0.55**k
        return 0.0

    # --- slots ----------------------------------------------------------------------------
    def slot(self, n: int) -> SlotPlan:
        """The full plan of day n (n >= 0)."""
        if n not in self._slots:
            self._slots[n] = self._make_slot(n)
        return self._slots[n]

    def base(self, n: int) -> SlotPlan:
        """Kind, cycle start and main sleep of day n (no day activities yet)."""
        if n not in self._bases:
            d = self.anchor + timedelta(days=n)
            if self.in_gap(n):
                self._bases[n] = SlotPlan(n, d, "gap", self.evening_offset(n), None)
            elif n == 0 or self.in_gap(n - 1):
                off = self.evening_offset(n)
                self._bases[n] = SlotPlan(n, d, "placeholder", off, local_to_utc(d, 0, off))
            else:
                self._bases[n] = self._night(n, d)
        return self._bases[n]

    def _make_slot(self, n: int) -> SlotPlan:
        slot = self.base(n)
        d = slot.day
        if slot.kind == "gap":
            return slot
        r = rng(self.seed, self.index, d, "day")
        slot.sick = self.sick_severity(n)
        slot.training = n in self.events(n).training
        slot.jetlag = self.jetlag(n)
        slot.travel_day = self.evening_offset(n) != self.evening_offset(n - 1) and \
            abs(self.evening_offset(n) - self.evening_offset(n - 1)) >= 180
        slot.draws = {k: r.gauss(0, 1) for k in ("hrv", "rhr", "resp", "skin", "spo2", "life", "drift")}
        slot.draws.update({k: r.random() for k in ("awake", "sws", "rem", "nodata", "dist", "cycles",
                                                   "sleep_state", "rec_state", "skin_miss",
                                                   "spo2_miss", "delay", "life_hr")})
        self._plan_day(slot, r)
        return slot

    def _night(self, n: int, d: date) -> SlotPlan:
        """Main sleep of the night (n-1 -> n) and the journal of the evening n-1."""
        p = self.profile
        r = rng(self.seed, self.index, d, "night")
        eve = d - timedelta(days=1)
        wd_eve = eve.weekday()
        weekend_eve = wd_eve in (4, 5)
        beh = {
            Q_ALCOHOL: r.random() < (0.55 if weekend_eve else 0.10),
            Q_READ: r.random() < 0.35,
            Q_SCREEN: r.random() < 0.50,
            Q_STRESS: r.random() < (0.08 if wd_eve >= 5 else 0.25),
            Q_MAGNESIUM: r.random() < 0.40,
            Q_FOOD: r.random() < 0.30,
        }
        sick = self.sick_severity(n)
        onset_min = (p.bedtime_min + (80 if weekend_eve else 0) + 15 * beh[Q_SCREEN]
                     + 20 * beh[Q_ALCOHOL] - 35 * sick + r.gauss(0, 25))
        work_morning = d.weekday() < 5
        need_min = p.need_base_h * 60
        if work_morning and sick < 0.5:
            wake_min = 1440 + 6.5 * 60 + r.gauss(0, 12)
        else:
            wake_min = onset_min + need_min + r.gauss(25, 30) + 45 * sick
        in_bed = min(max(wake_min - onset_min, 5.0 * 60), 10.5 * 60)
        off = self.evening_offset(n - 1)
        slot = SlotPlan(n, d, "normal", off, None)
        slot.onset = local_to_utc(eve, onset_min, off)
        slot.wake = _whole_ms(slot.onset + timedelta(minutes=in_bed))
        slot.start = slot.onset
        slot.behaviour = beh
        slot.answered = r.random() < 0.85
        if slot.answered:
            for q, texts in _NOTES.items():
                if beh[q] and r.random() < 0.12:
                    slot.notes[q] = texts[r.randrange(len(texts))]
        return slot

    def _plan_day(self, slot: SlotPlan, r: random.Random) -> None:
        """Workouts and naps in the waking hours of day n (wake .. next onset)."""
        if slot.kind == "gap" or slot.travel_day:
            return
        nxt = self.base(slot.n + 1) if not self.in_gap(slot.n + 1) else None
        cycle_start = slot.cycle_start()
        latest = (nxt.cycle_start() if nxt else cycle_start + timedelta(hours=24)) - timedelta(minutes=60)
        earliest = (slot.wake or cycle_start + timedelta(hours=7)) + timedelta(minutes=20)
        d, off = slot.day, slot.offset_min
        wd = d.weekday()
        sessions: list[tuple[str, float, float]] = []  # (variant, minutes, local start minute)
        abroad = slot.n in self.events(slot.n).trip
        if slot.sick == 0 and r.random() > 0.2:
            choice = _WEEK[wd][r.randrange(len(_WEEK[wd]))]
            if abroad:
                choice = ("running", 40) if r.random() < 0.5 else ("weightlifting", 45)
                choice = choice if r.random() < 0.5 else None
            if choice:
                variant, minutes = choice
                minutes *= r.uniform(0.8, 1.2) * (1.3 if slot.training else 1.0)
                if wd >= 5:
                    t0 = r.uniform(9 * 60, 10.5 * 60)
                elif r.random() < 0.4:
                    t0 = -1.0  # morning, right after waking
                else:
                    t0 = r.uniform(17.5 * 60, 18.5 * 60)
                sessions.append((variant, minutes, t0))
        if slot.training and slot.sick == 0 and r.random() < 0.4 and wd < 5:
            sessions.append(("weightlifting", r.uniform(40, 60), r.uniform(19.5 * 60, 20 * 60)))
        for variant, minutes, t0 in sessions:
            start = (earliest + timedelta(minutes=r.uniform(10, 30)) if t0 < 0
                     else local_to_utc(d, t0, off))
            end = start + timedelta(minutes=minutes)
            start, end = _whole_ms(start), _whole_ms(end)
            sport = "running" if variant == "running-intervals" else variant
            zones = [z * r.uniform(0.7, 1.3) for z in SPORT_ZONES[variant]]
            if slot.training:
                zones[3:] = [z * 1.25 for z in zones[3:]]
            total = sum(zones)
            speed = None
            if sport in GPS_SPORTS and r.random() < 0.8:
                lo, hi = GPS_SPORTS[sport]
                speed = r.uniform(lo, hi)
            plan = WorkoutPlan(sport, start, end, tuple(z / total for z in zones), speed,
                               r.uniform(3, 15), r.uniform(-6, 6),
                               100.0 if r.random() < 0.93 else round(r.uniform(85, 99.5), 4),
                               r.random(), r.random(), r.uniform(4, 40))
            if start >= earliest and end <= latest:
                slot.workouts.append(plan)
        p_nap = (0.18 if wd >= 5 else 0.07) + 0.08 * slot.training + 0.4 * (slot.sick > 0)
        if slot.kind == "normal" and r.random() < p_nap:
            s = local_to_utc(d, r.uniform(13.5 * 60, 15.5 * 60), off)
            e = s + timedelta(minutes=r.uniform(20, 95))
            s, e = _whole_ms(s), _whole_ms(e)
            if s >= earliest and e <= latest and all(e <= w.start or s >= w.end for w in slot.workouts):
                slot.naps.append((s, e))


def _whole_ms(t: datetime) -> datetime:
    return t.replace(microsecond=t.microsecond // 1000 * 1000)


def trimp(zones: tuple[float, ...], minutes: float) -> float:
    """Edwards' summated heart-rate-zone TRIMP: minutes in zone k (50-60 % HRmax = 1 ... 90-100 %
    = 5) weighted by k (Edwards 1993, The Heart Rate Monitor Book). Zone 0 counts nothing."""
    return minutes * sum(k * f for k, f in enumerate(zones))


def strain_from_trimp(load: float) -> float:
    """WHOOP-like strain on its 0-21 logarithmic scale: 21 x (1 - exp(-load / 155)).

    WHOOP describes strain as cardiovascular load on a logarithmic 0-21 scale (whoop.com, "How
    does WHOOP Strain work?"); the constant 155 makes a 60-min moderate run (~150 TRIMP) ~13 and
    an all-out 2-h effort ~19, matching the ranges WHOOP quotes (light 0-9, moderate 10-13,
    high 14-17, all out 18-21)."""
    return 21.0 * (1.0 - math.exp(-max(load, 0.0) / 155.0))
