"""Optional hooks provided by :mod:`whoop.ui.connect` (WHOOP Connect/Sync, written by the sync
work): looked up by name, absent until that module exists."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable

CONNECT_MODULE = "whoop.ui.connect"


def connect_hook(name: str) -> Callable | None:
    """``whoop.ui.connect.<name>`` (e.g. ``handle_oauth_return``, ``render_whoop_card``), or None
    when the module is not there. An error *inside* the module propagates (the page guard shows
    it) rather than silently hiding the card."""
    if importlib.util.find_spec(CONNECT_MODULE) is None:
        return None
    return getattr(importlib.import_module(CONNECT_MODULE), name, None)
