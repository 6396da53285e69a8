"""WHOOP "Data Export" parser: ZIP, gzip-wrapped ZIP, unzipped folder or loose CSVs ->
canonical record frames (:mod:`whoop.schema`) ready for :mod:`whoop.store` to upsert.

The export's quirks and what the parser does with each: docs/EXPORT_QUIRKS.md.
This package never writes to the database.

Modules: :mod:`.sources` (containers), :mod:`.headers` (columns, aliases, kind detection),
:mod:`.table` (streamed CSV reading, limits and field parsers), :mod:`.convert` (units, keys,
score states), :mod:`.journal` (the journal, staged chunk by chunk).

Memory: files are streamed from their container, never unpacked whole. The journal (the one file
that can be long: tens of answers a day) is parsed chunk by chunk into a temporary staging
database (:mod:`whoop.store.staging`) and handed over as Parquet; the other files are capped in rows
(``table.MAX_ROWS``) and held as frames.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from whoop import schema
from whoop.errors import ExportFormatError
from whoop.export import convert, journal, sources
from whoop.export import headers as H
from whoop.export.table import CsvFile, RawTable, extra_columns
from whoop.store.staging import JournalStage, StagedTable

__all__ = ["ExportData", "read_export", "read_export_files"]


@dataclass
class ExportData:
    """The parsed export: one canonical frame per table plus what was read and noticed.

    Attributes:
        cycles, recoveries, sleeps, workouts: frames conformed to ``schema.TABLES[name]`` (UTC
            ``datetime64[us, UTC]`` instants, kJ, minutes, ...), with ``source`` /
            ``source_ref`` provenance filled in.
        staged: table -> :class:`whoop.store.staging.StagedTable` (Parquet in a temporary folder) for
            the tables that were streamed (``journal``); :attr:`journal` loads it as a frame.
        files: kind (``cycles``, ``sleeps``, ``workouts``, ``journal``) -> display name of the
            file it came from, e.g. ``my_whoop_data_2025_02_16.zip:sleeps.csv``.
        warnings: person-readable notes about tolerated oddities (extra columns, duplicates,
            orphans, missing optional files).

    Use it as a context manager (or call :meth:`close`) to remove the temporary folder at once;
    otherwise it goes when the object is collected.
    """

    cycles: pd.DataFrame
    recoveries: pd.DataFrame
    sleeps: pd.DataFrame
    workouts: pd.DataFrame
    staged: dict[str, StagedTable] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    tmp: tempfile.TemporaryDirectory | None = field(default=None, repr=False)

    def __enter__(self) -> ExportData:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Remove the temporary folder holding the staged tables."""
        if self.tmp is not None:
            self.tmp.cleanup()
            self.tmp = None
            self.staged = {}

    @property
    def journal(self) -> pd.DataFrame:
        """The journal as a ``schema.JOURNAL`` frame (loaded from its staged Parquet)."""
        if "journal" not in self.staged:
            return schema.empty_frame("journal")
        return schema.conform(JournalStage.read(self.staged["journal"]), "journal")

    def record_frames(self) -> dict[str, pd.DataFrame]:
        """The tables held in memory (every table but the staged ones), schema order."""
        return {name: getattr(self, name) for name in schema.TABLES if name not in self.staged}

    def frames(self) -> dict[str, pd.DataFrame]:
        """Table name -> frame, keys and order as in ``schema.TABLES`` (loads staged tables:
        for small exports and tests; importers use :meth:`record_frames` and :attr:`staged`)."""
        return {name: getattr(self, name) for name in schema.TABLES}


