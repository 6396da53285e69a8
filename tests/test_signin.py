"""The team deployment's front door and the scope of every page, through the real app
(Streamlit's AppTest on app.py) on a real store, on both backends: DuckDB with
``WHOOP_SIGN_IN=1`` and PostgreSQL (where sign-in is always on).

The store holds two athletes: ``barnaby`` (the demo athlete, renamed so its name is unique in
the page texts) and ``alice`` (another synthetic export). Accounts: ``coach`` (coach), ``ann``
(athlete, linked to ``alice``). Every test that signs in as ``ann`` walks every page and checks
that nothing of ``barnaby`` reaches the output.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from tests.apptest_helpers import assert_clean, texts
from whoop.accounts import LOCK_AFTER, add_account
from whoop.crypto import invite_key
from whoop.invites import create_invite
from whoop.store import Store

PAGES = ["overview", "recovery", "hrv", "sleep", "strain", "trends", "journal", "explain", "data",
         "settings"]
PASSWORD = "ann-password-1"


@pytest.fixture(scope="module")
def team_templates(demo_templates, tmp_path_factory, request):
    """``template(backend)``: the two-athlete store with its accounts, built once per module and
    backend (tests take a private copy: :func:`team`)."""
    from tests.conftest import _fresh
    from whoop.demo import write_demo_export
    from whoop.importer import import_paths

    made: dict[str, str | Path] = {}

    def template(backend: str) -> str | Path:
        if backend not in made:
            folder = tmp_path_factory.mktemp("team")
            location = _fresh(backend, folder, request, "team.duckdb", demo_templates(backend))
            store = Store(location)
            with store.transaction() as con:
                con.execute("UPDATE athletes SET name = 'barnaby' WHERE name = 'demo'")
            export = write_demo_export(folder / "export", seed=11, days=45, end=date(2026, 6, 30))
            import_paths(store, [export], athlete="alice")
            alice = store.athlete_id("alice")
            add_account(store, "coach", "coach", "coach-password")
            add_account(store, "ann", "athlete", PASSWORD, athlete_id=alice)
            made[backend] = location
        return made[backend]
    return template


@pytest.fixture
def team(backend, team_templates, tmp_path, request, monkeypatch) -> str:
    """A private copy of the two-athlete store with the coach and athlete accounts (see the
    module docstring), sign-in required."""
    from tests.conftest import TEST_TOKEN_KEY, _fresh

    monkeypatch.setenv("WHOOP_SIGN_IN", "1")
    monkeypatch.setenv("WHOOP_SECRETS_FILE", str(tmp_path / "absent.toml"))
    if backend == "postgresql":
        monkeypatch.setenv("WHOOP_TOKEN_KEY", TEST_TOKEN_KEY)
    return str(_fresh(backend, tmp_path, request, "team.duckdb", team_templates(backend)))


def _sign_in(at, name: str, password: str):
    at.text_input(key="sign_in_name").input(name)
    at.text_input(key="sign_in_password").input(password)
    at.button[0].click().run()
    return at


def everything(at) -> str:
    """All the text a person could read in the run: alerts, markdown, captions, titles, metric
    labels and values, table cells, picker options."""
    parts = [texts(at)]
    parts += [str(t.value) for t in at.title] + [str(e.value) for e in at.error]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    for frame in at.dataframe:
        value = frame.value
        parts.append(value.to_csv() if isinstance(value, pd.DataFrame) else str(value))
    for box in list(at.selectbox) + list(at.sidebar.selectbox):
        parts += [str(o) for o in box.options]
    return "\n".join(parts)


def test_nobody_signed_in_sees_only_the_sign_in_form_on_every_page(app_test, team):
    """The sign-in page is the app's only page then: asking for another is refused by
    Streamlit (AppTest raises; a browser's deep link lands on the sign-in page, see
    tests/e2e/test_team_journey.py) and shows nothing either way."""
    for page in PAGES:
        at = app_test(team, signed_in_as=None)
        at.run()
        if page != "overview":
            with pytest.raises(ValueError, match=r"Known pages: \[.Sign in.\]"):
                at.switch_page(f"pages/{page}.py")
            at.run()
        assert not at.exception
        assert [t.value for t in at.title] == ["WHOOP dashboard"], page
        assert not at.metric and not at.dataframe and not at.sidebar.selectbox, page
        shown = everything(at)
        assert "barnaby" not in shown and "alice" not in shown, page


def test_a_wrong_password_is_refused_and_shows_nothing(app_test, team):
    at = app_test(team, signed_in_as=None)
    at.run()
    _sign_in(at, "ann", "not-the-password")
    assert [e.value for e in at.error] == ["wrong user name or password"]
    assert not at.metric and "alice" not in everything(at)
    _sign_in(at, "nobody", "not-the-password")          # the same words for an unknown name
    assert [e.value for e in at.error] == ["wrong user name or password"]


def test_repeated_failures_lock_the_account_even_with_the_right_password(app_test, team):
    at = app_test(team, signed_in_as=None)
    at.run()
    for _ in range(LOCK_AFTER):
        _sign_in(at, "ann", "not-the-password")
    _sign_in(at, "ann", PASSWORD)
    assert "locked" in at.error[0].value and not at.metric


def test_an_athlete_sees_only_their_own_data_on_every_page(app_test, team):
    at = app_test(team, signed_in_as=None)
    at.run()
    _sign_in(at, "ann", PASSWORD)
    assert_clean(at)
    assert at.title[0].value == "Overview" and at.metric
    assert not at.sidebar.selectbox                     # one athlete: no picker
    assert any("Signed in as **ann** (athlete)" in c.value for c in at.sidebar.caption)
    for page in PAGES:
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, page
        shown = everything(at)
        assert "alice" in shown or page in ("settings",), page
        assert "barnaby" not in shown, page
    # the Data page offers no demo athlete and no deletion of someone else
    at.switch_page("pages/data.py").run()
    assert "demo_data" not in [b.key for b in at.button]
    assert "Leave the team" in [e.label for e in at.expander]


def test_an_athlete_cannot_pick_another_athlete_by_session_or_query(app_test, team):
    store = Store(team)
    at = app_test(team, signed_in_as=None)
    at.run()
    _sign_in(at, "ann", PASSWORD)
    at.session_state["athlete_pick"] = "barnaby"          # a forged picker value
    at.query_params["athlete"] = "barnaby"
    at.query_params["athlete_id"] = str(store.athlete_id("barnaby"))
    at.run()
    assert not at.exception
    assert "barnaby" not in everything(at)
    assert at.session_state["_whoop_selection"].athlete == "alice"


def test_the_loaders_refuse_another_athletes_frames(team, monkeypatch):
    """Below the pages: the cached loaders ask the session's scope before the store."""
    import streamlit as st

    from whoop.accounts import Viewer
    from whoop.errors import SignInError
    from whoop.ui import data, session

    store = Store(team)
    monkeypatch.setenv("WHOOP_DB", team)
    ann = Viewer(store.account("ann").account_id, "ann", "athlete", store.athlete_id("alice"))
    monkeypatch.setattr(st, "session_state", {})
    session.set_viewer(ann)
    assert [a.name for a in data.athletes(with_data=False)] == ["alice"]
    assert set(data.runs()["athlete"]) == {"alice"}
    assert len(data.days(store.athlete_id("alice")))
    for loader in (data.days, data.view, lambda a: data.records("sleeps", a)):
        with pytest.raises(SignInError, match="only see your own"):
            loader(store.athlete_id("barnaby"))


