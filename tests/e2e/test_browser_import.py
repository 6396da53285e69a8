"""The app in a real browser: empty app -> Load demo data -> every page; then the two real
exports uploaded through the file uploader (the ZIP, and the four CSVs as one multi-file upload
into a second athlete) show their history."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import SHARED_EXPORTS
from tests.e2e.appserver import wait_for_run

pytestmark = pytest.mark.e2e

PAGES = ["Overview", "Recovery", "HRV", "Sleep", "Strain", "Data"]
ZIP = SHARED_EXPORTS / "my_whoop_data_2025_02_16.zip"
FOLDER = SHARED_EXPORTS / "my_whoop_data_2025_11_21"


def open_page(page, title: str, *, check_title: bool = True) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
    wait_for_run(page)
    heading = page.locator("h1").first.inner_text().strip()
    assert heading == title if check_title else heading


def assert_clean(page) -> None:
    """No exception box, no error alert, no traceback text anywhere on the page."""
    assert page.get_by_test_id("stException").count() == 0
    errors = page.get_by_test_id("stAlertContentError")
    assert errors.count() == 0, errors.all_inner_texts()
    body = page.locator("body").inner_text()
    assert "Traceback" not in body and "Error" not in body


def last_day(cycles_csv: str) -> date:
    """The export's last day from its newest cycle (the first data row): the local date of the
    wake-up ("Wake onset"), else of the cycle start (docs/ARCHITECTURE.md "The day model")."""
    row = next(csv.DictReader(io.StringIO(cycles_csv)))
    stamp = row.get("Wake onset") or row["Cycle start time"]
    return date.fromisoformat(stamp[:10])


def upload(page, files: list[Path], athlete: str) -> None:
    open_page(page, "Data")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files([str(f) for f in files])
    wait_for_run(page)
    name = page.get_by_role("textbox", name="Athlete name")
    name.fill(athlete)
    name.press("Enter")
    wait_for_run(page)
    page.get_by_role("button", name="Import").click()
    page.get_by_test_id("stAlertContentSuccess").first.wait_for(timeout=60_000)
    wait_for_run(page)
    assert f"athlete '{athlete}'" in page.get_by_test_id("stAlertContentSuccess").first.inner_text()


def test_demo_journey(app_server, page, tmp_path):
    page.goto(app_server(tmp_path / "journey.duckdb"))
    wait_for_run(page)
    page.get_by_text("No WHOOP data yet").wait_for()
    page.get_by_role("link", name="Upload WHOOP export").wait_for()  # drawn after the heading
    page.get_by_role("button", name="Load demo data").click()
    page.get_by_test_id("stMetric").nth(5).wait_for(timeout=60_000)
    wait_for_run(page)
    labels = page.get_by_test_id("stMetricLabel").all_inner_texts()
    assert any(label.startswith("Recovery") for label in labels)
    assert any(label.startswith("Day strain") for label in labels)
    assert_clean(page)
    links = page.get_by_test_id("stSidebarNav").get_by_role("link").all_inner_texts()
    titles = [t.strip().splitlines()[-1].strip() for t in links]  # the icon's name comes first
    assert set(PAGES) <= set(titles)
    for title in titles:  # every page in the navigation, later ones too
        open_page(page, title, check_title=title in PAGES)
        assert_clean(page)
        if title in PAGES and title != "Data":
            page.locator(".js-plotly-plot").first.wait_for()


@pytest.mark.real_export
def test_real_exports_through_the_uploader(app_server, page, tmp_path):
    if not ZIP.is_file() or not FOLDER.is_dir():
        pytest.skip("../shared/whoop/exports is absent")
    with zipfile.ZipFile(ZIP) as archive:
        member = next(n for n in archive.namelist() if n.endswith("physiological_cycles.csv"))
        zip_last = last_day(archive.read(member).decode("utf-8-sig"))
    folder_last = last_day((FOLDER / "physiological_cycles.csv").read_text(encoding="utf-8-sig"))

    page.goto(app_server(tmp_path / "real.duckdb"))
    wait_for_run(page)
    upload(page, [ZIP], "zip export")
    open_page(page, "Overview")
    assert page.get_by_test_id("stHeading").filter(has_text=f"{zip_last:%A, %d %B %Y}").count() == 1
    assert_clean(page)

    upload(page, sorted(FOLDER.glob("*.csv")), "csv export")
    open_page(page, "Overview")
    assert page.get_by_test_id("stHeading").filter(
        has_text=f"{folder_last:%A, %d %B %Y}").count() == 1
    picker = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox")
    assert picker.get_by_role("combobox").input_value() == "csv export"
    for title in PAGES:
        open_page(page, title)
        assert_clean(page)
    # the other athlete is one pick away
    open_page(page, "Overview")
    picker.get_by_role("combobox").click()
    page.get_by_role("option", name="zip export").click()
    wait_for_run(page)
    assert page.get_by_test_id("stHeading").filter(has_text=f"{zip_last:%A, %d %B %Y}").count() == 1
