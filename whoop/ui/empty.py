"""The empty state every page shows before any data is in the store: the two ways in."""

from __future__ import annotations

import streamlit as st

from whoop.errors import WhoopError
from whoop.export.headers import APP_EXPORT_PATH
from whoop.ui.actions import load_demo_button
from whoop.ui.data import get_store, scope

DATA_PAGE = "pages/data.py"


def empty_state(page: str) -> None:
    """Explain that there is no data yet and offer **Load demo data** and **Upload WHOOP
    export** (a link to the Data page). ``page`` names the page for the button keys."""
    with st.container(border=True):
        st.subheader("No WHOOP data yet")
        if _connected_accounts():
            st.info("A WHOOP account is connected: its history is syncing in the background and "
                    "the pages fill in when the first sync is done (progress on the Data page).",
                    icon=":material/sync:")
        if scope() is not None:       # a team's athlete: their own WHOOP account or export
            st.write("Connect your WHOOP account, or upload the export WHOOP e-mails you (in the "
                     f"WHOOP app: {APP_EXPORT_PATH}), on the Data page.")
            st.page_link(DATA_PAGE, label="Connect WHOOP or upload an export",
                         icon=":material/link:")
            return
        st.write("Load a synthetic demo athlete to look around, or upload the export WHOOP "
                 f"e-mails you (in the WHOOP app: {APP_EXPORT_PATH}): the ZIP, or its CSV "
                 "files.")
        left, right = st.columns(2)
        with left:
            load_demo_button(key=f"demo_{page}")
        with right:
            st.page_link(DATA_PAGE, label="Upload WHOOP export", icon=":material/upload:")


def _connected_accounts() -> int:
    """How many WHOOP accounts are connected (0 when the database cannot say)."""
    from whoop.sync import connected_athletes

    try:
        found = connected_athletes(get_store())
        mine = scope()
        return len(found) if mine is None else len([a for a in found if int(a) in mine])
    except WhoopError:
        return 0