def test_a_coach_sees_every_athlete(app_test, team):
    at = app_test(team, signed_in_as=None)
    at.run()
    _sign_in(at, "coach", "coach-password")
    assert_clean(at)
    assert at.sidebar.selectbox(key="athlete_pick").options == ["alice", "barnaby"]


def test_a_removed_account_is_signed_out_at_the_next_click(app_test, team):
    at = app_test(team, signed_in_as=None)
    at.run()
    _sign_in(at, "ann", PASSWORD)
    assert at.metric
    Store(team).remove_account("ann")
    at.run()
    assert [t.value for t in at.title] == ["WHOOP dashboard"] and not at.metric


def test_sign_out_forgets_the_person_and_their_picks(app_test, team):
    at = app_test(team, signed_in_as=None)
    at.run()
    _sign_in(at, "coach", "coach-password")
    at.sidebar.button(key="sign_out").click().run()
    assert [t.value for t in at.title] == ["WHOOP dashboard"] and not at.metric
    assert "athlete_pick" not in at.session_state


def _invite(team: str, athlete_name: str | None = "Zoe") -> str:
    from whoop.accounts import viewer_of

    store = Store(team)
    return create_invite(store, viewer_of(store.account("coach")), invite_key(store.path),
                         athlete_name)


def test_an_invite_link_signs_up_a_new_athlete_who_sees_nobody_else(app_test, team):
    token = _invite(team)
    at = app_test(team, signed_in_as=None)
    at.query_params["invite"] = token
    at.run()
    assert "invite" not in at.query_params                  # the token leaves the address bar
    assert "**Zoe**" in texts(at)
    at.text_input(key="sign_up_name").input("zoe")
    at.text_input(key="sign_up_password").input("zoe-password-1")
    at.text_input(key="sign_up_again").input("zoe-password-1")
    at.button[0].click().run()
    assert_clean(at)
    assert "No WHOOP data yet" in [s.value for s in at.subheader]
    shown = everything(at)
    assert "barnaby" not in shown and "alice" not in shown
    assert "demo_overview" not in [b.key for b in at.button]      # no demo athlete for them
    row = Store(team).account("zoe")
    assert row.role == "athlete" and Store(team).athlete_name(row.athlete_id) == "Zoe"
    # the same link again: used
    again = app_test(team, signed_in_as=None)
    again.query_params["invite"] = token
    again.run()
    assert "used already" in again.error[0].value and not again.text_input


