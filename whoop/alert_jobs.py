"""Who gets which alert, and sending it: immediate notices of new alerts and the morning digest
(rules and texts: :mod:`whoop.alerts`; channels: :mod:`whoop.notify`; SQL:
:mod:`whoop.store.alerts`).

Recipients are the accounts whose alert settings name a channel (an e-mail address and/or an
Apprise URL). A coach or admin hears about every athlete of the deployment, an athlete about
their own (:meth:`whoop.accounts.Viewer.athlete_ids`).

* Immediate notices (settings ``immediate``): each alert that holds now and was never sent to
  the account is claimed in ``alerts_sent`` (atomically, so two workers never both send it),
  then all of them go out in one message; when every channel fails the claims are released and
  the next run tries again.
* The digest (settings ``digest``): once per local day of the account's ``digest_tz``, from its
  ``digest_hour`` on (``last_digest_on`` is claimed the same way).

Day-based alerts, headlines and flags of an athlete are computed once per data version
(``Store.data_version``) and UTC day in this process, so a worker polling every minute does not
recompute a roster whose data did not change.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from whoop import alerts as al
from whoop import notify
from whoop.accounts import Viewer
from whoop.crypto import decrypt, encrypt, fernet_from_key, fernet_key_for
from whoop.errors import ConfigError, InputError, ReconnectNeeded, WhoopError
from whoop.metrics.units import missing
from whoop.store import AlertSettingsRow, Store, utcnow

if TYPE_CHECKING:
    from cryptography.fernet import Fernet

log = logging.getLogger(__name__)


class _Keep(Enum):
    """The type of :data:`KEEP` (a one-member enum: a sentinel type checkers can narrow)."""

    KEEP = "keep"


#: keep the stored Apprise URL (:func:`save_settings`)
KEEP: Final = _Keep.KEEP
_CACHE: dict[tuple[str, int], tuple[tuple[str, date], tuple]] = {}
_CACHE_GUARD = threading.Lock()


@dataclass(frozen=True)
class Recipient:
    """An account with a channel. ``apprise_url`` is the decrypted URL (a secret: never print
    it); None when unset or when it cannot be decrypted (``apprise_error`` says so)."""

    viewer: Viewer
    email: str | None
    apprise_url: str | None = field(repr=False)
    immediate: bool
    digest: bool
    digest_hour: int
    digest_tz: str
    last_digest_on: date | None
    apprise_error: str | None = None

    def channels(self) -> list[str]:
        """``email`` and/or ``apprise``: the channels this person has."""
        return [c for c, v in (("email", self.email), ("apprise", self.apprise_url)) if v]


@dataclass
class Outgoing:
    """One message for one person: ``kind`` ``notice`` | ``digest`` | ``test``, the alerts it
    announces (notices), and the channels it reached once sent."""

    recipient: Recipient
    kind: str
    subject: str
    body: str
    alerts: list[al.Alert] = field(default_factory=list)
    local_day: date | None = None
    sent_by: list[str] = field(default_factory=list)
    previous_digest: date | None = None


@dataclass
class AlertRun:
    """What a run did: messages sent, messages planned but not sent (a dry run, or every channel
    failed: ``failed`` holds the reasons)."""

    sent: list[Outgoing] = field(default_factory=list)
    planned: list[Outgoing] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def _fernet(store: Store) -> Fernet:
    return fernet_from_key(fernet_key_for(store.path))


def check_tz(name: str | None) -> str:
    """``name`` when it is an IANA time zone (``UTC``, ``Europe/Berlin``).

    Raises:
        InputError: an unknown zone.
    """
    clean = (name or "UTC").strip()
    try:
        ZoneInfo(clean)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError("the time zone is an IANA name such as UTC or Europe/Berlin") from None
    return clean


def save_settings(store: Store, account_id: int, *, email: str | None, apprise_url: str | _Keep | None = KEEP,
                  immediate: bool = True, digest: bool = False, digest_hour: int = 7,
                  digest_tz: str = "UTC", at: datetime | None = None) -> AlertSettingsRow:
    """Check and store an account's alert settings; the Apprise URL is encrypted with the
    database's token key before it is stored.

    Args:
        apprise_url: the new URL, None or "" to remove it, :data:`KEEP` to keep the stored one.
        digest_hour: 0-23 in ``digest_tz``.
    Raises:
        InputError: a bad e-mail address, Apprise URL, hour or time zone.
        ConfigError: no token key (PostgreSQL without ``WHOOP_TOKEN_KEY``).
    """
    if not 0 <= int(digest_hour) <= 23:
        raise InputError("the digest hour is 0 to 23")
    old = store.alert_settings(account_id)
    if apprise_url is KEEP:
        enc = old.apprise_enc if old else None
    else:
        url = notify.check_apprise_url(apprise_url)
        enc = encrypt(_fernet(store), url) if url else None
    row = AlertSettingsRow(account_id, notify.check_email(email), enc, bool(immediate), bool(digest),
                           int(digest_hour), check_tz(digest_tz))
    store.save_alert_settings(row, at or utcnow())
    return row


def recipients(store: Store) -> list[Recipient]:
    """Every account with a channel, its Apprise URL decrypted (see :class:`Recipient`)."""
    table = store.alert_recipients()
    if table.empty:
        return []
    fernet = _fernet(store) if table["apprise_enc"].notna().any() else None
    out = []
    for r in table.to_dict("records"):
        url, problem = None, None
        if isinstance(r["apprise_enc"], str) and fernet is not None:    # fernet is set for any URL
            try:
                url = decrypt(fernet, r["apprise_enc"])
            except ReconnectNeeded:
                problem = "the saved Apprise URL cannot be decrypted (the token key changed): save it again"
        athlete = None if missing(r["athlete_id"]) else int(r["athlete_id"])
        last = None if missing(r["last_digest_on"]) else pd.Timestamp(r["last_digest_on"]).date()
        out.append(Recipient(Viewer(int(r["account_id"]), str(r["username"]), str(r["role"]), athlete),
                             r["email"] if isinstance(r["email"], str) else None, url, bool(r["immediate"]),
                             bool(r["digest"]), int(r["digest_hour"]), str(r["digest_tz"]), last, problem))
    return out


@dataclass(frozen=True)
class AthleteNow:
    """One athlete's state for alerts and the digest."""

    athlete_id: int
    name: str
    alerts: list[al.Alert]
    entry: al.DigestEntry


