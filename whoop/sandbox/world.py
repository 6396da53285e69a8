"""The sandbox's data: synthetic athletes from ``whoop.synth``, a clock, late rescores, deletions.

What an athlete serves at clock ``now`` is ``synth.rescore(synth.generate_athlete(seed, index=i,
start=S, end=now), seed, now).athlete`` with ``S = synth.history_start(now0, days)`` fixed at server
start. Both are deterministic and monotone in ``now`` (a later ``now`` keeps every final record and
applies a superset of rescores/deletions), so the served data depend only on (seed, start clock,
current clock), never on how the clock got there. Advancing the clock regenerates and diffs:

- a record new at the new ``now`` is *created* (new days, late-arriving workouts and naps);
- a record whose JSON changed is *updated*: ``PENDING_SCORE`` records that got scored, the open
  cycle that closed or whose strain grew, and synth's late rescores (about 3 % of main sleeps and
  workouts, 1-72 h after they end, recovery following its sleep). ``updated_at`` never moves
  backwards: should a changed record keep its old ``updated_at``, it gets the new clock's minus 1 min;
- a record gone is *deleted* (synth deletes about 1 % of workouts and naps; main sleeps never, so
  every cycle keeps its recovery; WHOOP deletes a recovery with its sleep,
  docs/WHOOP.md#webhooks-and-deletions).

For tests that need a change on demand, ``force_rescore`` and ``force_delete`` (behind
``POST /_sandbox/rescore`` and ``POST /_sandbox/delete``) change one record now; such overrides and
deletions stay in force across later regenerations.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

KINDS = ("cycle", "recovery", "sleep", "workout")

Generator = Callable[..., Any]


def iso_z(dt: datetime) -> str:
    """UTC instant as WHOOP writes it: ``2022-04-24T02:25:44.774Z`` (milliseconds, ``Z``)."""
    dt = dt.astimezone(UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def parse_instant(text: str) -> datetime:
    """ISO-8601 date-time -> aware UTC datetime; naive values are UTC (WHOOP DOC-MIG).

    Raises:
        ValueError: the text is not an ISO-8601 date or date-time.
    """
    dt = datetime.fromisoformat(text.strip().replace("z", "Z"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def record_key(kind: str, rec: dict) -> Any:
    """A record's id within its kind (recovery has none: WHOOP keys it by ``cycle_id``)."""
    return rec["cycle_id"] if kind == "recovery" else rec["id"]


@dataclass
class Indexed:
    """A served record plus its sort/filter span (UTC): ``start`` and ``end`` (None while open)."""

    rec: dict
    start: datetime
    end: datetime | None


