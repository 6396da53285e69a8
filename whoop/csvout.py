"""The one CSV writer: every CSV the project hands to a person (``python -m whoop export`` and
``report``, the pages' downloads) is written here, so that no cell can turn into a spreadsheet
formula.

Why: journal questions and notes, workout activity names and athlete names come from files,
from WHOOP or from a person. A spreadsheet (Excel, LibreOffice Calc, Google Sheets) opening a
CSV runs a cell that begins with ``=``, ``+``, ``-`` or ``@`` as a formula (``=HYPERLINK(...)``
leaks data, DDE ``=cmd|...`` runs programs): "CSV Injection",
https://owasp.org/www-community/attacks/CSV_Injection.

Rules (OWASP's guidance on that page, and OWASP ASVS 5.0 requirement 1.2.10,
https://github.com/OWASP/ASVS/blob/master/5.0/en/0x10-V1-Encoding-and-Sanitization.md):

* **Text cells** (``str`` values, in object, string or category columns, and the header) are
  always wrapped in double quotes, embedded quotes doubled (RFC 4180 sections 2.6-2.7,
  https://www.rfc-editor.org/rfc/rfc4180). A separator inside a cell (``,``, or ``;`` and tab,
  which spreadsheets use in some locales) or a line break therefore never starts a new cell.
* A text cell whose first character is ``=``, ``+``, ``-``, ``@``, tab (U+0009), carriage
  return (U+000D) (OWASP) or NUL (U+0000, ASVS 1.2.10) gets a leading single quote ``'``, which
  spreadsheets read as "this cell is text" (Excel and Calc hide it): ``=1+1`` is written
  ``"'=1+1"``. The text itself is otherwise unchanged; a program reading the CSV back sees the
  quote, the price of a file that is safe to open.
* **Exception, decided here:** a text cell that is a plain decimal number (``-1.5``, ``+3``,
  ``-2e-3``: :data:`PLAIN_NUMBER`) keeps its sign unprefixed. A number is no formula, and the
  spreadsheet keeps reading it as a number.
* **Numbers** (float, integer and boolean columns, and numbers inside text columns) are written
  bare and never prefixed: ``-1.5`` stays ``-1.5``. Floats use ``float_format`` when given,
  else Python's shortest round-trip ``repr`` (as pandas writes them); booleans ``True`` /
  ``False``.
* **Missing** values (None, NaN, NaT, ``pd.NA``) are empty fields.
* **Dates and times** (datetime64 columns, ``Timestamp`` / ``date`` cells) use ``date_format``
  when given, else pandas' text (``2024-03-12 22:10:00+00:00``; ``2024-03-12`` for dates).

Files are UTF-8 with ``\\n`` line ends and one header row; the index is not written.
"""

from __future__ import annotations

import datetime as _dt
import io
import numbers
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from whoop.metrics.units import missing

#: First characters that make a spreadsheet read a cell as a formula (OWASP CSV Injection),
#: plus NUL (OWASP ASVS 5.0, 1.2.10).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\x00")
#: A plain decimal number with an optional sign and exponent: left as it is (no formula).
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\Z")
#: Rows rendered per write, so a long table (a big journal) is never held as one string.
CHUNK_ROWS = 50_000


def neutralise(text: str) -> str:
    """``text`` with a leading ``'`` when it begins with a formula trigger
    (:data:`FORMULA_TRIGGERS`) and is not a plain number (:data:`PLAIN_NUMBER`).

    ``"=HYPERLINK(...)"`` -> ``"'=HYPERLINK(...)"``, ``"+1+1"`` -> ``"'+1+1"``,
    ``"-1.5"`` -> ``"-1.5"``, ``"Running"`` -> ``"Running"``. Source: OWASP,
    https://owasp.org/www-community/attacks/CSV_Injection.
    """
    if text.startswith(FORMULA_TRIGGERS) and not PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def _text(value: str) -> str:
    """One text cell: neutralised, quoted, quotes doubled (RFC 4180 2.6-2.7)."""
    return '"' + neutralise(value).replace('"', '""') + '"'


