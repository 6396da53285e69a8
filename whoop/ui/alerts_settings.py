"""The Settings page's "Alerts" section: where the signed-in person gets alert notices and the
morning digest (e-mail address, Apprise URL, immediate notices, digest hour and time zone), and a
"Send a test" button. Rules and sending: :mod:`whoop.alerts`, :mod:`whoop.alert_jobs`.

The saved Apprise URL is a secret (it embeds the service's token): it is never shown again, only
that one is saved; an empty field keeps it, "Remove" drops it.
"""

from __future__ import annotations

from zoneinfo import available_timezones

import streamlit as st

from whoop import escape
from whoop.accounts import Viewer
from whoop.alert_jobs import KEEP, save_settings, send_test
from whoop.errors import WhoopError
from whoop.store import Store

_URL_KEY = "alerts_apprise_url"
_SAVED_KEY = "alerts_saved"


def _zones(current: str) -> list[str]:
    return sorted(available_timezones() | {"UTC", current})


def alerts_settings(viewer: Viewer, store: Store) -> None:
    """Draw the Alerts section for ``viewer`` (a signed-in account; the personal deployment's
    owner, who has no account, gets a line saying alerts are for team accounts)."""
    st.subheader("Alerts")
    if viewer.account_id is None:
        st.caption("Alerts go to the accounts of a team deployment (python -m whoop user add).")
        return
    who = "every athlete of the team" if viewer.is_coach else "your own data"
    st.caption(f"Notices about {who}: HRV below the normal range 3 days running, resting HR and "
               "respiratory rate both high, recovery in the red 3 days running, no new data for 48 h, "
               "WHOOP access ended; and a morning digest.")
    try:
        row = store.alert_settings(viewer.account_id)
    except WhoopError as exc:
        st.error(escape.markdown(exc), icon=":material/error:")
        return
    with st.form("alerts_settings"):
        email = st.text_input("E-mail address", value=(row.email or "") if row else "")
        has_url = bool(row and row.apprise_enc)
        url = st.text_input("Apprise URL", type="password", key=_URL_KEY,
                            placeholder="saved (hidden): leave empty to keep it" if has_url
                            else "e.g. ntfy://topic, tgram://bottoken/chatid, mailto://...",
                            help="Any notification service Apprise knows: https://github.com/caronc/apprise/wiki")
        remove = st.checkbox("Remove the saved Apprise URL", value=False, disabled=not has_url)
        immediate = st.toggle("Notify me at once about new alerts", value=row.immediate if row else True)
        digest = st.toggle("Morning digest", value=row.digest if row else False)
        zone = row.digest_tz if row else "UTC"
        zones = _zones(zone)
        c1, c2 = st.columns(2)
        hour = c1.number_input("Digest hour", min_value=0, max_value=23, step=1,
                               value=int(row.digest_hour) if row else 7)
        tz = c2.selectbox("Time zone", zones, index=zones.index(zone))
        saved = st.form_submit_button("Save alert settings")
    if saved:
        new_url = None if remove else (url.strip() or KEEP)
        try:
            save_settings(store, viewer.account_id, email=email, apprise_url=new_url, immediate=immediate,
                          digest=digest, digest_hour=int(hour), digest_tz=tz)
        except WhoopError as exc:
            st.error(escape.markdown(exc), icon=":material/error:")
        else:                       # the typed URL leaves the session; the next run shows "saved"
            st.session_state.pop(_URL_KEY, None)
            st.session_state[_SAVED_KEY] = True
            st.rerun()
    if st.session_state.pop(_SAVED_KEY, False):
        st.success("Alert settings saved.", icon=":material/check:")
    if st.button("Send a test", key="alerts_test", disabled=row is None):
        try:
            with st.spinner("Sending..."):
                channels = send_test(store, viewer.account_id)
        except WhoopError as exc:
            st.error(escape.markdown(exc), icon=":material/error:")
        else:
            st.success(f"Test sent by {' and '.join(channels)}.", icon=":material/send:")
