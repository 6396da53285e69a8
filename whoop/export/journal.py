"""journal_entries.csv, streamed: each chunk of rows (:meth:`whoop.export.table.CsvFile.chunks`)
is parsed into staged rows, and the file-wide rules (duplicates, conflicts) are applied once all
chunks are staged (:class:`whoop.store.staging.JournalStage`), so a journal of any length costs one
chunk of memory.

Rules (docs/EXPORT_QUIRKS.md, schema.py keys): exact duplicate rows are dropped (the first is kept);
rows with empty cycle fields are kept as orphans with
``entry_key = "orphan|question|answer|notes"``; others get
``entry_key = "<cycle start UTC, ISO 8601 Z>|<question>"`` and, when several rows share an
entry_key, the last one in the file is kept.

Parse errors name the file, the physical line (counted across chunks) and the column. The field
checks run chunk by chunk, in the same order within a chunk (timezone, cycle start, answer, cycle
end), so the error reported is the first bad row of the first chunk that has one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from whoop import schema
from whoop.export import table as T
from whoop.export.table import RawTable

#: The raw text columns whose equality makes two rows exact duplicates.
RAW_COLUMNS = ("Cycle start time", "Cycle end time", "Cycle timezone", "Question text",
               "Answered yes", "Notes")

#: Staged row columns: the physical line, the raw text of the dedupe columns that the canonical
#: frame does not keep verbatim, then the canonical journal columns (schema.JOURNAL).
STAGED_EXTRA = {"line": "int64", "raw_start": "str", "raw_end": "str", "raw_tz": "str",
                "raw_answer": "str"}


def stage_rows(t: RawTable, source: str) -> pd.DataFrame:
    """One chunk of journal_entries.csv -> staged rows, in file order, nothing dropped.

    Returns:
        Columns ``line`` (int64, physical line), ``raw_start``, ``raw_end``, ``raw_tz``,
        ``raw_answer`` (str, stripped text as read), then ``schema.JOURNAL`` columns
        (``notes`` None when empty; ``source``, ``source_ref`` = the file).
    Raises:
        ExportFormatError: a bad timezone, time or answer (file, line, column named).
    """
    offset = T.tz_offset_min(t)
    start = T.utc_time(t, "Cycle start time", offset)
    answered = T.boolean(t, "Answered yes")
    question = t.columns["Question text"]
    notes = t.columns["Notes"]
    orphan = start.isna().to_numpy()
    answer_text = answered.map({True: "true", False: "false"}).fillna("").astype("str")
    iso = start.dt.strftime("%Y-%m-%dT%H:%M:%SZ").fillna("")
    key = np.where(orphan, "orphan|" + question + "|" + answer_text + "|" + notes,
                   iso + "|" + question)
    out = pd.DataFrame({
        "entry_key": pd.Series(key, dtype="str"),
        "cycle_start_utc": start,
        "cycle_end_utc": T.utc_time(t, "Cycle end time", offset),
        "tz_offset_min": offset,
        "question": question,
        "answered_yes": answered,
        "notes": notes.where(notes != "", None),
        "source": source,
        "source_ref": t.file,
    })
    out = schema.conform(out, "journal")
    raw = pd.DataFrame({
        "line": t.lines.astype("int64"),
        "raw_start": t.columns["Cycle start time"].to_numpy(),
        "raw_end": t.columns["Cycle end time"].to_numpy(),
        "raw_tz": t.columns["Cycle timezone"].to_numpy(),
        "raw_answer": t.columns["Answered yes"].to_numpy(),
    })
    return pd.concat([raw, out], axis=1)


def warnings_for(file: str, exact: int, orphans: int, conflicts: int) -> list[str]:
    """The person-readable notes about what the file-wide rules dropped or kept, in order."""
    out = []
    if exact:
        out.append(f"{exact} exact duplicate journal rows dropped from {file}")
    if orphans:
        out.append(f"{orphans} journal rows without a cycle kept as orphans ({file})")
    if conflicts:
        out.append(f"{conflicts} journal rows in {file} answer the same question for the same "
                   "cycle as a later row with a different answer or note; kept the last")
    return out
