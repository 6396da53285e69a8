"""Which stored athlete an export belongs to, so a newer export of the same person updates that
athlete instead of silently creating a second one.

A WHOOP record is identified by its start instant (the key of every record table, see
:mod:`whoop.schema` ``KEYS`` and :mod:`whoop.store.merge`): an export whose cycles start at the same
instants as a stored athlete's cycles is (mostly) that athlete's history, since every WHOOP
Data Export holds the whole history of one member. An export without
``physiological_cycles.csv`` is matched on its sleep onsets instead. The lookup is one store
query (:meth:`whoop.store.Store.overlapping_athletes`).

The reverse holds too: an athlete that has records but none of the export's is probably
another person (two real exports of two people share no cycle start), so importing into it is
questioned as well.

Used by the Data page (upload: ask before writing) and ``python -m whoop import`` (choose the
athlete when ``--athlete`` is not given, refuse when that is ambiguous, warn when it is given).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from whoop.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from whoop.export import ExportData
    from whoop.store import Store


MIN_SHARED = 3               # records, see Overlap.meaningful
MIN_SHARED_FRACTION = 0.10   # of the export's records, see Overlap.meaningful


@dataclass(frozen=True)
class Overlap:
    """How an export's records relate to stored athlete ``athlete``: it holds ``shared`` of the
    export's ``total`` records of ``table`` (``cycles``, or ``sleeps`` for an export without
    cycles; same start instants) and ``stored`` records of that table in all."""

    athlete: str
    shared: int
    total: int
    table: str
    stored: int = 0

    @property
    def meaningful(self) -> bool:
        """Whether the shared records say "the same person": at least :data:`MIN_SHARED_FRACTION`
        of the export's records and at least :data:`MIN_SHARED` of them (all of them for an
        export smaller than that). A few equal start instants between two people happen by
        chance (a placeholder cycle at the same minute, two generated histories); a newer export
        of the same person shares almost every record of the older one."""
        need = min(self.total, max(MIN_SHARED, math.ceil(self.total * MIN_SHARED_FRACTION)))
        return self.shared > 0 and self.shared >= need

    def describe(self) -> str:
        """Plain text, e.g. ``338 of this export's 370 cycles are already stored for athlete
        'me' (same start times)`` or ``none of this export's 370 cycles are stored for athlete
        'me', which holds 338 other cycles`` (escape the name for where it lands)."""
        if self.shared:
            return (f"{self.shared} of this export's {self.total} {self.table} are already "
                    f"stored for athlete '{self.athlete}' (same start times)")
        return (f"none of this export's {self.total} {self.table} are stored for athlete "
                f"'{self.athlete}', which holds {self.stored} other {self.table}")


class OverlapError(InputError):
    """The export does not look like the asked athlete's: another stored athlete holds more of
    its records (``overlap.athlete`` differs from ``athlete``), or the asked athlete holds
    records but none of these (``overlap.athlete == athlete``: someone else's export?).

    Attributes:
        overlap: the athlete concerned and how much it shares.
        athlete: the athlete the import was asked for.
    """

    def __init__(self, overlap: Overlap, athlete: str) -> None:
        self.overlap, self.athlete = overlap, athlete
        if overlap.athlete != athlete:
            message = (f"{overlap.describe()}; importing it as '{athlete}' would keep a second "
                       f"copy under another name")
        else:
            message = f"{overlap.describe()}: is this someone else's export?"
        super().__init__(message)


def _starts(data: ExportData) -> tuple[str, pd.Series]:
    """The record table to match on and its start instants (UTC)."""
    if len(data.cycles):
        return "cycles", data.cycles["start_utc"]
    return "sleeps", data.sleeps["start_utc"]


def overlaps(store: Store, data: ExportData) -> list[Overlap]:
    """Every stored athlete with what it shares with the export, most shared first (one store
    query, :meth:`whoop.store.Store.overlapping_athletes`).

    Raises:
        StoreError, DatabaseBusyError.
    """
    table, starts = _starts(data)
    total = int(starts.dropna().nunique())
    found = store.overlapping_athletes(starts, table=table)
    return [Overlap(str(name), int(shared), total, table, int(stored))
            for name, shared, stored in zip(found["name"], found["shared"], found["stored"], strict=True)]


def concern(store: Store, data: ExportData, athlete: str) -> Overlap | None:
    """What speaks against importing the export into ``athlete`` (None: nothing): another
    stored athlete holding more of its records than ``athlete`` does (a
    :attr:`~Overlap.meaningful` share); else ``athlete`` itself when it holds records of that
    table but no meaningful share of the export's (every WHOOP export holds the
    member's whole history, so a newer export of the same person always shares records).

    Raises:
        StoreError, DatabaseBusyError.
    """
    found = overlaps(store, data)
    own = next((o for o in found if o.athlete == athlete), None)
    shared = own.shared if own is not None and own.meaningful else 0
    others = [o for o in found if o.athlete != athlete and o.meaningful and o.shared > shared]
    if others:
        return others[0]
    if own is not None and not own.meaningful and own.stored and own.total:
        return own
    return None


def refuse_concerns(store: Store, athlete: str) -> Callable[[ExportData], str]:
    """An ``athlete`` argument for :func:`whoop.importer.import_uploads` / ``import_paths``:
    import into ``athlete`` unless :func:`concern` finds something, then raise
    :class:`OverlapError` (nothing written)."""

    def check(data: ExportData) -> str:
        found = concern(store, data, athlete)
        if found is not None:
            raise OverlapError(found, athlete)
        return athlete

    return check


def choose(store: Store, data: ExportData, default: str) -> tuple[str, str]:
    """The athlete for an export when none was named, and why (one plain sentence).

    Rules: the stored athlete holding most of the export's records, when that share is
    :attr:`~Overlap.meaningful`; else, when no athlete
    (the demo athlete aside) holds records of that table, ``default``.

    Raises:
        InputError: athletes hold records but none of these: the export may be someone else's,
            so the caller must name the athlete. StoreError, DatabaseBusyError.
    """
    from whoop.demo import DEMO_ATHLETE

    found = overlaps(store, data)
    if found and found[0].meaningful:
        best = found[0]
        return best.athlete, (f"athlete '{best.athlete}' already holds {best.shared} of this "
                              f"export's {best.total} {best.table}")
    holders = [o.athlete for o in found if o.stored and o.athlete != DEMO_ATHLETE]
    if not holders:
        exists = default in {o.athlete for o in found}
        return default, (f"athlete '{default}', which holds no records yet" if exists
                         else f"a new athlete '{default}'")
    table = found[0].table if found else "cycles"
    raise InputError(f"no athlete in the database holds these records (at most a chance few "
                     f"{table} start times shared with {', '.join(holders)}): pass --athlete NAME, a new "
                     f"name if this is another person's export, or an existing athlete's to add it there")
