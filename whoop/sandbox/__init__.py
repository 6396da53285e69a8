"""A local stand-in for WHOOP's servers (OAuth 2.0 + API v2), for the demo, tests and benchmarks.

(Full documentation follows below once written.)
"""

from whoop.sandbox.app import SandboxApp, create_app
from whoop.sandbox.options import SandboxOptions

__all__ = ["SandboxApp", "SandboxOptions", "create_app"]
