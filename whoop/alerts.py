"""Alerts for coaches and athletes: which conditions hold for an athlete now, and the plain text
of a notice and of the morning digest (pure pandas, no IO, no streamlit; the sending is
:mod:`whoop.alert_jobs`).

Rules (each alert has a stable key ``(athlete_id, kind, day)``, so a notice is sent once):

* ``hrv_low``: the HRV 7-day ln(RMSSD) mean below the athlete's normal range
  (:func:`whoop.metrics.baselines.hrv_baseline`, Plews et al. 2012/2013) on
  :data:`RUN_DAYS` (3) or more calendar days running; ``day`` = the day the run reached 3 days.
* ``rhr_resp_high``: resting heart rate and respiratory rate both at least
  :data:`whoop.metrics.baselines.UNUSUAL_Z` (2) SD above their own baselines on the same day
  (:func:`whoop.metrics.baselines.metric_baselines`; a raised resting HR with a raised breathing
  rate is the usual early sign of illness or poor recovery, e.g. Buchheit 2014 Front Physiol
  5:73; WHOOP "Health Monitor", support.whoop.com); ``day`` = that day.
* ``recovery_red``: the WHOOP recovery zone red (score < 34 %,
  :func:`whoop.metrics.basic.recovery_zone`) on 3 or more calendar days running; ``day`` = the
  day the run reached 3 days.
* ``stale``: a connected athlete whose newest WHOOP record (cycle end) is :data:`STALE_AFTER`
  (48 h) or more old; ``day`` = the UTC date of that record.
* ``reconnect``: the WHOOP connection needs connecting again (token status
  ``reconnect_needed``); ``day`` = the UTC date the status was set.

The day-based rules look at the athlete's latest day that has the rule's inputs, and only when
that day is at most :data:`RECENT_DAYS` before today: an old run of days is history, not news.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from whoop.metrics import baselines as mb
from whoop.metrics.basic import daily_view, latest_kpi, zone_of
from whoop.metrics.catalog import CATALOG, with_baseline
from whoop.metrics.units import Settings, missing

RUN_DAYS = 3
STALE_AFTER = timedelta(hours=48)
RECENT_DAYS = 3
KINDS = ("hrv_low", "rhr_resp_high", "recovery_red", "stale", "reconnect")
#: the digest's headline metrics, in order (catalogue columns)
HEADLINE = ("recovery_score", "hrv_rmssd_ms", "asleep_min", "sleep_performance_pct", "day_strain")


@dataclass(frozen=True)
class Alert:
    """One alert condition that holds now.

    Attributes:
        athlete_id, athlete: whose (``athlete`` is their name: data, shown as plain text).
        kind: one of :data:`KINDS`.
        day: the alert's day (see the module docstring).
        message: one line of plain text for people.
    """

    athlete_id: int
    athlete: str
    kind: str
    day: date
    message: str

    @property
    def key(self) -> tuple[int, str, date]:
        """``(athlete_id, kind, day)``: the same alert keeps its key from one check to the next."""
        return self.athlete_id, self.kind, self.day


@dataclass(frozen=True)
class Freshness:
    """What the store knows of an athlete's data flow (instants tz-aware UTC, None: unknown).

    Attributes:
        last_record_utc: end of the newest cycle.
        last_sync_utc: end of the newest good sync.
        token_status: ``connected`` | ``reconnect_needed`` | ``disconnected``; None: never
            connected.
        status_since: when the connection row last changed.
    """

    last_record_utc: datetime | None = None
    last_sync_utc: datetime | None = None
    token_status: str | None = None
    status_since: datetime | None = None


def _instant(value: Any) -> datetime | None:
    if value is None:
        return None
    ts = pd.Timestamp(value)
    if missing(ts):
        return None
    return (ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")).to_pydatetime()


def freshness_of(row: dict | pd.Series) -> Freshness:
    """A :class:`Freshness` from a row of ``Store.roster_freshness`` merged with
    ``Store.connection_states`` (missing keys and NaT/NULL -> None)."""
    get = row.get
    status = get("token_status")
    return Freshness(_instant(get("last_record_utc")), _instant(get("last_sync_utc")),
                     status if isinstance(status, str) else None, _instant(get("status_since")))


def _recent(day: pd.Timestamp, today: date) -> bool:
    return (today - day.date()).days <= RECENT_DAYS


def _latest(frame: pd.DataFrame, columns: list[str]) -> pd.Series | None:
    ok = frame[columns].notna().all(axis=1)
    return frame[ok].iloc[-1] if ok.any() else None


def _run_start(row: pd.Series, streak_days: int) -> date:
    return (row["date"] - pd.Timedelta(days=streak_days - RUN_DAYS)).date()


def day_alerts(days: pd.DataFrame, athlete_id: int, athlete: str, today: date, *,
               settings: Settings | None = None, z_limit: float = mb.UNUSUAL_Z) -> list[Alert]:
    """The day-based alerts (``hrv_low``, ``rhr_resp_high``, ``recovery_red``) that hold for the
    athlete's latest days (see the module docstring).

    Args:
        days: the athlete's daily table (``schema.DAYS``; ``Store.days``), any length.
        athlete_id, athlete: the athlete (copied into each alert).
        today: the date to measure "recent" against (UTC date of now).
        settings: the windows of the normal ranges (default :class:`Settings`).
        z_limit: SD above baseline for ``rhr_resp_high`` (default 2).
    Returns:
        0-3 :class:`Alert`, in :data:`KINDS` order.
    """
    s = settings or Settings()
    if days.empty:
        return []
    out: list[Alert] = []
    hrv = mb.hrv_baseline(days, normal_window=s.hrv_normal_window_days)
    row = _latest(hrv, ["hrv_ln_rmssd_7d"])
    if row is not None and _recent(row["date"], today) and int(row["hrv_below_streak_days"]) >= RUN_DAYS:
        n = int(row["hrv_below_streak_days"])
        mean, low, high = (math.exp(row[c])
                           for c in ("hrv_ln_rmssd_7d", "hrv_normal_low", "hrv_normal_high"))
        out.append(Alert(athlete_id, athlete, "hrv_low", _run_start(row, n),
                         f"HRV below the normal range for {n} days running (7-day mean {mean:.0f} ms, "
                         f"normal {low:.0f}-{high:.0f} ms)"))
    base = mb.metric_baselines(days, window=s.baseline_window_days)
    row = _latest(base, ["rhr_z", "resp_z"])
    if row is not None and _recent(row["date"], today) and row["rhr_z"] >= z_limit \
            and row["resp_z"] >= z_limit:
        rhr, resp = CATALOG["resting_heart_rate_bpm"], CATALOG["respiratory_rate_rpm"]
        out.append(Alert(athlete_id, athlete, "rhr_resp_high", row["date"].date(),
                         f"{rhr.name} {rhr.fmt(row[rhr.column], s)} ({row['rhr_z']:.1f} SD above baseline) "
                         f"and {resp.name.lower()} {resp.fmt(row[resp.column], s)} ({row['resp_z']:.1f} SD "
                         f"above baseline) on {row['date']:%Y-%m-%d}"))
    view = daily_view(days)
    red = mb.streak(view["recovery_zone"].eq("red").fillna(False).astype(bool))
    scored = view["recovery_score"].notna()
    if scored.any():
        last = int(np.flatnonzero(scored.to_numpy())[-1])
        row, n = view.iloc[last], int(red.iloc[last])
        if _recent(row["date"], today) and n >= RUN_DAYS:
            out.append(Alert(athlete_id, athlete, "recovery_red", _run_start(row, n),
                             f"Recovery in the red for {n} days running (latest "
                             f"{CATALOG['recovery_score'].fmt(row['recovery_score'], s)} "
                             f"on {row['date']:%Y-%m-%d})"))
    return out


def connection_alerts(fresh: Freshness, athlete_id: int, athlete: str, now: datetime) -> list[Alert]:
    """The ``stale`` and ``reconnect`` alerts of an athlete (see the module docstring).

    Args:
        fresh: the athlete's :class:`Freshness`.
        now: the current instant (tz-aware UTC).
    """
    out: list[Alert] = []
    last = fresh.last_record_utc
    if fresh.token_status == "connected" and last is not None and now - last >= STALE_AFTER:
        hours = int((now - last).total_seconds() // 3600)
        age = f"{hours} h" if hours < 72 else f"{hours // 24} days"
        synced = f"{fresh.last_sync_utc:%Y-%m-%d %H:%M} UTC" if fresh.last_sync_utc else "never"
        out.append(Alert(athlete_id, athlete, "stale", last.date(),
                         f"no new WHOOP data for {age} (newest record ends {last:%Y-%m-%d %H:%M} UTC; "
                         f"last good sync: {synced})"))
    if fresh.token_status == "reconnect_needed":
        since = fresh.status_since or now
        out.append(Alert(athlete_id, athlete, "reconnect", since.date(),
                         "WHOOP access ended: connect WHOOP again (Data page, Connect)"))
    return out


def athlete_alerts(days: pd.DataFrame, fresh: Freshness, athlete_id: int, athlete: str, now: datetime, *,
                   settings: Settings | None = None) -> list[Alert]:
    """Every alert that holds for one athlete now: :func:`day_alerts` then
    :func:`connection_alerts`."""
    return (day_alerts(days, athlete_id, athlete, now.date(), settings=settings)
            + connection_alerts(fresh, athlete_id, athlete, now))


def headline(days: pd.DataFrame, *, settings: Settings | None = None) -> tuple[date | None, str]:
    """The digest's headline of an athlete: (the latest day with a recovery, sleep or strain,
    one line "Recovery 71 % (green) · HRV 62 ms · Asleep 7 h 12 min · ..."). Each value is the
    latest valid one (:func:`whoop.metrics.basic.latest_kpi`); a value of an earlier day than
    the headline's says its date. (None, "no data yet") without days."""
    s = settings or Settings()
    if days.empty:
        return None, "no data yet"
    view = daily_view(days)
    kpis = [latest_kpi(view, c) for c in HEADLINE]
    day = max((k.day for k in kpis if k.day is not None), default=None)
    if day is None:
        return None, "no scored day yet"
    parts = []
    for k in kpis:
        if k.day is None:
            continue
        m = CATALOG[k.column]
        text = f"{m.name} {m.fmt(k.value, s)}"
        if k.column == "recovery_score":
            text += f" ({zone_of(k.value)})"
        if k.day != day:
            text += f" ({k.day:%Y-%m-%d})"
        parts.append(text)
    return day, " · ".join(parts)


