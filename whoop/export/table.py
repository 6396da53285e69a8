"""One export CSV -> a :class:`RawTable` of text columns keyed by canonical header, plus the
vectorized field parsers (timestamps, offsets, numbers, booleans) that report the physical line
and column of the first bad value.

Formats (EXPORT.md 3.1, 3.5): UTF-8 (BOM stripped), RFC 4180 quoting with embedded newlines,
LF or CRLF; timestamps ``YYYY-MM-DD HH:MM:SS`` in local wall-clock time; offsets ``UTC+HH:MM``,
``UTC-HH:MM`` or ``UTCZ`` (= +00:00); ``.`` decimals; ``true``/``false``; empty = missing.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import NoReturn

import numpy as np
import pandas as pd

from whoop.errors import ExportFormatError
from whoop.export import headers as H


@dataclass
class RawTable:
    """A parsed CSV: ``columns`` maps canonical header -> text Series ("" = missing);
    ``lines`` holds each row's first physical line (header = 1)."""

    file: str
    kind: str
    columns: dict[str, pd.Series]
    lines: np.ndarray
    extra: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.lines)

    def line_of(self, pos: int) -> int:
        return int(self.lines[pos])

    def has(self, col: str) -> bool:
        return col in self.columns


def decode(data: bytes, file: str) -> str:
    """Bytes -> text (UTF-8, BOM stripped).

    Raises:
        ExportFormatError: empty file, UTF-16 or non-UTF-8 bytes.
    """
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise ExportFormatError("this file is UTF-16 text (a spreadsheet 'Unicode text' save): "
                                + H.REEXPORT + ", or save as 'CSV UTF-8'", file=file)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise ExportFormatError(
            f"the file is not UTF-8 text (byte {err.start}); it was probably re-saved by a "
            f"spreadsheet in another encoding: {H.REEXPORT}, or save as 'CSV UTF-8'",
            file=file, line=line) from None
    if not text.strip():
        raise ExportFormatError("the file is empty: " + H.REEXPORT, file=file)
    return text


def read_header(text: str, file: str) -> list[str]:
    """The header cells of ``text`` (first CSV record).

    Raises:
        ExportFormatError: ``;``/tab separated header.
    """
    first = text.split("\n", 1)[0].rstrip("\r")
    H.check_header_line(first, file)
    return next(csv.reader(io.StringIO(text, newline="")), [])


def read_table(text: str, file: str, kind: str, header: list[str]) -> RawTable:
    """Parse a whole CSV whose header maps to ``kind``.

    Returns:
        RawTable with one text Series per known column (by canonical name, never position).
    Raises:
        ExportFormatError: duplicate or missing required column, broken quoting, a row with
            more fields than the header.
    """
    mapped = H.map_header(header)
    seen: dict[str, int] = {}
    extra: list[str] = []
    for pos, (raw, canon) in enumerate(zip(header, mapped)):
        if canon is None or canon not in H.CANONICAL[kind]:
            if raw.strip():
                extra.append(raw.strip())
            continue
        if canon in seen:
            raise ExportFormatError(f"the column appears twice in the header ({header[seen[canon]]!r} "
                                    f"and {raw!r}); {H.REEXPORT}", file=file, line=1, column=raw)
        seen[canon] = pos
    missing = [c for c in H.required(kind) if c not in seen]
    if missing:
        names = ", ".join(f"'{c}'" for c in missing)
        raise ExportFormatError(
            f"the {kind} header lacks required column{'s' if len(missing) > 1 else ''} {names}; "
            f"the file may be edited or cut: {H.REEXPORT}", file=file, line=1, column=missing[0])

    width = len(header)
    rows: list[list[str]] = []
    lines: list[int] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    prev = 0
    try:
        next(reader)
        prev = reader.line_num
        for row in reader:
            start, prev = prev + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue  # blank line (spreadsheet re-saves)
            if len(row) != width:
                if len(row) > width and not any(c.strip() for c in row[width:]):
                    row = row[:width]  # trailing empty cells of a spreadsheet re-save
                else:
                    raise ExportFormatError(
                        f"this row has {len(row)} fields but the header has {width}; the file is cut "
                        f"short or a text field lost its quotes: {H.REEXPORT}", file=file, line=start)
            rows.append(row)
            lines.append(start)
    except csv.Error as err:
        raise ExportFormatError(f"broken CSV quoting ({err}); {H.REEXPORT}", file=file,
                                line=reader.line_num) from None

    cols = list(zip(*rows)) if rows else [()] * width
    columns = {}
    for canon, pos in seen.items():
        values = pd.Series(cols[pos], dtype="str")
        columns[canon] = values if canon == "Notes" else values.str.strip()  # notes verbatim
    return RawTable(file, kind, columns, np.asarray(lines, dtype=np.int64), extra)


# ---------------------------------------------------------------------------- field parsers

def _fail(t: RawTable, col: str, bad: pd.Series | np.ndarray, why: str) -> NoReturn:
    """Raise for the first ``bad`` row, naming file, physical line, column and value."""
    pos = int(np.flatnonzero(np.asarray(bad))[0])
    value = t.columns[col].iloc[pos]
    raise ExportFormatError(f"{why} (got {value!r})", file=t.file, line=t.line_of(pos), column=col)


