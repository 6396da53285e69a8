"""``python -m whoop migrate-store``: copy a store to another backend (see :mod:`whoop.store.transfer`)."""

from __future__ import annotations

import argparse


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Add this module's subcommands (each sets ``func``)."""