def flags(days: pd.DataFrame, *, settings: Settings | None = None) -> list[str]:
    """The Overview's flags (:func:`whoop.metrics.baselines.flag_messages`) of the athlete's
    latest day with an HRV 7-day mean or any baseline input."""
    s = settings or Settings()
    if days.empty:
        return []
    base = mb.baselines(days, hrv_window=s.hrv_normal_window_days, window=s.baseline_window_days)
    cols = ["hrv_ln_rmssd_7d", *(m.column for m in with_baseline())]
    ok = base[cols].notna().any(axis=1)
    if not ok.any():
        return []
    return mb.flag_messages(base.loc[: ok[ok].index[-1]])


def one_line(text: str, limit: int = 80) -> str:
    """``text`` on one line (control characters and runs of spaces -> one space), cut to
    ``limit`` characters: for a subject line, where a line break would start a new header."""
    clean = " ".join("".join(c if c.isprintable() else " " for c in str(text)).split())
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


def notice_text(alerts: list[Alert]) -> tuple[str, str]:
    """(subject, plain-text body) of an immediate notice of new ``alerts`` (at least one)."""
    names = list(dict.fromkeys(a.athlete for a in alerts))
    subject = one_line(f"WHOOP alert: {len(alerts)} new ({', '.join(names)})")
    lines = ["New alerts:", ""]
    lines += [f"- {a.athlete}: {a.message} [since {a.day:%Y-%m-%d}]" for a in alerts]
    return subject, "\n".join(lines) + "\n"


