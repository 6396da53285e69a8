"""Keep Streamlit in ``st.navigation`` mode even when the first request is a deep link.

Streamlit decides per process whether the app uses the legacy ``pages/`` folder: at the first
session it sees a ``pages/`` folder beside the entry script and runs the legacy multipage mode
until some run calls ``st.navigation`` (streamlit ``PagesManager.uses_pages_directory``,
``ScriptRunner._mpa_v1``; streamlit/streamlit#10276 describes deep links falling back to it).
The design card fixes the folder name ``pages/``, so when a fresh server's first request opens
e.g. ``/journal``, that page script runs alone: raw file names in the sidebar and no app setup.

Every page imports :mod:`whoop.ui`, so the first page run of the process passes here: switch the
legacy mode off and rerun, and the rerun goes through ``app.py``'s ``st.navigation`` to the same
page. Later runs find the flag already off and do nothing.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx


def leave_pages_folder_mode() -> None:
    """If this run is Streamlit's legacy ``pages/`` mode, turn it off and rerun via app.py."""
    if PagesManager.uses_pages_directory and get_script_run_ctx() is not None:
        PagesManager.uses_pages_directory = False
        st.rerun()