def read_export(paths: Sequence[str | Path], *, source: str = "export",
                chunk_rows: int | None = None) -> ExportData:
    """Parse a WHOOP export given as paths: ZIP files (also gzip-wrapped, sniffed by magic bytes),
    unzipped folders (CSV files found anywhere inside by header / name) and loose CSVs, mixed.

    Args:
        paths: one or more paths; together they must hold at most one file of each kind.
        source: written into the ``source`` provenance column (``"export"`` or ``"demo"``).
        chunk_rows: rows per chunk when streaming (default: ``table.CHUNK_CELLS`` / columns).
    Returns:
        ExportData (see its attributes for the frame shapes).
    Raises:
        ExportFormatError: any rejected input; the message names the file and, where it applies,
            the physical line (header = 1) and column, and says what to do.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    candidates: list[sources.Candidate] = []
    for path in paths:
        candidates.extend(sources.from_path(Path(path)))
    return _parse(candidates, source, origin=", ".join(Path(p).name for p in paths),
                  chunk_rows=chunk_rows)


def read_export_files(files: Sequence[tuple[str, bytes]], *, source: str = "export",
                      chunk_rows: int | None = None) -> ExportData:
    """Parse an export given as (file name, content) pairs, e.g. browser uploads: one ZIP, a
    gzip-wrapped ZIP, or several loose CSVs. Same result and errors as :func:`read_export`."""
    candidates: list[sources.Candidate] = []
    for name, data in files:
        candidates.extend(sources.from_bytes(name, bytes(data)))
    return _parse(candidates, source, origin=", ".join(name for name, _ in files),
                  chunk_rows=chunk_rows)


def _gdpr_error(file: str) -> ExportFormatError:
    return ExportFormatError(
        "this is WHOOP's privacy (GDPR) data download, not the app's Data Export: in the WHOOP "
        f"app choose {H.APP_EXPORT_PATH}, then import the my_whoop_data_YYYY_MM_DD.zip WHOOP "
        "e-mails you", file=file, line=1)


@dataclass
class _Found:
    """A candidate recognised as a WHOOP file of ``kind`` (not read beyond its header yet)."""

    csv: CsvFile
    kind: str
    header: list[str]

    @property
    def file(self) -> str:
        return self.csv.file


def _classify(cand: sources.Candidate, warnings: list[str], gdpr: list[str]) -> _Found | None:
    """Recognise one candidate by its header, or None for a stray CSV inside a container (a file
    the person did not name, with neither a WHOOP file name nor a WHOOP header)."""
    name_kind = H.kind_from_name(cand.base)
    strict = cand.loose or name_kind is not None
    csv_file = CsvFile(cand.open, cand.name)
    try:
        header = csv_file.header()
    except ExportFormatError as err:
        if strict or "UTF-8" not in err.reason:
            raise
        warnings.append(f"skipped {cand.name}: not a UTF-8 text file")
        return None
    if H.is_gdpr_header(header):
        if strict:
            raise _gdpr_error(cand.name)
        warnings.append(f"skipped {cand.name}: part of WHOOP's privacy (GDPR) download")
        gdpr.append(cand.name)
        return None
    kind = H.detect_kind(H.map_header(header), name_kind)
    if kind is None:
        if strict:
            shown = ",".join(header)[:80]
            raise ExportFormatError(
                f"not a WHOOP Data Export file: its header ({shown!r}) matches none of "
                "physiological_cycles.csv, sleeps.csv, workouts.csv, journal_entries.csv; "
                "pass the files of the ZIP WHOOP e-mails you", file=cand.name, line=1)
        warnings.append(f"skipped {cand.name}: not a WHOOP export file")
        return None
    for col in extra_columns(header, kind, cand.name):
        warnings.append(f"unknown extra column '{col}' in {cand.name} (ignored)")
    return _Found(csv_file, kind, header)


def _stage_journal(found: _Found, source: str, folder: Path, chunk_rows: int | None
                   ) -> StagedTable:
    """Stream the journal into the staging database, chunk by chunk (whoop.export.journal)."""
    with JournalStage(folder) as stage:
        for chunk in found.csv.chunks("journal", found.header, chunk_rows):
            stage.append(journal.stage_rows(chunk, source))
        return stage.finish()


def _parse(candidates: list[sources.Candidate], source: str, origin: str,
           chunk_rows: int | None = None) -> ExportData:
    warnings: list[str] = []
    tables: dict[str, _Found] = {}
    raw: dict[str, RawTable] = {}
    gdpr: list[str] = []
    # empty frames stand for the tables the export lacks; _convert replaces those it has
    data = ExportData(cycles=schema.empty_frame("cycles"), recoveries=schema.empty_frame("recoveries"),
                      sleeps=schema.empty_frame("sleeps"), workouts=schema.empty_frame("workouts"))
    try:
        for cand in candidates:
            table = _classify(cand, warnings, gdpr)
            if table is None:
                continue
            if table.kind == "journal" and "journal" not in tables:
                data.tmp = tempfile.TemporaryDirectory(prefix="whoop-import-")
                data.staged["journal"] = _stage_journal(table, source, Path(data.tmp.name),
                                                        chunk_rows)
            elif table.kind != "journal" and table.kind not in tables:
                raw[table.kind] = table.csv.read_table(table.kind, table.header)
            if table.kind in tables:
                raise ExportFormatError(
                    f"two files hold {table.kind}: {tables[table.kind].file} and {table.file}; "
                    "pass one export at a time", file=table.file)
            tables[table.kind] = table
        _convert(data, tables, raw, source, origin, gdpr, warnings)
    except BaseException:
        data.close()
        raise
    data.files = {k: t.file for k, t in tables.items()}
    data.warnings = warnings
    return data


def _convert(data: ExportData, tables: dict[str, _Found], raw: dict[str, RawTable], source: str,
             origin: str, gdpr: list[str], warnings: list[str]) -> None:
    """Check that the export has what it needs, then fill ``data``'s frames from ``raw``."""
    if not tables and gdpr:
        raise _gdpr_error(gdpr[0])
    if not tables:
        raise ExportFormatError("no WHOOP export CSV found (physiological_cycles.csv, sleeps.csv, "
                                "workouts.csv, journal_entries.csv); pass the ZIP WHOOP e-mails "
                                "you or its unzipped folder", file=origin)
    if "cycles" not in tables and "sleeps" not in tables:
        raise ExportFormatError(
            "the export needs physiological_cycles.csv or sleeps.csv, found only "
            + " and ".join(t.file for t in tables.values())
            + "; pass the whole ZIP WHOOP e-mails you", file=origin)

    if "cycles" in raw:
        data.cycles, data.recoveries = convert.cycles(raw["cycles"], source, warnings)
    if "sleeps" in raw:
        data.sleeps = convert.sleeps(raw["sleeps"], source, warnings, cycles=raw.get("cycles"))
    else:
        data.sleeps = convert.main_sleeps_from_cycles(raw["cycles"], source)
        warnings.append(f"no sleeps.csv: main sleeps taken from {raw['cycles'].file}; "
                        "naps are missing")
    if "workouts" in raw:
        data.workouts = convert.workouts(raw["workouts"], source, warnings)
    if "journal" in data.staged:
        staged = data.staged["journal"]
        warnings.extend(journal.warnings_for(tables["journal"].file, staged.exact_duplicates,
                                             staged.orphans, staged.conflicts))
    for kind in ("cycles", "workouts", "journal"):
        if kind not in tables:
            warnings.append(f"no {kind} file in the export; that table stays empty")
