"""WHOOP "Data Export" parser: ZIP, gzip-wrapped ZIP, unzipped folder or loose CSVs ->
canonical record frames (:mod:`whoop.schema`) ready for :mod:`whoop.store` to upsert.

The export's quirks and what the parser does with each: docs/EXPORT_QUIRKS.md.
This package never writes to the database.

Modules: :mod:`.sources` (containers), :mod:`.headers` (columns, aliases, kind detection),
:mod:`.table` (CSV reading and field parsers), :mod:`.convert` (units, keys, score states).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from whoop import schema
from whoop.errors import ExportFormatError
from whoop.export import convert
from whoop.export import headers as H
from whoop.export import sources
from whoop.export.table import RawTable, decode, read_header, read_table

__all__ = ["ExportData", "read_export", "read_export_files"]


@dataclass
class ExportData:
    """The parsed export: one canonical frame per table plus what was read and noticed.

    Attributes:
        cycles, recoveries, sleeps, workouts, journal: frames conformed to
            ``schema.TABLES[name]`` (UTC ``datetime64[us, UTC]`` instants, kJ, minutes, ...),
            with ``source`` / ``source_ref`` provenance filled in.
        files: kind (``cycles``, ``sleeps``, ``workouts``, ``journal``) -> display name of the
            file it came from, e.g. ``my_whoop_data_2025_02_16.zip:sleeps.csv``.
        warnings: person-readable notes about tolerated oddities (extra columns, duplicates,
            orphans, missing optional files).
    """

    cycles: pd.DataFrame
    recoveries: pd.DataFrame
    sleeps: pd.DataFrame
    workouts: pd.DataFrame
    journal: pd.DataFrame
    files: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def frames(self) -> dict[str, pd.DataFrame]:
        """Table name -> frame, keys and order as in ``schema.TABLES``."""
        return {name: getattr(self, name) for name in schema.TABLES}


def read_export(paths: Sequence[str | Path], *, source: str = "export") -> ExportData:
    """Parse a WHOOP export given as paths: ZIP files (also gzip-wrapped, sniffed by magic bytes),
    unzipped folders (CSV files found anywhere inside by header / name) and loose CSVs, mixed.

    Args:
        paths: one or more paths; together they must hold at most one file of each kind.
        source: written into the ``source`` provenance column (``"export"`` or ``"demo"``).
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
    return _parse(candidates, source, origin=", ".join(Path(p).name for p in paths))


def read_export_files(files: Sequence[tuple[str, bytes]], *,
                      source: str = "export") -> ExportData:
    """Parse an export given as (file name, content) pairs, e.g. browser uploads: one ZIP, a
    gzip-wrapped ZIP, or several loose CSVs. Same result and errors as :func:`read_export`."""
    candidates: list[sources.Candidate] = []
    for name, data in files:
        candidates.extend(sources.from_bytes(name, bytes(data)))
    return _parse(candidates, source, origin=", ".join(name for name, _ in files))


def _gdpr_error(file: str) -> ExportFormatError:
    return ExportFormatError(
        "this is WHOOP's privacy (GDPR) data download, not the app's Data Export: in the WHOOP "
        "app use More > App Settings > Data Export and pass the my_whoop_data_....zip it "
        "e-mails you", file=file, line=1)


def _classify(cand: sources.Candidate, warnings: list[str], gdpr: list[str]) -> RawTable | None:
    """Parse one candidate into a RawTable, or None for a stray CSV inside a container (a file
    the person did not name, with neither a WHOOP file name nor a WHOOP header)."""
    name_kind = H.kind_from_name(cand.base)
    strict = cand.loose or name_kind is not None
    try:
        text = decode(cand.data, cand.name)
    except ExportFormatError:
        if strict:
            raise
        warnings.append(f"skipped {cand.name}: not a UTF-8 text file")
        return None
    header = read_header(text, cand.name)
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
    table = read_table(text, cand.name, kind, header)
    for col in table.extra:
        warnings.append(f"unknown extra column '{col}' in {cand.name} (ignored)")
    return table


def _parse(candidates: list[sources.Candidate], source: str, origin: str) -> ExportData:
    warnings: list[str] = []
    tables: dict[str, RawTable] = {}
    gdpr: list[str] = []
    for cand in candidates:
        table = _classify(cand, warnings, gdpr)
        if table is None:
            continue
        if table.kind in tables:
            raise ExportFormatError(
                f"two files hold {table.kind}: {tables[table.kind].file} and {table.file}; pass "
                "one export at a time", file=table.file)
        tables[table.kind] = table
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

    frames = {name: schema.empty_frame(name) for name in schema.TABLES}
    if "cycles" in tables:
        frames["cycles"], frames["recoveries"] = convert.cycles(tables["cycles"], source, warnings)
    if "sleeps" in tables:
        frames["sleeps"] = convert.sleeps(tables["sleeps"], source, warnings,
                                          cycles=tables.get("cycles"))
    else:
        frames["sleeps"] = convert.main_sleeps_from_cycles(tables["cycles"], source)
        warnings.append(f"no sleeps.csv: main sleeps taken from {tables['cycles'].file}; "
                        "naps are missing")
    if "workouts" in tables:
        frames["workouts"] = convert.workouts(tables["workouts"], source, warnings)
    if "journal" in tables:
        frames["journal"] = convert.journal(tables["journal"], source, warnings)
    for kind in ("cycles", "workouts", "journal"):
        if kind not in tables:
            warnings.append(f"no {kind} file in the export; that table stays empty")
    return ExportData(**frames, files={k: t.file for k, t in tables.items()}, warnings=warnings)
