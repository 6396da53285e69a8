"""The Streamlit layer: the ONLY part of the ``whoop`` package that imports streamlit.

Pages stay thin: they call these helpers, :mod:`whoop.metrics` for numbers and
:mod:`whoop.charts` for figures.

* :mod:`.data`     cached Store and loaders keyed by each athlete's data version: ``get_store()``,
  ``athletes()``, ``days(id)``, ``view(id)``, ``records(table, id)``, ``runs()``;
  ``page_run()``: one connection per rerun (app.py)
* :mod:`.horizons` the Trends page's frames and figures, cached per athlete and data version
* :mod:`.sidebar`  athlete picker + shared date range: ``sidebar()``, ``selection()``, ``Selection``
* :mod:`.guard`    ``guard()`` (no traceback reaches a person), ``flash()``, ``show_flashes()``
* :mod:`.actions`  ``load_demo_button()``, ``import_files()``, ``delete_athlete()``
* :mod:`.upload`   ``upload_card(sel)``: the Data page's upload card and its athlete question
* :mod:`.empty`    ``empty_state(page)``
* :mod:`.cards`    ``kpi_card(...)``
* :mod:`.layout`   ``chart(fig)``, ``page_header(title, sel)``, ``require_selection(page)``
* :mod:`.connect`  the WHOOP card and the OAuth return; :mod:`.sync_now` its Sync now request
  and progress; :mod:`.scheduler` the in-process sync scheduler (DuckDB only)
* :mod:`.navigation` keeps ``st.navigation`` mode when a fresh server's first request is a deep link
"""

import streamlit  # noqa: F401  (imported first: it sets plotly's default template, see below)

from whoop.charts import theme
from whoop.ui.navigation import leave_pages_folder_mode

leave_pages_folder_mode()  # before anything else: see whoop/ui/navigation.py
# Importing streamlit makes its own template plotly's default (streamlit/elements/lib/
# streamlit_plotly_theme.py), whose placeholder colours only its theme="streamlit" replaces, and
# the pages draw with theme=None: make ours the default again whatever was imported first.
theme.use_as_default()

from whoop.ui.actions import delete_athlete, import_files, load_demo_button  # noqa: E402
from whoop.ui.cards import kpi_card  # noqa: E402
from whoop.ui.data import athletes, days, get_store, records, runs, view  # noqa: E402
from whoop.ui.empty import empty_state  # noqa: E402
from whoop.ui.guard import flash, guard, show_flashes  # noqa: E402
from whoop.ui.layout import chart, page_header, require_selection  # noqa: E402
from whoop.ui.sidebar import Selection, selection, sidebar  # noqa: E402

__all__ = [
    "Selection", "athletes", "chart", "days", "delete_athlete", "empty_state",
    "flash", "get_store", "guard", "import_files", "kpi_card", "load_demo_button", "page_header",
    "records", "require_selection", "runs", "selection", "show_flashes", "sidebar", "view",
]
