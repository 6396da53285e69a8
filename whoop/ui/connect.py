"""The Data page's WHOOP card and the OAuth return handler (the streamlit side of whoop.oauth,
whoop.tokens and whoop.sync).

* :func:`handle_oauth_return` (app.py, every page, every run): ``?code&state`` / ``?error`` ->
  finish the connect server-side, flash the outcome, pick the connected athlete (the sidebar
  waits for its first synced days, :func:`whoop.ui.sidebar.select_athlete`), clear the query
  parameters, rerun.
* :func:`render_whoop_card` (Data page): per connected athlete its state (Disconnected /
  Connected / Syncing / Error / Reconnect needed), last and next sync, **Sync now** (a request
  the scheduler or a worker picks up, with live progress: :mod:`whoop.ui.sync_now`),
  **Disconnect**, **Delete data** (after a confirmation); **Connect WHOOP** (with "link to
  athlete"), one click in the same tab (:func:`_connect_link`), and "paste the URL you were
  sent back to".
* on the DuckDB default, the background scheduler (:mod:`whoop.ui.scheduler`: one thread per
  process) is started once an athlete is connected and woken right after a connect, so every
  new connection starts its first sync at once. On PostgreSQL the app starts no scheduler:
  ``python -m whoop worker`` processes sync.

No cache is cleared here: cached frames are keyed by each athlete's data version
(:mod:`whoop.ui.data`), so a sync or deletion refreshes that athlete's frames only.

No token or secret is ever put in session state, caches, HTML or URLs: the card only reads
statuses; tokens stay inside whoop.tokens.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

import streamlit as st

from whoop import escape
from whoop.config import REGISTER_URL, WhoopSettings, whoop_settings
from whoop.crypto import install_log_redaction
from whoop.errors import WhoopError
from whoop.ui import data, sync_now
from whoop.ui.guard import flash
from whoop.ui.scheduler import Scheduler as _Scheduler  # noqa: F401  (tests/sync use the old name)
from whoop.ui.scheduler import in_process, max_age
from whoop.ui.session import ACCOUNT_KEY, remember_account, viewer
from whoop.ui.sidebar import select_athlete

if TYPE_CHECKING:
    from whoop.tokens import TokenStore

log = logging.getLogger("whoop.ui.connect")
_URL_KEY = "_whoop_auth_url"      # (link-athlete choice, created at (epoch s), authorization URL)
#: a prepared Connect link is renewed this long before its state expires (whoop.oauth.STATE_TTL_S)
_RENEW_BEFORE_S = 180.0
_LINK_STYLE = ("display:inline-block;padding:0.45rem 0.9rem;border-radius:0.5rem;"
               "background:{primary};color:#FFFFFF;font-weight:600;text-decoration:none")


def _link_style() -> str:
    """The Connect link drawn as a primary button: the theme's ``primaryColor`` (one home,
    .streamlit/config.toml, whose contrast with white tests/test_theme.py checks)."""
    primary = str(st.get_option("theme.primaryColor") or "#0A8604")
    return _LINK_STYLE.format(primary=escape.html(primary))


def _token_store() -> TokenStore:
    from whoop.tokens import TokenStore
    return TokenStore(data.get_store(), whoop_settings())


def handle_oauth_return() -> None:
    """Finish a WHOOP connect when this run carries ``?code&state`` or ``?error`` (any page)."""
    install_log_redaction()
    q = st.query_params
    if "code" not in q and "error" not in q:
        settings = whoop_settings()
        if settings.configured and data.get_store().dialect == "duckdb" and _connected_count():
            in_process(data.get_store())
        return
    code, state, error = q.get("code"), q.get("state"), q.get("error")
    st.query_params.clear()
    try:
        result = _token_store().finish_connect(code=code, state=state, error=error)
        if st.session_state.get(ACCOUNT_KEY) is None:
            remember_account(result.account_id)     # a team's athlete, back from WHOOP: them again
        flash("success", f"Connected WHOOP account as athlete '{result.athlete}'. {_first_sync()}")
        select_athlete(result.athlete, wait=True)   # picked once its first synced days are stored
    except WhoopError as exc:
        flash("error", str(exc))
    st.rerun()


def _first_sync() -> str:
    """Start the first sync of a new connection (wake the scheduler: DuckDB) and say who runs it."""
    scheduler = in_process(data.get_store())
    if scheduler is None:
        return ("Its history is synced by the sync worker (`python -m whoop worker`); the WHOOP "
                "card on the Data page shows the progress.")
    scheduler.wake()
    return ("Its history is syncing in the background; the WHOOP card on the Data page shows the "
            "progress.")


def _connected_count() -> int:
    try:
        from whoop.sync import connected_athletes
        return len(connected_athletes(data.get_store()))
    except WhoopError:
        return 0


def _fmt(ts: datetime | None) -> str:
    return "never" if ts is None else f"{ts:%Y-%m-%d %H:%M} UTC"


def _athlete_row(ts: TokenStore, row: Any) -> None:
    from whoop.sync import delete_synced_data, sync_status

    aid, name = int(row.athlete_id), row.name
    status = sync_status(data.get_store(), aid, max_age())
    cols = st.columns([3, 2, 2, 2])
    cols[0].markdown(f"**{escape.markdown(name)}**  \n{status.state}"
                     + (f": {escape.markdown(status.detail or status.last_error)}"
                        if status.state in
                        ("Error", "Reconnect needed") else ""))
    cols[0].caption(f"last sync {_fmt(status.last_ok_at)}; next {_fmt(status.next_sync_at)}")
    live = status.state in ("Connected", "Error", "Syncing")
    if cols[1].button("Sync now", key=f"sync_{aid}", type="primary", icon=":material/sync:",
                      disabled=not live or status.state == "Syncing" or sync_now.requested(aid)):
        try:
            sync_now.request(aid)       # returns at once: the scheduler or a worker syncs
        except WhoopError as exc:
            st.error(escape.markdown(exc), icon=":material/error:")
        else:
            st.rerun()                  # the card anew: Sync now disabled, the progress shown
    sync_now.show(aid, name)            # the requested sync's progress, polled from the store
    if cols[2].button("Disconnect", key=f"disc_{aid}", disabled=status.state == "Disconnected"):
        try:
            revoked = ts.disconnect(aid)
            flash("success" if revoked else "warning", f"Disconnected '{name}'" + (
                "" if revoked else " (WHOOP did not confirm the revocation)") + "; the history stays.")
        except WhoopError as exc:
            flash("error", str(exc))
        st.rerun()
    with cols[3].popover("Delete data"):
        st.write(f"Delete every record of '{escape.markdown(name)}' from this database? "
                 f"The WHOOP connection stays.")
        if st.checkbox("Yes, delete", key=f"delconf_{aid}") and st.button("Delete", key=f"del_{aid}",
                                                                          type="primary"):
            try:
                delete_synced_data(data.get_store(), aid)
            except WhoopError as exc:        # a sync of this athlete is running, the database is busy
                st.error(escape.markdown(exc), icon=":material/error:")
                return
            flash("success", f"Deleted the data of '{name}'.")
            st.rerun()


def render_whoop_card() -> None:
    """The WHOOP card of the Data page (see the module docstring)."""
    install_log_redaction()
    settings = whoop_settings()
    with st.container(border=True):
        st.subheader("WHOOP account")
        if not settings.configured:
            st.info(
                f"To connect WHOOP, set {' and '.join(settings.missing())} (and WHOOP_REDIRECT_URI, "
                f"now {settings.redirect_uri}) in the environment or in `.streamlit/secrets.toml` "
                f"(copy `.streamlit/secrets.toml.example`), then restart the app. Register an app at "
                f"{REGISTER_URL} with that redirect URI. Export upload and demo data work without it.")
            return
        ts = _token_store()
        scope = data.scope()
        conns = ts.connections()
        if scope is not None:
            conns = conns[conns["athlete_id"].astype(int).isin(scope)]
        for row in conns.itertuples(index=False):
            _athlete_row(ts, row)
        st.divider()
        if scope is not None:       # an athlete connects only their own athlete
            own = [a.name for a in data.athletes(with_data=False)]
            live = set(conns.loc[conns["status"].eq("connected"), "name"])
            if own and own[0] not in live:
                _connect_link(settings, own[0])
        else:
            names = ["(new athlete)"] + [a.name for a in data.athletes(with_data=False)
                                         if a.name not in set(conns["name"])]
            link = st.selectbox("Link to athlete", names, key="whoop_link",
                                help="Choose the athlete holding your export to merge API and "
                                     "export data.")
            _connect_link(settings, None if link == names[0] else link)
        with st.expander("WHOOP could not send you back here?"):
            st.caption("Paste the full address you were sent to after approving at WHOOP:")
            pasted = st.text_input("Redirect URL", key="whoop_pasted", label_visibility="collapsed",
                                   placeholder=settings.redirect_uri + "?code=...&state=...")
            if st.button("Finish connecting", key="whoop_paste_go", disabled=not pasted):
                st.session_state.pop(_URL_KEY, None)
                try:
                    result = ts.finish_connect_url(pasted)
                    flash("success", f"Connected WHOOP account as athlete '{result.athlete}'. "
                                     f"{_first_sync()}")
                    select_athlete(result.athlete, wait=True)
                except WhoopError as exc:
                    flash("error", str(exc))
                st.rerun()


def _authorization_url(settings: WhoopSettings, link: str | None) -> str:
    """This session's Connect URL for the "link to athlete" choice ``link``: made once (a new
    pending state in the store, ``whoop.oauth.authorization_url``) and renewed when the choice
    changes or the state is within :data:`_RENEW_BEFORE_S` of expiring."""
    import time

    from whoop.oauth import STATE_TTL_S, authorization_url

    made = st.session_state.get(_URL_KEY)
    if made is None or made[0] != link or time.time() - made[1] > STATE_TTL_S - _RENEW_BEFORE_S:
        made = (link, time.time(), authorization_url(data.get_store(), settings, link_athlete=link,
                                                      account_id=viewer().account_id))
        st.session_state[_URL_KEY] = made
    return made[2]


@st.fragment(run_every=60)
def _connect_link(settings: WhoopSettings, link: str | None) -> None:
    """**Connect WHOOP**: one click, in this tab, straight to WHOOP's consent page.

    ``st.link_button`` always opens a new tab (its docstring in Streamlit 1.67), which left this
    tab on a link whose state was spent; a button that first makes the state needed a second
    click. So the URL (with a fresh pending state) is ready when the card is drawn, and shown as
    a plain link with ``target="_self"`` (Streamlit keeps an explicit target on Markdown links;
    the URL is HTML-escaped). The fragment renews it every minute if its state nears expiry.
    """
    try:   # a fragment rerun is outside the page's guard: a busy database is one message
        url = _authorization_url(settings, link)
    except WhoopError as exc:
        st.warning(f"The Connect link could not be prepared: {escape.markdown(exc)}",
                   icon=":material/warning:")
        return
    st.markdown(f'<a href="{escape.html(url)}" target="_self" rel="noopener" '
                f'style="{_link_style()}">Connect WHOOP</a>', unsafe_allow_html=True)
    st.caption("Opens WHOOP's consent page here; after Allow you come back to this app.")
