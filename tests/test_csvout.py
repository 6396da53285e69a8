"""The one CSV writer (whoop/csvout.py): no cell of any CSV output can start a spreadsheet formula
(OWASP CSV Injection), numbers stay numbers. Unit tests of the writer, then every CSV output with
hostile text in it: ``python -m whoop export`` and ``report`` as subprocesses on a real DuckDB
file, and the Journal page's download through AppTest."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests import export_fixtures as fx
from tests.apptest_helpers import assert_clean, open_page
from tests.test_cli import run_cli
from whoop.csvout import FORMULA_TRIGGERS, PLAIN_NUMBER, csv_bytes, csv_text, neutralise, write_csv

HYPERLINK = '=HYPERLINK("http://x","y")'
NOTE_PLUS = "+1+1"
SPORT_AT = "@SUM(A1)"
NOTE_TAB = "\t=2+5"
NOTE_CR = "\r\n=3+4"  # CR-led; the LF makes the fixture writer quote it
ATHLETE = "-2+3"


def cells(text: str) -> list[list[str]]:
    """The CSV as a spreadsheet-independent reader sees it (RFC 4180)."""
    return list(csv.reader(io.StringIO(text, newline="")))


def assert_no_formula_cell(text: str, where: str) -> None:
    """No cell starts with a trigger unless it is a plain number."""
    for line, row in enumerate(cells(text), start=1):
        for cell in row:
            assert not cell.startswith(FORMULA_TRIGGERS) or PLAIN_NUMBER.match(cell), (
                where, line, cell)


# --------------------------------------------------------------------------- the writer itself
@pytest.mark.parametrize("text, expected", [
    (HYPERLINK, "'" + HYPERLINK), (NOTE_PLUS, "'+1+1"), (SPORT_AT, "'@SUM(A1)"),
    ("-x", "'-x"), (NOTE_TAB, "'" + NOTE_TAB), (NOTE_CR, "'" + NOTE_CR), ("\x00=1", "'\x00=1"),
    ("-1.5", "-1.5"), ("+3", "+3"), ("-2e-3", "-2e-3"), ("-1.5+1", "'-1.5+1"),
    ("Running", "Running"), ("", ""), ("'=1", "'=1"), (" =1", " =1"),
])
def test_neutralise(text, expected):
    assert neutralise(text) == expected


def test_text_cells_are_quoted_and_neutralised_numbers_stay_bare():
    frame = pd.DataFrame({
        "question": [HYPERLINK, "a;b,c", 'say "hi"\nnext line', "-1.5", None],
        "value": [-1.5, 2.0, np.nan, 0.1 + 0.2, 1e20],
        "count": pd.array([-3, None, 0, 1, 2], dtype="Int64"),
        "flag": pd.array([True, None, False, True, False], dtype="boolean"),
        "when": pd.to_datetime(["2024-03-12 22:10", None, "2024-03-13 00:00",
                                "2024-03-14 01:02", "2024-03-15 00:00"], utc=True),
    })
    text = csv_text(frame)
    lines = text.split("\n")
    assert lines[0] == '"question","value","count","flag","when"'
    # OWASP: the formula gets a leading quote; RFC 4180: the whole field quoted, quotes doubled.
    assert lines[1] == '"\'=HYPERLINK(""http://x"",""y"")",-1.5,-3,True,2024-03-12 22:10:00+00:00'
    assert lines[2] == '"a;b,c",2.0,,,'  # separators stay inside one quoted cell
    read = pd.read_csv(io.StringIO(text))
    assert read["question"].tolist()[:4] == ["'" + HYPERLINK, "a;b,c", 'say "hi"\nnext line',
                                             "-1.5"]
    assert read["value"].tolist()[:2] == [-1.5, 2.0] and np.isnan(read["value"][2])
    assert read["value"][3] == 0.1 + 0.2 and read["value"][4] == 1e20
    assert read["count"].tolist()[0] == -3 and read["flag"].tolist()[0] is True
    assert pd.isna(read["question"][4]) and pd.isna(read["count"][1]) and pd.isna(read["when"][1])
    assert_no_formula_cell(text, "frame")


def test_numbers_in_text_columns_and_missing_values():
    frame = pd.DataFrame({"mixed": [-2.5, np.float64(-1.25), 7, True, None, np.nan, pd.NA,
                                    pd.NaT, dt.date(2024, 1, 2), "=x"]})
    rows = cells(csv_text(frame))[1:]
    assert [r[0] for r in rows] == ["-2.5", "-1.25", "7", "True", "", "", "", "", "2024-01-02",
                                    "'=x"]
    raw = csv_text(frame).split("\n")
    assert raw[1:3] == ["-2.5", "-1.25"]  # bare, never prefixed or quoted
    assert raw[5] == '""'  # an empty single-column row does not read as a blank line


def test_float_and_date_formats_and_outputs(tmp_path):
    dates = pd.to_datetime(["2024-01-05", "2024-01-06"]).astype("datetime64[s]")
    frame = pd.DataFrame({"date": dates, "x": [1 / 3, -2.0], "name": ["@a", "b"]})
    text = csv_text(frame, float_format="%.10g", date_format="%Y-%m-%d")
    assert text == '"date","x","name"\n2024-01-05,0.3333333333,"\'@a"\n2024-01-06,-2,"b"\n'
    path = tmp_path / "f.csv"
    write_csv(frame, path, float_format="%.10g", date_format="%Y-%m-%d")
    assert path.read_bytes() == text.encode("utf-8")
    assert csv_bytes(frame, float_format="%.10g", date_format="%Y-%m-%d") == text.encode("utf-8")
    assert csv_text(frame.iloc[:0]) == '"date","x","name"\n'


def test_long_frames_are_written_in_chunks(monkeypatch):
    import whoop.csvout as co

    frame = pd.DataFrame({"q": ["=1", "ok"] * 5, "v": np.arange(10, dtype=float) - 5})
    whole = csv_text(frame)
    monkeypatch.setattr(co, "CHUNK_ROWS", 3)
    assert csv_text(frame) == whole
    assert pd.read_csv(io.StringIO(whole))["v"].tolist() == list(np.arange(10.0) - 5)


# ----------------------------------------------------------------------- every CSV output
def hostile_export(tmp_path: Path) -> Path:
    """The invented export of tests/export_fixtures.py with formula text in journal questions
    and notes and in a workout's activity name (20-column workouts: a negative altitude)."""
    journal = fx.journal_rows()
    journal[3] = {**journal[3], "Notes": NOTE_PLUS}
    journal[6] = {**journal[6], "Question text": HYPERLINK, "Notes": NOTE_TAB}
    journal[7] = {**journal[7], "Notes": NOTE_CR}
    workouts = fx.workouts_rows()
    workouts[0] = {**workouts[0], "Activity name": SPORT_AT}
    files = fx.export_csvs(kinds=("cycles", "sleeps"))
    files[fx.FILE_NAMES["journal"]] = fx.csv_text(fx.JOURNAL_6, journal)
    files[fx.FILE_NAMES["workouts"]] = fx.csv_text(fx.WORKOUTS_20, workouts)
    return fx.write_zip(tmp_path / "my_whoop_data_2026_01_10.zip", files)


