"""UTC offsets as WHOOP writes them, read and written in one place.

Two spellings of one thing (docs/WHOOP.md#timestamps-and-offsets):

* the API's ``timezone_offset``, a W3C TZD (https://www.w3.org/TR/NOTE-datetime): ``-05:00``,
  ``+05:30``, ``Z``;
* the export's ``Cycle timezone``: ``UTC`` followed by the same, zero written ``UTCZ``:
  ``UTC-05:00``, ``UTC+05:30``, ``UTCZ``.

Offsets are minutes east of UTC (``+05:30`` -> 330, ``-05:00`` -> -300), at most 14 hours either
way (the widest offset in use, UTC+14:00, https://en.wikipedia.org/wiki/UTC%2B14:00). The API form
also takes ``+hh`` and ``+hhmm`` (ISO 8601 allows both; WHOOP's examples use ``+hh:mm``); the
export form only the forms WHOOP writes, so a re-saved or hand-made file is caught.
"""

from __future__ import annotations

import re

MAX_OFFSET_MIN = 14 * 60

_API = re.compile(r"(?:(?P<z>Z)|(?P<sign>[+-])(?P<hh>\d{2})(?::?(?P<mm>\d{2}))?)")
_EXPORT = re.compile(r"UTC(?:(?P<z>Z)|(?P<sign>[+-])(?P<hh>\d{2}):?(?P<mm>\d{2}))")


def offset_minutes(text: str | None, *, export: bool = False) -> int | None:
    """Minutes east of UTC of one offset string.

    Args:
        text: the API's ``timezone_offset`` (``"+05:30"``, ``"-05:00"``, ``"Z"``; surrounding
            blanks and a lower-case ``z`` are tolerated) or, with ``export=True``, the export's
            ``Cycle timezone`` (``"UTC+05:30"``, ``"UTC-05:00"``, ``"UTCZ"``).
        export: which of the two spellings ``text`` is in.

    Returns:
        The offset in minutes (int), or None when ``text`` is None or empty.

    Raises:
        ValueError: any other text, or minutes >= 60, or more than 14 hours.
    """
    if text is None:
        return None
    token = text if export else text.strip()
    if not token:
        return None
    m = (_EXPORT if export else _API).fullmatch(token if export or token != "z" else "Z")
    if not m:
        expected = "UTC+HH:MM, UTC-HH:MM or UTCZ" if export else "+HH:MM, -HH:MM or Z"
        raise ValueError(f"not a UTC offset: {text!r} (expected {expected})")
    if m.group("z"):
        return 0
    hours, minutes = int(m.group("hh")), int(m.group("mm") or 0)
    total = hours * 60 + minutes
    if minutes >= 60 or total > MAX_OFFSET_MIN:
        raise ValueError(f"not a UTC offset: {text!r} (minutes 00-59, at most 14 hours)")
    return -total if m.group("sign") == "-" else total


def tzd(minutes: int) -> str:
    """The API's spelling of an offset in minutes: ``-300`` -> ``"-05:00"``, ``330`` ->
    ``"+05:30"``, ``0`` -> ``"Z"`` (W3C TZD)."""
    if minutes == 0:
        return "Z"
    hours, rest = divmod(abs(minutes), 60)
    return f"{'+' if minutes > 0 else '-'}{hours:02d}:{rest:02d}"


def export_timezone(minutes: int) -> str:
    """The export's ``Cycle timezone`` for an offset in minutes: ``-300`` -> ``"UTC-05:00"``,
    ``0`` -> ``"UTCZ"`` (WHOOP never writes ``UTC+00:00``)."""
    return "UTC" + tzd(minutes)
