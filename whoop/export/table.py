"""One export CSV -> a :class:`RawTable` of text columns keyed by canonical header, plus the
vectorized field parsers (timestamps, offsets, numbers, booleans) that report the physical line
and column of the first bad value.

Formats (docs/WHOOP.md#csv-format, docs/WHOOP.md#timestamps-and-offsets): UTF-8 (BOM stripped), RFC
4180 quoting with embedded newlines, LF or CRLF; timestamps ``YYYY-MM-DD HH:MM:SS`` in local
wall-clock time; offsets ``UTC+HH:MM``, ``UTC-HH:MM`` or ``UTCZ`` (= +00:00); ``.`` decimals;
``true``/``false``; empty = missing.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, NoReturn

import numpy as np
import pandas as pd

from whoop.errors import ExportFormatError
from whoop.export import headers as H
from whoop.timezones import offset_minutes


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


#: Longest field accepted, in characters. WHOOP's longest fields are journal notes (a few
#: sentences typed on a phone) and activity names; 10,000 characters is pages of text, so a
#: longer field means the file is not a WHOOP export (or a text field lost its quotes).
MAX_FIELD_CHARS = 10_000
#: Most data rows accepted per file kind. Generous: a cycle a day for 270 years; sleeps and
#: workouts several a day for a century; a journal of 80 answers a day for a century (people
#: answer about 30). Past these the file is not one WHOOP export; the cap bounds the time,
#: disk and memory an import can take (bench/bench_import_memory.py: 2.5 million journal rows
#: in under 500 MB).
MAX_ROWS: dict[str, int] = {"cycles": 100_000, "sleeps": 200_000, "workouts": 200_000,
                            "journal": 3_000_000}
#: Cells per chunk when a file is read in chunks (rows per chunk = this / columns): about 6 MB
#: of text per chunk, so memory stays flat whatever the file's size.
CHUNK_CELLS = 120_000
#: Longest physical line read at once; a longer line cannot be a row within MAX_FIELD_CHARS.
MAX_LINE_CHARS = 1 << 20
_HEAD_BYTES = 1 << 16


class CsvFile:
    """One export CSV, read as a stream in chunks so that memory does not grow with its size.

    ``opener`` returns a fresh binary stream of the file (each read starts again from byte 0);
    ``file`` is its display name for messages. Text rules (docs/WHOOP.md#csv-format): UTF-8, BOM
    stripped, RFC 4180 quoting with embedded newlines, LF, CRLF or CR line ends.
    """

    def __init__(self, opener: Callable[[], IO[bytes]], file: str) -> None:
        self.opener, self.file = opener, file

    # -- text ------------------------------------------------------------------------------
    def _text(self) -> IO[str]:
        """The file as text (UTF-8, BOM stripped, newlines untranslated).

        Raises:
            ExportFormatError: UTF-16 text.
        """
        raw = self.opener()
        head = raw.peek(2)[:2] if hasattr(raw, "peek") else b""
        if head in (b"\xff\xfe", b"\xfe\xff"):
            raw.close()
            raise ExportFormatError("this file is UTF-16 text (a spreadsheet 'Unicode text' save): "
                                    + H.REEXPORT + ", or save as 'CSV UTF-8'", file=self.file)
        return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")

    def _decode_error(self) -> NoReturn:
        """Find the first byte that is not UTF-8 (reading the file again, line by line) and
        raise the message naming its byte offset (after any BOM) and physical line."""
        offset, line = 0, 1
        with self.opener() as raw:
            first = True
            for chunk in raw:                       # split on b"\n": never inside a UTF-8 char
                if first and chunk.startswith(b"\xef\xbb\xbf"):
                    chunk = chunk[3:]
                first = False
                try:
                    chunk.decode("utf-8")
                except UnicodeDecodeError as err:
                    raise ExportFormatError(
                        f"the file is not UTF-8 text (byte {offset + err.start}); it was probably "
                        f"re-saved by a spreadsheet in another encoding: {H.REEXPORT}, or save as "
                        "'CSV UTF-8'", file=self.file, line=line) from None
                offset += len(chunk)
                line += 1
        raise ExportFormatError("the file is not UTF-8 text; " + H.REEXPORT, file=self.file)

    def _lines(self, text: IO[str]) -> Iterator[str]:
        number = 0
        while True:
            try:
                line = text.readline(MAX_LINE_CHARS)
            except UnicodeDecodeError:
                self._decode_error()
            if not line:
                return
            number += 1
            if len(line) >= MAX_LINE_CHARS and not line.endswith(("\n", "\r")):
                raise ExportFormatError(f"this line is longer than {MAX_LINE_CHARS:,} characters; "
                                        f"no WHOOP export has such lines: {H.REEXPORT}",
                                        file=self.file, line=number)
            yield line

    # -- header ----------------------------------------------------------------------------
    def header(self) -> list[str]:
        """The header cells (first CSV record).

        Raises:
            ExportFormatError: empty file, UTF-16 or non-UTF-8 bytes, ``;``/tab separated header.
        """
        with self._text() as text:
            lines = self._lines(text)
            first = next(lines, "")
            if not first.strip() and not any(line.strip() for line in lines):
                raise ExportFormatError("the file is empty: " + H.REEXPORT, file=self.file)
            H.check_header_line(first.split("\n", 1)[0].rstrip("\r"), self.file)
            return next(csv.reader(itertools.chain([first], lines)), [])

    # -- rows ------------------------------------------------------------------------------
    def chunks(self, kind: str, header: list[str], chunk_rows: int | None = None
               ) -> Iterator[RawTable]:
        """The data rows of a file whose header maps to ``kind``, as RawTables of at most
        ``chunk_rows`` rows (default ``CHUNK_CELLS // columns``), each with the physical line of
        its rows (counted across chunks, header = 1). The first chunk's ``extra`` lists the
        header cells that are not columns of ``kind``; every chunk has every known column.

        Raises:
            ExportFormatError: duplicate or missing required column, broken quoting, a row with
                more fields than the header, a field longer than MAX_FIELD_CHARS, more than
                ``MAX_ROWS[kind]`` rows, non-UTF-8 bytes.
        """
        seen, extra = _columns(header, self.file, kind)
        width = len(header)
        size = chunk_rows or max(1_000, CHUNK_CELLS // max(width, 1))
        limit = MAX_ROWS[kind]
        rows: list[list[str]] = []
        lines: list[int] = []
        count = 0
        with self._text() as text:
            reader = csv.reader(self._lines(text), strict=True)
            try:
                next(reader, None)
            except csv.Error as err:
                raise self._reading_error(err, reader.line_num) from None
            prev = reader.line_num
            while True:
                # Rows are read in batches at C speed and checked as a whole; a batch with a
                # blank, short or long row (or past the row limit) is checked row by row.
                batch: list[list[str]] = []
                failure: Exception | None = None
                try:
                    batch.extend(itertools.islice(reader, size))
                except (csv.Error, ExportFormatError) as err:
                    failure = err               # the rows before it are checked first
                if not batch and failure is None:
                    break
                first, prev = prev + 1, reader.line_num
                starts = (list(range(first, prev + 1)) if prev - first + 1 == len(batch)
                          and failure is None else _row_starts(batch, first))
                kept, kept_lines = self._accept(batch, starts, width, count, limit)
                count += len(kept)
                rows.extend(kept)
                lines.extend(kept_lines)
                while len(rows) >= size:
                    yield _table(self.file, kind, seen, rows[:size], lines[:size], width, extra)
                    rows, lines, extra = rows[size:], lines[size:], []
                if failure is not None:
                    raise self._reading_error(failure, reader.line_num) from None
        if rows or count == 0:
            yield _table(self.file, kind, seen, rows, lines, width, extra)

    def _accept(self, batch: list[list[str]], starts: list[int], width: int, count: int,
                limit: int) -> tuple[list[list[str]], list[int]]:
        """The rows of ``batch`` to keep and their first physical lines: blank rows (every cell
        empty or spaces: spreadsheet re-saves) dropped, trailing empty cells past the header's
        width cut (idem). ``count`` rows were kept before this batch.

        Raises:
            ExportFormatError: the first row with another number of fields than ``width``, or
                the row past ``limit`` (MAX_ROWS), whichever comes first.
        """
        if (count + len(batch) <= limit and set(map(len, batch)) == {width}
                and not any(not j or j.isspace() for j in map("".join, batch))):
            return batch, starts
        rows: list[list[str]] = []
        lines: list[int] = []
        for row, start in zip(batch, starts, strict=False):
            if not any(cell.strip() for cell in row):
                continue  # blank line (spreadsheet re-saves)
            if len(row) != width:
                if len(row) > width and not any(c.strip() for c in row[width:]):
                    row = row[:width]  # trailing empty cells of a spreadsheet re-save
                else:
                    raise ExportFormatError(
                        f"this row has {len(row)} fields but the header has {width}; the "
                        "file is cut short or a text field lost its quotes: "
                        + H.REEXPORT, file=self.file, line=start)
            if count + len(rows) >= limit:
                raise ExportFormatError(
                    f"the file has more than {limit:,} rows, more than decades of WHOOP "
                    f"data; pass one WHOOP export, not a joined or generated file",
                    file=self.file, line=start)
            rows.append(row)
            lines.append(start)
        return rows, lines

    def _reading_error(self, err: Exception, line: int) -> ExportFormatError:
        """The message for an error met while reading rows (``line``: the reader's line)."""
        if isinstance(err, ExportFormatError):
            return err
        if "field larger than field limit" in str(err):
            return ExportFormatError(
                f"a field is longer than {MAX_FIELD_CHARS:,} characters; no WHOOP export "
                f"field is that long: {H.REEXPORT}", file=self.file, line=line)
        return ExportFormatError(f"broken CSV quoting ({err}); {H.REEXPORT}", file=self.file,
                                 line=line)

    def read_table(self, kind: str, header: list[str]) -> RawTable:
        """The whole file as one RawTable (read in chunks, joined). Raises as :meth:`chunks`."""
        parts = list(self.chunks(kind, header))
        if len(parts) == 1:
            return parts[0]
        columns = {c: pd.concat([p.columns[c] for p in parts], ignore_index=True)
                   for c in parts[0].columns}
        return RawTable(self.file, kind, columns, np.concatenate([p.lines for p in parts]),
                        parts[0].extra)


def _row_starts(rows: list[list[str]], first: int) -> list[int]:
    """The first physical line of each row read from line ``first`` on: a row spans one line
    plus the line breaks inside its quoted fields (``\\r\\n``, ``\\r`` or ``\\n``, as the
    reader splits lines)."""
    starts = []
    for row in rows:
        starts.append(first)
        first += 1
        for cell in row:
            if "\n" in cell or "\r" in cell:
                first += cell.count("\n") + cell.count("\r") - cell.count("\r\n")
    return starts


def extra_columns(header: list[str], kind: str, file: str) -> list[str]:
    """The header cells that are not columns of ``kind`` (ignored on reading, named in warnings).

    Raises:
        ExportFormatError: a column twice, a required column missing.
    """
    return _columns(header, file, kind)[1]


def _columns(header: list[str], file: str, kind: str) -> tuple[dict[str, int], list[str]]:
    """Canonical column -> position in ``header``, and the unknown extra header cells.

    Raises:
        ExportFormatError: a column twice, a required column missing.
    """
    mapped = H.map_header(header)
    seen: dict[str, int] = {}
    extra: list[str] = []
    for pos, (raw, canon) in enumerate(zip(header, mapped, strict=False)):
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
    return seen, extra


def _table(file: str, kind: str, seen: dict[str, int], rows: list[list[str]], lines: list[int],
           width: int, extra: list[str]) -> RawTable:
    """Rows -> RawTable; the first field longer than MAX_FIELD_CHARS raises ExportFormatError."""
    cols = list(zip(*rows, strict=False)) if rows else [()] * width
    columns: dict[str, pd.Series] = {}
    bad: tuple[int, int, str] | None = None
    for canon, pos in seen.items():
        values = pd.Series(cols[pos], dtype="str")
        long = (values.str.len() > MAX_FIELD_CHARS).to_numpy(dtype=bool)
        if long.any():
            first = int(np.flatnonzero(long)[0])
            if bad is None or (first, pos) < bad[:2]:
                bad = (first, pos, canon)
        columns[canon] = values if canon == "Notes" else values.str.strip()  # notes verbatim
    if bad is not None:
        raise ExportFormatError(
            f"this field is {len(cols[bad[1]][bad[0]]):,} characters long, over the limit of "
            f"{MAX_FIELD_CHARS:,}; no WHOOP export field is that long: {H.REEXPORT}",
            file=file, line=lines[bad[0]], column=bad[2])
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
    values = pd.to_numeric(s, errors="coerce").astype("float64")    # "" -> NaN
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


def tz_offset_min(t: RawTable, col: str = "Cycle timezone") -> pd.Series:
    """``Int64`` offsets in minutes from ``UTC±HH:MM`` / ``UTCZ``
    (:func:`whoop.timezones.offset_minutes`, docs/WHOOP.md#timestamps-and-offsets); <NA> if empty.

    Raises:
        ExportFormatError: any other token (``GMT+1``, ``Europe/Berlin``, ``+01:00`` ...).
    """
    s = t.columns[col]
    table: dict[str, object] = {"": pd.NA}
    for token in s.unique():
        if token in table:
            continue
        try:
            table[token] = offset_minutes(token, export=True)
        except ValueError:
            bad = (s == token).to_numpy()
            _fail(t, col, bad, "a timezone WHOOP does not write: expected UTC+HH:MM, UTC-HH:MM "
                  "or UTCZ; " + H.REEXPORT)
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
    """UTC instants of a local wall-clock column: local - offset (docs/WHOOP.md#timestamps-and-offsets).

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
