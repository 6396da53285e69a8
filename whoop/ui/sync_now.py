"""**Sync now** on the WHOOP card: the page records a request and returns at once; the sync runs
elsewhere and the card follows it.

:func:`request` writes the athlete's request to the store (:mod:`whoop.sync.requests`) and, on
the DuckDB default, wakes the app's scheduler thread (:mod:`whoop.ui.scheduler`); on PostgreSQL
a ``python -m whoop worker`` picks it up. :func:`progress` is a fragment that reads the
requested run from the store every :data:`POLL_S` seconds (``Store.sync_run_after``: its counts
and requests, written by the engine after every page): "requested", then a progress bar, then,
once the run ended well, the summary as a flash and an app rerun, so the card, the sidebar and
the athlete's cached frames (keyed by its data version) are drawn anew. A failed run stays on
the card with its message until the next press.

Session state holds only ``{athlete_id: run id}`` or the failure's message: never a token.
"""

from __future__ import annotations

import streamlit as st

from whoop import escape
from whoop.errors import WhoopError
from whoop.store.sync_runs import SyncRunRow
from whoop.sync.engine import ORDER, TABLE, SyncResult
from whoop.sync.requests import request_sync
from whoop.ui import data
from whoop.ui.guard import flash
from whoop.ui.scheduler import in_process

_KEY = "_whoop_sync_now"       # {athlete_id: N (the run id the sync comes after) | failure text}
#: how often the card reads the requested sync's progress (seconds)
POLL_S = 1.0


def request(athlete_id: int) -> None:
    """Ask for a sync of ``athlete_id`` now (see the module docstring); returns at once.

    Raises:
        SignInError: another person's athlete.
        StoreError, DatabaseBusyError: the request could not be written.
    """
    store = data.get_store()
    data.allowed(athlete_id)
    st.session_state.setdefault(_KEY, {})[athlete_id] = request_sync(store, athlete_id)
    scheduler = in_process(store)
    if scheduler is not None:
        scheduler.wake()


def requested(athlete_id: int) -> bool:
    """True while this session follows a requested sync of the athlete that has not ended."""
    return isinstance(st.session_state.get(_KEY, {}).get(athlete_id), int)


def _counts_line(run: SyncRunRow) -> tuple[float, str]:
    """(share done 0..1, one line) of a running sync from its stored counts."""
    if not run.counts:
        return 0.02, f"starting; {run.requests} requests so far"
    current = list(run.counts)[-1]
    done = sum(1 for c in ORDER if c in run.counts) - 0.5
    parts = [f"{TABLE.get(c, c)} {n['inserted'] + n['updated'] + n.get('unchanged', 0)}"
             for c, n in run.counts.items()]
    return (min(max(done / len(ORDER), 0.02), 1.0),
            f"{current}: " + ", ".join(parts) + f" records; {run.requests} requests")


def _summary(run: SyncRunRow, athlete_id: int, name: str) -> str:
    seconds = ((run.finished_at - run.started_at).total_seconds()
               if run.finished_at is not None and run.started_at is not None else 0.0)
    return SyncResult(run.run_id, athlete_id, name, dict(run.counts), run.requests, seconds).summary()


def show(athlete_id: int, name: str) -> None:
    """This session's Sync now of the athlete on the card: the polling :func:`progress` while
    it is requested or running, the failure's message once it failed, nothing otherwise (no
    fragment, so no polling, without a request)."""
    followed = st.session_state.get(_KEY, {}).get(athlete_id)
    if isinstance(followed, int):
        progress(athlete_id, name)
    elif isinstance(followed, str):     # a failed run: shown until the next press
        with st.status(f"Sync of {escape.markdown(name)} failed", state="error", expanded=True):
            st.error(escape.markdown(followed), icon=":material/error:")


@st.fragment(run_every=POLL_S)
def progress(athlete_id: int, name: str) -> None:
    """The progress of this session's Sync now request for the athlete, read from the store
    every :data:`POLL_S` seconds; an app rerun once the run ended."""
    followed = st.session_state.get(_KEY, {}).get(athlete_id)
    shown = escape.markdown(name)
    if not isinstance(followed, int):
        st.rerun(scope="app")           # followed elsewhere (another tab of the session)
    store = data.get_store()
    try:        # a fragment rerun is outside the page's guard: a busy database is one message
        run = store.sync_run_after(athlete_id, followed)
    except WhoopError as exc:
        st.warning(f"The sync's progress cannot be read now: {escape.markdown(exc)}",
                   icon=":material/warning:")
        return
    if run is None:
        who = ("the app's background sync" if store.dialect == "duckdb"
               else "a sync worker (`python -m whoop worker`)")
        with st.status(f"Sync of {shown} requested", state="running", expanded=True):
            st.write(f"Waiting for {who} to start it.")
        return
    if run.status == "running":
        share, line = _counts_line(run)
        with st.status(f"Syncing {shown}...", state="running", expanded=True):
            st.progress(share, text=escape.markdown(line))
        return
    if run.status == "ok":
        st.session_state[_KEY].pop(athlete_id, None)
        flash("success", f"Synced: {_summary(run, athlete_id, name)}")
        st.rerun(scope="app")   # the card, the sidebar and the athlete's frames anew
    st.session_state[_KEY][athlete_id] = f"{run.status}: {run.error or 'no message'}"
    st.rerun(scope="app")
