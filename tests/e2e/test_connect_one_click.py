"""Connect in a real browser with another athlete already present (the demo): one click on
**Connect WHOOP** goes to the sandbox's consent page in the same tab (no second tab), Allow
brings the app back with the athlete just connected picked in the sidebar as soon as its first
synced days are stored, not the athlete picked before.
"""

from __future__ import annotations

import re
import shutil

import pytest

from tests.e2e.appserver import wait_for_run
from tests.e2e.test_connect_sync import (  # noqa: F401  (whoop_app is a fixture)
    PICK,
    assert_clean_url,
    assert_safe,
    open_page,
    wait_idle,
    whoop_app,
    whoop_card,
)

pytestmark = pytest.mark.e2e


def sidebar_athlete(page) -> str:
    """The athlete the sidebar's caption names (``<name> · data through ...``)."""
    caption = page.get_by_test_id("stSidebar").get_by_test_id("stCaptionContainer").filter(
        has_text="data through").first
    return caption.inner_text().split(" · ")[0].strip()


def test_one_click_same_tab_and_the_new_athlete_is_picked(whoop_app, page, demo_templates):  # noqa: F811  (fixture)
    app, person = whoop_app, whoop_app.profile()
    name = f"{person['first_name']} {person['last_name']}"
    shutil.copyfile(demo_templates("duckdb"), app.db)       # another athlete is already there
    page.goto(app.url)
    wait_for_run(page)
    assert sidebar_athlete(page) == "demo"
    open_page(page, "Data")

    link = whoop_card(page).get_by_role("link", name="Connect WHOOP")
    assert link.get_attribute("target") == "_self"
    link.click()                                    # the only click before the consent page
    page.wait_for_url(app.sandbox.base_url + "/oauth/oauth2/auth?**")
    assert len(page.context.pages) == 1
    page.get_by_role("radio", name=f"{name} ({person['email']})", exact=True).check()
    page.get_by_role("button", name="Allow").click()

    page.get_by_test_id("stAlertContentSuccess").filter(has_text="Connected WHOOP account").wait_for()
    assert_clean_url(page, app.url)
    assert len(page.context.pages) == 1
    # the first sync runs in the background; the sidebar picks the athlete once its days are in
    picked = page.get_by_test_id("stSidebar").get_by_test_id("stCaptionContainer").filter(
        has_text=re.compile(rf"^{re.escape(name)} · data through"))
    picked.wait_for(timeout=90_000)
    wait_for_run(page)
    assert sidebar_athlete(page) == name
    picker = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox")
    shown = picker.inner_text() + " " + picker.locator("input").first.input_value()
    assert name in shown, shown
    store = app.store()
    assert store.athletes()["name"].tolist() == sorted(["demo", name])
    assert wait_idle(store, store.athlete_id(name)) == ["ok"]
    assert_safe(page, app)
    open_page(page, "Recovery")                      # the pick stays on other pages
    assert sidebar_athlete(page) == name
