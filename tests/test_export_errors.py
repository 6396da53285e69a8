"""Rejected inputs: each raises ExportFormatError whose message names the file and, where it
applies, the physical line (header = 1) and column, and says what to do."""

from __future__ import annotations

import gzip

import pytest

from tests import export_fixtures as fx
from whoop.errors import ExportFormatError, InputError
from whoop.export import read_export, read_export_files, sources


def reject(files: list[tuple[str, str | bytes]]) -> ExportFormatError:
    payload = [(n, t.encode("utf-8") if isinstance(t, str) else t) for n, t in files]
    with pytest.raises(ExportFormatError) as info:
        read_export_files(payload)
    err = info.value
    assert isinstance(err, InputError)
    assert err.file and str(err).startswith(err.file)
    return err


def cycles_with(**changes: str) -> list[dict[str, str]]:
    """The fixture cycles with fields of the 3rd data row (physical line 4) replaced."""
    rows = fx.cycles_rows()
    rows[2] = {**rows[2], **changes}
    return rows


def test_gdpr_privacy_export():
    text = '"id","created_at","updated_at","during","score_state"\n' \
           '"1","2022-12-09T10:36:32.344+0000","x","[\'a\',\'b\')","SCORED"\n'
    err = reject([("Health/sleeps.csv", text)])
    assert (err.file, err.line) == ("Health/sleeps.csv", 1)
    assert "privacy (GDPR)" in err.reason and "Data Export" in err.reason
    # shown in the browser and by the CLI: the app's steps, words that fit both places
    from whoop.export.headers import APP_EXPORT_PATH
    assert APP_EXPORT_PATH in err.reason and "pass the" not in err.reason


def test_semicolon_spreadsheet_resave():
    text = fx.csv_text(fx.SLEEPS_18, fx.sleeps_rows()).replace(",", ";")
    err = reject([("sleeps.csv", text)])
    assert (err.file, err.line) == ("sleeps.csv", 1)
    assert "';' separators" in err.reason and "comma-separated" in err.reason


@pytest.mark.parametrize("value", ["3/10/2024 23:05", "10/3/2024 23:05:00", "10.03.2024 23:05"])
def test_slash_dates(value):
    text = fx.csv_text(fx.CYCLES_26, cycles_with(**{"Cycle start time": value}))
    err = reject([("physiological_cycles.csv", text)])
    assert (err.file, err.line, err.column) == ("physiological_cycles.csv", 4, "Cycle start time")
    assert "M/D/YYYY" in err.reason and "re-saved by a spreadsheet" in err.reason


def test_decimal_comma():
    text = fx.csv_text(fx.CYCLES_26, cycles_with(**{"Day Strain": "12,5"}))
    err = reject([("physiological_cycles.csv", text)])
    assert (err.line, err.column) == (4, "Day Strain")
    assert "decimal comma" in err.reason and "'12,5'" in str(err)


def test_not_a_whoop_file():
    err = reject([("bank.csv", "date,amount,payee\n2024-01-01,12.00,shop\n")])
    assert (err.file, err.line) == ("bank.csv", 1)
    assert "not a WHOOP Data Export file" in err.reason


def test_empty_file():
    err = reject([("sleeps.csv", "")])
    assert err.file == "sleeps.csv" and "empty" in err.reason
    err = reject([("journal_entries.csv", "\ufeff\n\n")])
    assert "empty" in err.reason


def test_zip_without_whoop_csv():
    err = reject([("export.zip", fx.zip_bytes({"readme.txt": "hello", "photo.jpg": b"\xff\xd8"}))])
    assert err.file == "export.zip" and "no WHOOP CSV" in err.reason


def test_excel_workbook_hint():
    err = reject([("export.xlsx", fx.zip_bytes({"[Content_Types].xml": "<x/>"}))])
    assert "Excel workbook" in err.reason