@dataclass
class AthleteWorld:
    """One athlete's served records. ``records[kind][id] -> dict`` (API v2 JSON)."""

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
        from whoop import synth

        raw = self.generator(self.seed, index=self.index, start=self.history_start, end=now)
        ath = synth.rescore(raw, self.seed, now).athlete
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
            self.records[kind] = {key: self.overrides[kind].get(key, rec)
                                  for key, rec in self.base[kind].items()
                                  if key not in self.deleted[kind]}
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

    def advance(self, new_now: datetime) -> dict[str, list]:
        """Regenerate up to ``new_now``; returns the changed ids.

        Returns:
            ``{"created": [[kind, id], ...], "updated": [...], "deleted": [...]}`` (recovery ids
            are cycle ids).
        """
        old_records = self.records
        new_base = self._generate(new_now)
        stamp = iso_z(new_now - timedelta(minutes=1))
        for kind in KINDS:
            for key, rec in new_base[kind].items():
                if key in self.overrides[kind] and self.base[kind].get(key) != rec:
                    del self.overrides[kind][key]      # synth changed it since: synth wins
        self.base = new_base
        self._rebuild()
        created, updated, deleted = [], [], []
        for kind in KINDS:
            new, old = self.records[kind], old_records[kind]
            for key, rec in new.items():
                before = old.get(key)
                if before is None:
                    created.append([kind, key])
                elif before != rec:
                    if parse_instant(rec["updated_at"]) <= parse_instant(before["updated_at"]):
                        self.overrides[kind][key] = {**rec, "updated_at": stamp}
                    updated.append([kind, key])
            deleted += [[kind, key] for key in old if key not in new]
        self._rebuild()
        return {"created": created, "updated": updated, "deleted": deleted}

    def _pick(self, kind: str, key: Any, want: Callable[[dict], bool]) -> dict:
        if key is not None:
            rec = self.records[kind].get(key)
            if rec is None:
                raise KeyError(f"no {kind} {key}")
            return rec
        for item in self.sorted_desc[kind]:
            if want(item.rec):
                return item.rec
        raise KeyError(f"no {kind} to pick")

    def force_rescore(self, kind: str, key: Any, now: datetime) -> list:
        """Rescore one SCORED record now (cycle: strain +0.3; workout: strain and kJ +3 %; sleep:
        5 min awake -> light, and its recovery +2 points). ``key`` None = the newest eligible one.

        Returns: the changed ``[kind, id]`` pairs. Raises: KeyError (no such record), ValueError.
        """
        if kind not in ("cycle", "sleep", "workout"):
            raise ValueError("kind must be cycle, sleep or workout")
        scored = lambda r: r["score_state"] == "SCORED" and (kind != "cycle" or "end" in r)  # noqa: E731
        rec = copy.deepcopy(self._pick(kind, key, scored))
        if rec["score_state"] != "SCORED":
            raise ValueError(f"{kind} {key} is not SCORED")
        stamp = iso_z(now)
        sc = rec["score"]
        changed = [[kind, record_key(kind, rec)]]
        if kind == "cycle":
            sc["strain"] = round(min(21.0, sc["strain"] + 0.3), 6)
        elif kind == "workout":
            sc["strain"] = round(min(21.0, sc["strain"] * 1.03), 6)
            sc["kilojoule"] = round(sc["kilojoule"] * 1.03, 3)
        else:
            st = sc["stage_summary"]
            moved = min(st["total_awake_time_milli"], 5 * 60_000)
            st["total_awake_time_milli"] -= moved
            st["total_light_sleep_time_milli"] += moved
            rcv = self.records["recovery"].get(rec["cycle_id"])
            if not rec.get("nap") and rcv is not None and rcv["score_state"] == "SCORED":
                rcv = copy.deepcopy(rcv)
                rcv["score"]["recovery_score"] = float(min(99, rcv["score"]["recovery_score"] + 2))
                rcv["updated_at"] = stamp
                self.overrides["recovery"][rcv["cycle_id"]] = rcv
                changed.append(["recovery", rcv["cycle_id"]])
        rec["updated_at"] = stamp
        self.overrides[kind][record_key(kind, rec)] = rec
        self._rebuild()
        return changed

    def force_delete(self, kind: str, key: Any) -> list:
        """Delete one workout or nap now (``key`` None = the newest one). Returns ``[[kind, id]]``.

        Raises: KeyError (no such record), ValueError (a main sleep or another kind).
        """
        if kind not in ("sleep", "workout"):
            raise ValueError("only workouts and naps can be deleted")
        rec = self._pick(kind, key, lambda r: kind == "workout" or bool(r.get("nap")))
        if kind == "sleep" and not rec.get("nap"):
            raise ValueError("main sleeps are not deleted (every cycle keeps its recovery)")
        self.deleted[kind].add(rec["id"])
        self.overrides[kind].pop(rec["id"], None)
        self._rebuild()
        return [[kind, rec["id"]]]

    def sleep_for_cycle(self, cycle_id: int) -> dict | None:
        """The cycle's main sleep (``nap`` false), else None."""
        for rec in self.records["sleep"].values():
            if rec["cycle_id"] == cycle_id and not rec.get("nap"):
                return rec
        return None


class World:
    """All athletes and the sandbox clock (not thread-safe: the caller holds the state lock).

    Args:
        seed, athletes: which synthetic athletes (indexes ``0..athletes-1``).
        days: days of history before ``now`` (``synth.history_start``: home-local midnight).
        now: the clock at start (aware).
        generator: ``generate_athlete`` replacement (default ``whoop.synth.generate_athlete``).
    """

    def __init__(self, *, seed: int, days: int, athletes: int, now: datetime,
                 generator: Generator | None = None) -> None:
        from whoop import synth

        if athletes < 1:
            raise ValueError("athletes must be >= 1")
        if days < 0:
            raise ValueError("days must be >= 0")
        self.seed = seed
        self.now = now.astimezone(UTC)
        gen = generator or synth.generate_athlete
        self.athletes = []
        for i in range(athletes):
            start = synth.history_start(self.now, days, seed=seed, index=i)
            if start >= self.now:   # days=0 with the clock exactly at home-local midnight
                start = synth.history_start(self.now, days + 1, seed=seed, index=i)
            self.athletes.append(AthleteWorld(seed, i, start, gen))
        for ath in self.athletes:
            ath.load(self.now)

    def advance(self, delta: timedelta) -> dict[str, Any]:
        """Move the clock forward by ``delta`` (> 0) and update every athlete.

        Returns:
            ``{"now": iso, "athletes": [{"user_id", "created", "updated", "deleted"}, ...]}``.
        """
        if delta <= timedelta(0):
            raise ValueError("the clock only moves forward")
        self.now = self.now + delta
        out = [{"user_id": a.user_id, **a.advance(self.now)} for a in self.athletes]
        return {"now": iso_z(self.now), "athletes": out}
