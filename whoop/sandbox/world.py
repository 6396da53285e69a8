"""The sandbox's data: synthetic athletes from ``whoop.synth``, a clock, late rescores, deletions.

Each athlete is ``whoop.synth.generate_athlete(seed, index=i, start=history_start, end=now)``; the
generator is deterministic and extending ``end`` keeps the earlier records, so advancing the clock
regenerates and diffs:

- a record new in the generator's output is *created*;
- a record whose JSON changed (e.g. the open cycle closed, a pending score arrived) is *updated* and
  its ``updated_at`` moves to no earlier than the new clock;
- on top of that, each advance deterministically (per seed and clock) rescores up to two records
  still ``PENDING_SCORE`` from before the new day, re-scores the latest closed cycle's strain
  (WHOOP: "cycle strain keeps changing while the cycle is open", and late syncs move it), and deletes
  one recent workout or nap (WHOOP sends ``*.deleted`` webhooks for workouts and sleeps; a
  recovery goes with its sleep, so main sleeps are never deleted here). Overrides and deletions
  survive later regenerations.
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

KINDS = ("cycle", "recovery", "sleep", "workout")
_FAR_FUTURE = datetime.max.replace(tzinfo=timezone.utc)

Generator = Callable[..., Any]


def iso_z(dt: datetime) -> str:
    """UTC instant as WHOOP writes it: ``2022-04-24T02:25:44.774Z`` (milliseconds, ``Z``)."""
    dt = dt.astimezone(timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def parse_instant(text: str) -> datetime:
    """ISO-8601 date-time -> aware UTC datetime; naive values are UTC (WHOOP DOC-MIG).

    Raises:
        ValueError: the text is not an ISO-8601 date or date-time.
    """
    dt = datetime.fromisoformat(text.strip().replace("z", "Z"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)


def record_key(kind: str, rec: dict) -> Any:
    """A record's id within its kind (recovery has none: WHOOP keys it by ``cycle_id``)."""
    return rec["cycle_id"] if kind == "recovery" else rec["id"]


def _default_generator() -> Generator:
    from whoop import synth  # imported lazily: the sandbox package must import without data deps

    return synth.generate_athlete


@dataclass
class Indexed:
    """A served record plus its sort/filter span (UTC): ``start`` and ``end`` (None while open)."""

    rec: dict
    start: datetime
    end: datetime | None


