"""whoop.timezones: the one reader of WHOOP's UTC offsets, in the API's and the export's spelling,
and the two writers (docs/WHOOP.md#timestamps-and-offsets)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from whoop.errors import ApiError, ExportFormatError
from whoop.export.table import RawTable, tz_offset_min
from whoop.sync import mapping
from whoop.timezones import export_timezone, offset_minutes, tzd


@pytest.mark.parametrize(("text", "minutes"), [
    ("Z", 0), ("+00:00", 0), ("-05:00", -300), ("+05:30", 330), ("+05:45", 345), ("-09:30", -570),
    ("+14:00", 840), ("-12:00", -720), ("+0530", 330), ("+02", 120), (" +01:00 ", 60), ("z", 0),
])
def test_api_offsets(text, minutes):
    assert offset_minutes(text) == minutes


@pytest.mark.parametrize(("text", "minutes"), [
    ("UTCZ", 0), ("UTC-05:00", -300), ("UTC+05:30", 330), ("UTC+00:00", 0), ("UTC+0100", 60),
    ("UTC+14:00", 840),
])
def test_export_offsets(text, minutes):
    assert offset_minutes(text, export=True) == minutes


@pytest.mark.parametrize("text", [None, ""])
def test_missing_is_none(text):
    assert offset_minutes(text) is None
    assert offset_minutes(text, export=True) is None


@pytest.mark.parametrize("text", ["+ab:cd", "05:00", "+5:00", "+05:60", "+15:00", "-14:30",
                                  "UTC+01:00", "GMT", "Europe/Berlin", "+01:00:00", "Z+01:00"])
def test_bad_api_offsets_raise(text):
    with pytest.raises(ValueError, match="not a UTC offset"):
        offset_minutes(text)


@pytest.mark.parametrize("text", ["+01:00", "Z", "UTC", "UTC+1", "UTC+01", "GMT+01:00", "utcz",
                                  " UTCZ", "UTC+15:00", "UTC+01:75", "Europe/Berlin"])
def test_bad_export_offsets_raise(text):
    with pytest.raises(ValueError, match="not a UTC offset"):
        offset_minutes(text, export=True)


@pytest.mark.parametrize(("minutes", "api", "export"), [
    (0, "Z", "UTCZ"), (-300, "-05:00", "UTC-05:00"), (330, "+05:30", "UTC+05:30"),
    (-570, "-09:30", "UTC-09:30"), (840, "+14:00", "UTC+14:00"),
])
def test_writers_and_round_trip(minutes, api, export):
    assert tzd(minutes) == api and export_timezone(minutes) == export
    assert offset_minutes(api) == offset_minutes(export, export=True) == minutes


def _table(values: list[str]) -> RawTable:
    return RawTable(file="x.zip:physiological_cycles.csv", kind="cycles",
                    columns={"Cycle timezone": pd.Series(values, dtype="string")},
                    lines=np.arange(2, 2 + len(values)))


def test_the_export_reader_uses_it_and_names_the_line():
    assert tz_offset_min(_table(["UTC+05:30", "UTCZ", "", "UTC-05:00"])).tolist() == [
        330, 0, pd.NA, -300]
    with pytest.raises(ExportFormatError) as err:
        tz_offset_min(_table(["UTCZ", "UTC+01:00", "+01:00"]))
    assert (err.value.line, err.value.column) == (4, "Cycle timezone")


def test_the_api_mapping_uses_it_and_names_the_record():
    rec = {"id": 7, "user_id": 1, "start": "2024-01-01T22:00:00.000Z",
           "end": "2024-01-02T22:00:00.000Z", "timezone_offset": "+05:30",
           "score_state": "PENDING_SCORE"}
    frame = mapping.cycles([rec], "run 1")
    assert frame["tz_offset_min"].tolist() == [330]
    with pytest.raises(ApiError, match="id 7"):
        mapping.cycles([{**rec, "timezone_offset": "+05:75"}], "run 1")
