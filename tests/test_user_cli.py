"""``python -m whoop user ...`` and ``python -m whoop invite`` as a person runs them (subprocess),
on DuckDB and PostgreSQL: passwords only from a terminal or stdin, never printed; clear errors."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from tests.test_cli import run_cli
from whoop.accounts import sign_in
from whoop.crypto import invite_key
from whoop.errors import SignInError
from whoop.invites import check_invite
from whoop.store import Store

PW = "a long enough password"


def test_add_list_passwd_remove_and_invite(db):
    out = run_cli("user", "add", "Coach", "--role", "coach", "--password-stdin", db=db, stdin=PW + "\n")
    assert out.returncode == 0 and out.stdout == "added coach 'coach'\n", out.stderr
    out = run_cli("user", "add", "ann", "--role", "athlete", "--athlete", "Ann Lee", "--password-stdin",
                  db=db, stdin=PW + "\n")
    assert out.returncode == 0 and "for athlete 'Ann Lee'" in out.stdout
    assert run_cli("user", "add", "kim@club.example", "--role", "admin", "--oidc", db=db).returncode == 0
    listing = run_cli("user", "list", db=db)
    assert listing.stdout.splitlines() == ["kim@club.example  admin  (oidc)",
                                           "ann  athlete  (password, athlete 'Ann Lee')",
                                           "coach  coach  (password)"]
    store = Store(db)
    assert PW not in listing.stdout + listing.stderr and "$argon2" not in listing.stdout
    assert sign_in(store, "ann", PW).athlete_ids(store) == [int(store.athletes()["athlete_id"].iloc[0])]

    assert run_cli("user", "passwd", "ann", "--password-stdin", db=db,
                   stdin="new password!\n").returncode == 0
    with pytest.raises(SignInError):
        sign_in(store, "ann", PW)
    assert sign_in(store, "ann", "new password!").username == "ann"

    link = run_cli("invite", "--by", "coach", "--for", "Ben", "--url", "https://team.example.org", db=db)
    assert link.returncode == 0, link.stderr
    url = urlparse(link.stdout.strip())
    assert (url.scheme, url.netloc, url.path) == ("https", "team.example.org", "/")
    assert check_invite(store, parse_qs(url.query)["invite"][0], invite_key(store.path)).athlete_name == "Ben"

    assert run_cli("user", "remove", "ann", db=db).stdout == "removed account 'ann'\n"
    assert store.account("ann") is None and len(store.athletes()) == 1      # the data stays


@pytest.mark.parametrize("args, stdin, message", [
    (("user", "add", "x", "--role", "coach"), None,
     "no terminal to ask the password at: pass --password-stdin"),
    (("user", "add", "x", "--role", "coach", "--password-stdin"), "short\n", "a password is 8 to 1024"),
    (("user", "add", "x", "--role", "coach", "--athlete", "X", "--password-stdin"), PW,
     "--athlete is for role athlete"),
    (("user", "passwd", "nobody", "--password-stdin"), PW, "no account named 'nobody'"),
    (("user", "remove", "nobody"), None, "no account named 'nobody'"),
    (("invite", "--by", "nobody"), None, "no account named 'nobody'"),
])
def test_mistakes_get_one_clear_line(db, args, stdin, message):
    out = run_cli(*args, db=db, stdin=stdin)
    assert out.returncode == 1
    assert out.stderr.startswith("error: ") and message in out.stderr and "Traceback" not in out.stderr


def test_an_athlete_cannot_create_invites(db):
    run_cli("user", "add", "ann", "--role", "athlete", "--password-stdin", db=db, stdin=PW)
    out = run_cli("invite", "--by", "ann", db=db)
    assert out.returncode == 1 and out.stderr == "error: only a coach can invite athletes\n"
