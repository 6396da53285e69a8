"""Shared pieces of the synthetic athlete: the public dataclass, the fixed per-athlete profile,
time and timezone helpers, and the deterministic random sources.

Determinism: every random draw comes from ``random.Random(str)`` seeded with a string such as
``"7:0:2026-03-01:day"``; CPython seeds string seeds through SHA-512, so the draws do not depend
on ``PYTHONHASHSEED``, the platform or the process.
"""

from __future__ import annotations

import hashlib
import math
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

UTC = UTC
MS_PER_MIN = 60_000

# Namespace for every synthetic UUID (uuid5 of a name like "7:0:2026-03-01:sleep:main").
SYNTH_NAMESPACE = uuid.UUID("2f7c1d3e-5b0a-4c8e-9a61-3d1f0e6b7c42")


@dataclass
class SynthAthlete:
    """One synthetic WHOOP member and their records in WHOOP API v2 JSON shape.

    Attributes:
        user_id: int64, stable per (seed, index).
        email, first_name, last_name: obviously fake ("demo1@example.com", "Demo", "Athlete").
        height_meter, weight_kilogram, max_heart_rate: as in ``UserBodyMeasurement``.
        cycles: ``Cycle`` objects (openapi.yaml components.schemas.Cycle), oldest first; the last
            one is open (no ``end``).
        recoveries: ``Recovery`` objects, oldest first, one per main sleep.
        sleeps: ``Sleep`` objects (main sleeps and naps, ``nap`` True), oldest first by ``start``.
        workouts: ``WorkoutV2`` objects, oldest first by ``start``.
        journal: export-only rows ``{"cycle_id": int, "question": str, "answered_yes": bool,
            "notes": str | None}``, filed under the cycle whose recovery they precede.
    """

    user_id: int
    email: str
    first_name: str
    last_name: str
    height_meter: float
    weight_kilogram: float
    max_heart_rate: int
    cycles: list[dict] = field(default_factory=list)
    recoveries: list[dict] = field(default_factory=list)
    sleeps: list[dict] = field(default_factory=list)
    workouts: list[dict] = field(default_factory=list)
    journal: list[dict] = field(default_factory=list)

    def profile(self) -> dict:
        """The ``UserBasicProfile`` JSON object (GET /v2/user/profile/basic)."""
        return {"user_id": self.user_id, "email": self.email,
                "first_name": self.first_name, "last_name": self.last_name}

    def body_measurement(self) -> dict:
        """The ``UserBodyMeasurement`` JSON object (GET /v2/user/measurement/body)."""
        return {"height_meter": self.height_meter, "weight_kilogram": self.weight_kilogram,
                "max_heart_rate": self.max_heart_rate}


def rng(seed: int, index: int, *parts: object) -> random.Random:
    """A fresh RNG for one purpose, e.g. ``rng(7, 0, day, "day")``."""
    return random.Random(":".join([str(seed), str(index), *map(str, parts)]))


def unit_hash(*parts: object) -> float:
    """A uniform number in [0, 1) from SHA-256 of the parts (no RNG state involved)."""
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def synth_uuid(seed: int, index: int, *parts: object) -> str:
    """Deterministic UUID (uuid5) for a sleep or workout."""
    return str(uuid.uuid5(SYNTH_NAMESPACE, ":".join([str(seed), str(index), *map(str, parts)])))


def user_id_for(seed: int, index: int) -> int:
    """int64 WHOOP user id, stable and distinct per (seed, index) for index < 1000."""
    return 10_000_000 + (abs(seed) % 10_000) * 1000 + index % 1000


def cycle_id_for(seed: int, index: int, day: date) -> int:
    """int64 cycle id, increasing with the cycle's day; distinct per athlete (index < 1000)."""
    return 1_000_000_000 + day.toordinal() * 1000 + (abs(seed) * 7 + index) % 1000


# --- time ---------------------------------------------------------------------------------------

def iso_z(instant: datetime) -> str:
    """``2022-04-24T02:25:44.774Z``: UTC with milliseconds, as in the API examples
    (docs/WHOOP.md#timestamps-and-offsets)."""
    instant = instant.astimezone(UTC)
    return instant.strftime("%Y-%m-%dT%H:%M:%S.") + f"{instant.microsecond // 1000:03d}Z"


