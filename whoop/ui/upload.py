"""The Data page's upload card: export files, the athlete they belong to (by default the athlete
picked in the sidebar; ``me`` on an empty database or with the demo athlete picked), Import,
and the question asked before writing when the export does not look like that athlete's
(:mod:`whoop.athlete_match`): its records are stored for another athlete (import into that one
instead, or keep a separate copy), or the athlete holds records but none of these (someone
else's export? type a new name, or import anyway).
"""

from __future__ import annotations

import streamlit as st

from whoop import escape
from whoop.athlete_match import Overlap
from whoop.demo import DEMO_ATHLETE
from whoop.importer import DEFAULT_ATHLETE
from whoop.ui import actions, data
from whoop.ui.sidebar import Selection

FILES_KEY = "upload_files"
ATHLETE_KEY = "upload_athlete"
_FOLLOWS_KEY = "_whoop_upload_follows"    # the picked athlete the name field was last set to
_ASK_KEY = "_whoop_upload_overlap"        # (files signature, typed athlete, Overlap)


def _follow_pick(picked: str) -> None:
    """Set the name field to the picked athlete when the pick changed (or the field is new this
    run: Streamlit forgets a widget's value on pages that do not draw it); a name typed for the
    same pick stays. Runs before the field exists, as Streamlit requires."""
    if ATHLETE_KEY not in st.session_state or st.session_state.get(_FOLLOWS_KEY) != picked:
        st.session_state[ATHLETE_KEY] = picked
    st.session_state[_FOLLOWS_KEY] = picked


def _contents(uploads: list) -> list[tuple[str, bytes]]:
    """``(name, bytes)`` of the uploaded files, read only when an import runs (not on every rerun
    of the page: an upload may be hundreds of MB)."""
    return [(f.name, f.getvalue()) for f in uploads]


def _ask(uploads: list, signature: tuple, athlete: str) -> None:
    """The pending overlap question, when it is about these files and this name."""
    pending = st.session_state.get(_ASK_KEY)
    if pending is None:
        return
    sig, asked_for, overlap = pending
    if sig != signature or asked_for != athlete.strip():
        del st.session_state[_ASK_KEY]
        return
    other, typed = escape.markdown(overlap.athlete), escape.markdown(asked_for)
    if overlap.athlete == asked_for:      # the athlete holds records, none of these
        st.warning(f"{escape.markdown(overlap.describe())}: is this someone else's export? "
                   f"Type a new athlete name above for another person, or import into "
                   f"**{typed}** anyway.", icon=":material/warning:")
    else:
        st.warning(f"{escape.markdown(overlap.describe())}: this looks like **{other}**'s data. "
                   f"Import it into **{other}** (a newer export updates what is there), or keep "
                   f"a separate athlete **{typed}** with a second copy?", icon=":material/warning:")
    left, right = st.columns(2)
    if overlap.athlete != asked_for and left.button(
            f"Import into {other} instead", type="primary", key="upload_into_other",
            icon=":material/merge:"):
        del st.session_state[_ASK_KEY]
        actions.import_files(_contents(uploads), overlap.athlete, check_overlap=False)
    if right.button(f"Import into {typed} anyway", key="upload_anyway"):
        del st.session_state[_ASK_KEY]
        actions.import_files(_contents(uploads), asked_for, check_overlap=False)


def files_key() -> str:
    """The uploader's widget key: ``upload_files``, then a new one after each successful import
    (:data:`whoop.ui.actions.UPLOAD_GENERATION_KEY`), which empties the drop zone."""
    generation = st.session_state.get(actions.UPLOAD_GENERATION_KEY, 0)
    return FILES_KEY if not generation else f"{FILES_KEY}_{generation}"


def upload_card(sel: Selection | None) -> None:
    """The upload card (see the module docstring)."""
    with st.container(border=True):
        st.subheader("Upload WHOOP export")
        st.write("The ZIP WHOOP e-mails you (also gzip-wrapped), or its CSV files selected "
                 "together (physiological_cycles.csv, sleeps.csv, workouts.csv, "
                 "journal_entries.csv). Importing again updates what is there; nothing is "
                 "written if a file is rejected.")
        uploads = st.file_uploader("Export files", type=["zip", "gz", "csv"],
                                   accept_multiple_files=True, key=files_key()) or []
        if data.scope() is not None:        # a team's athlete: into their own history only
            own = data.athletes(with_data=False)
            athlete = own[0].name if own else ""
            st.caption(f"Imported into your own history (**{escape.markdown(athlete)}**).")
        else:
            _follow_pick(sel.athlete if sel is not None and sel.athlete != DEMO_ATHLETE
                         else DEFAULT_ATHLETE)
            athlete = st.text_input("Athlete name", max_chars=64, key=ATHLETE_KEY,
                                    help="The athlete picked in the sidebar, or a new local "
                                         "profile name; use different names for different people.")
        signature = tuple((f.file_id, f.name, f.size) for f in uploads)
        if st.button("Import", type="primary", icon=":material/upload:", disabled=not uploads,
                     key="upload_go"):
            st.session_state.pop(_ASK_KEY, None)
            if not athlete.strip():
                st.error("Give the athlete a name (1 to 64 characters).")
            elif isinstance(found := actions.import_files(_contents(uploads), athlete), Overlap):
                st.session_state[_ASK_KEY] = (signature, athlete.strip(), found)
        _ask(uploads, signature, athlete)
