"""Collection queries: ``limit``, ``start``, ``end``, ``nextToken`` -> one page, newest first.

Rules (parameters of getCycleCollection & co. in WHOOP's OpenAPI document, the SPEC:
https://api.prod.whoop.com/developer/doc/openapi.json; docs/WHOOP.md#pagination-and-time-windows):

- ``limit``: integer 1..25, default 10; anything else is 400.
- ``start`` (inclusive) and ``end`` (exclusive): ISO-8601 date-times (``Z``, an offset, or none =
  UTC). ``end`` defaults to the sandbox clock's now. The SPEC says a collection returns records
  that "occurred after or during (inclusive)" ``start`` and that "intersect [end] or ended before
  (exclusive)" it; the sandbox reads that as interval overlap: a record with span
  ``[record.start, record.end)`` (an open cycle's end is +infinity) is returned when
  ``record.start < end`` and (``record.end > start`` or ``record.start >= start``). Recovery has
  no times of its own and uses its sleep's span (the SPEC sorts recoveries by their sleep's start).
  ``start > end`` is 400 (``start == end`` returns only records running at that instant).
- Order: ``start`` descending (ties by id). ``next_token`` is present only when more records
  follow; it is opaque (base64url JSON holding the resolved window and the last record's sort key,
  so deletions between pages neither skip nor repeat records). A ``nextToken`` that does not
  decode, belongs to another collection or contradicts the given ``start``/``end`` is 400.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from whoop.sandbox.world import Indexed, iso_z, parse_instant, record_key

MAX_LIMIT = 25
DEFAULT_LIMIT = 10


class BadQuery(ValueError):
    """A query parameter is invalid; the message says which (sent back with a 400)."""


@dataclass(frozen=True)
class PageQuery:
    """A validated collection query. ``after`` is the (start, id) sort key of the last record served."""

    kind: str
    limit: int
    start: datetime | None
    end: datetime
    start_param: str | None
    end_param: str | None
    after: tuple[datetime, str] | None = None


def _instant(name: str, value: str) -> datetime:
    try:
        return parse_instant(value)
    except (ValueError, TypeError) as exc:
        raise BadQuery(f"{name} is not an ISO-8601 date-time") from exc


def parse_query(kind: str, params: Mapping[str, str], now: datetime) -> PageQuery:
    """Validate ``limit``/``start``/``end``/``nextToken`` for a ``kind`` collection.

    Raises:
        BadQuery: any invalid parameter (-> HTTP 400).
    """
    raw_limit = params.get("limit")
    if raw_limit is None or raw_limit == "":
        limit = DEFAULT_LIMIT
    else:
        try:
            limit = int(raw_limit)
        except ValueError as exc:
            raise BadQuery("limit must be an integer") from exc
        if not 1 <= limit <= MAX_LIMIT:
            raise BadQuery(f"limit must be between 1 and {MAX_LIMIT}")
    start_param = params.get("start") or None
    end_param = params.get("end") or None
    start = _instant("start", start_param) if start_param else None
    end = _instant("end", end_param) if end_param else now
    after = None
    token = params.get("nextToken")
    if token is not None:
        data = _decode_token(token)
        if data.get("k") != kind:
            raise BadQuery("nextToken belongs to another collection")
        if (start_param is not None and data.get("sp") != start_param) or (
                end_param is not None and data.get("ep") != end_param):
            raise BadQuery("nextToken does not match start/end")
        start_param, end_param = data.get("sp"), data.get("ep")
        start = parse_instant(data["s"]) if data.get("s") else None
        end = parse_instant(data["e"])
        after = (parse_instant(data["as"]), data["ai"])
    if start is not None and start > end:
        raise BadQuery("start must not be after end")
    return PageQuery(kind, limit, start, end, start_param, end_param, after)


def _decode_token(token: str) -> dict:
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        if not isinstance(data, dict) or not isinstance(data.get("e"), str):
            raise ValueError("not a token")
        parse_instant(data["e"])
        if data.get("s"):
            parse_instant(data["s"])
        if not (isinstance(data.get("as"), str) and isinstance(data.get("ai"), str)):
            raise ValueError("not a token")
        parse_instant(data["as"])
        return data
    except (ValueError, UnicodeError, json.JSONDecodeError) as exc:
        raise BadQuery("nextToken is invalid") from exc


def _encode_token(q: PageQuery, last: Indexed) -> str:
    data = {"k": q.kind, "s": iso_z(q.start) if q.start else None, "e": iso_z(q.end),
            "sp": q.start_param, "ep": q.end_param,
            "as": last.start.isoformat(), "ai": str(record_key(q.kind, last.rec))}
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def in_window(item: Indexed, start: datetime | None, end: datetime) -> bool:
    """The overlap rule of the module docstring."""
    if not item.start < end:
        return False
    if start is None:
        return True
    return item.start >= start or item.end is None or item.end > start


def page(items_desc: list[Indexed], q: PageQuery) -> dict:
    """One page ``{"records": [...], "next_token"?: str}`` from records sorted newest first."""
    out: list[Indexed] = []
    more = False
    for item in items_desc:
        if q.after is not None:
            if (item.start, str(record_key(q.kind, item.rec))) >= q.after:
                continue
        if not in_window(item, q.start, q.end):
            continue
        if len(out) == q.limit:
            more = True
            break
        out.append(item)
    body: dict = {"records": [x.rec for x in out]}
    if more:
        body["next_token"] = _encode_token(q, out[-1])
    return body
