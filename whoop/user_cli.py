"""``python -m whoop user`` and ``python -m whoop invite``: the team deployment's accounts.

::

    python -m whoop user add NAME --role admin|coach|athlete [--athlete NAME] [--oidc] [--password-stdin]
    python -m whoop user passwd NAME [--password-stdin]
    python -m whoop user remove NAME
    python -m whoop user list
    python -m whoop invite --by COACH [--for NAME] [--days 7] [--url https://team.example.org]

A password is asked twice at the terminal (never echoed, never an argument, so it stays out of
the shell history and the process list); ``--password-stdin`` reads one line from standard
input instead, for scripts. ``--oidc`` makes an account that signs in through the identity
provider of ``.streamlit/secrets.toml``'s ``[auth]`` (its name is the e-mail address). Hashing,
lockout and roles: :mod:`whoop.accounts`; invites: :mod:`whoop.invites`.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from whoop.errors import InputError


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Add the ``user`` and ``invite`` subcommands (each sets ``func``)."""
    user = sub.add_parser("user", help="accounts of a team deployment: add, passwd, remove, list",
                          description="Manage the accounts that sign in to a team deployment. Roles: "
                          "admin (manages accounts, sees everything), coach (sees the roster, invites), "
                          "athlete (sees only their own data).")
    actions = user.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="create an account")
    add.add_argument("name", help="user name (or the e-mail address for --oidc)")
    add.add_argument("--role", required=True, choices=("admin", "coach", "athlete"))
    add.add_argument("--athlete", metavar="NAME", help="role athlete: the athlete whose data this is "
                     "(created when new)")
    add.add_argument("--oidc", action="store_true", help="no password: signs in through the [auth] "
                     "identity provider (the name is the e-mail address)")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    passwd = actions.add_parser("passwd", help="set a new password (also lifts a lockout)")
    passwd.add_argument("name")
    passwd.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    remove = actions.add_parser("remove", help="delete an account (the athlete's data stays)")
    remove.add_argument("name")
    listing = actions.add_parser("list", help="every account, without passwords")
    for p in (add, passwd, remove, listing):
        p.add_argument("--db", metavar="FILE|URL", help="DuckDB file or postgresql:// URL "
                       "(default: $WHOOP_DB or data/whoop.duckdb)")
    user.set_defaults(func=cmd_user)

    inv = sub.add_parser("invite", help="create a single-use invite link for an athlete",
                         description="Print a single-use invite link; the athlete opens it, creates "
                         "their account and connects their WHOOP.")
    inv.add_argument("--by", required=True, metavar="COACH", help="the coach's account name")
    inv.add_argument("--for", dest="athlete", metavar="NAME", help="who it is for (shown to them)")
    inv.add_argument("--days", type=float, default=7.0, help="days the link works (default: 7)")
    inv.add_argument("--url", default="http://localhost:8501", help="the app's public address")
    inv.add_argument("--db", metavar="FILE|URL", help="DuckDB file or postgresql:// URL")
    inv.set_defaults(func=cmd_invite)


def read_password(from_stdin: bool) -> str:
    """The new password: one line of stdin, or asked twice at the terminal.

    Raises:
        InputError: no terminal to ask at (and no ``--password-stdin``), or the two differ.
    """
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise InputError("no terminal to ask the password at: pass --password-stdin and pipe it in")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise InputError("the two passwords differ; nothing changed")
    return first


def cmd_user(args: argparse.Namespace) -> int:
    """Run ``user add|passwd|remove|list``."""
    from whoop import accounts
    from whoop.store import Store

    store = Store(args.db)
    if args.action == "list":
        table = store.accounts()
        if table.empty:
            print("no accounts yet: python -m whoop user add NAME --role admin")
        for row in table.itertuples():
            how = "password" if row.has_password else "oidc"
            athlete = f", athlete '{row.athlete}'" if isinstance(row.athlete, str) else ""
            print(f"{row.username}  {row.role}  ({how}{athlete})")
        return 0
    if args.action == "remove":
        name = accounts.username(args.name)
        if not store.remove_account(name):
            raise InputError(f"no account named '{name}'")
        print(f"removed account '{name}'")
        return 0
    if args.action == "passwd":
        accounts.set_password(store, args.name, read_password(args.password_stdin))
        print(f"new password set for '{accounts.username(args.name)}'")
        return 0
    if args.athlete and args.role != "athlete":
        raise InputError("--athlete is for role athlete")
    password = None if args.oidc else read_password(args.password_stdin)
    athlete_id = None
    if args.athlete:
        with store.transaction() as con:
            athlete_id = store.ensure_athlete(con, args.athlete)
    accounts.add_account(store, args.name, args.role, password, athlete_id)
    print(f"added {args.role} '{accounts.username(args.name)}'"
          + (f" for athlete '{args.athlete.strip()}'" if args.athlete else ""))
    return 0


def cmd_invite(args: argparse.Namespace) -> int:
    """Print a new invite link."""
    from datetime import timedelta

    from whoop import accounts
    from whoop.crypto import invite_key
    from whoop.invites import create_invite, invite_link
    from whoop.store import Store

    store = Store(args.db)
    row = store.account(accounts.username(args.by))
    if row is None:
        raise InputError(f"no account named '{accounts.username(args.by)}'")
    if args.days <= 0 or args.days > 90:
        raise InputError("--days is more than 0 and at most 90")
    token = create_invite(store, accounts.viewer_of(row), invite_key(store.path), args.athlete,
                          timedelta(days=args.days))
    print(invite_link(args.url, token))
    return 0
