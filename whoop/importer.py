"""Import entry points shared by the CLI and the pages: export files -> store, demo data.

Each call is one transaction (``Store.import_records``): a file that fails to parse or store
leaves the database exactly as it was.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:      # the CLI reads DEFAULT_ATHLETE for --help without loading DuckDB
    from whoop.store import ImportResult, Store

DEFAULT_ATHLETE = "me"


def import_paths(store: Store, paths: Sequence[str | Path], *, athlete: str = DEFAULT_ATHLETE) -> ImportResult:
    """Import a WHOOP export given as paths (ZIP, gzip-wrapped ZIP, folder or loose CSVs).

    Raises:
        ExportFormatError: the files are not a readable WHOOP export (file, line, column named).
        InputError, StoreError, DatabaseBusyError.
    """
    from whoop.export import read_export

    data = read_export([Path(p) for p in paths])
    source = ", ".join(sorted(set(data.files.values())))
    return store.import_records(athlete, data.frames(), kind="export", source=source,
                                warnings=data.warnings)


def import_uploads(store: Store, files: Sequence[tuple[str, bytes]], *,
                   athlete: str = DEFAULT_ATHLETE) -> ImportResult:
    """Import uploaded files given as ``(name, content)`` pairs (one ZIP or several CSVs).

    Raises: as :func:`import_paths`.
    """
    from whoop.export import read_export_files

    data = read_export_files(list(files))
    source = ", ".join(sorted(set(data.files.values())))
    return store.import_records(athlete, data.frames(), kind="export", source=source,
                                warnings=data.warnings)


def load_demo(store: Store, *, seed: int = 7, days: int = 400) -> ImportResult:
    """Write the deterministic demo export (whoop.demo) to a temporary folder and import it
    through the same importer as a real export, under the athlete ``whoop.demo.DEMO_ATHLETE``
    with provenance ``demo``."""
    from whoop.demo import DEMO_ATHLETE, write_demo_export
    from whoop.export import read_export

    with tempfile.TemporaryDirectory(prefix="whoop-demo-") as tmp:
        path = write_demo_export(Path(tmp), seed=seed, days=days)
        data = read_export([path], source="demo")
    return store.import_records(DEMO_ATHLETE, data.frames(), kind="demo", source=path.name,
                                warnings=data.warnings)
