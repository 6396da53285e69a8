"""The day model (docs/ARCHITECTURE.md "The day model"): a cycle's day is the local date of the
wake-up that opens it."""

from __future__ import annotations

import pandas as pd

from whoop.days import build_days


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def cycle(start: str, end: str | None, offset: int = 0, strain: float | None = 10.0) -> dict:
    return {"start_utc": utc(start), "end_utc": utc(end) if end else pd.NaT,
            "tz_offset_min": offset, "day_strain": strain, "source": "export"}


def sleep(start: str, end: str, cycle_start: str | None, offset: int = 0, nap: bool = False,
          asleep: float = 420.0) -> dict:
    return {"start_utc": utc(start), "end_utc": utc(end), "tz_offset_min": offset, "nap": nap,
            "cycle_start_utc": utc(cycle_start) if cycle_start else pd.NaT, "asleep_min": asleep,
            "source": "export"}


def days_of(cycles, sleeps=(), recoveries=(), workouts=()) -> pd.DataFrame:
    return build_days(pd.DataFrame(list(cycles)), pd.DataFrame(list(recoveries)),
                      pd.DataFrame(list(sleeps)), pd.DataFrame(list(workouts)))


def labels(frame: pd.DataFrame) -> list[str]:
    return frame["date"].dt.strftime("%Y-%m-%d").tolist()


def test_sleep_before_midnight_labels_the_wake_date_not_the_start_date():
    # Falls asleep 23:10 local on the 4th (UTC-05:00), wakes 07:00 on the 5th: the day is the 5th.
    c = [cycle("2024-01-05 04:10", "2024-01-06 04:30", -300),
         cycle("2024-01-06 04:30", None, -300, strain=None)]
    s = [sleep("2024-01-05 04:10", "2024-01-05 12:00", "2024-01-05 04:10", -300),
         sleep("2024-01-06 04:30", "2024-01-06 11:45", "2024-01-06 04:30", -300)]
    d = days_of(c, s)
    assert labels(d) == ["2024-01-05", "2024-01-06"]
    assert d["is_open"].tolist() == [False, True]
    assert d["has_main_sleep"].all()


def test_sleep_after_midnight_also_labels_the_wake_date():
    # Asleep 00:40 local on the 6th, awake 08:00 on the 6th: day 6th (start date is the 6th too).
    c = [cycle("2024-01-05 23:00", "2024-01-06 23:40", 60)]
    s = [sleep("2024-01-05 23:40", "2024-01-06 07:00", "2024-01-05 23:00", 60)]
    assert labels(days_of(c, s)) == ["2024-01-06"]


def test_travel_uses_the_sleeps_own_offset():
    # Before the flight UTC-05:00, after it UTC+01:00. The night after arriving starts 22:30
    # local (21:30 UTC) on the 10th and ends 06:30 local on the 11th (05:30 UTC).
    c = [cycle("2024-03-09 03:00", "2024-03-10 21:30", -300),
         cycle("2024-03-10 21:30", "2024-03-11 22:00", 60)]
    s = [sleep("2024-03-09 03:00", "2024-03-09 11:00", "2024-03-09 03:00", -300),
         sleep("2024-03-10 21:30", "2024-03-11 05:30", "2024-03-10 21:30", 60)]
    d = days_of(c, s)
    # The 10th was the travel day: no wake-up there, so it is a gap, not a duplicate.
    assert labels(d) == ["2024-03-09", "2024-03-11"]


def test_dst_change_keeps_consecutive_days():
    # US DST starts 2024-03-10: -05:00 before, -04:00 after. Wake-ups 07:00 local each day.
    c = [cycle("2024-03-09 04:00", "2024-03-10 04:00", -300),
         cycle("2024-03-10 04:00", "2024-03-11 03:00", -240),
         cycle("2024-03-11 03:00", None, -240, strain=None)]
    s = [sleep("2024-03-09 04:00", "2024-03-09 12:00", "2024-03-09 04:00", -300),
         sleep("2024-03-10 04:00", "2024-03-10 11:00", "2024-03-10 04:00", -240),
         sleep("2024-03-11 03:00", "2024-03-11 11:00", "2024-03-11 03:00", -240)]
    assert labels(days_of(c, s)) == ["2024-03-09", "2024-03-10", "2024-03-11"]


