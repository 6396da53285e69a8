"""Hostile text for the escaping tests: an athlete name, a workout activity name and a journal
question full of Markdown, HTML and plotly markup pointing at 127.0.0.2 (nothing listens there;
a browser that fetched it would show up in tests/e2e's outside-request check)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

HOSTILE_URL = "http://127.0.0.2/"
#: 63 characters (athlete names are 1 to 64)
HOSTILE_ATHLETE = f"![p]({HOSTILE_URL}p)[x]({HOSTILE_URL}x)**b**<img src=x>"
HOSTILE_SPORT = f'<a href="{HOSTILE_URL}">x</a><b>b</b>'
HOSTILE_QUESTION = f"**Q** [q]({HOSTILE_URL}q) <b>bq</b> $x$ :material/favorite: %{{y}}?"
#: markup from the strings above that must never appear unescaped in a Markdown body
RAW_MARKUP = ["](", "![", "**b**", "<img", "<b>", "<a ", "$x$", ":material/favorite"]


def unescaped(markdown: str) -> str:
    """``markdown`` without its backslash-escaped characters: what is left is live markup."""
    return re.sub(r"\\.", "", markdown, flags=re.S)


def shown(markdown: str) -> str:
    """The text a Markdown body escaped by :func:`whoop.escape.markdown` shows: backslash escapes
    resolved (CommonMark 2.4), ``&#32;`` decoded, word joiners dropped."""
    return re.sub(r"\\(.)", r"\1", markdown.replace("&#32;", " ").replace("\u2060", ""))


def _rewrite(text: str, column: str, replace: str, value: str) -> str:
    rows = list(csv.reader(io.StringIO(text)))
    i = rows[0].index(column)
    for row in rows[1:]:
        if row[i] == replace:
            row[i] = value
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def hostile_export(days: int = 120) -> dict[str, str]:
    """The demo athlete's export CSVs (seed 7, ``days`` days) with its most frequent activity
    renamed to :data:`HOSTILE_SPORT` and its most answered journal question to
    :data:`HOSTILE_QUESTION`."""
    from collections import Counter

    from whoop.demo import DEMO_END, demo_clock, export_tables
    from whoop.synth import generate_athlete, history_start

    now = demo_clock(DEMO_END)
    tables = export_tables(generate_athlete(7, start=history_start(now, days, seed=7), end=now))

    def most_common(name: str, column: str) -> str:
        rows = list(csv.DictReader(io.StringIO(tables[name])))
        return Counter(r[column] for r in rows).most_common(1)[0][0]

    sport = most_common("workouts.csv", "Activity name")
    question = most_common("journal_entries.csv", "Question text")
    tables["workouts.csv"] = _rewrite(tables["workouts.csv"], "Activity name", sport, HOSTILE_SPORT)
    tables["journal_entries.csv"] = _rewrite(tables["journal_entries.csv"], "Question text",
                                             question, HOSTILE_QUESTION)
    return tables


def write_hostile_db(path: Path, *, with_demo: bool = True) -> Path:
    """A database at ``path``: the demo athlete (when ``with_demo``, so the athlete picker shows)
    and then :data:`HOSTILE_ATHLETE` from :func:`hostile_export` (the newest import, so picked
    first)."""
    from whoop.importer import import_uploads, load_demo
    from whoop.store import Store

    store = Store(path)
    if with_demo:
        load_demo(store, days=120)
    files = [(name, text.encode()) for name, text in hostile_export().items()]
    import_uploads(store, files, athlete=HOSTILE_ATHLETE)
    return path
