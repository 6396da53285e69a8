"""The app's write actions, each wrapped for a person: load the demo athlete, import uploaded
export files, delete an athlete's data. Each runs the package function (one transaction in the
store), queues the outcome with :func:`whoop.ui.guard.flash` and reruns the script so the
sidebar and every loader see the new data version. A :class:`~whoop.errors.WhoopError` (e.g.
``ExportFormatError``, ``DatabaseBusyError``) is shown as ``st.error`` with its message and the
database is left as it was.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import streamlit as st

from whoop import escape, importer
from whoop.errors import WhoopError
from whoop.store import ImportResult
from whoop.ui import data
from whoop.ui.guard import flash
from whoop.ui.sidebar import ATHLETE_KEY, select_athlete

log = logging.getLogger("whoop.ui")


def _report(result: ImportResult, what: str) -> None:
    flash("success", f"{what}: {result.summary()}.")
    for warning in result.warnings:
        flash("warning", warning)


def load_demo_button(key: str, *, label: str = "Load demo data", primary: bool = True) -> None:
    """A button that loads the deterministic demo athlete (``whoop.importer.load_demo``) and
    switches the picker to it."""
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


def import_files(files: Sequence[tuple[str, bytes]], athlete: str) -> ImportResult | None:
    """Import uploaded ``(name, content)`` pairs for ``athlete`` under an ``st.status``.

    On success the result is flashed and the script reruns (so this returns only on error);
    on ``WhoopError`` the message is shown as ``st.error`` and None is returned.
    """
    names = ", ".join(name for name, _ in files)
    failure: WhoopError | None = None
    with st.status(f"Importing {escape.markdown(names)} ...", expanded=False) as status:
        try:
            result = importer.import_uploads(data.get_store(), files, athlete=athlete.strip())
        except WhoopError as exc:
            failure = exc
            status.update(label="Import failed: nothing was written", state="error")
        else:
            status.update(label="Import done", state="complete")
    if failure is not None:
        st.error(escape.markdown(failure), icon=":material/error:")
        return None
    _report(result, f"Imported {names}")
    select_athlete(result.athlete)
    st.rerun()
    return result  # pragma: no cover - st.rerun does not return


def delete_athlete(athlete_id: int, name: str) -> None:
    """Delete every record, day, run and setting of the athlete, and the athlete itself, after
    revoking its WHOOP grant (``whoop.sync.delete_athlete``); refused while a sync of the
    athlete runs."""
    from whoop.config import whoop_settings
    from whoop.sync import delete_athlete as delete

    try:
        revoked = delete(data.get_store(), whoop_settings(), athlete_id)
    except WhoopError as exc:
        st.error(escape.markdown(exc), icon=":material/error:")
        return
    if st.session_state.get(ATHLETE_KEY) == name:
        del st.session_state[ATHLETE_KEY]
    flash("success", f"Deleted all data of athlete '{name}'" + (
        "" if revoked is None else "; WHOOP access revoked" if revoked else
        "; WHOOP did not confirm the revocation (its tokens are deleted here)") + ".")
    st.rerun()
