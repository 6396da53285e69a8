"""The sidebar shared by every page: athlete picker (from two athletes on), the one date-range
control, and a "data through" note. :func:`sidebar` renders it (app.py, every run) and keeps the
result where the pages read it with :func:`selection`.

Changing the pick from code (after an import, the demo, a deletion or a WHOOP connect) goes
through :func:`select_athlete`, which only queues the name: Streamlit refuses to change a
widget's value once the widget exists in the run (``StreamlitWidgetAlreadyInstantiatedError``),
and the picker is drawn before any page code runs. :func:`sidebar` applies the queued pick
before it creates the picker on the next run. A queued athlete without days yet (a WHOOP
account just connected, its first sync running) is waited for: a small fragment in the sidebar
checks every :data:`WAIT_POLL_S` seconds and reruns the app once its first days are stored.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, timedelta

import streamlit as st

from whoop import escape
from whoop.ui import data

PRESETS: dict[str, int | None] = {"30 d": 30, "90 d": 90, "6 mo": 182, "1 y": 365, "All": None,
                                  "Custom": None}
DEFAULT_PRESET = "90 d"
ATHLETE_KEY = "athlete_pick"
PRESET_KEY = "range_preset"
CUSTOM_KEY = "range_custom"
_SELECTION_KEY = "_whoop_selection"
_QUEUED_KEY = "_whoop_pick_next"
#: how long a queued pick waits for an athlete's first days (a first sync), and how often it looks
WAIT_S = 600.0
WAIT_POLL_S = 2.0


@dataclass(frozen=True)
class Selection:
    """What the pages show: one athlete and an inclusive date range.

    Attributes:
        athlete_id, athlete: the chosen athlete.
        first_day, last_day: the athlete's first and last day with data.
        start, end: the chosen range (inclusive, local day labels), within first..last day.
        preset: the range preset's label (``"90 d"``, ``"All"``, ``"Custom"``, ...).
    """

    athlete_id: int
    athlete: str
    first_day: date
    last_day: date
    start: date
    end: date
    preset: str

    @property
    def days(self) -> int:
        """Calendar days in the range."""
        return (self.end - self.start).days + 1


def default_athlete(athletes: list[data.Athlete]) -> data.Athlete:
    """The most recently imported athlete (ties and never-imported: first by name)."""
    stamped = [(a.last_import, a) for a in athletes if a.last_import is not None]
    return max(stamped, key=lambda pair: pair[0])[1] if stamped else athletes[0]


def select_athlete(name: str | None, *, wait: bool = False) -> None:
    """Pick athlete ``name`` from the next run on (e.g. after importing it); None drops the pick
    (e.g. after deleting the picked athlete: the next run picks :func:`default_athlete`).

    Safe at any point of a run: the name is queued under its own session key and applied by
    :func:`sidebar` before the picker exists. With ``wait`` (a WHOOP account just connected, its
    first sync running) an athlete with no days yet is waited for up to :data:`WAIT_S` seconds;
    without it (an import: its days, if any, are already stored) the pick is dropped at once
    when the athlete has no days (e.g. a sleeps.csv imported alone)."""
    st.session_state[_QUEUED_KEY] = (name, time.time() + (WAIT_S if wait else 0.0))


def _apply_queued_pick(with_days: set[str]) -> str | None:
    """Apply the pick queued by :func:`select_athlete` (before the picker is created). Returns
    the queued name while it still waits for the athlete's first days, else None."""
    queued = st.session_state.get(_QUEUED_KEY)
    if queued is None:
        return None
    name, until = queued
    if name is None:
        st.session_state.pop(ATHLETE_KEY, None)
    elif name in with_days:
        st.session_state[ATHLETE_KEY] = name
    elif time.time() < until and data.get_store().athlete_id(name) is not None:
        return name     # (asked of the store: creating an athlete leaves the data version as is)
    del st.session_state[_QUEUED_KEY]
    return None


@st.fragment(run_every=WAIT_POLL_S)
def _await_first_days(name: str) -> None:
    """Until athlete ``name`` has days (or the wait ends): a note, and an app rerun once they
    are there, which applies the queued pick."""
    queued = st.session_state.get(_QUEUED_KEY)
    if (queued is None or queued[0] != name or time.time() >= queued[1]
            or any(a.name == name for a in data.athletes())):
        st.rerun()
    st.caption(f"Waiting for the first days of **{escape.markdown(name)}** (its first WHOOP "
               f"sync is running); it is picked as soon as they arrive.")


def preset_range(preset: str, first: date, last: date) -> tuple[date, date]:
    """The range of a preset ending on ``last``, clipped to ``first`` (``All``: first..last)."""
    n = PRESETS.get(preset)
    if n is None:
        return first, last
    return max(first, last - timedelta(days=n - 1)), last


def _custom_range(first: date, last: date) -> tuple[date, date]:
    """The custom-range date picker; its value lives in session state, kept inside first..last
    (another athlete may have other days), so min/max never reject it."""
    stored = st.session_state.get(CUSTOM_KEY)
    if not (isinstance(stored, (tuple, list)) and stored
            and all(first <= d <= last for d in stored)):
        st.session_state[CUSTOM_KEY] = preset_range(DEFAULT_PRESET, first, last)
    picked = st.date_input("From - to", min_value=first, max_value=last, key=CUSTOM_KEY,
                           format="YYYY-MM-DD")
    if isinstance(picked, (tuple, list)) and len(picked) == 2:
        return picked[0], picked[1]
    if isinstance(picked, (tuple, list)) and len(picked) == 1:  # second date not picked yet
        return picked[0], last
    return preset_range(DEFAULT_PRESET, first, last)


def sidebar() -> Selection | None:
    """Render the sidebar controls and return (and remember) the selection; None when the
    store has no days yet."""
    found = data.athletes()
    by_name = {a.name: a for a in found}
    if (waiting := _apply_queued_pick(set(by_name))) is not None:
        with st.sidebar:
            _await_first_days(waiting)
    if not found:
        st.session_state[_SELECTION_KEY] = None
        return None
    with st.sidebar:
        if len(found) >= 2:
            if st.session_state.get(ATHLETE_KEY) not in by_name:
                st.session_state[ATHLETE_KEY] = default_athlete(found).name
            st.selectbox("Athlete", list(by_name), key=ATHLETE_KEY)
            athlete = by_name[st.session_state[ATHLETE_KEY]]
        else:
            athlete = found[0]
        first, last = athlete.first_day, athlete.last_day
        if first is None or last is None:       # data.athletes() lists only athletes with days
            st.session_state[_SELECTION_KEY] = None
            return None
        if st.session_state.get(PRESET_KEY) not in PRESETS:
            st.session_state[PRESET_KEY] = DEFAULT_PRESET
        preset = st.segmented_control("Date range", list(PRESETS), key=PRESET_KEY) or DEFAULT_PRESET
        start, end = preset_range(preset, first, last)
        if preset == "Custom":
            start, end = _custom_range(first, last)
        st.caption(f"**{escape.markdown(athlete.name)}** · data through **{last:%a %d %b %Y}**  \n"
                   f"{start:%d %b %Y} – {end:%d %b %Y} ({(end - start).days + 1} days)")
    sel = Selection(athlete.athlete_id, athlete.name, first, last, start, end, preset)
    st.session_state[_SELECTION_KEY] = sel
    return sel


def selection() -> Selection | None:
    """The selection made by :func:`sidebar` in this run (None on an empty store)."""
    return st.session_state.get(_SELECTION_KEY)