def _present(s: pd.Series) -> np.ndarray:
    return (s != "").to_numpy(dtype=bool)


def number(t: RawTable, col: str) -> pd.Series:
    """float64 values of a numeric column (NaN when empty or the column is absent).

    Raises:
        ExportFormatError: a decimal comma (``12,5``) or any other non-numeric value.
    """
    if col not in t.columns:
        return pd.Series(np.nan, index=range(len(t)), dtype="float64")
    s = t.columns[col]
    present = _present(s)
    values = pd.to_numeric(s.where(present, None), errors="coerce").astype("float64")
    bad = present & ~np.isfinite(values.to_numpy())
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        if re.fullmatch(r"-?\d+,\d+", s.iloc[pos]):
            _fail(t, col, bad, "a decimal comma in a number: WHOOP writes '.' decimals, so this "
                  "file was re-saved by a spreadsheet with another locale; " + H.REEXPORT)
        _fail(t, col, bad, "not a number")
    return values


def boolean(t: RawTable, col: str) -> pd.Series:
    """``boolean`` values of a ``true``/``false`` column (case-insensitive; empty -> <NA>).

    Raises:
        ExportFormatError: any other value.
    """
    if col not in t.columns:
        return pd.Series(pd.NA, index=range(len(t)), dtype="boolean")
    low = t.columns[col].str.lower()
    out = low.map({"true": True, "false": False, "": pd.NA}).astype("boolean")
    bad = (out.isna() & (low != "")).to_numpy()
    if bad.any():
        _fail(t, col, bad, "expected true or false")
    return out


_TZ = re.compile(r"UTC(?:(Z)|([+-])(\d{2}):?(\d{2}))")


def tz_offset_min(t: RawTable, col: str = "Cycle timezone") -> pd.Series:
    """``Int64`` offsets in minutes from ``UTC±HH:MM`` / ``UTCZ`` (EXPORT.md 3.1); <NA> if empty.

    Raises:
        ExportFormatError: any other token (``GMT+1``, ``Europe/Berlin``, ``+01:00`` ...).
    """
    s = t.columns[col]
    table: dict[str, object] = {"": pd.NA}
    for token in s.unique():
        if token in table:
            continue
        m = _TZ.fullmatch(token)
        if not m or (m.group(2) and (int(m.group(3)) > 14 or int(m.group(4)) >= 60)):
            bad = (s == token).to_numpy()
            _fail(t, col, bad, "a timezone WHOOP does not write: expected UTC+HH:MM, UTC-HH:MM "
                  "or UTCZ; " + H.REEXPORT)
        table[token] = 0 if m.group(1) else (1 if m.group(2) == "+" else -1) * (
            int(m.group(3)) * 60 + int(m.group(4)))
    return s.map(table).astype("Int64")


_SLASH_DATE = re.compile(r"\d{1,2}[/.]\d{1,2}[/.]\d{2,4}.*")


def local_time(t: RawTable, col: str) -> pd.Series:
    """Naive ``datetime64`` wall-clock values of a ``YYYY-MM-DD HH:MM:SS`` column (NaT if empty).

    Raises:
        ExportFormatError: any other form, naming M/D/YYYY and D/M/YYYY spreadsheet dates.
    """
    s = t.columns[col]
    present = _present(s)
    shaped = s.str.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}").to_numpy(dtype=bool)
    values = pd.to_datetime(s.where(present & shaped, None), format="%Y-%m-%d %H:%M:%S",
                            errors="coerce")
    bad = present & values.isna().to_numpy()
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        if _SLASH_DATE.fullmatch(s.iloc[pos]):
            _fail(t, col, bad, "a spreadsheet date (M/D/YYYY or D/M/YYYY): WHOOP writes "
                  "'YYYY-MM-DD HH:MM:SS', so this file was re-saved by a spreadsheet; "
                  + H.REEXPORT + " and upload it unchanged")
        _fail(t, col, bad, "not a timestamp of the form YYYY-MM-DD HH:MM:SS; " + H.REEXPORT)
    return values.astype("datetime64[us]")


def utc_time(t: RawTable, col: str, offset_min: pd.Series, *, required: bool = False) -> pd.Series:
    """UTC instants of a local wall-clock column: local - offset (EXPORT.md 3.1).

    Returns ``datetime64[us, UTC]``; NaT where the field is empty.
    Raises:
        ExportFormatError: bad timestamp; empty value when ``required``; a time without a timezone.
    """
    local = local_time(t, col)
    missing = local.isna().to_numpy()
    if required and missing.any():
        _fail(t, col, missing, "this required time is empty; " + H.REEXPORT)
    no_tz = (~missing) & offset_min.isna().to_numpy()
    if no_tz.any():
        pos = int(np.flatnonzero(no_tz)[0])
        raise ExportFormatError("the row has a time but an empty 'Cycle timezone'; " + H.REEXPORT,
                                file=t.file, line=t.line_of(pos), column="Cycle timezone")
    delta = pd.to_timedelta(offset_min.astype("float64"), unit="min")
    return (local - delta).dt.tz_localize("UTC")
