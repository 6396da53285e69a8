"""Team (coaches): every athlete of the roster on one day — recovery and its zone, HRV against
their normal range, resting HR z-score, sleep against need, the 14-night sleep debt, day strain,
ACWR, the Overview's flags and how fresh each athlete's data is — sortable and filterable by
flag, a way into one athlete's pages, recovery small multiples of the last 28 days and a CSV of
the table; and the card that invites an athlete. An open page follows the store: new data from
a worker (a sync, WHOOP's webhooks) shows within seconds, without a click. A person who is no
coach is refused and nothing of the roster is read."""

import streamlit as st

from whoop import ui
from whoop.metrics import team as mt
from whoop.ui import team
from whoop.ui.invite_card import invite_card
from whoop.ui.session import viewer

st.title("Team")
ids = team.roster_ids()
if ids is None:
    team.refuse()
else:
    team.follow(ui.data.data_version())    # reruns when a worker brings new data
    days, fresh = team.roster(ids)
    if days.empty:
        if fresh.empty:
            st.info("No athletes in the roster yet.", icon=":material/groups:")
        ui.empty_state("team")
    else:
        day = team.pick_day(days)
        s = team.settings()
        frame, series = team.frames(ids, day, s)
        shown = team.controls(frame)
        st.caption(f"{day:%A, %d %B %Y} · {team.names_caption(shown)} of {len(frame)} · values "
                   "of that day (blank: no valid value); flags as on each athlete's Overview; "
                   f"windows: app-wide settings (HRV normal {s.hrv_normal_window_days} d, "
                   f"baselines {s.baseline_window_days} d, ACWR {s.acute_days}:{s.chronic_days} d).")
        if shown.empty:
            st.info("No athlete has the flags chosen on this day.", icon=":material/filter_alt:")
        else:
            team.table(shown)
            team.download(shown, day)
            team.open_athlete(shown)
            st.subheader(f"Recovery, last {mt.SERIES_DAYS} days")
            team.multiples(series, shown)
    invite_card(viewer())                  # below the roster: the morning look comes first
