"""Settings of one sandbox server (the ``python -m whoop.sandbox`` flags, as a dataclass)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

DEFAULT_CLIENT_ID = "sandbox-client"
DEFAULT_CLIENT_SECRET = "sandbox-secret"
DEFAULT_REDIRECT_URI = "http://localhost:8501/"


@dataclass
class SandboxOptions:
    """Everything a sandbox needs to start.

    Attributes:
        host, port: where ``python -m whoop.sandbox`` listens (the app itself ignores them).
        seed: seed of the synthetic athletes (same seed + same ``now`` = same data).
        days: days of history before ``now`` at start.
        athletes: number of synthetic athletes offered on the consent page (>= 1).
        client_id, client_secret: the one registered client.
        redirect_uris: registered redirect URIs; matched exactly (string equality).
        auto_approve: the authorize endpoint redirects at once (athlete 0, or ``sandbox_athlete``).
        rate_window_s: length of the "minute" rate window in seconds; the day window scales with it.
        faults: fault spec queued at start (see ``whoop.sandbox.faults``).
        slow_s: how long a ``slow`` fault stalls a response, seconds.
        token_ttl_s: access-token lifetime (``expires_in``), seconds.
        code_ttl_s: authorization-code lifetime, seconds (Ory Hydra's default is 10 min).
        now: the sandbox clock at start, UTC; None = real UTC now truncated to the hour.
        latency_s: every API request (``/developer/...``) is answered this many seconds late
            (a slow WHOOP, so a sync takes a while).
        token_hold_s: the token endpoint holds each successful reply this long after issuing the
            tokens (the old refresh token is already spent), so a test can kill the requester
            between WHOOP's answer and its durable write.
        webhook_url: where the sandbox POSTs its signed v2 webhooks (``whoop.sandbox.webhooks``);
            None sends none (``POST /_sandbox/webhooks`` sets it later).
    """

    host: str = "127.0.0.1"
    port: int = 8765
    seed: int = 1
    days: int = 90
    athletes: int = 1
    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = DEFAULT_CLIENT_SECRET
    redirect_uris: list[str] = field(default_factory=lambda: [DEFAULT_REDIRECT_URI])
    auto_approve: bool = False
    rate_window_s: float = 60.0
    faults: str = ""
    slow_s: float = 30.0
    token_ttl_s: int = 3600
    code_ttl_s: float = 600.0
    now: datetime | None = None
    latency_s: float = 0.0
    token_hold_s: float = 0.0
    webhook_url: str | None = None