@pytest.mark.parametrize("change", ["expiry", "signature", "random"])
def test_a_tampered_invite_is_refused_and_shows_nothing(app_test, team, change):
    token = _invite(team)
    rand, expiry, sig = token.split(".")
    forged = {"expiry": f"{rand}.{int(expiry) + 86400}.{sig}",
              "signature": f"{rand}.{expiry}.{sig[:-1]}{'A' if sig[-1] != 'A' else 'B'}",
              "random": f"{'x' * len(rand)}.{expiry}.{sig}"}[change]
    at = app_test(team, signed_in_as=None)
    at.query_params["invite"] = forged
    at.run()
    assert not at.exception
    assert "not valid" in at.error[0].value
    assert not at.text_input and not at.metric
    assert Store(team).count_accounts() == 2


def test_an_athletes_upload_lands_in_their_own_history_only(app_test, team, tmp_path):
    from whoop.demo import write_demo_export

    store = Store(team)
    before = {name: len(store.days(store.athlete_id(name))) for name in ("alice", "barnaby")}
    export = write_demo_export(tmp_path / "later", seed=11, days=30, end=date(2026, 7, 30))
    at = app_test(team, signed_in_as=None)
    at.run()
    _sign_in(at, "ann", PASSWORD)
    at.switch_page("pages/data.py").run()
    assert not [t for t in at.text_input if t.key == "upload_athlete"]   # no name to choose
    at.file_uploader[0].set_value((export.name, export.read_bytes(), "application/zip"))
    at.run()
    at.button(key="upload_go").click().run()
    assert not at.exception
    assert "alice" in " ".join(s.value for s in at.success)
    after = {name: len(store.days(store.athlete_id(name))) for name in ("alice", "barnaby")}
    assert after["alice"] > before["alice"] and after["barnaby"] == before["barnaby"]
    assert store.athletes()["name"].tolist() == ["alice", "barnaby"]        # no new athlete


def test_an_athlete_leaving_with_their_data_keeps_the_account_and_nobody_elses(app_test, team):
    store = Store(team)
    others = len(store.days(store.athlete_id("barnaby")))
    at = app_test(team, signed_in_as=None)
    at.run()
    _sign_in(at, "ann", PASSWORD)
    at.switch_page("pages/data.py").run()
    at.checkbox(key="leave_delete").check().run()
    at.button(key="leave_go").click().run()
    assert not at.exception
    assert "your data is deleted" in " ".join(s.value for s in at.success)
    assert len(store.days(store.athlete_id("alice"))) == 0
    assert len(store.days(store.athlete_id("barnaby"))) == others
    row = store.account("ann")
    assert row is not None and row.athlete_id == store.athlete_id("alice")
    assert "No WHOOP data yet" in [s.value for s in at.subheader] or not at.metric