def _day_facts(store: Store, athlete_id: int, name: str, today: date) -> tuple:
    key = (store.location, athlete_id)
    version = (store.data_version(athlete_id), today)
    with _CACHE_GUARD:
        hit = _CACHE.get(key)
    if hit is not None and hit[0] == version:
        return hit[1]
    days = store.days(athlete_id)
    facts = (al.day_alerts(days, athlete_id, name, today), *al.headline(days), al.flags(days))
    with _CACHE_GUARD:
        _CACHE[key] = (version, facts)
    return facts


def athletes_now(store: Store, athlete_ids: list[int], now: datetime) -> dict[int, AthleteNow]:
    """The alerts and digest entry of each athlete in ``athlete_ids`` at ``now`` (tz-aware UTC)."""
    if not athlete_ids:
        return {}
    fresh = store.roster_freshness(athlete_ids)
    states = store.connection_states(athlete_ids)
    fresh = fresh.drop(columns=["token_status"]).merge(states, on="athlete_id", how="left")
    out = {}
    for row in fresh.to_dict("records"):
        aid, name = int(row["athlete_id"]), str(row["name"])
        day_alerts, day, line, flags = _day_facts(store, aid, name, now.date())
        alerts = day_alerts + al.connection_alerts(al.freshness_of(row), aid, name, now)
        out[aid] = AthleteNow(aid, name, alerts, al.DigestEntry(name, day, line, flags, alerts))
    return out


def _local_now(r: Recipient, now: datetime) -> datetime:
    try:
        return now.astimezone(ZoneInfo(r.digest_tz))
    except (ZoneInfoNotFoundError, ValueError):
        return now


def plan(store: Store, now: datetime | None = None, *, notices: bool = True, digests: bool = True,
         digest_any_hour: bool = False) -> list[Outgoing]:
    """The messages a run would send at ``now``, without claiming or sending anything: a notice
    per person with alerts never sent to them (``notices``), a digest per person whose digest is
    due (``digests``: on, not yet sent for their local date, and their hour reached unless
    ``digest_any_hour``)."""
    now = now or utcnow()
    # PostgreSQL: one connection for the whole plan; DuckDB: none held, other processes need the file
    reading = store.unit_of_work() if store.dialect == "postgresql" else contextlib.nullcontext()
    with reading:
        return _plan(store, now, notices, digests, digest_any_hour)


def _plan(store: Store, now: datetime, notices: bool, digests: bool, digest_any_hour: bool) -> list[Outgoing]:
    people = recipients(store)
    if not people:
        return []
    seen: dict[int, AthleteNow] = {}
    out = []
    for r in people:
        ids = r.viewer.athlete_ids(store)
        missing_ids = [a for a in ids if a not in seen]
        seen.update(athletes_now(store, missing_ids, now))
        mine = [seen[a] for a in ids if a in seen]
        if notices and r.immediate:
            sent = {(int(x["athlete_id"]), x["kind"], pd.Timestamp(x["day"]).date())
                    for x in store.alerts_sent(r.viewer.account_id).to_dict("records")}
            new = [a for s in mine for a in s.alerts if a.key not in sent]
            if new:
                out.append(Outgoing(r, "notice", *al.notice_text(new), alerts=new))
        local = _local_now(r, now)
        due = digest_any_hour or local.hour >= r.digest_hour
        if digests and r.digest and due and (r.last_digest_on is None or r.last_digest_on < local.date()):
            subject, body = al.digest_text(r.viewer.username, local.date(), [s.entry for s in mine])
            out.append(Outgoing(r, "digest", subject, body, local_day=local.date()))
    return out