def test_placeholder_cycle_without_sleep_takes_its_start_date():
    # After a wear gap WHOOP opens a placeholder cycle at local 00:00 with strain only.
    c = [cycle("2024-02-01 05:00", "2024-02-02 05:00", -300, strain=4.2),
         cycle("2024-02-02 05:00", "2024-02-03 04:00", -300)]
    s = [sleep("2024-02-02 05:00", "2024-02-02 12:30", "2024-02-02 05:00", -300)]
    d = days_of(c, s)
    assert labels(d) == ["2024-02-01", "2024-02-02"]
    assert d["has_main_sleep"].tolist() == [False, True]
    assert d["day_strain"].tolist() == [4.2, 10.0]


def test_naps_never_open_a_day_and_are_counted_apart():
    c = [cycle("2024-01-01 22:00", "2024-01-02 22:00")]
    s = [sleep("2024-01-01 22:00", "2024-01-02 06:00", "2024-01-01 22:00", asleep=450),
         sleep("2024-01-02 13:00", "2024-01-02 13:40", "2024-01-01 22:00", nap=True, asleep=35),
         sleep("2024-01-02 17:00", "2024-01-02 17:30", None, nap=True, asleep=25)]
    d = days_of(c, s)
    assert labels(d) == ["2024-01-02"]
    assert d["asleep_min"].tolist() == [450.0]
    assert d["nap_count"].tolist() == [2]  # the second nap is placed by interval
    assert d["nap_min"].tolist() == [60.0]


def test_recovery_and_workouts_join_their_cycle():
    c = [cycle("2024-01-01 22:00", "2024-01-02 22:00"), cycle("2024-01-02 22:00", None, strain=None)]
    s = [sleep("2024-01-01 22:00", "2024-01-02 06:00", "2024-01-01 22:00"),
         sleep("2024-01-02 22:00", "2024-01-03 06:00", "2024-01-02 22:00")]
    r = [{"cycle_start_utc": utc("2024-01-02 22:00"), "recovery_score": 71.0, "hrv_rmssd_ms": 64.0,
          "score_state": "SCORED"}]
    w = [{"start_utc": utc("2024-01-02 17:00"), "cycle_start_utc": pd.NaT, "sport_name": "Running"},
         {"start_utc": utc("2024-01-02 19:00"), "cycle_start_utc": utc("2024-01-01 22:00"),
          "sport_name": "Yoga"}]
    d = days_of(c, s, r, w)
    assert d["recovery_score"].isna().tolist() == [True, False]
    assert d["recovery_score"].iloc[1] == 71.0
    assert d["workout_count"].tolist() == [2, 0]


def test_placeholder_colliding_with_a_wake_up_moves_back_a_day():
    # A placeholder at local 00:00 and a sleep ending the same morning: the wake-up keeps its date.
    c = [cycle("2024-04-01 00:00", "2024-04-01 01:00", 0, strain=0.0),
         cycle("2024-04-01 01:00", "2024-04-02 00:30", 0)]
    s = [sleep("2024-04-01 01:00", "2024-04-01 08:00", "2024-04-01 01:00")]
    d = days_of(c, s)
    assert labels(d) == ["2024-03-31", "2024-04-01"]
    assert d["has_main_sleep"].tolist() == [False, True]


