"""Big imports: the journal is read in chunks and staged on disk, with the same rows, warnings and
error locations as a one-piece read; rows and field lengths are capped with a one-line message;
a rejected import leaves the database exactly as it was."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from tests import export_fixtures as fx
from whoop import schema
from whoop.demo import write_demo_export
from whoop.errors import ExportFormatError
from whoop.export import read_export, read_export_files
from whoop.export import table as T
from whoop.importer import import_paths
from whoop.store import Store

_CYC3 = {"Cycle start time": "2024-03-12 23:00:00", "Cycle end time": "2024-03-13 22:00:00",
         "Cycle timezone": "UTC-05:00"}


def tricky_journal() -> list[dict[str, str]]:
    """The fixture journal plus a row, a conflicting row and an exact copy of the first
    (A, B, A'): exact copies go first (keep A), then the last of a key wins (B)."""
    q = "Meditated?"
    return fx.journal_rows() + [
        {**_CYC3, "Question text": q, "Answered yes": "false", "Notes": ""},
        {**_CYC3, "Question text": q, "Answered yes": "true", "Notes": "ten minutes"},
        {**_CYC3, "Question text": q, "Answered yes": "false", "Notes": ""},
    ]


def files(journal: list[dict[str, str]]) -> list[tuple[str, bytes]]:
    csvs = fx.export_csvs()
    csvs["journal_entries.csv"] = fx.csv_text(fx.JOURNAL_6, journal)
    return [(name, text.encode()) for name, text in csvs.items()]


def db_rows(store: Store, table: str) -> pd.DataFrame:
    """Every row of a record table (without the import's run and time), sorted."""
    frame = store.query(f"SELECT * FROM {table}").drop(columns=["ingested_at", "run_id"], errors="ignore")
    return frame.sort_values(list(frame.columns), ignore_index=True) if len(frame) else frame


@pytest.mark.parametrize("chunk_rows", [1, 2, 3])
def test_chunked_journal_equals_one_piece(chunk_rows):
    whole = read_export_files(files(tricky_journal()))
    chunked = read_export_files(files(tricky_journal()), chunk_rows=chunk_rows)
    pd.testing.assert_frame_equal(chunked.journal, whole.journal)
    assert chunked.warnings == whole.warnings
    kept = whole.journal.set_index("entry_key")
    assert kept.loc["2024-03-13T04:00:00Z|Meditated?", "notes"] == "ten minutes"    # B, not A'
    assert any("2 exact duplicate journal rows" in w for w in whole.warnings)


def test_chunked_import_of_generated_export_stores_the_same_rows(tmp_path):
    """The demo export imported with 50-row chunks (dozens of chunks) and in one piece."""
    path = write_demo_export(tmp_path / "demo", days=60)
    stores = []
    for chunk in (None, 50):
        store = Store(tmp_path / f"c{chunk}.duckdb")
        with read_export([path], chunk_rows=chunk) as data:
            parsed = data.journal
            result = store.import_records("me", data.record_frames(), kind="export", source="x",
                                          warnings=data.warnings,
                                          staged={t: s.path for t, s in data.staged.items()})
        assert len(parsed) > 200 and result.counts["journal"]["inserted"] == len(parsed)
        stored = schema.conform(store.records("journal", store.athlete_id("me")), "journal")
        pd.testing.assert_frame_equal(stored.sort_values("entry_key", ignore_index=True),
                                      parsed.sort_values("entry_key", ignore_index=True))
        stores.append(store)
    for table in ("journal", "cycles", "sleeps"):
        pd.testing.assert_frame_equal(db_rows(stores[0], table), db_rows(stores[1], table))


def _zip_with_journal_line(tmp_path: Path, bad_line: int) -> tuple[Path, int]:
    """The demo export with the journal row on physical line ``bad_line`` answering 'maybe'."""
    src = write_demo_export(tmp_path / "src", days=60)
    with zipfile.ZipFile(src) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    lines = members["journal_entries.csv"].decode().split("\n")
    assert all(line.count('"') % 2 == 0 for line in lines[:bad_line])   # no multi-line field
    cells = next(csv.reader([lines[bad_line - 1]]))
    assert cells[4] in ("true", "false")
    cells[4] = "maybe"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(cells)
    lines[bad_line - 1] = buf.getvalue()
    members["journal_entries.csv"] = "\n".join(lines).encode()
    out = tmp_path / "bad.zip"
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out, len(lines)


def test_bad_row_in_a_later_chunk_names_its_line_and_changes_nothing(tmp_path, db):
    good = write_demo_export(tmp_path / "good", days=30)
    bad, _ = _zip_with_journal_line(tmp_path, bad_line=180)
    store = Store(db)
    import_paths(store, [good])
    tables = ("journal", "cycles", "sleeps", "days")
    before = {t: db_rows(store, t) for t in tables}
    ok_runs = store.query("SELECT * FROM import_runs WHERE status = 'ok'")
    with pytest.raises(ExportFormatError) as info:
        with read_export([bad], chunk_rows=25):       # line 180 is in the 8th chunk
            pass
    err = info.value
    assert (err.line, err.column) == (180, "Answered yes") and "true or false" in err.reason
    assert err.file.endswith("journal_entries.csv")
    with pytest.raises(ExportFormatError) as again:
        import_paths(store, [bad])
    assert (again.value.line, again.value.column) == (180, "Answered yes")
    for table, frame in before.items():
        pd.testing.assert_frame_equal(db_rows(store, table), frame)
    pd.testing.assert_frame_equal(store.query("SELECT * FROM import_runs WHERE status = 'ok'"),
                                  ok_runs)


def test_row_cap_names_the_first_row_past_it(monkeypatch):
    monkeypatch.setitem(T.MAX_ROWS, "journal", 5)
    with pytest.raises(ExportFormatError) as info:
        read_export_files(files(tricky_journal()), chunk_rows=2)
    err = info.value
    assert err.file == "journal_entries.csv" and "more than 5 rows" in err.reason
    # rows 1-5 start on lines 2-6; the multi-line note of row 4 spans 3 lines -> row 6 on line 9
    assert err.line == 9
    assert "\n" not in str(err)


def test_row_cap_of_other_files(monkeypatch):
    monkeypatch.setitem(T.MAX_ROWS, "sleeps", 2)
    with pytest.raises(ExportFormatError) as info:
        read_export_files(files(fx.journal_rows()))
    assert info.value.file == "sleeps.csv" and info.value.line == 4
    assert "more than 2 rows" in info.value.reason


@pytest.mark.parametrize("length", [T.MAX_FIELD_CHARS + 1, 200_000])
def test_field_length_cap(length):
    rows = fx.journal_rows()
    rows[6] = {**rows[6], "Notes": "x" * length}      # row 7 starts on line 10 (a 3-line note)
    with pytest.raises(ExportFormatError) as info:
        read_export_files(files(rows), chunk_rows=2)
    err = info.value
    assert err.file == "journal_entries.csv" and err.line == 10
    assert f"{T.MAX_FIELD_CHARS:,}" in err.reason
    if length < 131072:        # within the CSV reader's own limit the column is known too
        assert err.column == "Notes" and f"{length:,} characters" in err.reason


def test_field_length_cap_in_a_small_file():
    rows = fx.cycles_rows()
    rows[0] = {**rows[0], "Cycle timezone": rows[0]["Cycle timezone"] + " " * 20_000}
    text = fx.csv_text(fx.CYCLES_26, rows)
    with pytest.raises(ExportFormatError) as info:
        read_export_files([("physiological_cycles.csv", text.encode())])
    assert (info.value.line, info.value.column) == (2, "Cycle timezone")


def test_staged_files_go_with_the_export_data():
    data = read_export_files(files(fx.journal_rows()))
    folder = data.staged["journal"].path.parent
    assert folder.exists()
    data.close()
    assert not folder.exists()