@dataclass
class AthleteWorld:
    """One athlete's served records after overlays. ``records[kind][id] -> dict`` (API v2 JSON)."""

    seed: int
    index: int
    history_start: datetime
    generator: Generator
    profile: dict = field(default_factory=dict)
    body: dict = field(default_factory=dict)
    base: dict[str, dict[Any, dict]] = field(default_factory=dict)
    overrides: dict[str, dict[Any, dict]] = field(default_factory=lambda: {k: {} for k in KINDS})
    deleted: dict[str, set] = field(default_factory=lambda: {k: set() for k in KINDS})
    records: dict[str, dict[Any, dict]] = field(default_factory=dict)
    sorted_desc: dict[str, list[Indexed]] = field(default_factory=dict)

    @property
    def user_id(self) -> int:
        return int(self.profile["user_id"])

    def _generate(self, now: datetime) -> dict[str, dict[Any, dict]]:
        ath = self.generator(self.seed, index=self.index, start=self.history_start, end=now)
        self.profile = {"user_id": ath.user_id, "email": ath.email,
                        "first_name": ath.first_name, "last_name": ath.last_name}
        self.body = {"height_meter": ath.height_meter, "weight_kilogram": ath.weight_kilogram,
                     "max_heart_rate": ath.max_heart_rate}
        lists = {"cycle": ath.cycles, "recovery": ath.recoveries, "sleep": ath.sleeps,
                 "workout": ath.workouts}
        return {k: {record_key(k, r): r for r in lists[k]} for k in KINDS}

    def load(self, now: datetime) -> None:
        """First generation at server start."""
        self.base = self._generate(now)
        self._rebuild()

    def _rebuild(self) -> None:
        self.records = {}
        for kind in KINDS:
            recs = {}
            for key, rec in self.base[kind].items():
                if key in self.deleted[kind]:
                    continue
                recs[key] = self.overrides[kind].get(key, rec)
            self.records[kind] = recs
        sleeps = self.records["sleep"]
        self.sorted_desc = {}
        for kind in KINDS:
            items = []
            for rec in self.records[kind].values():
                span = sleeps.get(rec["sleep_id"]) if kind == "recovery" else rec
                if span is None:  # recovery whose sleep is gone: not served (WHOOP deletes both)
                    continue
                end = span.get("end")
                items.append(Indexed(rec, parse_instant(span["start"]),
                                     parse_instant(end) if end else None))
            items.sort(key=lambda x: (x.start, str(record_key(kind, x.rec))), reverse=True)
            self.sorted_desc[kind] = items

    def advance(self, old_now: datetime, new_now: datetime) -> dict[str, list]:
        """Regenerate up to ``new_now`` and apply rescores/deletions; returns the changed ids.

        Returns:
            ``{"created": [[kind, id], ...], "updated": [...], "deleted": [...]}``.
        """
        new_base = self._generate(new_now)
        stamp = iso_z(new_now - timedelta(minutes=1))
        created, updated, deleted = [], [], []
        for kind in KINDS:
            for key, rec in new_base[kind].items():
                if key in self.deleted[kind]:
                    continue
                old = self.base[kind].get(key)
                if old is None:
                    created.append([kind, key])
                elif old != rec:
                    self.overrides[kind].pop(key, None)
                    served = self.records[kind].get(key, old)
                    if parse_instant(rec["updated_at"]) <= parse_instant(served["updated_at"]):
                        rec = {**rec, "updated_at": stamp}
                        new_base[kind][key] = rec
                    updated.append([kind, key])
        self.base = new_base
        self._rebuild()
        rng = random.Random(f"{self.seed}:{self.index}:{iso_z(new_now)}")
        updated += self._late_rescores(old_now, stamp, rng)
        deleted += self._delete_one(old_now, new_now, rng)
        self._rebuild()
        return {"created": created, "updated": _dedupe(updated), "deleted": deleted}

    def _late_rescores(self, old_now: datetime, stamp: str, rng: random.Random) -> list:
        changed: list = []
        for kind in ("sleep", "recovery", "workout", "cycle"):
            pending = [x for x in self.sorted_desc[kind]
                       if x.rec["score_state"] == "PENDING_SCORE" and x.end is not None
                       and x.start < old_now]
            scored = [x.rec for x in self.sorted_desc[kind] if x.rec["score_state"] == "SCORED"]
            for item in pending[:2] if scored else []:
                donor = _nearest_scored(kind, item, scored, rng)
                if donor is None:
                    continue
                rec = {**copy.deepcopy(item.rec), "score_state": "SCORED",
                       "score": copy.deepcopy(donor["score"]), "updated_at": stamp}
                self.overrides[kind][record_key(kind, rec)] = rec
                changed.append([kind, record_key(kind, rec)])
        closed = [x for x in self.sorted_desc["cycle"]
                  if x.end is not None and x.rec["score_state"] == "SCORED"][:1]
        for item in closed:
            rec = copy.deepcopy(item.rec)
            score = rec["score"]
            score["strain"] = round(min(21.0, score["strain"] + rng.uniform(0.05, 0.6)), 4)
            score["kilojoule"] = round(score["kilojoule"] * 1.01, 3)
            rec["updated_at"] = stamp
            self.overrides["cycle"][rec["id"]] = rec
            changed.append(["cycle", rec["id"]])
        return changed

    def _delete_one(self, old_now: datetime, new_now: datetime, rng: random.Random) -> list:
        week_ago = new_now - timedelta(days=7)

        def recent(x: Indexed) -> bool:  # existed before this advance, started in the last week
            return week_ago <= x.start and x.end is not None and x.end <= old_now

        candidates = [("workout", x.rec) for x in self.sorted_desc["workout"] if recent(x)]
        candidates += [("sleep", x.rec) for x in self.sorted_desc["sleep"]
                       if x.rec.get("nap") and recent(x)]
        if not candidates:
            return []
        kind, rec = rng.choice(candidates)
        self.deleted[kind].add(rec["id"])
        self.overrides[kind].pop(rec["id"], None)
        return [[kind, rec["id"]]]

    def sleep_for_cycle(self, cycle_id: int) -> dict | None:
        """The cycle's main sleep (``nap`` false), else None."""
        for rec in self.records["sleep"].values():
            if rec["cycle_id"] == cycle_id and not rec.get("nap"):
                return rec
        return None


def _nearest_scored(kind: str, item: Indexed, scored: list[dict], rng: random.Random) -> dict | None:
    if kind == "sleep":
        scored = [r for r in scored if bool(r.get("nap")) == bool(item.rec.get("nap"))]
    if kind == "workout":
        same = [r for r in scored if r.get("sport_name") == item.rec.get("sport_name")]
        scored = same or scored
    if not scored:
        return None
    return rng.choice(scored[:5])


def _dedupe(pairs: list) -> list:
    seen, out = set(), []
    for kind, key in pairs:
        if (kind, key) not in seen:
            seen.add((kind, key))
            out.append([kind, key])
    return out


class World:
    """All athletes and the sandbox clock (not thread-safe: the caller holds the state lock)."""

    def __init__(self, *, seed: int, days: int, athletes: int, now: datetime,
                 generator: Generator | None = None) -> None:
        if athletes < 1:
            raise ValueError("athletes must be >= 1")
        if days < 0:
            raise ValueError("days must be >= 0")
        self.now = now.astimezone(timezone.utc)
        self.history_start = self.now - timedelta(days=days)
        gen = generator or _default_generator()
        self.athletes = [AthleteWorld(seed, i, self.history_start, gen) for i in range(athletes)]
        for ath in self.athletes:
            ath.load(self.now)

    def advance(self, delta: timedelta) -> dict[str, Any]:
        """Move the clock forward by ``delta`` (> 0) and update every athlete.

        Returns:
            ``{"now": iso, "athletes": [{"user_id", "created", "updated", "deleted"}, ...]}``.
        """
        if delta <= timedelta(0):
            raise ValueError("the clock only moves forward")
        old_now, self.now = self.now, self.now + delta
        out = []
        for ath in self.athletes:
            changes = ath.advance(old_now, self.now)
            out.append({"user_id": ath.user_id, **changes})
        return {"now": iso_z(self.now), "athletes": out}
