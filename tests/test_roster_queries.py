"""The team page's reads (Store.roster_days, Store.roster_freshness) on DuckDB and PostgreSQL:
several athletes in one query each, exactly the rows of each athlete's own reads, and only the
athletes asked for."""

from __future__ import annotations

import pandas as pd
import pytest

from whoop.store import Store


def demo_and(db, name: str) -> tuple[Store, int, int]:
    """The demo store with a second athlete ``name`` without records: (store, demo id, its id)."""
    store = Store(db)
    [demo] = store.athletes()["athlete_id"].tolist()
    with store.transaction() as con:
        other = store.ensure_athlete(con, name)
    return store, demo, other


def test_roster_days_equal_each_athletes_own_days(demo_db):
    store, demo, other = demo_and(demo_db, "Nobody yet")
    both = store.roster_days([demo, other])
    assert str(both["athlete_id"].dtype) == "Int32" and set(both["athlete_id"]) == {demo}
    mine = both.drop(columns="athlete_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, store.days(demo).reset_index(drop=True))
    last = mine["date"].max().date()
    window = store.roster_days([demo], start=last - pd.Timedelta(days=27), end=last)
    assert len(window) == 28 and window["date"].min().date() == last - pd.Timedelta(days=27)
    assert store.roster_days([]).empty and store.roster_days([other]).empty


def test_roster_freshness_names_the_newest_record_and_only_the_athletes_asked_for(demo_db):
    store, demo, other = demo_and(demo_db, "Ann")
    fresh = store.roster_freshness([demo, other])
    assert fresh["name"].tolist() == ["Ann", store.athlete_name(demo)]
    row = fresh.set_index("athlete_id").loc[demo]
    newest = store.records("cycles", demo)["end_utc"].max()
    assert row["last_record_utc"] == newest and pd.isna(row["token_status"])
    assert pd.isna(fresh.set_index("athlete_id").loc[other, "last_record_utc"])
    assert store.roster_freshness([other])["name"].tolist() == ["Ann"]


def test_roster_days_columns_reads_only_those_in_canonical_order_and_dtypes(demo_db):
    store, demo, _ = demo_and(demo_db, "Nobody yet")
    full = store.roster_days([demo])
    some = store.roster_days([demo], columns=["recovery_score", "sleep_score_state", "is_open"])
    # date always comes, the rest in schema.DAYS order, each with its canonical dtype
    assert list(some.columns) == ["athlete_id", "date", "is_open", "sleep_score_state", "recovery_score"]
    pd.testing.assert_frame_equal(some, full[list(some.columns)])
    assert store.roster_days([], columns=["recovery_score"]).columns.tolist() == [
        "athlete_id", "date", "recovery_score"]
    with pytest.raises(KeyError):
        store.roster_days([demo], columns=["recovery_score; DROP TABLE days"])
