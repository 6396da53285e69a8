"""The Team page's **Invite an athlete** card (coaches only): who the link is for and how long
it works, then the single-use signed link (:mod:`whoop.invites`) shown once, copyable, with a QR
code (segno, a small pure-Python QR library: https://segno.readthedocs.io) for a phone.

The link is the app's public address (:func:`whoop.config.public_url`) with ``?invite=``; the
database keeps only its hash, so a link that was not copied cannot be shown again: make another.
"""

from __future__ import annotations

import io
from datetime import timedelta

import segno
import streamlit as st

from whoop import config, escape
from whoop.accounts import Viewer
from whoop.crypto import invite_key
from whoop.errors import WhoopError
from whoop.invites import create_invite, invite_link
from whoop.ui import data

_LINK_KEY = "_whoop_invite_link"     # (for whom, link) of the invite made in this session


def qr_png(text: str) -> bytes:
    """A PNG of the QR code of ``text`` (error correction M, 5 px modules, a 2-module border)."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=5, border=2)
    return buffer.getvalue()


def invite_card(who: Viewer) -> None:
    """Draw the card for ``who`` (nothing unless they are a coach with an account)."""
    if not who.is_coach or who.account_id is None:
        return
    with st.container(border=True):
        st.subheader("Invite an athlete")
        st.caption("The athlete opens the link, creates their account, connects their own WHOOP "
                   "and sees only their own data. A link works once.")
        with st.form("invite_form", border=False):
            left, right = st.columns([3, 1])
            name = left.text_input("Athlete name (shown to them, optional)", max_chars=64,
                                   key="invite_name")
            days = right.number_input("Valid for (days)", min_value=1, max_value=30, value=7,
                                      step=1, key="invite_days")
            go = st.form_submit_button("Create invite link", type="primary",
                                       icon=":material/person_add:")
        if go:
            store = data.get_store()
            try:
                token = create_invite(store, who, invite_key(store.path), name or None,
                                      timedelta(days=int(days)))
            except WhoopError as exc:
                st.error(escape.markdown(exc), icon=":material/error:")
                return
            st.session_state[_LINK_KEY] = (name.strip(), invite_link(config.public_url(), token))
        made = st.session_state.get(_LINK_KEY)
        if made is None:
            return
        whom, link = made
        st.write("Send this link" + (f" to **{escape.markdown(whom)}**" if whom else "")
                 + " (it is shown only now):")
        st.code(link, language=None)
        st.image(qr_png(link), caption="Or scan it with a phone", width=180)
