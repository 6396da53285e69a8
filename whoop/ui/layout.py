"""Small page-layout helpers shared by the page scripts."""

from __future__ import annotations

from collections.abc import Callable

import plotly.graph_objects as go
import streamlit as st

from whoop import escape
from whoop.ui.empty import empty_state
from whoop.ui.sidebar import Selection, selection

PLOTLY_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}


def chart(fig: go.Figure, *, key: str | None = None) -> None:
    """Show a plotly figure at the container's width (Streamlit 1.67: ``width="stretch"``;
    ``use_container_width`` is deprecated) with the figure's own dark theme."""
    st.plotly_chart(fig, width="stretch", theme=None, config=PLOTLY_CONFIG, key=key)


def page_header(title: str, sel: Selection | None = None, caption: str | None = None) -> None:
    """The page title, with the athlete and range as a caption once there is a selection."""
    st.title(title)
    if sel is not None:
        st.caption(caption or f"{escape.markdown(sel.athlete)} · "
                             f"{sel.start:%d %b %Y} – {sel.end:%d %b %Y}")
    elif caption:
        st.caption(caption)


def require_selection(title: str, page: str,
                      about: str | Callable[[Selection], str] | None = None) -> Selection | None:
    """Header plus the current selection; on an empty store show the empty state and return
    None (the page then stops drawing). ``about`` (text, or a function of the selection)
    replaces the range in the caption: "<athlete> · <about>"."""
    sel = selection()
    caption = None
    if sel is not None and about is not None:
        caption = (f"{escape.markdown(sel.athlete)} · "
                   f"{about(sel) if callable(about) else about}")
    page_header(title, sel, caption)
    if sel is None:
        empty_state(page)
    return sel
