"""One plotly template, registered once (whoop/charts/theme.py): every figure takes it from
plotly's default, none passes a template or the template's colours itself, and importing
streamlit (which makes its own template the default) does not take it away from the pages."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from tests.conftest import REPO
from whoop import schema
from whoop.charts import basic, history, theme
from whoop.metrics import quality

# whoop.ui imports streamlit and then makes ours the default again, once for the whole process
# (test_streamlit_does_not_take_the_default_away checks both import orders in a fresh process).
from whoop import ui  # noqa: F401,E402  isort: skip


def test_the_template_is_plotly_dark_with_the_projects_layout():
    t = pio.templates[theme.TEMPLATE]
    dark = pio.templates["plotly_dark"]
    assert t.layout.paper_bgcolor == t.layout.plot_bgcolor == "rgba(0,0,0,0)"
    assert (t.layout.font.color, t.layout.font.size) == (theme.FG, 13)
    assert (t.layout.yaxis.gridcolor, t.layout.yaxis.zeroline) == (theme.GRID, False)
    assert t.layout.legend.orientation == "h"
    assert t.layout.colorway == dark.layout.colorway
    assert t.data.scatter == dark.data.scatter


def test_figures_take_the_template_without_passing_it():
    naps = pd.DataFrame({"date": pd.to_datetime(["2024-05-10"]), "asleep_min": [30.0]})
    figures = [go.Figure(), history.coverage_figure(quality.coverage(schema.empty_frame("days"))),
               basic.naps_figure(naps, date(2024, 5, 1), date(2024, 5, 30))]
    for fig in figures:
        assert fig.layout.template == pio.templates[theme.TEMPLATE]
        # the figure's own layout repeats none of the template's settings
        own = fig.to_plotly_json()["layout"]
        assert "paper_bgcolor" not in own and "font" not in own


@pytest.mark.parametrize("imports", [
    "import whoop.charts; import streamlit; import whoop.ui",
    "import streamlit; import whoop.ui; import whoop.charts",
])
def test_streamlit_does_not_take_the_default_away(imports):
    """streamlit sets ``pio.templates.default = "streamlit"`` when imported; with ``theme=None``
    its placeholder colours (#000001, ...) would be drawn as they are."""
    code = (f"{imports}\nimport plotly.io as pio, plotly.graph_objects as go\n"
            "print(pio.templates.default, go.Figure().layout.template.layout.colorway[0])")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                         timeout=120, check=True).stdout.split()
    assert out == ["whoop", pio.templates["plotly_dark"].layout.colorway[0]]


def test_no_figure_passes_a_template_or_its_background():
    """The one home of the look: no ``template=`` or background colour outside theme.py."""
    files = [*(REPO / "whoop").rglob("*.py"), *(REPO / "pages").glob("*.py"), REPO / "app.py"]
    found = [f"{f.relative_to(REPO)}:{n}" for f in files if f.name != "theme.py"
             for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1)
             if re.search(r"(?<!hover)template\s*=|plotly_dark|paper_bgcolor|plot_bgcolor", line)]
    assert found == []
