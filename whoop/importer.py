"""Import entry points shared by the CLI and the pages: export files -> store, demo data.

Each call is one transaction (``Store.import_records``): a file that fails to parse or store
leaves the database exactly as it was. The files are parsed (and the journal staged on disk,
:mod:`whoop.store.staging`) before the database is opened, so the write lock is held for the apply
only and memory stays bounded whatever the journal's length.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:      # the CLI reads DEFAULT_ATHLETE for --help without loading DuckDB
    from whoop.export import ExportData
    from whoop.store import ImportResult, Store

DEFAULT_ATHLETE = "me"
#: Staged rows from which the parse's freed heap is handed back before the apply: below it the
#: heap is small and a full ``gc.collect`` (about 0.1 s in a fresh process) would cost more.
TRIM_AFTER_ROWS = 200_000


def import_paths(store: Store, paths: Sequence[str | Path], *,
                 athlete: str | Callable[[ExportData], str] = DEFAULT_ATHLETE) -> ImportResult:
    """Import a WHOOP export given as paths (ZIP, gzip-wrapped ZIP, folder or loose CSVs).

    ``athlete`` is a name, or a function given the parsed export (before anything is written)
    that returns the name or raises a WhoopError to stop the import.

    Raises:
        ExportFormatError: the files are not a readable WHOOP export (file, line, column named).
        InputError, StoreError, DatabaseBusyError.
    """
    from whoop.export import read_export

    with read_export([Path(p) for p in paths]) as data:
        return _store(store, data, athlete(data) if callable(athlete) else athlete, "export",
                      ", ".join(sorted(set(data.files.values()))))


def import_uploads(store: Store, files: Sequence[tuple[str, bytes]], *,
                   athlete: str | Callable[[ExportData], str] = DEFAULT_ATHLETE) -> ImportResult:
    """Import uploaded files given as ``(name, content)`` pairs (one ZIP or several CSVs);
    ``athlete`` as in :func:`import_paths`.

    Raises: as :func:`import_paths`.
    """
    from whoop.export import read_export_files

    with read_export_files(list(files)) as data:
        return _store(store, data, athlete(data) if callable(athlete) else athlete, "export",
                      ", ".join(sorted(set(data.files.values()))))


def load_demo(store: Store, *, seed: int = 7, days: int = 400) -> ImportResult:
    """Write the deterministic demo export (whoop.demo) to a temporary folder and import it
    through the same importer as a real export, under the athlete ``whoop.demo.DEMO_ATHLETE``
    with provenance ``demo``."""
    from whoop.demo import DEMO_ATHLETE, write_demo_export
    from whoop.export import read_export

    with tempfile.TemporaryDirectory(prefix="whoop-demo-") as tmp:
        path = write_demo_export(Path(tmp), seed=seed, days=days)
        with read_export([path], source="demo") as data:
            return _store(store, data, DEMO_ATHLETE, "demo", path.name)


def _store(store: Store, data: ExportData, athlete: str, kind: str, source: str) -> ImportResult:
    """Apply a parsed export in one transaction: in-memory frames plus staged tables (Parquet),
    so the database is locked only for the apply (see Store.import_records)."""
    if sum(s.rows for s in data.staged.values()) >= TRIM_AFTER_ROWS:
        _release_freed_memory()
    return store.import_records(athlete, data.record_frames(), kind=kind, source=source,
                                warnings=data.warnings,
                                staged={t: s.path for t, s in data.staged.items()})


def _release_freed_memory() -> None:
    """Hand the parse's freed heap back to the system before the apply (glibc keeps freed
    blocks of many small strings otherwise, ~80 MB after a 2.5-million-row journal);
    ``malloc_trim``: https://man7.org/linux/man-pages/man3/malloc_trim.3.html. No-op elsewhere."""
    import ctypes
    import ctypes.util
    import gc

    gc.collect()
    name = ctypes.util.find_library("c")
    try:
        ctypes.CDLL(name).malloc_trim(0)
    except (OSError, AttributeError, TypeError):
        pass
