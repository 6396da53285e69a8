"""No traceback ever reaches a person (docs/ARCHITECTURE.md "Errors"): :func:`guard` turns a
:class:`~whoop.errors.WhoopError` into one ``st.error`` with its message (escaped: it may quote
file content) and any other exception into a generic message, logging the traceback
server-side. Streamlit's own control flow (``st.rerun``, ``st.stop``, ``st.switch_page``)
derives from BaseException and passes through.

:func:`flash` keeps a message across an ``st.rerun`` (e.g. an import result shown after the
sidebar refreshed); :func:`show_flashes` prints and forgets them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

import streamlit as st

from whoop import escape
from whoop.errors import WhoopError

log = logging.getLogger("whoop.ui")

GENERIC_MESSAGE = ("Something went wrong while showing this part of the page. The details were "
                   "written to the server log; reloading the page may help.")
_FLASH_KEY = "_whoop_flash"


@contextmanager
def guard(where: str = "page") -> Iterator[None]:
    """Run the ``with`` body; on ``WhoopError`` show ``st.error`` with its message (escaped with
    :func:`whoop.escape.markdown`), on any other ``Exception`` log it (with traceback, logger
    ``whoop.ui``) and show :data:`GENERIC_MESSAGE`."""
    try:
        yield
    except WhoopError as exc:
        log.info("%s: %s: %s", where, type(exc).__name__, exc)
        st.error(escape.markdown(exc), icon=":material/error:")
    except Exception:  # noqa: BLE001 - the point: nothing else reaches the person
        log.exception("unexpected error in %s", where)
        st.error(GENERIC_MESSAGE, icon=":material/error:")


def flash(kind: Literal["success", "warning", "error", "info"], message: str) -> None:
    """Queue ``message`` (plain text: it may quote names and file content; it is escaped
    with :func:`whoop.escape.markdown` when shown) for the top of the next page run."""
    st.session_state.setdefault(_FLASH_KEY, []).append((kind, message))


def show_flashes() -> None:
    """Show and clear the queued flash messages."""
    for kind, message in st.session_state.pop(_FLASH_KEY, []):
        getattr(st, kind)(escape.markdown(message))
