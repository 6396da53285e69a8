"""Which stored athlete an export belongs to, so a newer export of the same person updates that
athlete instead of silently creating a second one.

A WHOOP record is identified by its start instant (the key of every record table, see
:mod:`whoop.schema` ``KEYS`` and :mod:`whoop.merge`): an export whose cycles start at the same
instants as a stored athlete's cycles is (mostly) that athlete's history, since every WHOOP
Data Export holds the whole history of one member. An export without
``physiological_cycles.csv`` is matched on its sleep onsets instead. The lookup is one store
query (:meth:`whoop.store.Store.overlapping_athletes`).

Used by the Data page (upload: warn and offer the athlete) and ``python -m whoop import``
(choose the athlete when ``--athlete`` is not given, warn when it is).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from whoop.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from whoop.export import ExportData
    from whoop.store import Store


@dataclass(frozen=True)
class Overlap:
    """Stored athlete ``athlete`` holds ``shared`` of the export's ``total`` records of
    ``table`` (``cycles``, or ``sleeps`` for an export without cycles), same start instants."""

    athlete: str
    shared: int
    total: int
    table: str

    def describe(self) -> str:
        """Plain text, e.g. ``338 of this export's 370 cycles are already stored for athlete
        'me' (same start times)`` (escape the name for where it lands)."""
        return (f"{self.shared} of this export's {self.total} {self.table} are already stored for "
                f"athlete '{self.athlete}' (same start times)")


class OverlapError(InputError):
    """The export's records belong to another stored athlete than the one asked for.

    Attributes:
        overlap: the other athlete and how much it shares.
        athlete: the athlete the import was asked for.
    """

    def __init__(self, overlap: Overlap, athlete: str) -> None:
        self.overlap, self.athlete = overlap, athlete
        super().__init__(f"{overlap.describe()}; importing it as '{athlete}' would keep a second "
                         f"copy under another name")


def _starts(data: ExportData) -> tuple[str, pd.Series]:
    """The record table to match on and its start instants (UTC)."""
    if len(data.cycles):
        return "cycles", data.cycles["start_utc"]
    return "sleeps", data.sleeps["start_utc"]


def overlaps(store: Store, data: ExportData) -> tuple[list[Overlap], int]:
    """Every stored athlete sharing records with the export (most shared first) and the
    export's record count on that table.

    Raises:
        StoreError, DatabaseBusyError.
    """
    table, starts = _starts(data)
    total = int(starts.dropna().nunique())
    found = store.overlapping_athletes(starts, table=table)
    return [Overlap(str(r.name), int(r.shared), total, table)
            for r in found.itertuples(index=False)], total


def rival(store: Store, data: ExportData, athlete: str) -> Overlap | None:
    """The stored athlete other than ``athlete`` that holds more of the export's records than
    ``athlete`` does (None: the export is new, or ``athlete``'s own).

    Raises:
        StoreError, DatabaseBusyError.
    """
    found, _ = overlaps(store, data)
    own = next((o.shared for o in found if o.athlete == athlete), 0)
    others = [o for o in found if o.athlete != athlete and o.shared > own]
    return others[0] if others else None


def refuse_rivals(store: Store, athlete: str):
    """An ``athlete`` argument for :func:`whoop.importer.import_uploads` /
    ``import_paths``: import into ``athlete`` unless another stored athlete holds more of the
    export's records, then raise :class:`OverlapError` (nothing written)."""

    def check(data: ExportData) -> str:
        other = rival(store, data, athlete)
        if other is not None:
            raise OverlapError(other, athlete)
        return athlete

    return check


def choose(store: Store, data: ExportData, default: str) -> tuple[str, str]:
    """The athlete for an export when none was named, and why (one plain sentence).

    Rules, in order: the stored athlete holding most of the export's records; else the only
    stored athlete when there is exactly one besides the demo athlete; else ``default`` on a
    database without such athletes.

    Raises:
        InputError: several athletes and none holds these records (name one).
        StoreError, DatabaseBusyError.
    """
    from whoop.demo import DEMO_ATHLETE

    found, total = overlaps(store, data)
    if found:
        best = found[0]
        return best.athlete, (f"athlete '{best.athlete}' already holds {best.shared} of this "
                              f"export's {total} {best.table}")
    names = [n for n in store.athletes()["name"].tolist() if n != DEMO_ATHLETE]
    if len(names) == 1:
        return names[0], f"'{names[0]}' is the only athlete in the database"
    if not names:
        return default, f"a new athlete '{default}'"
    raise InputError(f"the database holds several athletes ({', '.join(names)}) and none of them "
                     f"holds these records: pass --athlete NAME (one of them, or a new name)")
