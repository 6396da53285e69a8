"""Settings: display units (energy kJ/kcal, temperature °C/°F, 12/24-hour clock) and the
baseline windows, remembered in the database (``settings`` table; see whoop.ui.analytics).
Works on an empty database too: units are app-wide. A team deployment's signed-in person also
sets where their alerts and morning digest go (whoop.ui.alerts_settings)."""

import streamlit as st

from whoop import escape, ui
from whoop.errors import WhoopError
from whoop.metrics.units import Settings
from whoop.ui import analytics as ua
from whoop.ui.alerts_settings import alerts_settings
from whoop.ui.session import viewer

ALL = "All athletes"
R = Settings._RANGES

sel = ui.selection()
ui.page_header("Settings", None, "Display units and baseline windows, saved in the database "
                                 "and used by every page.")
everyone = ui.athletes()
coach = ui.data.scope() is None     # a team's athlete sets only their own windows
per_athlete = sel is not None and (len(everyone) >= 2 or not coach)
aid = sel.athlete_id if sel is not None and per_athlete else ua.APP_WIDE
who_md = escape.markdown(sel.athlete) if sel is not None else ""     # shown only when per_athlete
cur = ua.current_settings(aid)
scope_key = f"set_scope_{aid}"


def _given(key: str) -> bool:
    """True when session state already holds the widget's value (set by Reset): the widget then
    gets Streamlit's neutral default (radio index 0, number "min"), because passing a default
    as well makes Streamlit log a warning; the session value wins either way."""
    return key in st.session_state


with st.form("settings_form", border=True):
    st.subheader("Units")
    st.caption("App-wide: how every page shows energy, temperature and clock times. Data stay "
               "stored in kJ, °C and minutes.")
    c1, c2, c3 = st.columns(3)
    energy = c1.radio("Energy", ["kJ", "kcal"], index=0 if _given("set_energy") else
                      ["kJ", "kcal"].index(cur.energy_unit),
                      horizontal=True, key="set_energy", disabled=not coach,
                      help="1 kcal = 4.184 kJ (WHOOP's app shows Calories = kcal).")
    temp = c2.radio("Temperature", ["C", "F"], index=0 if _given("set_temperature") else
                    ["C", "F"].index(cur.temperature_unit),
                    format_func=lambda u: "°" + u, horizontal=True, key="set_temperature",
                    disabled=not coach)
    clock = c3.radio("Clock", ["24h", "12h"], index=0 if _given("set_clock") else
                     ["24h", "12h"].index(cur.clock),
                     format_func={"24h": "24-hour (23:05)", "12h": "12-hour (11:05 PM)"}.get,
                     horizontal=True, key="set_clock", disabled=not coach)

    st.subheader("Baseline windows")
    st.caption("How far back \"your normal\" reaches. Longer windows are steadier; shorter ones "
               "follow recent change. A baseline needs a third of its window (at least 7 days) "
               "of valid data.")
    c1, c2 = st.columns(2)
    hrv = c1.number_input("HRV normal range (days)", *R["hrv_normal_window_days"],
                          value="min" if _given(f"set_hrv_{aid}") else
                          cur.hrv_normal_window_days, step=1, key=f"set_hrv_{aid}",
                          help="ln(RMSSD) mean ± 0.5 SD over this many days before each day "
                               "(Plews et al.; default 60).")
    base = c2.number_input("Resting HR, respiratory rate, skin temp, SpO2 (days)",
                           *R["baseline_window_days"],
                           value="min" if _given(f"set_base_{aid}") else cur.baseline_window_days,
                           step=1, key=f"set_base_{aid}", help="Default 30.")
    c1, c2 = st.columns(2)
    acute = c1.number_input("Training load: acute (days)", *R["acute_days"],
                            value="min" if _given(f"set_acute_{aid}") else cur.acute_days,
                            step=1, key=f"set_acute_{aid}",
                            help="EWMA time constant of the acute load (default 7).")
    chronic = c2.number_input("Training load: chronic (days)", *R["chronic_days"],
                              value="min" if _given(f"set_chronic_{aid}") else
                              cur.chronic_days, step=1, key=f"set_chronic_{aid}",
                              help="EWMA time constant of the chronic load (default 28); "
                                   "must be longer than the acute one (Williams et al. 2017).")
    scope = ALL
    if per_athlete and not coach:
        scope = f"Only {who_md}"
        st.caption("Windows you save here apply to your own pages; units are set by your coach.")
    elif per_athlete:
        options = [ALL, f"Only {who_md}"]
        scope = st.radio("Windows apply to", options,
                         index=1 if ua.has_override(aid) and not _given(scope_key) else 0,
                         horizontal=True, key=scope_key,
                         help="Units are always app-wide. Windows can differ per athlete.")
    saved = st.form_submit_button("Save settings", type="primary", key="settings_save",
                                  icon=":material/save:")

