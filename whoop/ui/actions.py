"""The app's write actions, each wrapped for a person: load the demo athlete, import uploaded
export files, delete an athlete's data. Each runs the package function (one transaction in the
store), queues the outcome with :func:`whoop.ui.guard.flash` and reruns the script so the
sidebar and every loader see the new data version. A :class:`~whoop.errors.WhoopError` (e.g.
``ExportFormatError``, ``DatabaseBusyError``) is shown as ``st.error`` with its message and the
database is left as it was, except that a rejected upload is written to the import history
(``Store.record_failed_import``, its own short transaction).

Picking the athlete an action touched goes through :func:`whoop.ui.sidebar.select_athlete`,
which queues the pick for the next run (the picker already exists in this one).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import streamlit as st

from whoop import escape, importer
from whoop.athlete_match import Overlap, OverlapError, refuse_concerns
from whoop.errors import StoreError, WhoopError
from whoop.store import ImportResult
from whoop.ui import data
from whoop.ui.guard import flash
from whoop.ui.sidebar import ATHLETE_KEY, select_athlete

log = logging.getLogger("whoop.ui")
UPLOAD_GENERATION_KEY = "_whoop_upload_generation"   # bumped by each successful upload import


def _report(result: ImportResult, what: str) -> None:
    flash("success", f"{what}: {result.summary()}.")
    for warning in result.warnings:
        flash("warning", warning)


def load_demo_button(key: str, *, label: str = "Load demo data", primary: bool = True) -> None:
    """A button that loads the deterministic demo athlete (``whoop.importer.load_demo``) and
    switches the picker to it; not drawn for a team's athlete (they see only their own data)."""
    if data.scope() is not None:
        return
    if st.button(label, key=key, type="primary" if primary else "secondary",
                 icon=":material/science:"):
        try:
            with st.spinner("Generating the demo athlete and importing it..."):
                result = importer.load_demo(data.get_store())
        except WhoopError as exc:
            st.error(escape.markdown(exc), icon=":material/error:")
            return
        _report(result, "Demo data loaded")
        select_athlete(result.athlete)
        st.rerun()


def _record_failure(files: Sequence[tuple[str, bytes]], athlete: str, exc: WhoopError) -> None:
    """Write a rejected upload to the import history; a database that cannot be written (the
    reason the import failed, or busy now) only logs."""
    if isinstance(exc, StoreError):
        return
    try:
        data.get_store().record_failed_import(athlete, kind="export", error=str(exc),
                                              source=", ".join(name for name, _ in files))
        data.changed()      # this rerun goes on to show the import history
    except WhoopError as again:
        log.warning("could not record the failed import of %s: %s", athlete, again)


def import_files(files: Sequence[tuple[str, bytes]], athlete: str, *,
                 check_overlap: bool = True) -> ImportResult | Overlap | None:
    """Import uploaded ``(name, content)`` pairs for ``athlete`` under an ``st.status``.

    With ``check_overlap`` the import stops before writing anything when the export does not look
    like ``athlete``'s (:func:`whoop.athlete_match.concern`: another athlete holds more of its
    records, or ``athlete`` holds none of them) and returns that
    :class:`~whoop.athlete_match.Overlap` for the page to ask about. On success the result is
    flashed, the athlete is picked and the script reruns (so this returns only otherwise); on
    any other ``WhoopError`` the message is shown as ``st.error``, the rejection is written to
    the import history, and None is returned.
    """
    names = ", ".join(name for name, _ in files)
    athlete = athlete.strip()
    store = data.get_store()
    if data.scope() is not None:        # a team's athlete imports into their own history only
        own = data.athletes(with_data=False)
        if not own:
            st.error("Your account has no athlete to import into: ask your coach.",
                     icon=":material/error:")
            return None
        athlete, check_overlap = own[0].name, False
    failure: WhoopError | None = None
    with st.status(f"Importing {escape.markdown(names)} ...", expanded=False) as status:
        try:
            result = importer.import_uploads(
                store, files, athlete=refuse_concerns(store, athlete) if check_overlap else athlete)
        except OverlapError as exc:
            status.update(label="Not imported yet: whose export is this?", state="error")
            return exc.overlap
        except WhoopError as exc:
            failure = exc
            status.update(label="Import failed: nothing was written", state="error")
        else:
            status.update(label="Import done", state="complete")
    if failure is not None:
        _record_failure(files, athlete, failure)
        st.error(escape.markdown(failure), icon=":material/error:")
        return None
    _report(result, f"Imported {names}")
    select_athlete(result.athlete)
    # A new uploader widget on the next run: the imported files leave the drop zone, so the next
    # export is not sent together with this one ("two files hold journal").
    st.session_state[UPLOAD_GENERATION_KEY] = st.session_state.get(UPLOAD_GENERATION_KEY, 0) + 1
    st.rerun()
    return result  # pragma: no cover - st.rerun does not return


def delete_athlete(athlete_id: int, name: str) -> None:
    """Delete every record, day, run and setting of the athlete, and the athlete itself, after
    revoking its WHOOP grant (``whoop.sync.delete_athlete``); refused while a sync of the
    athlete runs."""
    from whoop.config import whoop_settings
    from whoop.sync import delete_athlete as delete

    try:
        data.allowed(athlete_id)
        revoked = delete(data.get_store(), whoop_settings(), athlete_id)
    except WhoopError as exc:
        st.error(escape.markdown(exc), icon=":material/error:")
        return
    if st.session_state.get(ATHLETE_KEY) == name:
        select_athlete(None)        # the next run picks the default athlete
    flash("success", f"Deleted all data of athlete '{name}'" + (
        "" if revoked is None else "; WHOOP access revoked" if revoked else
        "; WHOOP did not confirm the revocation (its tokens are deleted here)") + ".")
    st.rerun()


def leave_team(athlete_id: int, name: str, *, delete_data: bool) -> None:
    """A team's athlete leaves: revoke the WHOOP grant (``TokenStore.disconnect``) and, when
    asked, delete every record of theirs (``whoop.sync.delete_synced_data``); their account
    and athlete stay, so they can connect again."""
    from whoop.config import whoop_settings
    from whoop.sync import delete_synced_data
    from whoop.tokens import TokenStore

    store = data.get_store()
    try:
        data.allowed(athlete_id)
        revoked = None
        if store.has_tokens(athlete_id):
            revoked = TokenStore(store, whoop_settings()).disconnect(athlete_id)
        if delete_data:
            delete_synced_data(store, athlete_id)
    except WhoopError as exc:
        st.error(escape.markdown(exc), icon=":material/error:")
        return
    flash("success", ("WHOOP access revoked" if revoked else
                      "WHOOP did not confirm the revocation (the tokens are deleted here)"
                      if revoked is False else "No WHOOP account was connected")
          + ("; your data is deleted." if delete_data else "; your history stays."))
    st.rerun()