@dataclass(frozen=True)
class DigestEntry:
    """One athlete's part of a digest: name, :func:`headline`, :func:`flags`, active alerts."""

    athlete: str
    day: date | None
    headline: str
    flags: list[str]
    alerts: list[Alert]


def digest_text(person: str, on: date, entries: list[DigestEntry]) -> tuple[str, str]:
    """(subject, plain-text body) of ``person``'s morning digest of local date ``on``: one block
    per athlete with the headline of the latest day, the flags and the active alerts."""
    subject = f"WHOOP digest {on:%Y-%m-%d}: {len(entries)} athlete{'s' if len(entries) != 1 else ''}"
    lines = [f"Morning digest for {person}, {on:%A %d %B %Y}", ""]
    if not entries:
        lines.append("No athletes to report on yet.")
    for e in entries:
        lines.append(e.athlete)
        lines.append(f"  latest day {e.day:%Y-%m-%d}: {e.headline}" if e.day else f"  {e.headline}")
        if e.flags:
            lines.append("  flags: " + "; ".join(e.flags))
        for a in e.alerts:
            lines.append(f"  alert: {a.message} [since {a.day:%Y-%m-%d}]")
        lines.append("")
    return one_line(subject), "\n".join(lines).rstrip() + "\n"


__all__ = ["HEADLINE", "KINDS", "RECENT_DAYS", "RUN_DAYS", "STALE_AFTER", "Alert", "DigestEntry", "Freshness",
           "athlete_alerts", "connection_alerts", "day_alerts", "digest_text", "flags", "freshness_of",
           "headline", "notice_text", "one_line"]
