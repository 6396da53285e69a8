"""The alert rules of whoop.alerts on the demo generator's athlete: each rule fires on the day it
should (and keeps its key while its run goes on), not a day earlier, not on old history; the
connection rules; the digest and notice texts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from whoop import alerts as al
from whoop.metrics import baselines as mb
from whoop.store import Store


@pytest.fixture(scope="module")
def demo_days(demo_templates) -> pd.DataFrame:
    """The demo athlete's daily table (400 generated days)."""
    store = Store(demo_templates("duckdb"))
    return store.days(int(store.athletes()["athlete_id"].iloc[0]))


def upto(days: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    return days[days["date"] <= day].reset_index(drop=True)


def kinds(alerts: list[al.Alert]) -> list[str]:
    return [a.kind for a in alerts]


def test_hrv_low_fires_on_the_third_day_below_the_normal_range_and_keeps_its_key(demo_days):
    base = mb.hrv_baseline(demo_days)
    runs = base.index[base["hrv_below_streak_days"] == 3]
    assert len(runs), "the demo has runs of HRV below its normal range"
    third = base.loc[runs[0], "date"]
    today = third.date()
    before = al.day_alerts(upto(demo_days, third - pd.Timedelta(days=1)), 1, "demo", today)
    assert "hrv_low" not in kinds(before)                                  # 2 days: not yet
    on = [a for a in al.day_alerts(upto(demo_days, third), 1, "demo", today) if a.kind == "hrv_low"]
    assert len(on) == 1 and on[0].day == third.date() and on[0].key == (1, "hrv_low", third.date())
    assert "HRV below the normal range for 3 days running" in on[0].message
    row = base.loc[runs[0]]
    assert f"{np.exp(row['hrv_ln_rmssd_7d']):.0f} ms" in on[0].message
    if base.loc[runs[0] + 1, "hrv_below_streak_days"] == 4:                # the run goes on: same key
        later = al.day_alerts(upto(demo_days, third + pd.Timedelta(days=1)), 1, "demo", today)
        assert [a.key for a in later if a.kind == "hrv_low"] == [on[0].key]
    old = al.day_alerts(upto(demo_days, third), 1, "demo", today + timedelta(days=al.RECENT_DAYS + 1))
    assert "hrv_low" not in kinds(old)                                      # history, not news


def test_hrv_low_on_a_generated_athlete_whose_hrv_drops(demo_days):
    days = demo_days.copy()
    last = days.index[-6:]
    days.loc[last, "hrv_rmssd_ms"] = days["hrv_rmssd_ms"].median() * 0.4
    out = [a for a in al.day_alerts(days, 1, "demo", days["date"].iloc[-1].date()) if a.kind == "hrv_low"]
    assert len(out) == 1 and out[0].day <= days["date"].iloc[-1].date()


def test_resting_hr_and_respiratory_rate_both_high_on_the_same_day(demo_days):
    days = demo_days.copy()
    i = days.index[-1]
    days.loc[i, "resting_heart_rate_bpm"] = days["resting_heart_rate_bpm"].iloc[-31:-1].mean() + 25
    only_rhr = al.day_alerts(days, 1, "demo", days["date"].iloc[-1].date())
    assert "rhr_resp_high" not in kinds(only_rhr)                          # one of the two: no alert
    days.loc[i, "respiratory_rate_rpm"] = days["respiratory_rate_rpm"].iloc[-31:-1].mean() + 6
    both = [a for a in al.day_alerts(days, 1, "demo", days["date"].iloc[-1].date())
            if a.kind == "rhr_resp_high"]
    assert len(both) == 1 and both[0].day == days["date"].iloc[-1].date()
    assert "Resting HR" in both[0].message and "SD above baseline" in both[0].message


def test_recovery_red_three_days_running_and_a_gap_breaks_the_run(demo_days):
    days = demo_days.copy()
    end = days["date"].iloc[-1]
    red = days["date"] > end - pd.Timedelta(days=3)
    days.loc[days["date"] == end - pd.Timedelta(days=3), "recovery_score"] = 80.0
    days.loc[red, "recovery_score"] = 20.0
    out = [a for a in al.day_alerts(days, 1, "demo", end.date()) if a.kind == "recovery_red"]
    assert len(out) == 1 and out[0].day == end.date() and "Recovery in the red for 3 days" in out[0].message
    two = days.copy()
    two.loc[two["date"] == end - pd.Timedelta(days=1), "recovery_score"] = np.nan   # no score that day
    assert "recovery_red" not in kinds(al.day_alerts(two, 1, "demo", end.date()))
    assert "recovery_red" not in kinds(al.day_alerts(days.iloc[:-1], 1, "demo", end.date()))


def test_stale_data_after_48_hours_for_a_connected_athlete_only():
    last = datetime(2026, 11, 28, 6, 10, tzinfo=UTC)
    fresh = al.Freshness(last, last + timedelta(hours=1), "connected", last)
    assert al.connection_alerts(fresh, 3, "ann", last + timedelta(hours=47)) == []
    out = al.connection_alerts(fresh, 3, "ann", last + timedelta(hours=49))
    assert kinds(out) == ["stale"] and out[0].day == date(2026, 11, 28)
    assert "no new WHOOP data for 49 h" in out[0].message and "2026-11-28 07:10 UTC" in out[0].message
    gone = al.Freshness(last, None, "disconnected", last)
    assert al.connection_alerts(gone, 3, "ann", last + timedelta(days=9)) == []
    assert al.connection_alerts(al.Freshness(), 3, "ann", last) == []        # never connected


def test_reconnect_needed_is_an_alert_keyed_by_the_day_access_ended():
    since = datetime(2026, 11, 30, 23, 0, tzinfo=UTC)
    row = {"last_record_utc": pd.Timestamp(since), "last_sync_utc": pd.NaT,
           "token_status": "reconnect_needed", "status_since": pd.Timestamp(since)}
    out = al.connection_alerts(al.freshness_of(row), 3, "ann", since + timedelta(hours=2))
    assert [(a.kind, a.day) for a in out] == [("reconnect", date(2026, 11, 30))]


def test_digest_lists_the_headline_flags_and_alerts(demo_days):
    day, line = al.headline(demo_days)
    assert day == demo_days["date"].iloc[-1].date()
    for name in ("Recovery", "HRV", "Asleep", "Performance", "Day strain"):
        assert name in line
    alert = al.Alert(1, "demo", "stale", date(2026, 11, 1), "no new WHOOP data for 50 h")
    entry = al.DigestEntry("demo", day, line, ["HRV below your normal range for 2 days"], [alert])
    subject, body = al.digest_text("coach", date(2026, 12, 1), [entry])
    assert subject == "WHOOP digest 2026-12-01: 1 athlete"
    assert body.startswith("Morning digest for coach, Tuesday 01 December 2026")
    assert f"latest day {day:%Y-%m-%d}: {line}" in body
    assert "flags: HRV below your normal range for 2 days" in body
    assert "alert: no new WHOOP data for 50 h [since 2026-11-01]" in body
    assert al.headline(demo_days.iloc[:0]) == (None, "no data yet")


def test_a_hostile_athlete_name_stays_on_one_subject_line():
    alert = al.Alert(1, "eve\r\nBcc: all@example.org", "stale", date(2026, 11, 1), "no new data")
    subject, body = al.notice_text([alert])
    assert "\n" not in subject and "\r" not in subject
    assert subject.startswith("WHOOP alert: 1 new (eve Bcc: all@example.org")
    assert "- eve\r\nBcc: all@example.org: no new data [since 2026-11-01]" in body   # plain text body
