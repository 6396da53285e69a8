"""Team deployment accounts and invites (whoop.accounts, whoop.invites) on DuckDB and PostgreSQL:
argon2id hashes, one refusal message, lockout and its end, rehash, what each role may see, and
invite links that are signed, expiring and single-use."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from whoop import accounts
from whoop.accounts import LOCK_AFTER, LOCK_FOR, OWNER, WRONG, Viewer, add_account, sign_in
from whoop.crypto import invite_key
from whoop.errors import InputError, SignInError
from whoop.invites import check_invite, create_invite, invite_link, redeem_invite
from whoop.store import Store

PW = "correct horse battery"


@pytest.fixture
def store(db) -> Store:
    return Store(db)


@pytest.fixture
def coach(store: Store) -> Viewer:
    add_account(store, "Coach.Kim", "coach", PW)
    return sign_in(store, "coach.kim", PW)


def test_password_is_kept_only_as_an_argon2id_hash(store):
    add_account(store, "ann", "athlete", PW)
    row = store.account("ann")
    assert row.password_hash.startswith("$argon2id$") and PW not in row.password_hash
    listing = store.accounts()
    assert "password_hash" not in listing.columns and bool(listing["has_password"].iloc[0])
    assert sign_in(store, " ANN ", PW) == Viewer(row.account_id, "ann", "athlete", None)


def test_unknown_name_and_wrong_password_get_the_same_refusal(store):
    add_account(store, "ann", "athlete", PW)
    for name, password in (("ann", "wrong password"), ("bob", PW), ("", PW), ("a" * 200, PW)):
        with pytest.raises(SignInError) as err:
            sign_in(store, name, password)
        assert str(err.value) == WRONG


def test_lockout_after_repeated_failures_and_its_end(store):
    add_account(store, "ann", "athlete", PW)
    t0 = accounts.utcnow()
    for _ in range(LOCK_AFTER - 1):
        with pytest.raises(SignInError, match=f"^{WRONG}$"):
            sign_in(store, "ann", "nope nope", now=t0)
    with pytest.raises(SignInError, match="locked after 5 failed sign-ins: try again in 15 minutes"):
        sign_in(store, "ann", "nope nope", now=t0)
    # locked: even the right password is refused, without counting
    with pytest.raises(SignInError, match="try again in 5 minutes"):
        sign_in(store, "ann", PW, now=t0 + LOCK_FOR - timedelta(minutes=4, seconds=30))
    assert sign_in(store, "ann", PW, now=t0 + LOCK_FOR + timedelta(seconds=1)).username == "ann"
    row = store.account("ann")
    assert row.failed_logins == 0 and row.locked_until is None and row.last_login_at is not None


def test_a_new_password_lifts_the_lockout(store):
    add_account(store, "ann", "athlete", PW)
    for _ in range(LOCK_AFTER):
        with pytest.raises(SignInError):
            sign_in(store, "ann", "nope nope")
    accounts.set_password(store, "ann", "another good one")
    assert sign_in(store, "ann", "another good one").username == "ann"
    with pytest.raises(SignInError, match=f"^{WRONG}$"):
        sign_in(store, "ann", PW)


def test_an_old_hash_is_upgraded_at_sign_in(store):
    from argon2 import PasswordHasher
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PW)
    aid = store.add_account("ann", "athlete", weak, accounts.utcnow())
    sign_in(store, "ann", PW)
    upgraded = store.account(account_id=aid).password_hash
    assert upgraded != weak and upgraded.startswith("$argon2id$")
    assert sign_in(store, "ann", PW).account_id == aid


@pytest.mark.parametrize("name, role, password, why", [
    ("ann", "boss", PW, "unknown role 'boss'"),
    ("ann smith", "coach", PW, "a user name is 1 to 64"),
    ("ann", "coach", "short", "a password is 8 to 1024 characters"),
])
def test_bad_account_input_is_refused_with_a_reason(store, name, role, password, why):
    with pytest.raises(InputError, match=why):
        add_account(store, name, role, password)
    assert store.count_accounts() == 0


def test_names_are_unique_and_oidc_accounts_have_no_password(store):
    add_account(store, "kim@club.example", "coach", None)
    with pytest.raises(InputError, match="exists already"):
        add_account(store, "KIM@club.example", "athlete", PW)
    with pytest.raises(SignInError, match=f"^{WRONG}$"):      # no password sign-in for OIDC accounts
        sign_in(store, "kim@club.example", "")
    assert accounts.oidc_sign_in(store, "Kim@Club.example").role == "coach"
    with pytest.raises(SignInError, match="has no account here: ask your coach for an invite"):
        accounts.oidc_sign_in(store, "stranger@else.example")


def test_what_each_role_may_see(store):
    with store.transaction() as con:
        a, b = store.ensure_athlete(con, "Ann"), store.ensure_athlete(con, "Ben")
    add_account(store, "ann", "athlete", PW, athlete_id=a)
    add_account(store, "new", "athlete", PW)
    add_account(store, "root", "admin", PW)
    ann, new, root = (sign_in(store, n, PW) for n in ("ann", "new", "root"))
    assert ann.athlete_ids(store) == [a] and ann.may_see(store, a) and not ann.may_see(store, b)
    with pytest.raises(SignInError, match="only see your own data"):
        ann.require(store, b)
    assert new.athlete_ids(store) == []
    assert sorted(root.athlete_ids(store)) == sorted(OWNER.athlete_ids(store)) == sorted([a, b])


def test_invite_link_makes_an_athlete_account_once(store, coach):
    key = invite_key(store.path)
    token = create_invite(store, coach, key, "Ann Lee")
    link = invite_link("https://team.example.org/", token)
    assert link.startswith("https://team.example.org/?invite=") and token in link
    assert check_invite(store, token, key).athlete_name == "Ann Lee"
    ann = redeem_invite(store, token, key, "ann", PW)
    assert ann.role == "athlete" and ann.athlete_ids(store) == [ann.athlete_id]
    assert store.athletes().set_index("athlete_id").loc[ann.athlete_id, "name"] == "Ann Lee"
    assert sign_in(store, "ann", PW) == ann
    with pytest.raises(SignInError, match="used already"):
        redeem_invite(store, token, key, "mallory", PW)
    assert store.account("mallory") is None
    used = store.invites().iloc[0]
    assert (used["created_by"], used["used_by"]) == ("coach.kim", "ann")


def test_an_invite_never_joins_an_existing_athletes_data(store, coach):
    with store.transaction() as con:
        store.ensure_athlete(con, "Ann Lee")
    key = invite_key(store.path)
    ann = redeem_invite(store, create_invite(store, coach, key, "Ann Lee"), key, "ann", PW)
    assert store.athletes().set_index("athlete_id").loc[ann.athlete_id, "name"] == "Ann Lee (2)"


def test_tampered_expired_and_foreign_invites_are_refused(store, coach):
    key = invite_key(store.path)
    token = create_invite(store, coach, key, ttl=timedelta(hours=1))
    rand, expiry, sig = token.split(".")
    later = str(int(expiry) + 86400 * 30)

    def flip(text: str) -> str:         # the last character changed, whatever it was
        return text[:-1] + ("B" if text[-1] == "A" else "A")

    for bad in (f"{rand}.{later}.{sig}", f"{flip(rand)}.{expiry}.{sig}", f"{rand}.{expiry}.{flip(sig)}",
                "", "a.b", None, token + ".x", f"{rand}.{expiry}"):
        with pytest.raises(SignInError, match="not valid"):
            check_invite(store, bad, key)
    with pytest.raises(SignInError, match="not valid"):           # signed with another key
        check_invite(store, token, b"another deployment's key")
    with pytest.raises(SignInError, match="expired"):
        redeem_invite(store, token, key, "ann", PW, now=accounts.utcnow() + timedelta(hours=2))
    assert store.count_accounts("athlete") == 0
    with pytest.raises(SignInError, match="only a coach"):
        create_invite(store, Viewer(9, "ann", "athlete", 1), key)
    with pytest.raises(SignInError, match="only a coach"):
        create_invite(store, OWNER, key)


def test_two_people_racing_with_one_invite_one_gets_in(store, coach):
    key = invite_key(store.path)
    token = create_invite(store, coach, key)
    results: dict[str, object] = {}

    def take(name: str) -> None:
        try:
            results[name] = redeem_invite(Store(store.location, busy_timeout_s=30), token, key, name, PW)
        except SignInError as exc:
            results[name] = exc

    threads = [threading.Thread(target=take, args=(n,)) for n in ("ann", "ben")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [n for n, r in results.items() if isinstance(r, Viewer)]
    assert len(winners) == 1 and store.count_accounts("athlete") == 1
    loser = ({"ann", "ben"} - set(winners)).pop()
    assert "used already" in str(results[loser]) and store.account(loser) is None
