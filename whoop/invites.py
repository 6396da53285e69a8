"""Invite links: how an athlete joins a team deployment.

A coach creates an invite; the link carries a token ``<random>.<expiry>.<signature>``: 18 random
bytes (``secrets.token_urlsafe``), the expiry in epoch seconds, and an HMAC-SHA256 over both with
the deployment's invite key (:func:`whoop.crypto.invite_key`), so a changed expiry or a made-up
token is refused before the database is asked. The database keeps only the SHA-256 of the token
(``invites``); redeeming marks it used in the same transaction that creates the athlete's account
and their (empty) athlete, so a link works once, and two people racing with one link cannot both
get in.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import quote

from whoop.accounts import Viewer, hash_password, username, utcnow
from whoop.errors import InputError, SignInError

if TYPE_CHECKING:
    from whoop.store import Store

INVITE_TTL = timedelta(days=7)
REFUSED = "this invite link is not valid: ask your coach for a new one"


@dataclass(frozen=True)
class Invite:
    """A checked, unused invite: who it is for (as the coach typed it) and until when."""

    token_hash: str
    athlete_name: str | None
    expires_at: datetime


def _sign(key: bytes, body: str) -> str:
    mac = hmac.new(key, body.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode("ascii").rstrip("=")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_invite(store: Store, coach: Viewer, key: bytes, athlete_name: str | None = None,
                  ttl: timedelta = INVITE_TTL, now: datetime | None = None) -> str:
    """A new single-use invite token (put it in a link with :func:`invite_link`).

    Args:
        coach: who creates it (must be a coach or admin).
        key: the invite key (:func:`whoop.crypto.invite_key`).
        athlete_name: who it is for, shown to them (optional, at most 64 characters).
        ttl: how long the link works.
    Raises:
        SignInError: ``coach`` is not a coach.
        InputError: the name is longer than 64 characters.
    """
    if not coach.is_coach or coach.account_id is None:
        raise SignInError("only a coach can invite athletes")
    name = (athlete_name or "").strip() or None
    if name is not None and len(name) > 64:
        raise InputError("an athlete name is at most 64 characters")
    now = now or utcnow()
    expires = now + ttl
    body = f"{secrets.token_urlsafe(18)}.{int(expires.timestamp())}"
    token = f"{body}.{_sign(key, body)}"
    store.save_invite(_hash(token), coach.account_id, name, now, expires)
    return token


def invite_link(public_url: str, token: str) -> str:
    """The link to send: the app's public address with ``?invite=<token>``."""
    return f"{public_url.rstrip('/')}/?invite={quote(token, safe='')}"


def check_invite(store: Store, token: str | None, key: bytes, now: datetime | None = None) -> Invite:
    """The invite of ``token`` when it is genuine, unexpired and unused.

    Raises:
        SignInError: tampered or unknown (one message), expired, or already used.
    """
    now = now or utcnow()
    parts = (token or "").split(".")
    if len(parts) != 3 or not parts[1].isdigit():
        raise SignInError(REFUSED)
    body = f"{parts[0]}.{parts[1]}"
    if not hmac.compare_digest(_sign(key, body), parts[2]):
        raise SignInError(REFUSED)
    row = store.invite(_hash(token or ""))
    if row is None:
        raise SignInError(REFUSED)
    if row.used_at is not None:
        raise SignInError("this invite link was used already: sign in, or ask your coach for a new one")
    if row.expires_at <= now or datetime.fromtimestamp(int(parts[1]), UTC) <= now:
        raise SignInError("this invite link has expired: ask your coach for a new one")
    return Invite(row.invite_hash, row.athlete_name, row.expires_at)


def redeem_invite(store: Store, token: str | None, key: bytes, name: str, password: str | None,
                  now: datetime | None = None) -> Viewer:
    """Create the invited athlete's account (``password`` None: they sign in through OIDC as
    ``name``, their e-mail) and their own, empty athlete, and use up the invite: one
    transaction. Returns who they are now.

    Raises:
        SignInError: the invite is not valid (see :func:`check_invite`), or was used meanwhile.
        InputError: bad user name or password, or the name is taken.
    """
    now = now or utcnow()
    invite = check_invite(store, token, key, now)
    login = username(name)
    hashed = hash_password(password) if password is not None else None
    with store.transaction() as con:
        athlete_id = store.ensure_athlete(con, _free_athlete_name(store, invite.athlete_name or login))
        account_id = store.add_account(login, "athlete", hashed, now, athlete_id)
        if not store.use_invite(invite.token_hash, account_id, now):
            raise SignInError("this invite link was used already: sign in, or ask your coach for a new one")
    return Viewer(account_id, login, "athlete", athlete_id)


def _free_athlete_name(store: Store, wanted: str) -> str:
    """``wanted``, or ``wanted (2)``, ``(3)``... when an athlete has that name: an invite never
    joins an existing athlete's data."""
    taken = set(store.athletes()["name"])
    name, n = wanted[:58], 2
    candidate = name
    while candidate in taken:
        candidate, n = f"{name} ({n})", n + 1
    return candidate
