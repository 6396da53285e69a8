"""The empty state every page shows before any data is in the store: the two ways in."""

from __future__ import annotations

import streamlit as st

from whoop.ui.actions import load_demo_button

DATA_PAGE = "pages/data.py"


def empty_state(page: str) -> None:
    """Explain that there is no data yet and offer **Load demo data** and **Upload WHOOP
    export** (a link to the Data page). ``page`` names the page for the button keys."""
    with st.container(border=True):
        st.subheader("No WHOOP data yet")
        st.write("Load a synthetic demo athlete to look around, or upload the export WHOOP "
                 "e-mails you (Profile > App Settings > Data Export): the ZIP, or its CSV files.")
        left, right = st.columns(2)
        with left:
            load_demo_button(key=f"demo_{page}")
        with right:
            st.page_link(DATA_PAGE, label="Upload WHOOP export", icon=":material/upload:")