def test_corrupt_zip():
    blob = fx.zip_bytes(fx.export_csvs())
    err = reject([("my_whoop_data.zip", blob[: len(blob) // 2])])
    assert err.file == "my_whoop_data.zip" and "damaged" in err.reason


def test_corrupt_gzip():
    blob = gzip.compress(fx.zip_bytes(fx.export_csvs()))
    err = reject([("export.zip.gz", blob[:40] + b"\x00" * 40)])
    assert err.file == "export.zip.gz" and "damaged" in err.reason


@pytest.mark.parametrize("value", ["2024-02-30 10:00:00", "2024-03-10T23:05:00Z", "yesterday"])
def test_bad_timestamp(value):
    rows = fx.sleeps_rows()
    rows[1] = {**rows[1], "Wake onset": value}
    err = reject([("sleeps.csv", fx.csv_text(fx.SLEEPS_18, rows))])
    assert (err.file, err.line, err.column) == ("sleeps.csv", 3, "Wake onset")
    assert "YYYY-MM-DD HH:MM:SS" in err.reason


@pytest.mark.parametrize("value", ["GMT+1", "UTC+1", "Europe/Berlin", "+01:00", "UTC+25:00"])
def test_bad_timezone(value):
    text = fx.csv_text(fx.CYCLES_26, cycles_with(**{"Cycle timezone": value}))
    err = reject([("physiological_cycles.csv", text)])
    assert (err.line, err.column) == (4, "Cycle timezone")
    assert "UTC+HH:MM" in err.reason and repr(value) in str(err)


def test_non_numeric_value():
    text = fx.csv_text(fx.CYCLES_26, cycles_with(**{"Recovery score %": "high"}))
    err = reject([("physiological_cycles.csv", text)])
    assert (err.line, err.column) == (4, "Recovery score %")
    assert "not a number" in err.reason


def test_bad_boolean():
    rows = fx.sleeps_rows()
    rows[4] = {**rows[4], "Nap": "maybe"}
    err = reject([("sleeps.csv", fx.csv_text(fx.SLEEPS_18, rows))])
    assert (err.line, err.column) == (6, "Nap")
    assert "true or false" in err.reason


def test_missing_required_column_is_named():
    header = [c for c in fx.SLEEPS_18 if c != "Wake onset"]
    err = reject([("sleeps.csv", fx.csv_text(header, fx.sleeps_rows()))])
    assert (err.line, err.column) == (1, "Wake onset")
    assert "lacks required column 'Wake onset'" in err.reason


def test_line_number_counts_multiline_fields_and_crlf():
    rows = fx.journal_rows()            # row 4 holds a note spanning 3 physical lines
    rows[5] = {**rows[5], "Answered yes": "yes"}
    text = fx.csv_text(fx.JOURNAL_6, rows, crlf=True)
    err = reject([("sleeps.csv", fx.csv_text(fx.SLEEPS_18, fx.sleeps_rows())),
                  ("journal_entries.csv", text)])
    # header 1, rows 1-3 on lines 2-4, row 4 on lines 5-7, row 5 on 8, row 6 on 9
    assert (err.line, err.column) == (9, "Answered yes")


def test_row_with_too_many_fields():
    text = fx.csv_text(fx.JOURNAL_6, fx.journal_rows()[:3]) + \
        "2024-03-10 23:05:00,2024-03-11 22:40:00,UTCZ,Stressed, at work?,false,x\n"
    err = reject([("journal_entries.csv", text)])
    assert err.line == 5 and "7 fields" in err.reason


def test_row_cut_short():
    text = fx.csv_text(fx.CYCLES_26, fx.cycles_rows()) + "2024-03-07 23:00:00,2024-03-08 00:00:00\n"
    err = reject([("physiological_cycles.csv", text)])
    assert err.line == 7 and "2 fields" in err.reason and "cut short" in err.reason


def test_unterminated_quote():
    text = fx.csv_text(fx.JOURNAL_6, fx.journal_rows()[:3]) + \
        '2024-03-10 23:05:00,,UTCZ,Q?,false,"never closed\n'
    err = reject([("journal_entries.csv", text)])
    assert "quoting" in err.reason and err.line == 5


def test_required_time_empty():
    rows = fx.workouts_rows()
    rows[1] = {**rows[1], "Workout start time": ""}
    err = reject([("workouts.csv", fx.csv_text(fx.WORKOUTS_17, rows)),
                  ("sleeps.csv", fx.csv_text(fx.SLEEPS_18, fx.sleeps_rows()))])
    assert (err.file, err.line, err.column) == ("workouts.csv", 3, "Workout start time")


def test_time_without_timezone():
    text = fx.csv_text(fx.CYCLES_26, cycles_with(**{"Cycle timezone": ""}))
    err = reject([("physiological_cycles.csv", text)])
    assert (err.line, err.column) == (4, "Cycle timezone")


def test_not_utf8():
    text = fx.csv_text(fx.JOURNAL_6, fx.journal_rows()[:3]) + \
        "2024-03-10 23:05:00,,UTCZ,Caf\xe9?,false,\n"
    err = reject([("sleeps.csv", fx.csv_text(fx.SLEEPS_18, fx.sleeps_rows())),
                  ("journal_entries.csv", text.encode("latin-1"))])
    assert (err.file, err.line) == ("journal_entries.csv", 5) and "UTF-8" in err.reason


def test_only_journal_is_not_enough():
    err = reject([("journal_entries.csv", fx.csv_text(fx.JOURNAL_6, fx.journal_rows()))])
    assert "physiological_cycles.csv or sleeps.csv" in err.reason


def test_two_files_of_one_kind():
    text = fx.csv_text(fx.SLEEPS_18, fx.sleeps_rows())
    err = reject([("sleeps.csv", text), ("sleeps (1).csv", text)])
    assert "two files hold sleeps" in err.reason and err.file == "sleeps (1).csv"


def test_zip_bomb_guard(monkeypatch):
    monkeypatch.setattr(sources, "MAX_MEMBER_BYTES", 1 << 20)
    err = reject([("bomb.zip", fx.zip_bytes({"sleeps.csv": b"0" * (2 << 20)}))])
    assert err.file == "bomb.zip:sleeps.csv" and "limit" in err.reason


def test_missing_path(tmp_path):
    with pytest.raises(ExportFormatError) as info:
        read_export([tmp_path / "nope.zip"])
    assert info.value.file.endswith("nope.zip") and "no such file" in info.value.reason


def test_folder_without_csv(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ExportFormatError) as info:
        read_export([tmp_path / "empty"])
    assert "holds no CSV" in info.value.reason


def test_gdpr_folder_without_standard_names(tmp_path):
    """A privacy download holds cycles.csv / metrics.csv (no Data Export name): still named."""
    folder = fx.write_folder(tmp_path / "Health", {
        "cycles.csv": '"id","created_at","during"\n"1","2022-12-09T10:36:32.344+0000","x"\n',
        "metrics.csv": '"hr","accel_x","ts"\n"60","0.1","2022-12-09T10:36:32.344+0000"\n'})
    with pytest.raises(ExportFormatError) as info:
        read_export([folder])
    assert info.value.file == "Health/cycles.csv" and "GDPR" in info.value.reason