if saved:
    with ui.guard("saving settings"):
        new = Settings(energy_unit=energy, temperature_unit=temp, clock=clock,
                       hrv_normal_window_days=int(hrv), baseline_window_days=int(base),
                       acute_days=int(acute), chronic_days=int(chronic))
        target = ua.APP_WIDE if scope == ALL else aid
        if per_athlete and scope == ALL and ua.has_override(aid):
            ua.clear_override(aid)
        ua.save_settings(new, athlete_id=target)
        where = ("for every athlete" if target == ua.APP_WIDE
                 else f"for {who_md}")
        st.success(f"Settings saved: {new.energy_unit}, °{new.temperature_unit}, {new.clock} "
                   f"clock; windows {new.hrv_normal_window_days} / {new.baseline_window_days} / "
                   f"{new.acute_days}:{new.chronic_days} days {where}.",
                   icon=":material/check_circle:")


def _reset(aid: int, per_athlete: bool) -> None:
    """Reset callback (runs before the next script run, so the form's widgets can still be set):
    store the defaults and put the defaults into this athlete's widgets, so the browser shows
    them at once (deleting the keys left the browser showing the old choices until a reload)."""
    try:
        if per_athlete and ua.has_override(aid):
            ua.clear_override(aid)
        ua.save_settings(Settings())
    except WhoopError as exc:
        ui.flash("error", str(exc))
        return
    d = Settings()
    values = {"set_energy": d.energy_unit, "set_temperature": d.temperature_unit,
              "set_clock": d.clock, f"set_hrv_{aid}": d.hrv_normal_window_days,
              f"set_base_{aid}": d.baseline_window_days, f"set_acute_{aid}": d.acute_days,
              f"set_chronic_{aid}": d.chronic_days}
    if per_athlete:
        values[f"set_scope_{aid}"] = ALL
    for key in [k for k in st.session_state if str(k).startswith("set_") and k not in values]:
        del st.session_state[key]  # other athletes' forms: drawn from the store next time
    for key, value in values.items():
        st.session_state[key] = value
    ui.flash("success", "Settings reset to the defaults (kJ, °C, 24-hour clock; windows "
                        f"{d.hrv_normal_window_days} / {d.baseline_window_days} / "
                        f"{d.acute_days}:{d.chronic_days} days).")


st.button("Reset to defaults", key="settings_reset", icon=":material/restart_alt:",
          on_click=_reset, args=(aid, per_athlete))

eff = ua.current_settings(aid)
who = f" for {who_md}" if per_athlete else ""
st.caption(f"In effect{who}: {eff.energy_unit}, "
           f"{eff.temperature_label}, {eff.clock} clock, HRV normal {eff.hrv_normal_window_days} "
           f"days, other baselines {eff.baseline_window_days} days, training load "
           f"{eff.acute_days}:{eff.chronic_days} days.")

me = viewer()
if me.account_id is not None:        # alerts go to a team deployment's signed-in accounts
    st.divider()
    with ui.guard("alert settings"):
        alerts_settings(me, ui.get_store())