def test_evening_cycle_without_recorded_sleep_takes_the_next_day():
    # Seen in real exports: a cycle starts at 23:40 local with no sleep row ("cycle without
    # recovery"). By its start date it would share the day of the previous wake-up.
    c = [cycle("2024-06-13 21:40", "2024-06-14 21:40", 120),
         cycle("2024-06-14 21:40", "2024-06-15 22:20", 120, strain=12.7),
         cycle("2024-06-15 22:20", None, 120, strain=None)]
    s = [sleep("2024-06-13 21:40", "2024-06-14 04:10", "2024-06-13 21:40", 120),
         sleep("2024-06-15 22:20", "2024-06-16 05:00", "2024-06-15 22:20", 120)]
    d = days_of(c, s)
    assert labels(d) == ["2024-06-14", "2024-06-15", "2024-06-16"]
    assert d["day_strain"].iloc[1] == 12.7


def test_short_sleep_after_a_flight_waking_twice_on_one_date_moves_to_the_next_day():
    # UTC-07:00 wake 05:59 local on the 17th; after flying to UTC-05:00 a 2 h sleep from 17:31 to
    # 19:21 local on the 17th opens the next cycle; the one after wakes on the 19th.
    c = [cycle("2024-10-17 05:14", "2024-10-17 22:31", -420),
         cycle("2024-10-17 22:31", "2024-10-19 03:00", -300),
         cycle("2024-10-19 03:00", None, -300, strain=None)]
    s = [sleep("2024-10-17 05:14", "2024-10-17 12:59", "2024-10-17 05:14", -420),
         sleep("2024-10-17 22:31", "2024-10-18 00:21", "2024-10-17 22:31", -300),
         sleep("2024-10-19 03:00", "2024-10-19 11:00", "2024-10-19 03:00", -300)]
    assert labels(days_of(c, s)) == ["2024-10-17", "2024-10-18", "2024-10-19"]


def test_a_collision_with_no_free_date_keeps_the_cycle_with_a_main_sleep():
    c = [cycle("2024-04-01 06:00", "2024-04-01 12:00", 0),
         cycle("2024-04-01 12:00", "2024-04-01 20:00", 0),
         cycle("2024-04-01 20:00", "2024-04-02 20:00", 0)]
    s = [sleep("2024-04-01 06:00", "2024-04-01 08:00", "2024-04-01 06:00"),
         sleep("2024-04-01 20:00", "2024-04-02 06:00", "2024-04-01 20:00")]
    d = days_of(c, s)
    assert labels(d) == ["2024-04-01", "2024-04-02"]
    assert d["cycle_start_utc"].dt.hour.tolist() == [6, 20]


def test_gaps_stay_absent_rows():
    c = [cycle("2024-01-01 22:00", "2024-01-02 22:00"), cycle("2024-01-05 22:00", "2024-01-06 22:00")]
    s = [sleep("2024-01-01 22:00", "2024-01-02 06:00", "2024-01-01 22:00"),
         sleep("2024-01-05 22:00", "2024-01-06 06:00", "2024-01-05 22:00")]
    assert labels(days_of(c, s)) == ["2024-01-02", "2024-01-06"]


def test_no_cycles_gives_an_empty_table_with_the_daily_columns():
    d = days_of([])
    assert d.empty and "recovery_score" in d.columns and "date" in d.columns


# -- a partial rebuild gives exactly the table a whole rebuild gives ---------------------------

import random  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402

import pytest  # noqa: E402

from whoop import schema  # noqa: E402
from whoop.store import Store  # noqa: E402
from whoop.sync import mapping  # noqa: E402
from whoop.synth import generate_athlete, history_start  # noqa: E402

END = datetime(2025, 11, 20, 9, 0, tzinfo=UTC)


def synth_frames(days: int) -> dict[str, pd.DataFrame]:
    """A generated athlete's records as canonical frames (as a sync maps them)."""
    a = generate_athlete(11, start=history_start(END, days, seed=11), end=END)
    cyc = mapping.cycles(a.cycles, "t")
    starts = dict(zip(cyc["whoop_id"].astype(int), cyc["start_utc"], strict=False))
    return {"cycles": cyc, "sleeps": mapping.sleeps(a.sleeps, starts, "t"),
            "recoveries": mapping.recoveries(a.recoveries, starts, "t")[0],
            "workouts": mapping.workouts(a.workouts, "t")}


