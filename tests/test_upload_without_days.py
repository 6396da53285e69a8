"""An upload that stores records but no days (a sleeps.csv alone: days open on cycles) is not
taken for a WHOOP connect: the sidebar does not wait for "its first WHOOP sync" (AppTest, the
real app.py and a real DuckDB file)."""

from __future__ import annotations

import zipfile
from datetime import date

from tests.apptest_helpers import assert_clean, open_page


def test_sleeps_only_upload_does_not_wait_for_a_sync(app_test, db, tmp_path):
    from whoop.demo import write_demo_export

    export = write_demo_export(tmp_path / "x", seed=5, days=30, end=date(2026, 5, 31))
    with zipfile.ZipFile(export) as zf:
        sleeps = zf.read("sleeps.csv")
    at = open_page(app_test(db), "data")
    at.file_uploader[0].set_value(("sleeps.csv", sleeps, "text/csv"))
    at.text_input(key="upload_athlete").set_value("solo")
    at.run()
    at.button(key="upload_go").click().run()
    assert_clean(at)
    assert any("athlete 'solo'" in s.value or "solo" in s.value for s in at.success)
    captions = " ".join(c.value for c in at.sidebar.caption)
    assert "Waiting for the first days" not in captions, captions
