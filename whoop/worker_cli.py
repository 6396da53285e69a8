"""``python -m whoop worker``: the team deployment's sync process (see :mod:`whoop.worker`)."""

from __future__ import annotations

import argparse


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Add this module's subcommands (each sets ``func``)."""
