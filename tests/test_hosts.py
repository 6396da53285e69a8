"""whoop.hosts: the Host / Origin / bind-address rules, and their settings in whoop.config.

The same rules run against a real server and browser in tests/e2e/test_origin.py."""

from __future__ import annotations

import pytest

from whoop import config, hosts
from whoop.errors import ConfigError

LOOP = hosts.allowed_names()


@pytest.mark.parametrize("host, expected", [
    ("localhost:8501", ("localhost", 8501)),
    ("LOCALHOST.:8501", ("localhost", 8501)),
    ("127.0.0.1", ("127.0.0.1", None)),
    ("[::1]:8501", ("::1", 8501)),
    ("dash.example.com", ("dash.example.com", None)),
    ("", None), (None, None),
    ("user@localhost:8501", None),
    ("localhost:99999", None),
    ("localhost:8501/x", None),
    ("localhost:abc", None),
])
def test_host_name_parses_like_streamlit(host, expected):
    assert hosts.host_name(host) == expected


def test_loopback_names_match_streamlits_parsing_of_ipv6():
    from streamlit import config as st_config
    from streamlit.web.server.starlette.starlette_websocket import is_host_allowed

    before = st_config.get_option("server.allowedHosts")
    st_config.set_option("server.allowedHosts", list(hosts.LOOPBACK_NAMES))
    try:
        for host in ("localhost:8501", "127.0.0.1:8501", "[::1]:8501"):
            assert is_host_allowed(host), host
            assert hosts.host_name(host)[0] in LOOP
        assert not is_host_allowed("evil.test:8501")
    finally:
        st_config.set_option("server.allowedHosts", before)


def test_allowed_names_follow_the_configured_public_addresses():
    assert LOOP == {"localhost", "127.0.0.1", "::1"}
    assert hosts.allowed_names(server_address="localhost",
                               redirect_uri="http://localhost:8501/") == LOOP
    names = hosts.allowed_names(server_address="Dash.Example.com.",
                                redirect_uri="https://whoop.example.org/",
                                extra=["192.168.1.20", " [fe80::1] ", ""])
    assert names == LOOP | {"dash.example.com", "whoop.example.org", "192.168.1.20", "fe80::1"}
    assert hosts.allowed_names(redirect_uri="http://127.0.0.1:8501/") == LOOP


@pytest.mark.parametrize("origin, host", [
    ("http://localhost:8501", "localhost:8501"),
    ("http://127.0.0.1:8501", "127.0.0.1:8501"),
    ("http://[::1]:8501", "[::1]:8501"),
    ("https://dash.example.com", "dash.example.com"),
    ("https://dash.example.com:443", "dash.example.com"),
    ("http://dash.example.com", "dash.example.com:80"),
    ("HTTP://LocalHost:8501", "localhost:8501"),
])
def test_same_origin_accepts_the_apps_own_page(origin, host):
    assert hosts.same_origin(origin, host)


@pytest.mark.parametrize("origin, host", [
    ("http://localhost:3000", "localhost:8501"),       # another local port
    ("http://127.0.0.1:8501", "localhost:8501"),       # another name for the same machine
    ("http://evil.test:8501", "localhost:8501"),
    ("https://localhost:8501", "localhost:8501:1"),    # malformed host
    ("null", "localhost:8501"),                        # sandboxed iframe / file://
    (None, "localhost:8501"),
    ("", "localhost:8501"),
    ("file:///tmp/x.html", "localhost:8501"),
    ("chrome-extension://abc", "localhost:8501"),
    ("http://localhost:8501/path", "localhost:8501"),
    ("http://localhost:8501", None),
    ("https://dash.example.com", "dash.example.com:80"),
])
def test_same_origin_refuses_every_other_origin(origin, host):
    assert not hosts.same_origin(origin, host)


def test_request_refusal():
    ok = {"Host": "localhost:8501", "Origin": "http://localhost:8501"}
    assert hosts.request_refusal(ok, LOOP) is None
    assert hosts.request_refusal({}, LOOP) is None  # no browser connection (AppTest)
    rebound = {"Host": "evil.test:8501", "Origin": "http://evil.test:8501"}
    assert "evil.test:8501" in hosts.request_refusal(rebound, LOOP)
    assert "WHOOP_ALLOWED_HOSTS" in hosts.request_refusal(rebound, LOOP)
    assert hosts.request_refusal(rebound, LOOP | {"evil.test"}) is None
    other_port = {"Host": "localhost:8501", "Origin": "http://localhost:3000"}
    assert "http://localhost:3000" in hosts.request_refusal(other_port, LOOP)
    assert hosts.request_refusal({"Origin": "http://localhost:8501"}, LOOP) is not None
    assert hosts.request_refusal({"Host": "localhost:8501"}, LOOP) is not None


@pytest.mark.parametrize("address", ["localhost", "127.0.0.1", "::1", "[::1]", "127.0.0.5"])
def test_serve_refusal_allows_loopback_addresses(address):
    assert hosts.serve_refusal(address, auth_configured=False) is None


@pytest.mark.parametrize("address", ["0.0.0.0", "192.168.1.20", "::", "dash.example.com", "", None])
def test_serve_refusal_needs_sign_in_elsewhere(address):
    why = hosts.serve_refusal(address, auth_configured=False)
    assert "server.address" in why and "[auth]" in why and ".streamlit/secrets.toml" in why
    assert hosts.serve_refusal(address, auth_configured=True) is None


def test_allowed_hosts_and_auth_settings(monkeypatch, tmp_path):
    secrets = tmp_path / "secrets.toml"
    monkeypatch.setenv("WHOOP_SECRETS_FILE", str(secrets))
    monkeypatch.delenv("WHOOP_ALLOWED_HOSTS", raising=False)
    assert config.allowed_hosts() == [] and not config.auth_configured()
    secrets.write_text('WHOOP_ALLOWED_HOSTS = "dash.example.com, 10.0.0.2"\n'
                       '[auth]\nredirect_uri = "https://dash.example.com/oauth2callback"\n')
    assert config.allowed_hosts() == ["dash.example.com", "10.0.0.2"]
    assert config.auth_configured()
    monkeypatch.setenv("WHOOP_ALLOWED_HOSTS", "a.example, [::2]")
    assert config.allowed_hosts() == ["a.example", "[::2]"]
    for bad in ("*", "*.example.com", "https://a.example", "a.example:8501"):
        monkeypatch.setenv("WHOOP_ALLOWED_HOSTS", bad)
        with pytest.raises(ConfigError, match="WHOOP_ALLOWED_HOSTS"):
            config.allowed_hosts()
    secrets.write_text("[auth]\n")
    assert not config.auth_configured()
