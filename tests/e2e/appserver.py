"""Run the real app for browser tests and screenshots: a Streamlit server subprocess on a free
127.0.0.1 port (ready when ``/_stcore/health`` answers), Debian's Chromium through Playwright,
and a wait for Streamlit to finish a script run."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_app(db: Path, *, timeout_s: float = 60.0, env: dict[str, str] | None = None,
                log: Path | None = None, args: Sequence[str] = ()) -> Iterator[str]:
    """Serve ``app.py`` with ``WHOOP_DB=db``; yield its base URL (``http://127.0.0.1:<port>``).
    ``args``: more ``streamlit run`` flags (they win over the defaults, e.g.
    ``["--server.address", "0.0.0.0"]``).

    Raises:
        RuntimeError: the server exited or did not become healthy within ``timeout_s`` (the
            message carries the end of its output).
    """
    port = free_port()
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true",
           "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", *args]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
                            env={**os.environ, **(env or {}), "WHOOP_DB": str(db)})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {proc.returncode}"
                                   + (f"; log: {log.read_text(errors='replace')[-2000:]}" if log else ""))
            try:
                if httpx.get(f"{url}/_stcore/health", timeout=1.0).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"streamlit not healthy after {timeout_s:.0f} s")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if log:
            out.close()


def launch_chromium(playwright):
    """Debian's Chromium, headless, with the flags that keep it quiet and offline."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                      args=CHROMIUM_ARGS)


def wait_for_run(page, timeout_ms: float = 30_000) -> None:
    """Wait until the app is connected and Streamlit has finished the current script run
    (``stApp``'s ``data-test-script-state`` is ``notRunning``, as Streamlit's own e2e tests do),
    after a short pause so a run just triggered by a click has started."""
    page.wait_for_timeout(250)
    page.wait_for_selector('[data-testid="stApp"][data-test-connection-state="CONNECTED"]',
                           timeout=timeout_ms)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]',
                           timeout=timeout_ms)
    page.wait_for_timeout(150)
