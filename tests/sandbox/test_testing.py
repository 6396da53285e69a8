"""``run_sandbox``: serves on a free 127.0.0.1 port, and stops (in the background) once its block
is left: the thread ends, the port refuses connections, open keep-alive connections are closed."""

from __future__ import annotations

import httpx
import pytest

from tests.sandbox.conftest import NOW
from whoop.sandbox.testing import run_sandbox


def test_leaving_the_block_stops_the_server_and_frees_its_port():
    with httpx.Client(timeout=5) as client:
        with run_sandbox(now=NOW, days=2) as sb:
            assert client.get(f"{sb.base_url}/_sandbox/health").json()["status"] == "ok"   # keep-alive
            thread = sb.thread
            assert thread is not None and thread.is_alive()
        thread.join(timeout=10)
        assert not thread.is_alive()
        with pytest.raises(httpx.TransportError):
            client.get(f"{sb.base_url}/_sandbox/health")
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{sb.base_url}/_sandbox/health", timeout=5)


def test_two_sandboxes_at_once_get_their_own_ports():
    with run_sandbox(now=NOW, days=2) as a, run_sandbox(now=NOW, days=2, seed=2) as b:
        assert a.base_url != b.base_url
        assert httpx.get(f"{a.base_url}/_sandbox/health").json()["seed"] == 1
        assert httpx.get(f"{b.base_url}/_sandbox/health").json()["seed"] == 2
