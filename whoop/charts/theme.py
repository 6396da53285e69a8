"""The one look of every figure: colours and the plotly template ``"whoop"``.

Importing :mod:`whoop.charts` registers the template once in ``plotly.io.templates`` and makes
it ``plotly.io.templates.default``, so every figure built in the package, by ``go.Figure()`` or
``make_subplots``, takes it at construction and no figure passes a template of its own (plotly's
templates: https://plotly.com/python/templates/). :func:`layout` adds what differs per figure.

The template is ``plotly_dark`` with a transparent background (the page's own dark background
from ``.streamlit/config.toml`` shows through; the pages call ``st.plotly_chart(theme=None)`` so
Streamlit does not put its own theme on top), text in :data:`FG` at 13 px, small margins, the
legend in a row above the plot, and faint horizontal grid lines without a zero line.

Colours: WHOOP's recovery zones green ``#16EC06`` (67-100 %), yellow ``#FFDE00`` (34-66 %) and
red ``#FF0026`` (0-33 %) (WHOOP "Recovery" support article,
https://support.whoop.com/WHOOP_Data/Recovery__HRV/WHOOP_Recovery); the others are the project's.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

GREEN, YELLOW, RED = "#16EC06", "#FFDE00", "#FF0026"
ZONE_COLORS = {"green": GREEN, "yellow": YELLOW, "red": RED}
GREY = "#7A8290"
FG = "#E6E9EF"
BLUE = "#3FA9F5"
VIOLET = "#A07CF7"
TEAL = "#2BD4C5"
ORANGE = "#FF9F1C"
GRID = "rgba(255,255,255,0.08)"

#: The name under which the template is registered in ``plotly.io.templates``.
TEMPLATE = "whoop"
#: Top margin (px) of a figure with a title; without one the template's 10 px.
TITLE_MARGIN_PX = 40


def build_template() -> go.layout.Template:
    """The ``"whoop"`` template: a copy of plotly's ``plotly_dark`` with the project's layout.

    Returns:
        A new :class:`plotly.graph_objects.layout.Template` (registering it is
        :func:`use_as_default`'s job).
    """
    template = go.layout.Template(pio.templates["plotly_dark"])
    template.layout.update(
        paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)",
        font=dict(color=FG, size=13), margin=dict(l=10, r=10, t=10, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
        yaxis=dict(gridcolor=GRID, zeroline=False))
    return template


def use_as_default() -> None:
    """Register the template under :data:`TEMPLATE` and make it plotly's default. Idempotent.

    Importing :mod:`whoop.charts` calls it; :mod:`whoop.ui` calls it again right after importing
    streamlit, because importing streamlit makes streamlit's own template the default
    (``streamlit/elements/lib/streamlit_plotly_theme.py``), whose placeholder colours only
    ``st.plotly_chart(theme="streamlit")`` replaces."""
    pio.templates[TEMPLATE] = build_template()
    pio.templates.default = TEMPLATE


def layout(fig: go.Figure, *, title: str | None = None, yaxis: str | None = None,
           height: int = 360, **extra: Any) -> go.Figure:
    """Per-figure layout on top of the template: height, title (with room for it), the y-axis
    title and any other ``update_layout`` keywords (``hovermode``, ``barmode``, ...).

    Args:
        fig: the figure, changed in place.
        title: figure title, or None for none (plain text: callers escape file text first).
        yaxis: y-axis title (applied to every y axis of a subplot figure), or None.
        height: figure height in px.
        **extra: passed to ``fig.update_layout``.

    Returns:
        ``fig``.
    """
    fig.update_layout(height=height, title=title, **extra)
    if title:
        fig.update_layout(margin_t=TITLE_MARGIN_PX)
    fig.update_yaxes(title=yaxis)
    return fig
