"""Which athlete an export belongs to (whoop/athlete_match.py): a share of records counts only
when it is meaningful, so a chance equal start instant between two people does not merge them."""

from __future__ import annotations

from datetime import date

import pytest

from whoop import athlete_match
from whoop.athlete_match import Overlap
from whoop.demo import write_demo_export
from whoop.export import read_export
from whoop.importer import import_paths
from whoop.store import Store


@pytest.mark.parametrize(("shared", "total", "meaningful"), [
    (0, 120, False), (1, 121, False), (12, 121, False), (13, 121, True), (120, 121, True),
    (2, 2, True), (1, 2, False), (1, 1, True), (3, 10, True), (2, 10, False)])
def test_a_share_is_meaningful_from_a_tenth_and_at_least_three(shared, total, meaningful):
    assert Overlap("b", shared, total, "cycles").meaningful is meaningful


def test_two_generated_people_with_a_chance_shared_start_are_not_merged(tmp_path, db):
    end = date(2026, 11, 1)
    b = write_demo_export(tmp_path / "b", seed=11, days=120, end=end)
    c = write_demo_export(tmp_path / "c", seed=12, days=120, end=end)
    store = Store(db)
    import_paths(store, [b], athlete="b")
    data = read_export([c])
    found = athlete_match.overlaps(store, data)
    assert [(o.athlete, o.meaningful) for o in found] == [("b", False)]
    assert athlete_match.concern(store, data, "c") is None
    with pytest.raises(athlete_match.InputError, match="pass --athlete"):
        athlete_match.choose(store, data, "me")
    # a newer export of the same person is still recognised
    newer = write_demo_export(tmp_path / "b2", seed=11, days=150, end=date(2026, 11, 20))
    assert athlete_match.choose(store, read_export([newer]), "me")[0] == "b"
