"""Containers and header variants of the WHOOP export (docs/WHOOP.md "The Data Export"), on
generated fixtures."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest

from tests import export_fixtures as fx
from whoop import schema
from whoop.export import ExportData, read_export, read_export_files


def assert_rows(data: ExportData, variant: str = "current") -> None:
    """Every table of ``data`` holds exactly the rows, every column, worked out by hand for the
    invented export (:func:`tests.export_fixtures.expected_frames`)."""
    expected = fx.expected_frames(data.files, variant)
    assert list(data.frames()) == list(expected)
    for name, frame in data.frames().items():
        pd.testing.assert_frame_equal(frame, expected[name], obj=name)


def test_zip_at_root(tmp_path):
    path = fx.write_zip(tmp_path / "my_whoop_data_2024_03_13.zip", fx.export_csvs())
    data = read_export([path])
    assert_rows(data)
    assert data.files == {
        "cycles": "my_whoop_data_2024_03_13.zip:physiological_cycles.csv",
        "sleeps": "my_whoop_data_2024_03_13.zip:sleeps.csv",
        "workouts": "my_whoop_data_2024_03_13.zip:workouts.csv",
        "journal": "my_whoop_data_2024_03_13.zip:journal_entries.csv",
    }
    assert set(data.sleeps["source_ref"]) == {"my_whoop_data_2024_03_13.zip:sleeps.csv"}
    assert set(data.cycles["source"]) == {"export"}


def test_frames_are_conformed_in_schema_order(tmp_path):
    data = read_export([fx.write_zip(tmp_path / "e.zip", fx.export_csvs())])
    assert list(data.frames()) == list(schema.TABLES)
    for name, frame in data.frames().items():
        assert list(frame.columns) == list(schema.TABLES[name])
        assert [str(t) for t in frame.dtypes] == [str(t) for t in schema.conform(frame, name).dtypes]


def test_gzip_wrapped_zip_sniffed_by_magic_not_name(tmp_path):
    path = fx.write_gzip_zip(tmp_path / "download.bin", fx.export_csvs())
    assert_rows(read_export([path]))


def test_zip_with_subfolder_and_odd_case(tmp_path):
    files = {name.upper(): text for name, text in fx.export_csvs().items()}
    files["README.txt"] = "not a csv"
    path = fx.write_zip(tmp_path / "e.zip", files, folder="my_whoop_data_2024_03_13")
    data = read_export([str(path)])
    assert_rows(data)
    assert data.files["sleeps"] == "e.zip:my_whoop_data_2024_03_13/SLEEPS.CSV"


def test_zip_skips_macos_resource_forks(tmp_path):
    files = {**fx.export_csvs(), "__MACOSX/._sleeps.csv": b"\x00\x05\x16\x07binary"}
    assert_rows(read_export([fx.write_zip(tmp_path / "e.zip", files)]))


def test_unzipped_folder_files_found_anywhere(tmp_path):
    files = {f"inner/deeper/{name}": text for name, text in fx.export_csvs().items()}
    folder = fx.write_folder(tmp_path / "my_whoop_data_2024_03_13", files)
    data = read_export([folder])
    assert_rows(data)
    assert data.files["cycles"] == "my_whoop_data_2024_03_13/inner/deeper/physiological_cycles.csv"


def test_folder_ignores_stray_csv_with_warning(tmp_path):
    files = {**fx.export_csvs(), "notes/shopping.csv": "item,price\nbread,2\n"}
    data = read_export([fx.write_folder(tmp_path / "x", files)])
    assert_rows(data)
    assert any("skipped x/notes/shopping.csv" in w for w in data.warnings)


def test_loose_csvs_and_mix_of_zip_and_csv(tmp_path):
    csvs = fx.export_csvs()
    loose = fx.write_folder(tmp_path / "loose", csvs)
    data = read_export([loose / name for name in csvs])
    assert_rows(data)
    assert data.files["journal"] == "journal_entries.csv"
    part = fx.write_zip(tmp_path / "part.zip", {k: v for k, v in csvs.items()
                                                if k != "journal_entries.csv"})
    mixed = read_export([part, loose / "journal_entries.csv"])
    assert_rows(mixed)


def test_kind_detected_from_header_when_name_unknown(tmp_path):
    renamed = {f"export_part_{i}.csv": text for i, text in enumerate(fx.export_csvs().values())}
    folder = fx.write_folder(tmp_path / "f", renamed)
    data = read_export(sorted(folder.iterdir()))
    assert_rows(data)
    assert data.files["workouts"] == "export_part_2.csv"


def test_uploads_one_zip_gzip_or_loose_csvs():
    csvs = fx.export_csvs()
    assert_rows(read_export_files([("e.zip", fx.zip_bytes(csvs))]))
    assert_rows(read_export_files([("e.zip.gz", gzip.compress(fx.zip_bytes(csvs)))]))
    loose = read_export_files([(name, text.encode()) for name, text in csvs.items()])
    assert_rows(loose)
    assert loose.files["sleeps"] == "sleeps.csv"


@pytest.mark.parametrize("variant", ["current", "legacy"])
def test_header_variants(tmp_path, variant):
    """cycles 26/25, sleeps 18/17, workouts 17/20 columns (docs/WHOOP.md#headers)."""
    data = read_export([fx.write_zip(tmp_path / "e.zip", fx.export_csvs(variant))])
    assert_rows(data, variant)
    consistency = data.sleeps.set_index("start_utc")["sleep_consistency_pct"]
    onset = pd.Timestamp("2024-03-12 22:10:00", tz="UTC")
    if variant == "current":
        assert consistency[onset] == 77.0
    else:
        assert consistency.isna().all()
    run = data.workouts[data.workouts["sport_name"] == "Running"].iloc[0]
    if variant == "legacy":
        assert (run["distance_m"], run["altitude_gain_m"], run["altitude_change_m"]) == (
            10234.5, 85.2, -3.4)
    else:
        assert pd.isna(run["distance_m"]) and pd.isna(run["altitude_change_m"])
    assert data.warnings == [
        "1 exact duplicate journal rows dropped from e.zip:journal_entries.csv",
        "2 journal rows without a cycle kept as orphans (e.zip:journal_entries.csv)",
        "1 journal rows in e.zip:journal_entries.csv answer the same question for the same cycle "
        "as a later row with a different answer or note; kept the last",
    ]


def test_columns_mapped_by_name_not_position(tmp_path):
    header = list(reversed(fx.CYCLES_26))
    text = fx.csv_text(header, fx.cycles_rows())
    data = read_export_files([("physiological_cycles.csv", text.encode())])
    normal = read_export_files([("physiological_cycles.csv",
                                 fx.csv_text(fx.CYCLES_26, fx.cycles_rows()).encode())])
    pd.testing.assert_frame_equal(data.cycles, normal.cycles)
    pd.testing.assert_frame_equal(data.recoveries, normal.recoveries)


def test_unknown_extra_column_tolerated_with_warning(tmp_path):
    header = fx.WORKOUTS_17 + ["Source"]
    rows = [{**r, "Source": "noop"} for r in fx.workouts_rows()]
    files = {**fx.export_csvs(kinds=("cycles",)), "workouts.csv": fx.csv_text(header, rows)}
    data = read_export_files([(n, t.encode()) for n, t in files.items()])
    pd.testing.assert_frame_equal(data.workouts, fx.expected_frames(data.files)["workouts"])
    assert "unknown extra column 'Source' in workouts.csv (ignored)" in data.warnings


def test_spanish_headers(tmp_path):
    text = fx.csv_text(fx.CYCLES_26, fx.cycles_rows(), names=fx.CYCLES_ES)
    journal = fx.csv_text(fx.JOURNAL_6, fx.journal_rows(), names=fx.JOURNAL_ES)
    es = read_export_files([("physiological_cycles.csv", text.encode()),
                            ("journal_entries.csv", journal.encode())])
    en = read_export_files([(n, t.encode()) for n, t in
                            fx.export_csvs(kinds=("cycles", "journal")).items()])
    pd.testing.assert_frame_equal(es.cycles, en.cycles)
    pd.testing.assert_frame_equal(es.recoveries, en.recoveries)
    pd.testing.assert_frame_equal(es.sleeps, en.sleeps)
    pd.testing.assert_frame_equal(es.journal, en.journal)
    assert es.warnings == en.warnings


def test_bom_crlf_no_final_newline(tmp_path):
    plain = read_export_files([(n, t.encode()) for n, t in fx.export_csvs().items()])
    odd = read_export_files([(n, t.encode()) for n, t in
                             fx.export_csvs(crlf=True, bom=True, final_newline=False).items()])
    for name in schema.TABLES:
        pd.testing.assert_frame_equal(plain.frames()[name], odd.frames()[name])
    # the quoted multi-line note keeps its own line breaks
    assert fx.NOTE_MULTILINE in set(odd.journal["notes"].dropna())


def test_spreadsheet_true_false_case_insensitive():
    rows = [{**r, "Nap": r["Nap"].upper()} for r in fx.sleeps_rows()]
    text = fx.csv_text(fx.SLEEPS_18, rows)
    data = read_export_files([("sleeps.csv", text.encode())])
    assert data.sleeps["nap"].tolist() == [False, True, False, False, False]


def test_optional_files_absent(tmp_path):
    data = read_export([fx.write_folder(tmp_path / "f", fx.export_csvs(kinds=("cycles", "sleeps")))])
    assert len(data.workouts) == 0 and len(data.journal) == 0
    assert list(data.workouts.columns) == list(schema.WORKOUTS)
    assert "no workouts file in the export; that table stays empty" in data.warnings
    only_sleeps = read_export_files([("sleeps.csv", fx.export_csvs()["sleeps.csv"].encode())])
    assert len(only_sleeps.cycles) == 0
    pd.testing.assert_frame_equal(only_sleeps.sleeps, fx.expected_frames(only_sleeps.files)["sleeps"])


def test_header_normalization_folds_accents_nbsp_and_quotes():
    from whoop.export.headers import ALIASES, normalize

    assert normalize("Zone FC 1\u00a0%") == "zone_fc_1_pct"
    assert ALIASES[normalize("Zone FC 1\u00a0%")] == "HR Zone 1 %"
    assert ALIASES[normalize('Respondió "Sí"')] == "Answered yes"
    assert ALIASES[normalize("Heure de début de l’entraînement")] == "Workout start time"
    assert ALIASES[normalize("Heure de début de l'entraînement")] == "Workout start time"


def test_german_sleeps_file_name_and_header(tmp_path):
    """German names reconstructed from the alias keys of docs/WHOOP.md#files-and-containers (no raw
    file seen)."""
    de = {"Cycle start time": "Startzeit des Zyklus", "Cycle end time": "Endzeit des Zyklus",
          "Cycle timezone": "Zeitzone des Zyklus", "Sleep onset": "Beginn des Schlafs",
          "Wake onset": "Beginn des Aufwachens", "Sleep performance %": "Schlafleistung %",
          "Respiratory rate (rpm)": "Atemfrequenz (Atemzüge/min)",
          "Asleep duration (min)": "Schlafdauer (min)", "In bed duration (min)": "Dauer im Bett (min)",
          "Light sleep duration (min)": "Dauer des Leichtschlafs (min)",
          "Deep (SWS) duration (min)": "Dauer des Tiefschlafs (min)",
          "REM duration (min)": "Dauer des REM-Schlafs (min)",
          "Awake duration (min)": "Dauer des Aufwachens (min)",
          "Sleep need (min)": "Schlafbedarf (min)", "Sleep debt (min)": "Schlafdefizit (min)",
          "Sleep efficiency %": "Schlafeffizienz %", "Sleep consistency %": "Schlafbeständigkeit %",
          "Nap": "Nickerchen"}
    text = fx.csv_text(fx.SLEEPS_18, fx.sleeps_rows(), names=[de[c] for c in fx.SLEEPS_18])
    folder = fx.write_folder(tmp_path / "export", {"Schlaf.csv": text})
    german = read_export([folder])
    english = read_export_files([("sleeps.csv", fx.export_csvs()["sleeps.csv"].encode())])
    assert german.files == {"sleeps": "export/Schlaf.csv"}
    pd.testing.assert_frame_equal(german.sleeps.drop(columns="source_ref"),
                                  english.sleeps.drop(columns="source_ref"))
