"""The app's front door through AppTest (the real app.py): a non-loopback ``server.address``
without sign-in shows one refusal and reads nothing; with an ``[auth]`` section, or on
localhost, the pages are served. The Host / Origin refusals need a real websocket: see
tests/e2e/test_origin.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from streamlit import config as st_config

from tests.apptest_helpers import assert_clean
from tests.hostile_data import shown


@pytest.fixture
def server_address() -> Iterator[callable]:
    """Set Streamlit's ``server.address`` option for this test (restored afterwards)."""
    before = st_config.get_option("server.address")
    yield lambda value: st_config.set_option("server.address", value)
    st_config.set_option("server.address", before)


@pytest.fixture
def no_store_reads(monkeypatch) -> list[str]:
    """Record every Store construction (a refusal must not open the database)."""
    from whoop import store

    opened: list[str] = []
    original = store.Store.__init__

    def spy(self, *args, **kwargs):
        opened.append(str(args[0] if args else kwargs))
        original(self, *args, **kwargs)

    monkeypatch.setattr(store.Store, "__init__", spy)
    return opened


@pytest.mark.parametrize("address", ["0.0.0.0", "192.168.1.20"])
def test_non_loopback_address_without_sign_in_is_refused(app_test, demo_db, server_address,
                                                         no_store_reads, monkeypatch, tmp_path,
                                                         caplog, address, backend):
    monkeypatch.setenv("WHOOP_SECRETS_FILE", str(tmp_path / "absent.toml"))
    server_address(address)
    at = app_test(demo_db, signed_in_as=None).run()
    assert not at.exception
    if backend == "postgresql":     # the team deployment: sign-in is always on, so it is served
        assert [b.label for b in at.button] == ["Sign in"] and not at.metric
        assert no_store_reads == []
        return
    assert len(at.error) == 1
    message = shown(at.error[0].value)
    assert "server.address" in message and "[auth]" in message and "secrets.toml" in message
    assert not at.metric and not at.dataframe and not at.title and not at.sidebar.caption
    assert no_store_reads == []
    assert any("refused a session" in r.getMessage() for r in caplog.records)


AUTH = ('[auth]\nredirect_uri = "https://dash.example.com/oauth2callback"\n'
        'cookie_secret = "x"\nclient_id = "x"\nclient_secret = "x"\n'
        'server_metadata_url = "https://accounts.example.com/.well-known/openid-configuration"\n')


@pytest.fixture
def auth_secrets(monkeypatch, tmp_path) -> None:
    """A secrets.toml with an ``[auth]`` section (Streamlit's OIDC sign-in)."""
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(AUTH)
    monkeypatch.setenv("WHOOP_SECRETS_FILE", str(secrets))


@pytest.mark.parametrize("address", ["0.0.0.0", "localhost"])
def test_sign_in_configured_but_not_signed_in_shows_only_sign_in(app_test, demo_db, server_address,
                                                                 auth_secrets, no_store_reads,
                                                                 address):
    server_address(address)
    at = app_test(demo_db, signed_in_as=None)
    at.user = {"is_logged_in": False}
    at.run()
    assert not at.exception and not at.error
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.metric and not at.dataframe and not at.sidebar.caption
    assert no_store_reads == []


def test_pressing_sign_in_with_settings_streamlit_cannot_use_says_so(app_test, demo_db,
                                                                     auth_secrets, no_store_reads):
    at = app_test(demo_db, signed_in_as=None)
    at.user = {"is_logged_in": False}
    at.run()
    at.button(key="sign_in_").click().run()     # st.login finds no [auth] in st.secrets here
    assert not at.exception
    assert len(at.error) == 1 and "Sign-in could not start" in shown(at.error[0].value)
    assert not at.metric and no_store_reads == []


def test_named_providers_get_one_button_each(app_test, demo_db, monkeypatch, tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[auth]\nredirect_uri = "https://d.example.com/oauth2callback"\n'
                       'cookie_secret = "x"\n[auth.google]\nclient_id = "x"\n'
                       '[auth.microsoft]\nclient_id = "y"\n')
    monkeypatch.setenv("WHOOP_SECRETS_FILE", str(secrets))
    at = app_test(demo_db, signed_in_as=None)
    at.user = {"is_logged_in": False}
    at.run()
    assert [b.label for b in at.button] == ["Sign in with Google", "Sign in with Microsoft"]
    assert not at.metric


def test_streamlit_secrets_auth_counts_too(app_test, demo_db, monkeypatch, tmp_path,
                                          no_store_reads):
    monkeypatch.setenv("WHOOP_SECRETS_FILE", str(tmp_path / "absent.toml"))
    at = app_test(demo_db, signed_in_as=None)
    at.secrets["auth"] = {"redirect_uri": "https://d.example.com/oauth2callback",
                          "cookie_secret": "x", "client_id": "x", "client_secret": "x",
                          "server_metadata_url": "https://a.example.com/.well-known/x"}
    at.user = {"is_logged_in": False}
    at.run()
    assert [b.label for b in at.button] == ["Sign in"] and not at.metric
    assert no_store_reads == []


def test_non_loopback_address_signed_in_is_served(app_test, demo_db, server_address,
                                                  auth_secrets):
    from whoop.accounts import add_account
    from whoop.store import Store

    server_address("0.0.0.0")
    add_account(Store(demo_db), "coach@example.com", "coach", None)   # an OIDC-only account
    at = app_test(demo_db)
    at.user = {"is_logged_in": True, "name": "**Coach** [x](http://127.0.0.2/)",
               "email": "coach@example.com"}
    at.run()
    assert_clean(at)
    assert at.title[0].value == "Overview" and at.metric
    signed = next(c.value for c in at.sidebar.caption if "Signed in as" in c.value)
    assert "**Coach**" not in signed and "](http" not in signed   # the name is data, escaped
    assert "Sign out" in [b.label for b in at.sidebar.button]


def test_localhost_is_served(app_test, demo_db, no_store_reads, monkeypatch, tmp_path):
    monkeypatch.setenv("WHOOP_SECRETS_FILE", str(tmp_path / "absent.toml"))
    at = app_test(demo_db).run()
    assert_clean(at)
    assert at.title[0].value == "Overview" and at.metric
    assert no_store_reads  # the spy sees the store when the app does read it
