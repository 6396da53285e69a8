"""whoop.metrics.exclusions: why a record is left out, worded by the data's source and age."""

from __future__ import annotations

from datetime import date

import pytest

from whoop.metrics import exclusions as mx

TODAY = date(2026, 11, 30)


@pytest.mark.parametrize(("day", "words"), [
    (date(2026, 11, 30), "today"), (date(2026, 11, 29), "yesterday"),
    (date(2026, 11, 1), "29 days ago"), (date(2026, 6, 1), "about 6 months ago"),
    (date(2024, 11, 20), "about 2 years ago")])
def test_age_words(day, words):
    assert mx.age_words(day, TODAY) == words


def test_sources_that_count_as_synced():
    assert mx.is_synced(["export", "api+export"]) and mx.is_synced(["api"])
    assert not mx.is_synced(["export", "demo", None])


def test_an_old_export_is_not_a_running_cycle_nor_waits_for_a_sync():
    old = date(2024, 11, 20)
    for record, reason in (("day", "open cycle"), ("cycle", "pending"),
                           ("recovery", "pending"), ("sleep", "pending"),
                           ("workout", "pending")):
        text = mx.why(record, reason, synced=False, last_day=old, today=TODAY)
        assert "20 Nov 2024, about 2 years ago" in text and "export" in text
        assert "still running" not in text and "next sync" not in text


def test_synced_data_waits_for_the_next_sync_and_a_fresh_cycle_is_running():
    fresh = mx.why("day", "open cycle", synced=True, last_day=TODAY, today=TODAY)
    assert fresh == "The current cycle is still running: its strain is not final yet."
    stale = mx.why("day", "open cycle", synced=True, last_day=date(2026, 10, 1), today=TODAY)
    assert "at the last sync" in stale and "01 Oct 2026" in stale
    assert "next sync" in mx.why("sleep", "pending", synced=True, last_day=TODAY, today=TODAY)


def test_source_independent_reasons_and_unknown_pairs():
    assert mx.why("sleep", "nap", synced=False, last_day=TODAY, today=TODAY).startswith("Naps")
    assert mx.why("sleep", "bogus", synced=True, last_day=TODAY, today=TODAY) == ""
