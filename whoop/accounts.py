"""Who may sign in to a team deployment, and what each signed-in person may see.

Roles (the team deployment's rules):

* ``admin``: everything a coach may do, and manages accounts;
* ``coach``: sees the roster and every athlete on it, creates invites, may remove an athlete's
  link to WHOOP;
* ``athlete``: sees only their own athlete's data; connects, disconnects and deletes their own
  WHOOP data, downloads their own CSVs.

Built-in accounts keep an argon2id hash of the password (argon2-cffi's ``PasswordHasher`` with
its RFC 9106 defaults; its ``verify`` compares in constant time). A name that has no account is
checked against a dummy hash, so the time taken does not tell which names exist. After
:data:`LOCK_AFTER` consecutive failures an account is locked for :data:`LOCK_FOR` (OWASP
Authentication Cheat Sheet, "Account lockout":
https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html). Passwords are 8
to 1024 characters (NIST SP 800-63B §3.1.1.2, https://pages.nist.gov/800-63-4/sp800-63b.html).

Accounts that sign in through OIDC (Streamlit's ``st.login``) have no password hash; their name
is the e-mail address the identity provider vouches for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from whoop.errors import InputError, SignInError

if TYPE_CHECKING:
    from whoop.store import Store
    from whoop.store.accounts import AccountRow

ROLES = ("admin", "coach", "athlete")
COACHES = ("admin", "coach")
LOCK_AFTER = 5
LOCK_FOR = timedelta(minutes=15)
PASSWORD_MIN, PASSWORD_MAX = 8, 1024
_NAME = re.compile(r"[a-z0-9][a-z0-9._@+-]{0,63}")
WRONG = "wrong user name or password"


def utcnow() -> datetime:
    """The current instant, tz-aware UTC."""
    return datetime.now(UTC)


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@cache
def _dummy_hash() -> str:
    return _hasher().hash("no account has this password")


@dataclass(frozen=True)
class Viewer:
    """The person signed in (or the personal deployment's owner, :data:`OWNER`).

    Attributes:
        account_id: their account (None: the personal deployment, no sign-in).
        username: their account name (lower case).
        role: one of :data:`ROLES`.
        athlete_id: their own athlete (role ``athlete``), None until linked.
    """

    account_id: int | None
    username: str
    role: str
    athlete_id: int | None = None

    @property
    def is_coach(self) -> bool:
        """True for coaches and admins: they see every athlete of the deployment."""
        return self.role in COACHES

    def athlete_ids(self, store: Store) -> list[int]:
        """The athletes this person may see: all of the store's for a coach, else their own."""
        if self.is_coach:
            return [int(a) for a in store.athletes()["athlete_id"]]
        return [self.athlete_id] if self.athlete_id is not None else []

    def scope(self) -> list[int] | None:
        """The athlete ids a store query may return for this person: None (every athlete of the
        deployment) for a coach, else their own athlete ([] until one is linked)."""
        if self.is_coach:
            return None
        return [self.athlete_id] if self.athlete_id is not None else []

    def may_see(self, store: Store, athlete_id: int) -> bool:
        """True when this person may see ``athlete_id``'s data (a coach: any athlete of the
        store; anyone else: only their own)."""
        scope = self.scope()
        if scope is None:
            return store.athlete_name(int(athlete_id)) is not None
        return int(athlete_id) in scope

    def require(self, store: Store, athlete_id: int) -> int:
        """``athlete_id`` when this person may see it.

        Raises:
            SignInError: they may not (the message names no athlete).
        """
        if not self.may_see(store, athlete_id):
            raise SignInError("you can only see your own data")
        return athlete_id


#: The personal deployment: no sign-in, the owner sees every athlete of their own database.
OWNER = Viewer(None, "owner", "admin")


def viewer_of(row: AccountRow) -> Viewer:
    """The :class:`Viewer` of an account row."""
    return Viewer(row.account_id, row.username, row.role, row.athlete_id)


def username(name: str | None) -> str:
    """``name`` stripped and lower-cased.

    Raises:
        InputError: not 1-64 characters of a-z, 0-9 and ``. _ @ + -`` (starting with a letter
            or digit).
    """
    clean = (name or "").strip().lower()
    if not _NAME.fullmatch(clean):
        raise InputError("a user name is 1 to 64 characters: letters, digits and . _ @ + - "
                         "(an e-mail address works)")
    return clean


def check_role(role: str) -> str:
    """``role`` when it is one of :data:`ROLES`.

    Raises:
        InputError: any other role.
    """
    if role not in ROLES:
        raise InputError(f"unknown role '{role}': one of {', '.join(ROLES)}")
    return role


def hash_password(password: str) -> str:
    """The argon2id PHC string of ``password``.

    Raises:
        InputError: shorter than :data:`PASSWORD_MIN` or longer than :data:`PASSWORD_MAX`.
    """
    if not PASSWORD_MIN <= len(password or "") <= PASSWORD_MAX:
        raise InputError(f"a password is {PASSWORD_MIN} to {PASSWORD_MAX} characters")
    return _hasher().hash(password)


def add_account(store: Store, name: str, role: str, password: str | None,
                athlete_id: int | None = None, now: datetime | None = None) -> int:
    """Create an account (``password`` None: OIDC sign-in only). Returns its id.

    Raises:
        InputError: bad name, role or password; the name is taken.
    """
    hashed = hash_password(password) if password is not None else None
    return store.add_account(username(name), check_role(role), hashed, now or utcnow(), athlete_id)


def set_password(store: Store, name: str, password: str) -> None:
    """Replace an account's password (and lift a lockout).

    Raises:
        InputError: no such account, or a password outside the length rule.
    """
    row = store.account(username(name))
    if row is None:
        raise InputError(f"no account named '{username(name)}'")
    store.set_password_hash(row.account_id, hash_password(password))


def sign_in(store: Store, name: str, password: str, now: datetime | None = None) -> Viewer:
    """Check a built-in account's password.

    Raises:
        SignInError: unknown name or wrong password (one message for both), an OIDC-only
            account, or a locked account (says for how long).
    """
    now = now or utcnow()
    try:
        row = store.account(username(name))
    except InputError:
        row = None
    if row is None or row.password_hash is None:
        _verify(_dummy_hash(), password)              # as long as a real check
        raise SignInError(WRONG)
    if row.locked_until is not None and row.locked_until > now:
        raise SignInError(_locked(row.locked_until, now))
    if not _verify(row.password_hash, password):
        _, locked = store.note_failed_login(row.account_id, now, LOCK_AFTER, now + LOCK_FOR)
        if locked is not None and locked > now:
            raise SignInError(f"{WRONG}; {_locked(locked, now)}")
        raise SignInError(WRONG)
    rehash = _hasher().hash(password) if _hasher().check_needs_rehash(row.password_hash) else None
    store.note_login(row.account_id, now, rehash)
    return viewer_of(row)


def oidc_sign_in(store: Store, email: str | None, now: datetime | None = None) -> Viewer:
    """The account of a person the identity provider signed in (``st.user.email``).

    Raises:
        SignInError: no e-mail, or no account of that e-mail (ask for an invite).
    """
    try:
        row = store.account(username(email))
    except InputError:
        row = None
    if row is None:
        raise SignInError("this e-mail address has no account here: ask your coach for an invite link")
    store.note_login(row.account_id, now or utcnow())
    return viewer_of(row)


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher().verify(hashed, password or "")
    except (VerificationError, InvalidHashError):
        return False


def _locked(until: datetime, now: datetime) -> str:
    minutes = max(1, int((until - now).total_seconds() + 59) // 60)
    return (f"the account is locked after {LOCK_AFTER} failed sign-ins: try again in {minutes} "
            f"minute{'s' if minutes != 1 else ''}, or ask an admin to set a new password")
