"""Reading for the pages and the CLI: athletes, days, records, runs, the athlete summary, the
overlap test of an import, the data version and the status overview.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import pandas as pd

from whoop import schema
from whoop.store.base import StoreBase


def scope_clause(column: str, athlete_ids: Sequence[int] | None) -> tuple[str, list[int]]:
    """A WHERE condition limiting ``column`` to ``athlete_ids`` (a signed-in person's scope,
    :meth:`whoop.accounts.Viewer.scope`) and its parameters: ``TRUE`` for None (no limit),
    ``FALSE`` for an empty scope, else ``column IN (?, ...)``."""
    if athlete_ids is None:
        return "TRUE", []
    ids = [int(a) for a in athlete_ids]
    if not ids:
        return "FALSE", []
    return f"{column} IN ({', '.join('?' * len(ids))})", ids


class QueriesMixin(StoreBase):
    """The reading half of :class:`whoop.store.Store` (each method opens its own connection)."""

    # -- athletes --------------------------------------------------------------------------
    def athletes(self) -> pd.DataFrame:
        """Columns athlete_id (int32), name, whoop_user_id (nullable), first_name, last_name,
        email, created_at; ordered by name."""
        return self.query("SELECT * FROM athletes ORDER BY name")

    def athlete_id(self, name: str) -> int | None:
        """The id of the athlete called ``name``, or None."""
        with self.connect() as con:
            row = con.execute("SELECT athlete_id FROM athletes WHERE name = ?", [name]).fetchone()
        return row[0] if row else None

    def athlete_name(self, athlete_id: int) -> str | None:
        """The name of athlete ``athlete_id``, or None."""
        with self.connect() as con:
            row = con.execute("SELECT name FROM athletes WHERE athlete_id = ?", [athlete_id]).fetchone()
        return row[0] if row else None

    # -- reading ---------------------------------------------------------------------------
    def days(self, athlete_id: int, start: date | None = None, end: date | None = None) -> pd.DataFrame:
        """The daily table of one athlete, ``start <= date <= end`` (both optional, inclusive).

        Returns the columns of schema.DAYS (``date`` datetime64[s]), sorted by date.

        Raises:
            StoreError, DatabaseBusyError: as :meth:`query`.
        """
        with self.connect() as con:
            df = con.execute(
                "SELECT * FROM days WHERE athlete_id = ? AND (? IS NULL OR date >= ?) "
                "AND (? IS NULL OR date <= ?) ORDER BY date",
                [athlete_id, start, start, end, end]).df()
        return schema.conform(df, "days")

    def roster_days(self, athlete_ids: list[int], start: date | None = None,
                    end: date | None = None, *, columns: Sequence[str] | None = None
                    ) -> pd.DataFrame:
        """The daily tables of several athletes in one query (the team page): ``athlete_id``
        (int32) plus the columns of schema.DAYS, ``start <= date <= end`` (both optional),
        sorted by athlete and date. An empty list gives an empty frame.

        Args:
            columns: only these columns of schema.DAYS (``date`` always comes too), in
                schema.DAYS order with their canonical dtypes: fewer bytes to read and convert
                when the caller needs a few (None: all of them).
        Raises:
            KeyError: a column that is not in schema.DAYS.
            StoreError, DatabaseBusyError: as :meth:`query`.
        """
        ids = [int(a) for a in athlete_ids] or [-1]
        wanted = None if columns is None else set(columns) | {"date"}
        if wanted is not None and not wanted <= set(schema.DAYS):
            raise KeyError(sorted(wanted - set(schema.DAYS)))
        names = list(schema.DAYS) if wanted is None else [c for c in schema.DAYS if c in wanted]
        select = "*" if columns is None else ", ".join(["athlete_id", *names])
        with self.connect() as con:
            df = con.execute(
                f"SELECT {select} FROM days WHERE athlete_id IN (SELECT unnest(?::INTEGER[])) "
                "AND (? IS NULL OR date >= ?) AND (? IS NULL OR date <= ?) ORDER BY athlete_id, date",
                [ids, start, start, end, end]).df()
        out = schema.conform(df.drop(columns=["athlete_id"]), "days", wanted)
        out.insert(0, "athlete_id", pd.array(df["athlete_id"].to_numpy(), dtype="Int32"))
        return out

    def roster_freshness(self, athlete_ids: list[int]) -> pd.DataFrame:
        """Data freshness of several athletes, one query per table: athlete_id (int32), name,
        last_record_utc (end of the newest cycle), last_sync_utc (end of the newest good sync),
        token_status (the WHOOP connection's status, NULL: never connected); one row per
        athlete in ``athlete_ids``, by name.

        Raises:
            StoreError, DatabaseBusyError: as :meth:`query`.
        """
        ids = [int(a) for a in athlete_ids] or [-1]
        return self.query(
            "SELECT a.athlete_id, a.name, c.last_record_utc, r.last_sync_utc, w.status AS token_status "
            "FROM athletes a "
            "LEFT JOIN (SELECT athlete_id, max(coalesce(end_utc, start_utc)) AS last_record_utc FROM cycles "
            "           GROUP BY athlete_id) c ON c.athlete_id = a.athlete_id "
            "LEFT JOIN (SELECT athlete_id, max(finished_at) AS last_sync_utc FROM import_runs "
            "           WHERE kind = 'sync' AND status = 'ok' GROUP BY athlete_id) r ON r.athlete_id = "
            "a.athlete_id LEFT JOIN whoop_connections w ON w.athlete_id = a.athlete_id "
            "WHERE a.athlete_id IN (SELECT unnest(?::INTEGER[])) ORDER BY a.name", [ids])

    def records(self, table: str, athlete_id: int, start: datetime | None = None,
                end: datetime | None = None) -> pd.DataFrame:
        """Records of ``table`` for one athlete whose start (cycle start for recoveries and
        journal) is in ``[start, end)`` (UTC; both optional). Canonical columns of the table.

        Raises:
            KeyError: ``table`` is not one of schema.TABLES.
            StoreError, DatabaseBusyError: as :meth:`query`.
        """
        if table not in schema.TABLES:
            raise KeyError(table)
        col = schema.KEYS[table][0] if table != "journal" else "cycle_start_utc"
        with self.connect() as con:
            df = con.execute(
                f"SELECT * FROM {table} WHERE athlete_id = ? AND (? IS NULL OR {col} >= ?) "
                f"AND (? IS NULL OR {col} < ?) ORDER BY {col}",
                [athlete_id, start, start, end, end]).df()
        return schema.conform(df, table)

    def runs(self, athlete_id: int | None = None, limit: int = 100, *,
             athlete_ids: Sequence[int] | None = None) -> pd.DataFrame:
        """Import and sync runs, newest first, with the athlete's name (``athlete``; NULL for a
        rejected import whose athlete was never created, see :meth:`record_failed_import`).

        Args:
            athlete_id: only this athlete's runs (None: every athlete's).
            athlete_ids: only runs of these athletes (a signed-in person's scope; a rejected
                import without an athlete is then left out); None: no limit.
        """
        where, params = scope_clause("r.athlete_id", athlete_ids)
        return self.query(
            "SELECT r.*, a.name AS athlete FROM import_runs r LEFT JOIN athletes a USING (athlete_id) "
            f"WHERE (? IS NULL OR r.athlete_id = ?) AND {where} ORDER BY r.run_id DESC LIMIT ?",
            [athlete_id, athlete_id, *params, limit])


    def athlete_summary(self, athlete_ids: Sequence[int] | None = None) -> pd.DataFrame:
        """Every athlete (or only ``athlete_ids``: a signed-in person's scope) with what the
        sidebar and the Data page show, read in ONE query (one snapshot: an import committing
        meanwhile is either wholly in it or wholly out).

        Returns columns ``athlete_id`` (int), ``name``, ``whoop_user_id`` (nullable), ``days``
        (int, days with data), ``first_day``, ``last_day`` (datetime64, NaT without days),
        ``last_import`` (tz-aware UTC, NaT: when the newest successful import or sync finished);
        ordered by name.

        Raises:
            StoreError, DatabaseBusyError: as :meth:`query`.
        """
        where, params = scope_clause("a.athlete_id", athlete_ids)
        return self.query(
            "SELECT a.athlete_id, a.name, a.whoop_user_id, count(d.date) AS days, "
            "min(d.date) AS first_day, max(d.date) AS last_day, "
            "(SELECT max(r.finished_at) FROM import_runs r WHERE r.athlete_id = a.athlete_id "
            " AND r.status = 'ok') AS last_import "
            f"FROM athletes a LEFT JOIN days d USING (athlete_id) WHERE {where} "
            "GROUP BY a.athlete_id, a.name, a.whoop_user_id ORDER BY a.name", params)

    def overlapping_athletes(self, starts: pd.Series, *, table: str = "cycles") -> pd.DataFrame:
        """How much each stored athlete holds of records starting at these instants: the test
        for "this export is that athlete's" (a WHOOP record's start instant is its identity,
        see :mod:`whoop.store.merge`). One query.

        Args:
            starts: record start instants (UTC, tz-aware or naive UTC); NaT ignored.
            table: ``cycles`` (their ``start_utc``) or ``sleeps`` (onsets), for an export
                without a cycles file.
        Returns:
            One row per athlete: ``athlete_id`` (int), ``name``, ``shared`` (int, how many of
            ``starts`` the athlete holds), ``stored`` (int, the athlete's records in ``table``);
            most shared first, then by name.
        Raises:
            KeyError: another table. StoreError, DatabaseBusyError: as :meth:`query`.
        """
        if table not in ("cycles", "sleeps"):
            raise KeyError(table)
        probe = pd.to_datetime(pd.Series(starts, dtype="object"), utc=True).dropna().unique()
        return self.query(
            f"SELECT a.athlete_id, a.name, count(p.start_utc) AS shared, count(t.start_utc) AS stored "
            f"FROM athletes a LEFT JOIN {table} t USING (athlete_id) "
            f"LEFT JOIN (SELECT DISTINCT unnest(?::TIMESTAMPTZ[]) AS start_utc) p "
            f"ON p.start_utc = t.start_utc GROUP BY a.athlete_id, a.name "
            f"ORDER BY shared DESC, a.name", [[t.to_pydatetime() for t in probe]])

    def data_version(self, athlete_id: int | None = None) -> str:
        """A token that changes whenever an import, sync or deletion changed the data of
        ``athlete_id`` (None: of any athlete, or the athlete list), so caches of one athlete's
        frames survive another athlete's sync."""
        with self.connect() as con:
            row = con.execute("SELECT count(*), max(run_id), max(finished_at) FROM import_runs "
                              "WHERE ? IS NULL OR athlete_id = ?", [athlete_id, athlete_id]).fetchone()
            n_days = con.execute("SELECT count(*), max(ingested_at) FROM days "
                                 "WHERE ? IS NULL OR athlete_id = ?",
                                 [athlete_id, athlete_id]).fetchone()
            if athlete_id is not None:
                return f"{row[0]}:{row[1]}:{row[2]}:{n_days[0]}:{n_days[1]}"
            names = con.execute("SELECT count(*), max(athlete_id) FROM athletes").fetchone()
        return f"{row[0]}:{row[1]}:{row[2]}:{n_days[0]}:{n_days[1]}:{names[0]}:{names[1]}"

    def status(self) -> dict:
        """Overview for ``python -m whoop status``: per athlete, rows per table, first and last
        day, last run."""
        athletes: list[dict] = []
        out = {"database": self.display, "schema_version": self.schema_version(), "athletes": athletes}
        with self.connect() as con:
            for athlete_id, name, whoop_user_id in con.execute(
                    "SELECT athlete_id, name, whoop_user_id FROM athletes ORDER BY name").fetchall():
                rows = {t: con.execute(f"SELECT count(*) FROM {t} WHERE athlete_id = ?",
                                       [athlete_id]).fetchone()[0] for t in (*schema.TABLES, "days")}
                first, last = con.execute("SELECT min(date), max(date) FROM days WHERE athlete_id = ?",
                                          [athlete_id]).fetchone()
                run = con.execute(
                    "SELECT kind, source, finished_at, status FROM import_runs WHERE athlete_id = ? "
                    "ORDER BY run_id DESC LIMIT 1", [athlete_id]).fetchone()
                athletes.append({
                    "athlete": name, "whoop_user_id": whoop_user_id, "rows": rows,
                    "first_day": first, "last_day": last,
                    "last_run": dict(zip(("kind", "source", "finished_at", "status"), run,
                                         strict=False)) if run else None,
                })
        return out

