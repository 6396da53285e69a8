"""What a sync run changes, shared by the sync engine (:mod:`whoop.sync.engine`) and the
webhook-driven fetches (:mod:`whoop.sync.targeted`): API records -> canonical frames through
:mod:`whoop.sync.mapping`, and the window of instants whose days must be rebuilt."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from whoop.metrics.units import missing
from whoop.store import Store
from whoop.sync import mapping

if TYPE_CHECKING:
    from whoop.store.backend import Connection


def frame_of(store: Store, athlete_id: int, coll: str, records: list[dict], ref: str
             ) -> tuple[pd.DataFrame, int]:
    """API records of collection ``coll`` -> (canonical frame of ``TABLE[coll]``, records
    skipped) through :mod:`whoop.sync.mapping`; sleeps and recoveries get their cycle's start
    from the athlete's stored cycles (a recovery of an unknown cycle is skipped). ``ref`` is
    the rows' ``source_ref`` (e.g. ``sync run 12``)."""
    if coll == "cycle":
        return mapping.cycles(records, ref), 0
    if coll == "workout":
        return mapping.workouts(records, ref), 0
    starts = store.cycle_starts(athlete_id, [r.get("cycle_id") for r in records])
    if coll == "sleep":
        return mapping.sleeps(records, starts, ref), 0
    return mapping.recoveries(records, starts, ref)


class DayWindow:
    """The earliest and latest instant (UTC) the changes of a run touched: the days
    :meth:`whoop.store.Store.rebuild_days` rewrites for them."""

    def __init__(self) -> None:
        self.span: list[pd.Timestamp] = []

    def __bool__(self) -> bool:
        return bool(self.span)

    def touch(self, *instants: Any) -> None:
        """Widen the window to hold ``instants`` (datetimes or Timestamps; None, NaT ignored)."""
        found = [pd.Timestamp(t) for t in instants if not missing(t)]
        found = [t.tz_localize("UTC") if t.tzinfo is None else t.tz_convert("UTC") for t in found]
        if found:
            self.span = [min(found + self.span[:1]), max(found + self.span[1:])]

    def rebuild(self, con: Connection, athlete_id: int) -> None:
        """Inside ``con``'s transaction: rebuild the athlete's days of the window (nothing when
        nothing was touched)."""
        if self.span:
            Store.rebuild_days(con, athlete_id, self.span[0].to_pydatetime(), self.span[1].to_pydatetime())


def stored_span(con: Connection, table: str, athlete_id: int, keys: list) -> tuple:
    """The instants the stored versions of a page's records touch (keys and, for sleeps and
    workouts, cycle starts): a page changing them changes the days there."""
    if table in ("cycles", "recoveries"):   # the key is the only instant: the page has it
        return ()
    return Store.touched_span(con, table, athlete_id, keys)


def frame_span(frame: pd.DataFrame, key: str) -> tuple:
    """The earliest and latest key and ``cycle_start_utc`` of a page's frame."""
    cols = [c for c in (key, "cycle_start_utc") if c in frame.columns]
    values = pd.concat([frame[c] for c in cols]).dropna()
    return (values.min(), values.max()) if len(values) else ()
