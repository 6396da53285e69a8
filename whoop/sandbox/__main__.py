"""``python -m whoop.sandbox``: serve the WHOOP stand-in (see ``whoop.sandbox`` for the flags)."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime

from whoop.sandbox.faults import parse_faults
from whoop.sandbox.options import DEFAULT_REDIRECT_URI, SandboxOptions
from whoop.sandbox.world import parse_instant


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m whoop.sandbox",
                                description="A local stand-in for WHOOP's OAuth and API v2 servers.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--seed", type=int, default=1, help="seed of the synthetic athletes")
    p.add_argument("--days", type=int, default=90, help="days of history before now")
    p.add_argument("--athletes", type=int, default=1, help="athletes offered on the consent page")
    p.add_argument("--client-id", default="sandbox-client")
    p.add_argument("--client-secret", default="sandbox-secret")
    p.add_argument("--redirect-uri", action="append", dest="redirect_uris", metavar="URI",
                   help=f"registered redirect URI, exact match; repeatable (default {DEFAULT_REDIRECT_URI})")
    p.add_argument("--auto-approve", action="store_true", help="skip the consent page")
    p.add_argument("--rate-window-s", type=float, default=60.0,
                   help="length of the 100-request window (the day window scales with it)")
    p.add_argument("--faults", default="", metavar="SPEC",
                   help='e.g. "429:3,503:2,slow:1,drop:1,malformed:1,cut:1,expire:1,revoke:1"')
    p.add_argument("--slow-s", type=float, default=30.0, help="delay of a 'slow' fault, seconds")
    p.add_argument("--token-ttl-s", type=int, default=3600, help="access-token lifetime (expires_in)")
    p.add_argument("--code-ttl-s", type=float, default=600.0, help="authorization-code lifetime")
    p.add_argument("--now", type=_instant, default=None,
                   help="sandbox clock at start, ISO-8601 (default: now, truncated to the hour)")
    p.add_argument("--latency-s", type=float, default=0.0, help="delay of every API reply, seconds")
    p.add_argument("--token-hold-s", type=float, default=0.0,
                   help="hold each token reply this long after issuing the tokens, seconds")
    p.add_argument("--webhook-url", default=None, metavar="URL",
                   help="POST signed WHOOP v2 webhooks of every change to URL (e.g. a worker's "
                        "http://127.0.0.1:8766/webhooks/whoop)")
    p.add_argument("--log-level", default="info")
    return p


def _instant(text: str) -> datetime:
    try:
        return parse_instant(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO-8601 date-time: {text!r}") from exc


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        parse_faults(args.faults)
    except ValueError as exc:
        print(f"error: --faults: {exc}", file=sys.stderr)
        return 2
    if args.athletes < 1 or args.days < 0 or args.rate_window_s <= 0 or args.latency_s < 0 \
            or args.token_hold_s < 0:
        print("error: --athletes must be >= 1, --days >= 0, --rate-window-s > 0, --latency-s and "
              "--token-hold-s >= 0", file=sys.stderr)
        return 2
    options = SandboxOptions(
        host=args.host, port=args.port, seed=args.seed, days=args.days, athletes=args.athletes,
        client_id=args.client_id, client_secret=args.client_secret,
        redirect_uris=args.redirect_uris or [DEFAULT_REDIRECT_URI], auto_approve=args.auto_approve,
        rate_window_s=args.rate_window_s, faults=args.faults, slow_s=args.slow_s,
        token_ttl_s=args.token_ttl_s, code_ttl_s=args.code_ttl_s, now=args.now,
        latency_s=args.latency_s, token_hold_s=args.token_hold_s, webhook_url=args.webhook_url)
    import uvicorn

    from whoop.sandbox.app import create_app

    app = create_app(options)
    print(f"WHOOP sandbox on http://{args.host}:{args.port}  client_id={options.client_id}  "
          f"redirect_uri(s)={' '.join(options.redirect_uris)}", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, lifespan="off",
                timeout_graceful_shutdown=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