def _number(value: object, float_format: str | None) -> str:
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, numbers.Integral):
        return str(int(value))
    number = float(value)  # type: ignore[arg-type]  # a real number or numpy scalar (checked by callers)
    return float_format % number if float_format else repr(number)


def _scalar(value: object, float_format: str | None, date_format: str | None) -> str:
    """A cell of a text (object / string / category) column."""
    if missing(value):
        return ""
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, (numbers.Number, np.bool_)):
        return _number(value, float_format)
    if isinstance(value, _dt.date):  # datetime, Timestamp and date: written bare, like numbers
        if date_format:
            return value.strftime(date_format)
        return str(pd.Timestamp(value)) if isinstance(value, _dt.datetime) else value.isoformat()
    return _text(str(value))


def _column(col: pd.Series, float_format: str | None, date_format: str | None) -> list[str]:
    """The cells of one column as CSV field text."""
    dtype = col.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return ["" if missing(v) else str(bool(v)) for v in col.astype(object)]
    if pd.api.types.is_numeric_dtype(dtype):
        return ["" if missing(v) else _number(v, float_format) for v in col.astype(object)]
    if pd.api.types.is_datetime64_any_dtype(dtype):
        shown = col.dt.strftime(date_format) if date_format else col.astype(str)
        return ["" if missing(t) else v for t, v in zip(col, shown.astype(object), strict=False)]
    return [_scalar(v, float_format, date_format) for v in col.astype(object)]


def _lines(frame: pd.DataFrame, float_format: str | None,
           date_format: str | None) -> Iterator[str]:
    """The header line, then the data rows in chunks of :data:`CHUNK_ROWS`, each ending ``\\n``."""
    yield ",".join(_text(str(name)) for name in frame.columns) + "\n"
    single = frame.shape[1] == 1
    for lo in range(0, len(frame), CHUNK_ROWS):
        part = frame.iloc[lo:lo + CHUNK_ROWS]
        cols = [_column(part.iloc[:, j], float_format, date_format)
                for j in range(part.shape[1])]
        rows = [",".join(cells) for cells in zip(*cols, strict=False)] if cols else [""] * len(part)
        if single:  # an empty single-field row must not read as a blank line (RFC 4180)
            rows = [r if r else '""' for r in rows]
        yield "".join(r + "\n" for r in rows)


def write_csv(frame: pd.DataFrame, target: str | Path | IO[str], *,
              float_format: str | None = None, date_format: str | None = None) -> None:
    """Write ``frame`` as a formula-safe CSV (rules in the module docstring).

    Args:
        frame: any frame; its index is not written, its column names form the header.
        target: a file path (created or replaced, UTF-8) or an open text stream.
        float_format: ``%``-format for floats, e.g. ``"%.10g"``; default shortest ``repr``.
        date_format: ``strftime`` format for dates and times, e.g. ``"%Y-%m-%d"``.
    Raises:
        OSError: the file cannot be written.
    """
    if isinstance(target, (str, Path)):
        with open(target, "w", encoding="utf-8", newline="") as handle:
            write_csv(frame, handle, float_format=float_format, date_format=date_format)
        return
    for chunk in _lines(frame, float_format, date_format):
        target.write(chunk)


def csv_text(frame: pd.DataFrame, *, float_format: str | None = None,
             date_format: str | None = None) -> str:
    """:func:`write_csv` into a string."""
    buf = io.StringIO(newline="")
    write_csv(frame, buf, float_format=float_format, date_format=date_format)
    return buf.getvalue()


def csv_bytes(frame: pd.DataFrame, *, float_format: str | None = None,
              date_format: str | None = None) -> bytes:
    """:func:`write_csv` as UTF-8 bytes, e.g. for ``st.download_button``."""
    return csv_text(frame, float_format=float_format, date_format=date_format).encode("utf-8")
