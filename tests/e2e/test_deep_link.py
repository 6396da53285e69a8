"""A fresh server whose first request is a deep link still serves the app's navigation.

Streamlit falls back to its legacy ``pages/`` folder mode for such a first request (raw file
names in the sidebar, app.py skipped); whoop.ui.navigation switches it off (see there)."""

from __future__ import annotations

import pytest

from tests.e2e.appserver import wait_for_run

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("path, heading", [("journal", "Journal"), ("explain", "Explain a day")])
def test_first_request_to_a_page_gets_the_app_navigation(app_server, page, demo_file, path, heading):
    url = app_server(demo_file)
    page.goto(f"{url}/{path}")  # the very first request this server sees
    wait_for_run(page)
    page.wait_for_selector("h1")
    assert page.locator("h1").first.inner_text().strip() == heading
    nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
    assert "Overview" in nav and "Explain a day" in nav
    assert "app" not in nav.split() and "explain" not in nav.split()
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    assert "Date range" in sidebar and "data through" in sidebar