def deliver(msg: Outgoing, smtp: notify.SmtpSettings | None) -> list[str]:
    """Send ``msg`` on each of its person's channels; returns the channels that took it and
    records them in ``msg.sent_by``.

    Raises:
        notify.DeliveryError: no channel took it (the reasons, joined).
    """
    problems = []
    r = msg.recipient
    if r.apprise_error:
        problems.append(r.apprise_error)
    for channel in r.channels():
        try:
            if channel == "email" and r.email:      # channels() names only the set ones
                notify.send_email(smtp, r.email, msg.subject, msg.body)
            elif r.apprise_url:
                notify.send_apprise(r.apprise_url, msg.subject, msg.body)
            msg.sent_by.append(channel)
        except (notify.DeliveryError, ConfigError, InputError) as exc:
            problems.append(f"{channel}: {exc}")
    if not msg.sent_by:
        raise notify.DeliveryError("; ".join(problems) or "no channel set")
    for p in problems:
        log.warning("alerts for %s: %s", r.viewer.username, p)
    return msg.sent_by


def _claim(store: Store, msg: Outgoing, now: datetime) -> bool:
    """Claim what ``msg`` announces; drops alerts another process claimed first. False: nothing
    left to send."""
    aid = msg.recipient.viewer.account_id
    assert aid is not None, "a recipient is an account"
    if msg.kind == "digest":
        assert msg.local_day is not None, "a digest has its local day"
        ok, previous = store.claim_digest(aid, msg.local_day)
        msg.previous_digest = previous
        return ok
    msg.alerts = [a for a in msg.alerts if store.claim_alert(aid, a.athlete_id, a.kind, a.day, now)]
    if msg.alerts:
        msg.subject, msg.body = al.notice_text(msg.alerts)
    return bool(msg.alerts)


def _release(store: Store, msg: Outgoing) -> None:
    aid = msg.recipient.viewer.account_id
    assert aid is not None, "a recipient is an account"
    if msg.kind == "digest":
        assert msg.local_day is not None, "a digest has its local day"
        store.release_digest(aid, msg.local_day, msg.previous_digest)
    for a in msg.alerts:
        store.release_alert(aid, a.athlete_id, a.kind, a.day)


def run_alerts(store: Store, now: datetime | None = None, *, notices: bool = True, digests: bool = True,
               digest_any_hour: bool = False, dry_run: bool = False,
               say: Callable[[str], None] = print, warn: Callable[[str], None] = print) -> AlertRun:
    """Send what :func:`plan` finds (``dry_run``: only plan it); each message is claimed first,
    so it goes out once across processes. Says one line per message (person, kind, channels;
    never an address or URL). A person whose channels all fail is reported through ``warn`` and
    tried again next run.

    Raises:
        StoreError, DatabaseBusyError: the database cannot be read; ConfigError: broken SMTP
            settings or no token key.
    """
    now = now or utcnow()
    out = AlertRun()
    messages = plan(store, now, notices=notices, digests=digests, digest_any_hour=digest_any_hour)
    if dry_run:
        out.planned = messages
        return out
    smtp = notify.smtp_settings() if any(m.recipient.email for m in messages) else None
    for msg in messages:
        if not _claim(store, msg, now):
            continue
        who = msg.recipient.viewer.username
        try:
            deliver(msg, smtp)
        except WhoopError as exc:
            _release(store, msg)
            out.planned.append(msg)
            out.failed.append(f"{who}: {exc}")
            warn(f"error: alerts: {msg.kind} for '{who}' not sent: {exc}")
            continue
        out.sent.append(msg)
        say(f"alerts: {msg.kind} sent to '{who}' by {' and '.join(msg.sent_by)}: {msg.subject}")
    return out


def send_test(store: Store, account_id: int) -> list[str]:
    """Send a test message to the account's saved channels; returns the channels that took it.

    Raises:
        InputError: no channel saved. notify.DeliveryError: no channel took it. ConfigError:
            e-mail without SMTP settings (among the reasons).
    """
    person = next((r for r in recipients(store) if r.viewer.account_id == account_id), None)
    if person is None:
        raise InputError("save an e-mail address or an Apprise URL first")
    body = (f"This is a test from the WHOOP dashboard for {person.viewer.username}: alerts and digests "
            f"will arrive here.\n")
    msg = Outgoing(person, "test", "WHOOP dashboard: test message", body)
    smtp = notify.smtp_settings() if person.email else None
    return deliver(msg, smtp)
