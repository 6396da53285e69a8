"""``python -m whoop.sandbox`` as a subprocess: flags reach the server."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.sandbox.conftest import HTTP


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_cli_serves_with_its_flags():
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "whoop.sandbox", "--port", str(port), "--seed", "3", "--days", "5",
         "--athletes", "2", "--client-id", "cli-app", "--client-secret", "cli-secret",
         "--redirect-uri", "http://localhost:9000/cb", "--redirect-uri", "http://localhost:8501/",
         "--auto-approve", "--rate-window-s", "10", "--faults", "503:1", "--token-ttl-s", "120",
         "--now", "2026-01-15T08:00:00Z", "--log-level", "warning"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                health = HTTP.get(f"{base}/_sandbox/health", timeout=1)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stdout.read()
                assert time.monotonic() < deadline, "sandbox did not start"
                time.sleep(0.1)
        assert health.json()["now"] == "2026-01-15T08:00:00.000Z"
        assert health.json()["seed"] == 3 and len(health.json()["athletes"]) == 2
        r = HTTP.get(f"{base}/oauth/oauth2/auth", params={
            "response_type": "code", "client_id": "cli-app", "redirect_uri": "http://localhost:9000/cb",
            "scope": "offline read:cycles", "state": "0123456789"})
        assert r.headers["location"].startswith("http://localhost:9000/cb?")
        code = parse_qs(urlsplit(r.headers["location"]).query)["code"][0]
        token = HTTP.post(f"{base}/oauth/oauth2/token", data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": "http://localhost:9000/cb",
            "client_id": "cli-app", "client_secret": "cli-secret"}).json()
        assert token["expires_in"] == 120
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        assert HTTP.get(f"{base}/developer/v2/cycle", headers=headers).status_code == 503
        ok = HTTP.get(f"{base}/developer/v2/cycle", headers=headers)
        assert ok.status_code == 200
        assert ok.headers["X-RateLimit-Limit"] == "100, 100;window=10, 10000;window=14400"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_cli_rejects_a_bad_fault_spec():
    r = subprocess.run([sys.executable, "-m", "whoop.sandbox", "--faults", "teapot:1"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and "unknown fault kind" in r.stderr
