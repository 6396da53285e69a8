"""Serve an ASGI app with uvicorn in a daemon thread: the WHOOP webhook receiver of the worker
(:mod:`whoop.webhook_server`) and the sandbox of tests and benchmarks
(:func:`whoop.sandbox.testing.run_sandbox`)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn


@contextmanager
def serve(app: Callable[..., Any], host: str = "127.0.0.1", port: int = 0, *, name: str = "whoop-http",
          startup_timeout_s: float = 20.0, join_s: float = 0.0) -> Iterator[tuple[int, threading.Thread]]:
    """Serve ``app`` on ``host``:``port`` (0: a free port) for the ``with`` block; yields the
    bound port and the serving thread.

    Leaving the block stops the server without waiting: uvicorn sees the flag within its 0.1 s
    tick, closes the open connections and returns, and the thread then closes the listening
    socket (``join`` the thread to wait for that, or pass ``join_s``: wait up to that many
    seconds here, e.g. before a process exits, so nothing is left serving at interpreter exit).

    Raises:
        OSError: the address is taken or cannot be bound.
        RuntimeError: the server did not start within ``startup_timeout_s``.
    """
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted sockets inherit TCP_NODELAY on Linux; without it every response waits ~40 ms
        # for the client's delayed ACK (uvicorn writes headers and body separately).
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    bound = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                                           timeout_graceful_shutdown=1))

    def run() -> None:
        try:
            server.run(sockets=[sock])
        finally:
            sock.close()

    thread = threading.Thread(target=run, daemon=True, name=f"{name}-{bound}")
    thread.start()
    deadline = time.monotonic() + startup_timeout_s
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"the server on {host}:{bound} did not start")
        time.sleep(0.01)
    try:
        yield bound, thread
    finally:
        server.should_exit = True
        if join_s:
            thread.join(join_s)
