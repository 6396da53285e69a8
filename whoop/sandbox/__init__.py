"""A local stand-in for WHOOP's servers (OAuth 2.0 + API v2), for the demo, tests and benchmarks.

Nobody on the project holds WHOOP credentials and no test may reach the internet, so Connect and
Sync are built, shown and tested against this server. It follows docs/WHOOP.md and WHOOP's OpenAPI
document (https://api.prod.whoop.com/developer/doc/openapi.json, "the SPEC"); where they are silent
it behaves as the real service most plausibly does, and the choices are listed below.

Start it
--------
::

    python -m whoop.sandbox                       # http://127.0.0.1:8765, 90 days, seed 1
    python -m whoop.sandbox --port 8765 --seed 7 --days 365 --athletes 3
    python -m whoop.sandbox --auto-approve --rate-window-s 1 --faults "429:3,503:2,drop:1"

Flags: ``--host`` (127.0.0.1) ``--port`` (8765) ``--seed N`` ``--days N`` ``--athletes N``
``--client-id`` (sandbox-client) ``--client-secret`` (sandbox-secret) ``--redirect-uri URI``
(repeatable; default http://localhost:8501/) ``--auto-approve`` ``--rate-window-s S`` (60)
``--faults SPEC`` ``--slow-s S`` (30) ``--token-ttl-s S`` (3600) ``--code-ttl-s S`` (600)
``--now ISO`` (default: now, truncated to the hour) ``--latency-s S`` (0: every API reply late)
``--token-hold-s S`` (0: each token reply held after the tokens are issued) ``--webhook-url URL``
(signed v2 webhooks of every change go there, ``whoop.sandbox.webhooks``) ``--log-level``.

Point the app at it
-------------------
It mirrors WHOOP's paths (``/oauth/oauth2/auth``, ``/oauth/oauth2/token``, ``/developer/v2/...``),
so the app needs one base URL::

    WHOOP_BASE_URL=http://127.0.0.1:8765 WHOOP_CLIENT_ID=sandbox-client \\
    WHOOP_CLIENT_SECRET=sandbox-secret WHOOP_REDIRECT_URI=http://localhost:8501/ \\
        streamlit run app.py

Connect shows the sandbox's consent page (pick an athlete, Allow or Deny) and comes back to the
app with ``?code=...&state=...``. In tests use ``whoop.sandbox.testing.run_sandbox(**options)``
(a server in a thread on a free port, yields ``.base_url`` and ``.state``).

Endpoints
---------
- OAuth: ``GET/POST /oauth/oauth2/auth`` (consent), ``POST /oauth/oauth2/token``
  (``whoop.sandbox.oauth``, ``whoop.sandbox.state``).
- API v2: profile, body measurement, cycles, recovery, sleep, workouts (collections and by id),
  ``/v2/cycle/{id}/sleep`` and ``/recovery``, ``DELETE /v2/user/access`` (``whoop.sandbox.api``;
  query rules in ``whoop.sandbox.query``).
- Control (``whoop.sandbox.admin``): ``GET /_sandbox/health``, ``POST /_sandbox/advance?days=N``,
  ``POST /_sandbox/token-clock?skip_s=S`` (tokens and codes age without a wait),
  ``POST /_sandbox/rescore``, ``POST /_sandbox/delete``, ``GET|POST /_sandbox/faults``,
  ``GET /_sandbox/stats``, ``POST /_sandbox/reset-stats``, ``GET|POST /_sandbox/webhooks``.

Data: ``whoop.synth`` athletes (the same generator as ``whoop.demo``), see ``whoop.sandbox.world``.
Rate limits: ``whoop.sandbox.ratelimit``. Faults: ``whoop.sandbox.faults``.

Where the documents are silent (the sandbox's choices)
------------------------------------------------------
- ``start``/``end``: interval overlap, ``start`` inclusive, ``end`` exclusive (``whoop.sandbox.query``);
  naive times are UTC; any offset is accepted; ``nextToken`` is opaque and bound to its query.
- A missing scope is 401 with ``error: insufficient_scope`` (the SPEC lists no 403);
  ``/v2/cycle/{id}/sleep`` needs ``read:sleep``.
- Error bodies are ``{"error", "error_description"}`` (RFC 6749 / Ory Hydra) for OAuth and API.
- ``state`` shorter than 8 characters: redirect with ``error=invalid_state`` (Hydra's error);
  unknown client or redirect URI: an HTML error page, never a redirect.
- Codes live 10 min (Hydra's default); a reused code revokes its tokens (RFC 6749 §4.1.2).
  Refresh tokens do not expire; the loser of a refresh race gets ``invalid_grant`` and the winner's
  tokens stay valid. Token lifetimes use the wall clock (plus what ``/_sandbox/token-clock``
  skipped), not the sandbox data clock.
- Rate limits count only requests with a valid token (per client); the token endpoint and
  ``/_sandbox/*`` are not limited. No ``Retry-After`` header (DOC-RL names none).
- The current cycle has no ``end``; records finished minutes before the clock are
  ``PENDING_SCORE`` (synth's scoring delay) and become ``SCORED`` as the clock advances.
"""

from whoop.sandbox.app import SandboxApp, create_app
from whoop.sandbox.options import SandboxOptions

__all__ = ["SandboxApp", "SandboxOptions", "create_app"]