def parse_iso(text: str) -> datetime:
    """Inverse of :func:`iso_z` (also accepts ``+00:00``)."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def local_to_utc(day: date, minute_of_day: float, offset_min: int) -> datetime:
    """UTC instant of local wall-clock ``day`` + ``minute_of_day`` (may exceed 1440) at an offset.
    Truncated to whole milliseconds."""
    ms = round(minute_of_day * MS_PER_MIN)
    local = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(milliseconds=ms)
    return local - timedelta(minutes=offset_min)


def _nth_sunday(year: int, month: int, n: int) -> date:
    first = date(year, month, 1)
    first_sunday = first + timedelta(days=(6 - first.weekday()) % 7)
    return first_sunday + timedelta(weeks=n - 1)


def _last_sunday(year: int, month: int) -> date:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    last = nxt - timedelta(days=1)
    return last - timedelta(days=(last.weekday() + 1) % 7)


def us_dst(day: date) -> bool:
    """US daylight saving time (Energy Policy Act of 2005): 2nd Sunday of March to 1st Sunday
    of November. The switch is at 02:00, so the evening of the switch day counts as switched."""
    return _nth_sunday(day.year, 3, 2) <= day < _nth_sunday(day.year, 11, 1)


def eu_dst(day: date) -> bool:
    """EU summer time (Directive 2000/84/EC): last Sunday of March to last Sunday of October."""
    return _last_sunday(day.year, 3) <= day < _last_sunday(day.year, 10)


@dataclass(frozen=True)
class Place:
    """A home or travel destination: standard offset (minutes) and its DST rule."""

    name: str
    standard_min: int
    dst: str  # "us", "eu" or "none"

    def offset(self, day: date) -> int:
        """UTC offset in minutes on the evening of ``day``."""
        if self.dst == "us" and us_dst(day):
            return self.standard_min + 60
        if self.dst == "eu" and eu_dst(day):
            return self.standard_min + 60
        return self.standard_min


HOMES = (Place("New York", -300, "us"), Place("London", 0, "eu"),
         Place("Berlin", 60, "eu"), Place("Bengaluru", 330, "none"))
DESTINATIONS = (Place("London", 0, "eu"), Place("Paris", 60, "eu"), Place("Mumbai", 330, "none"),
                Place("San Francisco", -480, "us"), Place("Tokyo", 540, "none"),
                Place("New York", -300, "us"))


@dataclass(frozen=True)
class Profile:
    """Fixed traits of one athlete, drawn once from ``rng(seed, index, "profile")``.

    Ranges (healthy, recreationally active adults):
      * ``hrv_ms`` nightly RMSSD baseline 40-90 ms (Nunan et al. 2010, Pacing Clin Electrophysiol
        33:1407, short-term RMSSD norms; WHOOP nightly values run higher than 5-min supine values);
      * ``rhr_bpm`` 46-62 bpm; ``resp_rpm`` 13.5-16 rpm (WHOOP: typical sleeping respiratory rate
        12-20); ``skin_c`` 33.0-34.2 degC wrist skin temperature; ``spo2_pct`` 95.5-97.5 %;
      * ``max_hr`` = 208 - 0.7 x age (Tanaka, Monahan & Seals 2001, JACC 37:153) +- 4 bpm;
      * ``need_base_h`` sleep need baseline 7.5-8.5 h (WHOOP sleep coach; AASM/SRS 2015 consensus
        of >= 7 h for adults);
      * ``bedtime_min`` habitual sleep onset 22:30-23:15 local (minutes after local midnight of
        the evening's date).
    """

    age: int
    height_m: float
    weight_kg: float
    max_hr: int
    hrv_ms: float
    rhr_bpm: float
    resp_rpm: float
    skin_c: float
    spo2_pct: float
    need_base_h: float
    bedtime_min: float
    home: Place

    @property
    def bmr_kj_day(self) -> float:
        """Resting energy expenditure, Mifflin-St Jeor (1990) for men, kcal x 4.184 -> kJ/day."""
        kcal = 10 * self.weight_kg + 6.25 * self.height_m * 100 - 5 * self.age + 5
        return kcal * 4.184


def make_profile(seed: int, index: int) -> Profile:
    """The athlete's fixed traits (see :class:`Profile` for ranges and sources)."""
    r = rng(seed, index, "profile")
    age = r.randint(24, 45)
    height = round(r.uniform(1.68, 1.90), 4)
    bmi = r.uniform(21.0, 25.5)
    return Profile(
        age=age, height_m=height, weight_kg=round(bmi * height * height, 4),
        max_hr=round(208 - 0.7 * age + r.uniform(-4, 4)),
        hrv_ms=math.exp(r.uniform(math.log(45), math.log(85))),
        rhr_bpm=r.uniform(46, 62), resp_rpm=r.uniform(13.5, 16.0), skin_c=r.uniform(33.0, 34.2),
        spo2_pct=r.uniform(95.5, 97.5), need_base_h=r.uniform(7.5, 8.5),
        bedtime_min=r.uniform(22 * 60 + 30, 23 * 60 + 15), home=HOMES[index % len(HOMES)],
    )
