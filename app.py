"""WHOOP dashboard: the Streamlit entry point.

Run:  python -m streamlit run app.py

Shared setup for every page: page config first, the Host/Origin/bind-address check
(``whoop.ui.origin``, nothing is read before it passes), the sign-in gate of a served
deployment (``whoop.ui.signin``: the personal localhost app needs none), the WHOOP OAuth return
(``?code&state`` / ``?error``, ``whoop.ui.connect``), the sidebar (athlete picker
and date range), then the page itself, all inside the guard so no traceback reaches a person.
The OAuth return, the sidebar and the page run as one unit of work (``whoop.ui.data.page_run``):
one database connection per rerun, each data version read once.
Adding a page is one line in ``PAGES``.
"""

import logging

import streamlit as st

# An emoji icon: Streamlit draws it as an inline SVG; a ``:material/...:`` page icon would make
# every page view fetch an SVG from fonts.gstatic.com.
st.set_page_config(page_title="WHOOP dashboard", page_icon="💚", layout="wide",
                   initial_sidebar_state="expanded")

from whoop import ui  # noqa: E402  (st.set_page_config must come first)
from whoop.accounts import Viewer  # noqa: E402
from whoop.ui import origin  # noqa: E402
from whoop.ui.connect import handle_oauth_return  # noqa: E402
from whoop.ui.signin import anonymous, badge, gate  # noqa: E402

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

# Before anything reads the store: refuse another Host (DNS rebinding), another Origin (a page on
# another local port) and a non-loopback server.address without sign-in (whoop/ui/origin.py).
origin.enforce()

PAGES = [
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("pages/recovery.py", title="Recovery", icon=":material/battery_charging_full:"),
    st.Page("pages/hrv.py", title="HRV", icon=":material/monitor_heart:"),
    st.Page("pages/sleep.py", title="Sleep", icon=":material/bedtime:"),
    st.Page("pages/strain.py", title="Strain", icon=":material/directions_run:"),
    st.Page("pages/trends.py", title="Trends", icon=":material/calendar_month:"),
    st.Page("pages/journal.py", title="Journal", icon=":material/edit_note:"),
    st.Page("pages/explain.py", title="Explain a day", icon=":material/troubleshoot:"),
    st.Page("pages/data.py", title="Data", icon=":material/database:"),
    st.Page("pages/settings.py", title="Settings", icon=":material/settings:"),
]
#: the roster: first in a team coach's menu, after Trends for the personal app's owner, never
#: in an athlete's
TEAM_PAGE = st.Page("pages/team.py", title="Team", icon=":material/groups:")


def menu(who: Viewer) -> list:
    """The pages ``who`` may open, in menu order."""
    if not who.is_coach:
        return PAGES
    if who.account_id is None:                  # the personal app: one person, their athletes
        return PAGES[:6] + [TEAM_PAGE] + PAGES[6:]
    return [TEAM_PAGE] + PAGES


# A served deployment's front door (whoop/ui/signin.py): nobody signed in sees only the sign-in
# page, and the database is not opened for it; everything after reads only what the signed-in
# person may see. An error reading the accounts fails closed (the guard shows it, the run stops).
if anonymous():
    with ui.guard("sign-in"):
        gate()
    st.stop()

# One connection for every store call of this rerun, cached loaders included (a fragment that
# reruns alone opens its own); a database that cannot be opened is one message, not a traceback.
with ui.guard("database"), ui.data.page_run():
    viewer = None
    with ui.guard("sign-in"):
        viewer = gate()
    if viewer is None:
        st.stop()
    page = st.navigation(menu(viewer))
    with ui.guard("app setup"):
        handle_oauth_return()
        ui.sidebar()
        badge(viewer)
        ui.show_flashes()

    with ui.guard(page.title):
        page.run()
