"""Start a sandbox for tests and benchmarks: ``run_sandbox(**options)``.

In-process (a uvicorn server in a daemon thread on a free 127.0.0.1 port)::

    from whoop.sandbox.testing import run_sandbox

    with run_sandbox(days=30, auto_approve=True, rate_window_s=1) as sb:
        httpx.get(f"{sb.base_url}/_sandbox/health")
        sb.state.world.now          # direct access to the state, e.g. for assertions

As a subprocess instead: ``python -m whoop.sandbox --port P [flags]`` and poll
``GET http://127.0.0.1:P/_sandbox/health`` until it answers 200.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from whoop.sandbox.app import SandboxApp, create_app
from whoop.sandbox.options import SandboxOptions
from whoop.sandbox.state import SandboxState
from whoop.serving import serve


@dataclass
class SandboxHandle:
    """A running sandbox: ``base_url`` (no trailing slash, e.g. ``http://127.0.0.1:54321``)."""

    base_url: str
    app: SandboxApp
    #: the thread serving it; it ends (and closes the listening socket) soon after the ``with``
    #: block of :func:`run_sandbox` is left: ``join`` it to wait for that.
    thread: threading.Thread | None = None

    @property
    def state(self) -> SandboxState:
        return self.app.sandbox

    @property
    def options(self) -> SandboxOptions:
        return self.app.sandbox.options


@contextmanager
def run_sandbox(*, generator: Callable[..., Any] | None = None, startup_timeout_s: float = 20.0,
                **options: Any) -> Iterator[SandboxHandle]:
    """Serve a sandbox on a free port of 127.0.0.1 for the duration of the ``with`` block.

    Args:
        generator: athlete generator override (default ``whoop.synth.generate_athlete``).
        startup_timeout_s: how long to wait for the server to accept connections.
        **options: fields of ``SandboxOptions`` (``seed``, ``days``, ``auto_approve``, ...).

    The server stops in the background when the block is left (``handle.thread`` ends within
    a few tenths of a second; join it to wait).

    Raises:
        RuntimeError: the server did not start in time.
    """
    app = create_app(SandboxOptions(**options), generator=generator)
    with serve(app, name="whoop-sandbox", startup_timeout_s=startup_timeout_s) as (port, thread):
        yield SandboxHandle(f"http://127.0.0.1:{port}", app, thread)