def stored_days(store: Store, aid: int) -> pd.DataFrame:
    """The athlete's days (without ``ingested_at``: when a row was written, not what it says)."""
    out = store.query("SELECT * FROM days WHERE athlete_id = ? ORDER BY date", [aid])
    return out.drop(columns=["athlete_id", "ingested_at"]).reset_index(drop=True)


def change(store: Store, aid: int, upserts: dict[str, pd.DataFrame],
           deletes: dict[str, list]) -> pd.DataFrame:
    """Apply record changes and rebuild only their window, as a sync does; returns the rows the
    partial rebuild wrote. The window spans the keys and cycle starts of every changed record,
    before (stored) and after (the new frames)."""
    touched = []
    with store.transaction() as con:
        for table, frame in upserts.items():
            key = schema.KEYS[table][0]
            keys = [k.to_pydatetime() for k in frame[key]]
            touched += [t for t in Store.touched_span(con, table, aid, keys) if t is not None]
            for col in {key, "cycle_start_utc"} & set(frame.columns):
                touched += [t for t in frame[col].dropna()]
            Store.upsert(con, table, aid, frame, None)
        for table, keys in deletes.items():
            key = schema.KEYS[table][0]
            touched += [t for t in Store.touched_span(con, table, aid, keys) if t is not None]
            con.execute(f"DELETE FROM {table} WHERE athlete_id = ? AND {key} IN "
                        "(SELECT unnest(?::TIMESTAMPTZ[]))", [aid, keys])
        touched = [pd.Timestamp(t) for t in touched]
        touched = [t.tz_localize("UTC") if t.tzinfo is None else t.tz_convert("UTC") for t in touched]
        return Store.rebuild_days(con, aid, min(touched), max(touched))


KINDS = ["wake_later", "no_main_sleep", "drop_cycle", "new_cycle", "nap_and_workout", "rescore",
         "offset"]


def mutations(rng: random.Random, f: dict[str, pd.DataFrame], kind: str) -> tuple[dict, dict]:
    """Inserts, updates and deletes of one ``kind`` around one random place of the history."""
    cyc, slp, wko, rec = f["cycles"], f["sleeps"], f["workouts"], f["recoveries"]
    i = rng.randrange(2, len(cyc) - 2)
    c = cyc.iloc[i]
    upserts: dict[str, list] = {}
    deletes: dict[str, list] = {}
    mains = slp[(slp["cycle_start_utc"] == c["start_utc"]) & ~slp["nap"]]
    if kind == "wake_later" and len(mains):          # wakes hours later: may take the next date
        s = mains.iloc[[0]].copy()
        s["end_utc"] = s["end_utc"] + pd.Timedelta(hours=rng.choice([6, 14, 20]))
        s["asleep_min"] = s["asleep_min"] + 30
        upserts["sleeps"] = s
    elif kind == "no_main_sleep" and len(mains):     # the cycle becomes a placeholder
        deletes["sleeps"] = [t.to_pydatetime() for t in mains["start_utc"]]
    elif kind == "drop_cycle":
        deletes["cycles"] = [c["start_utc"].to_pydatetime()]
        if rng.random() < 0.5:
            deletes["recoveries"] = [c["start_utc"].to_pydatetime()]
    elif kind == "new_cycle":                        # a cycle splitting this one, no sleep
        new = cyc.iloc[[i]].copy()
        new["start_utc"] = c["start_utc"] + pd.Timedelta(hours=rng.choice([3, 13, 20]))
        new["whoop_id"] = 10**9 + i
        upserts["cycles"] = new
    elif kind == "nap_and_workout":                  # records without a cycle, assigned by time
        at = c["start_utc"] + pd.Timedelta(hours=rng.choice([10, 15, 23]))
        nap = slp.iloc[[0]].copy()
        nap["start_utc"], nap["end_utc"] = at, at + pd.Timedelta(minutes=40)
        nap["nap"], nap["cycle_start_utc"], nap["asleep_min"] = True, pd.NaT, 35.0
        w = wko.iloc[[0]].copy()
        w["start_utc"], w["end_utc"] = at + pd.Timedelta(hours=1), at + pd.Timedelta(hours=2)
        upserts["sleeps"], upserts["workouts"] = nap, w
    elif kind == "rescore":
        r = rec[rec["cycle_start_utc"] == c["start_utc"]].copy()
        r["recovery_score"] = r["recovery_score"].fillna(50) - 7
        upserts["recoveries"] = r
        gone = wko[(wko["start_utc"] >= c["start_utc"])
                   & (wko["start_utc"] < c["start_utc"] + pd.Timedelta(days=2))]
        deletes["workouts"] = [t.to_pydatetime() for t in gone["start_utc"]]
    else:                                            # a flight: the offsets change
        s = mains.iloc[[0]].copy() if len(mains) else slp.iloc[[0]].iloc[0:0]
        s["tz_offset_min"] = rng.choice([-600, 540, 780])
        upserts["sleeps"] = s
        cc = cyc.iloc[[i]].copy()
        cc["tz_offset_min"] = s["tz_offset_min"].iloc[0] if len(s) else 600
        upserts["cycles"] = cc
    return {t: v for t, v in upserts.items() if len(v)}, {t: v for t, v in deletes.items() if v}