@pytest.fixture
def hostile_db(tmp_path) -> Path:
    db = tmp_path / "w.duckdb"
    result = run_cli("import", str(hostile_export(tmp_path)), f"--athlete={ATHLETE}", db=db)
    assert result.returncode == 0, result.stderr
    return db


def test_cli_export_neutralises_formula_cells(tmp_path, hostile_db):
    out = tmp_path / "out"
    result = run_cli("export", "--out", str(out), db=hostile_db)
    assert result.returncode == 0, result.stderr
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(out.glob("*.csv"))}
    assert set(texts) == {"daily.csv", "cycles.csv", "recoveries.csv", "sleeps.csv",
                          "workouts.csv", "journal.csv"}
    for name, text in texts.items():
        assert_no_formula_cell(text, name)

    journal = pd.read_csv(out / "journal.csv", keep_default_na=False)
    assert journal["athlete"].unique().tolist() == ["'" + ATHLETE]
    assert ("'" + HYPERLINK) in journal["question"].tolist()
    assert {"'" + NOTE_PLUS, "'" + NOTE_TAB, "'" + NOTE_CR} <= set(journal["notes"])
    workouts = pd.read_csv(out / "workouts.csv")
    assert ("'" + SPORT_AT) in workouts["sport_name"].tolist()
    # numbers stay numeric: the negative altitude change is a bare -3.4 in the file
    assert workouts["altitude_change_m"].min() == pytest.approx(-3.4)
    assert ",-3.4," in texts["workouts.csv"]
    daily = pd.read_csv(out / "daily.csv")
    assert daily["recovery_score"].dtype == "float64" and daily["recovery_score"].max() == 74.0


def test_cli_report_journal_impact_neutralises_questions(tmp_path, hostile_db):
    out = tmp_path / "report"
    result = run_cli("report", "--out", str(out), f"--athlete={ATHLETE}", db=hostile_db)
    assert result.returncode == 0, result.stderr
    for path in sorted(out.glob("*.csv")):
        assert_no_formula_cell(path.read_text(encoding="utf-8"), path.name)
    impact = pd.read_csv(out / "journal_impact.csv")
    assert ("'" + HYPERLINK) in impact["question"].tolist()
    assert pd.api.types.is_integer_dtype(impact["n_yes"])


def test_journal_page_download_neutralises_formula_cells(app_test, demo_db, monkeypatch):
    """A question starting with ``=`` (the demo's most answered question renamed) and a note
    reach the Journal page's "Download as CSV"; the button's bytes are read from the media store
    AppTest runs the page with."""
    import streamlit.testing.v1.app_test as at_module
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    from whoop.demo import DEMO_ATHLETE
    from whoop.store import Store

    stores: list[MemoryMediaFileStorage] = []

    class RecordingStorage(MemoryMediaFileStorage):
        def __init__(self, endpoint: str) -> None:
            super().__init__(endpoint)
            stores.append(self)

    monkeypatch.setattr(at_module, "MemoryMediaFileStorage", RecordingStorage)

    store = Store(demo_db)
    athlete = store.athlete_id(DEMO_ATHLETE)
    journal = store.records("journal", athlete)
    top = journal["question"].value_counts().index[0]
    hostile = journal[journal["question"] == top].copy()
    hostile["question"] = HYPERLINK
    hostile["entry_key"] = (hostile["cycle_start_utc"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
                            + "|" + HYPERLINK)
    store.import_records(DEMO_ATHLETE, {"journal": hostile}, kind="export", source="test")

    at = open_page(app_test(demo_db), "journal")
    assert_clean(at)
    assert HYPERLINK in at.dataframe[0].value["Question"].tolist()
    button = at.download_button(key="journal_csv")
    url = button.proto.url
    data = stores[-1].get_file(url.rsplit("/", 1)[1]).content
    text = data.decode("utf-8")
    assert_no_formula_cell(text, "journal_impact.csv download")
    table = pd.read_csv(io.StringIO(text))
    assert ("'" + HYPERLINK) in table["Question"].tolist()
    assert table["Difference"].dtype == "float64" and (table["Difference"] < 0).any()
