"""Why a record is left out of the statistics, in words that fit where the athlete's data comes
from and how old it is (pure Python, no IO, no streamlit).

An athlete whose data comes only from an export (or the demo) never syncs, so "the current
cycle is still running" or "the next sync checks again" would be wrong for an export from two
years ago: those records were open or unscored *when the export was made*, and only a newer
export (or connecting WHOOP) can complete them. Synced data (``source`` ``api`` or
``api+export``, README "Where the data lives") is checked again by the next sync.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

#: (record, reason) of :func:`whoop.metrics.quality.excluded_counts` -> why it is left out,
#: for the reasons whose words do not depend on the data's source
WHY: dict[tuple[str, str], str] = {
    ("day", "missing"): "No WHOOP data for the day (strap off, not synced, not in the export); "
                        "charts leave a gap.",
    ("cycle", "unscorable"): "WHOOP could not score the cycle (too little heart-rate data).",
    ("recovery", "unscorable"): "WHOOP could not score the recovery (e.g. too little sleep data).",
    ("recovery", "calibrating"): "Scored while WHOOP was still calibrating to you (first days "
                                 "of wear): left out of baselines and statistics.",
    ("recovery", "none"): "A day without a recovery (no main sleep recorded that night).",
    ("sleep", "unscorable"): "WHOOP could not score the main sleep.",
    ("sleep", "nap"): "Naps are kept apart: they never open a day and stay out of the nightly "
                      "numbers (shown on the Sleep page).",
    ("workout", "unscorable"): "WHOOP could not score the workout.",
}
#: record -> its name in a sentence ("WHOOP has not scored the <name> yet")
RECORD_NAMES = {"cycle": "cycle", "recovery": "recovery", "sleep": "main sleep",
                "workout": "workout"}
SYNCED_SOURCES = frozenset({"api", "api+export"})


def age_words(day: date, today: date) -> str:
    """How long ago ``day`` was, in rough words: "today", "yesterday", "12 days ago",
    "about 5 months ago", "about 2 years ago" (months of 30.4 days, years of 365.25)."""
    n = (today - day).days
    if n <= 0:
        return "today"
    if n == 1:
        return "yesterday"
    if n < 60:
        return f"{n} days ago"
    if n < 730:
        return f"about {round(n / 30.4)} months ago"
    return f"about {round(n / 365.25)} years ago"


def is_synced(sources: Iterable[object]) -> bool:
    """True when any of the athlete's day ``source`` values came from the WHOOP API."""
    return any(str(s) in SYNCED_SOURCES for s in sources)


def why(record: str, reason: str, *, synced: bool, last_day: date, today: date) -> str:
    """Why ``record`` with ``reason`` is left out (one sentence; "" for an unknown pair).

    Args:
        record, reason: a row of :func:`whoop.metrics.quality.excluded_counts`.
        synced: the athlete's data comes (partly) from WHOOP sync (:func:`is_synced`).
        last_day: the athlete's last day with data (the export's or the last sync's newest day).
        today: the viewer's local date.
    """
    if (record, reason) in WHY:
        return WHY[(record, reason)]
    when = f"{last_day:%d %b %Y}, {age_words(last_day, today)}"
    if (record, reason) == ("day", "open cycle"):
        if synced and (today - last_day).days <= 1:
            return "The current cycle is still running: its strain is not final yet."
        if synced:
            return (f"The last cycle ({when}) was still open at the last sync: its strain is "
                    "not final; the next sync completes it.")
        return (f"The export ends with a cycle that was still open when it was made ({when}): "
                "its strain is not final. A newer export, or connecting WHOOP, completes it.")
    if reason == "pending" and record in RECORD_NAMES:
        name = RECORD_NAMES[record]
        if synced:
            return f"WHOOP has not scored the {name} yet; the next sync checks again."
        return (f"WHOOP had not scored the {name} when the export was made (data through "
                f"{when}); a newer export brings the score.")
    return ""