def synth_store(db, days: int) -> tuple[Store, int, dict[str, pd.DataFrame]]:
    """A store holding ``days`` of a generated athlete's records (days not built yet)."""
    store = Store(db)
    frames = synth_frames(days)
    with store.transaction() as con:
        aid = Store.ensure_athlete(con, "synth")
        for table, frame in frames.items():
            Store.upsert(con, table, aid, frame, None)
    return store, aid, frames


@pytest.mark.parametrize("seed", [1, 2])
def test_a_partial_rebuild_gives_the_days_a_whole_rebuild_gives(db, seed):
    store, aid, frames = synth_store(db, 120)
    with store.transaction() as con:
        total = len(Store.rebuild_days(con, aid))
    rng = random.Random(seed)
    partial_sizes = []
    for kind in KINDS * 2:
        current = {t: store.query(f"SELECT * FROM {t} WHERE athlete_id = ? ORDER BY 2", [aid])
                   for t in frames}
        current = {t: schema.conform(v, t) for t, v in current.items()}
        upserts, deletes = mutations(rng, current, kind)
        if not upserts and not deletes:
            continue
        partial_sizes.append(len(change(store, aid, upserts, deletes)))
        partial = stored_days(store, aid)
        with store.transaction() as con:
            Store.rebuild_days(con, aid)
        whole = stored_days(store, aid)
        pd.testing.assert_frame_equal(partial, whole)
    assert partial_sizes and max(partial_sizes) < total / 4     # it did rebuild only a window


def test_a_partial_rebuild_of_an_empty_window_or_the_newest_days(db):
    store, aid, frames = synth_store(db, 40)
    with store.transaction() as con:
        assert Store.rebuild_days(con, aid, datetime(2020, 1, 1, tzinfo=UTC)).shape[0] == 40 + 1
        before = stored_days(store, aid)
        assert Store.rebuild_days(con, aid, END + timedelta(days=3)).empty     # nothing there
        last = frames["cycles"].iloc[[-1]].copy()                              # the open cycle closes
        last["end_utc"] = last["start_utc"] + pd.Timedelta(hours=20)
        Store.upsert(con, "cycles", aid, last, None)
        rows = Store.rebuild_days(con, aid, last["start_utc"].iloc[0].to_pydatetime())
    assert len(rows) == 2 and not rows["is_open"].iloc[-1]        # it and the cycle before
    after = stored_days(store, aid)
    pd.testing.assert_frame_equal(after.iloc[:-1], before.iloc[:-1])
    with store.transaction() as con:
        Store.rebuild_days(con, aid)
    pd.testing.assert_frame_equal(stored_days(store, aid), after)
