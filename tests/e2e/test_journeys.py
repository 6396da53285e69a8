"""What people do in combination, in a real browser against the WHOOP sandbox: the demo, then a
second and a third athlete uploaded through the file uploader (the third while the athlete
picker exists), then a WHOOP account connected and synced after those imports, a second sync,
and a visit to every page at 1280x800 and 1920x1080. On every page: no exception, no error, no
traceback, no token, no request to another host (tests/e2e/conftest.py), and nothing cut off
horizontally in the tables, the metric cards and the captions (:func:`cut_off`).
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.appserver import wait_for_run
from tests.e2e.test_browser_import import assert_clean, upload
from tests.e2e.test_connect_sync import (  # noqa: F401  (whoop_app is a fixture)
    PICK,
    assert_safe,
    open_page,
    sync_now,
    wait_idle,
    whoop_app,
    whoop_card,
)
from whoop.demo import write_demo_export

pytestmark = pytest.mark.e2e

PAGES = ["Overview", "Recovery", "HRV", "Sleep", "Strain", "Trends", "Journal",
         "Explain a day", "Data", "Settings"]
VIEWPORTS = [(1280, 800), (1920, 1080)]

# Elements whose content must fit their box: a table's scroller (glide data grid), an HTML
# table, every line of a metric card, captions and alerts. Returns one line per element whose
# content is wider than its box (scrollWidth > clientWidth), naming it.
CUT_OFF_JS = """() => {
  const out = [];
  const name = el => (el.closest('[data-testid]')?.dataset.testid || el.tagName) + ' "' +
                     (el.innerText || '').trim().slice(0, 50).replace(/\\s+/g, ' ') + '"';
  const check = (el, what) => {
    if (el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1)
      out.push(`${what} ${name(el)}: ${el.scrollWidth} px in ${el.clientWidth} px`);
  };
  document.querySelectorAll('[data-testid="stDataFrame"] .dvn-scroller')
    .forEach(el => check(el, 'table'));
  document.querySelectorAll('[data-testid="stTable"]').forEach(el => check(el, 'table'));
  document.querySelectorAll('[data-testid="stMetric"] *').forEach(el => check(el, 'metric'));
  document.querySelectorAll('[data-testid="stCaptionContainer"], [data-testid="stAlert"]')
    .forEach(el => check(el, 'text'));
  return out;
}"""


def cut_off(page) -> list[str]:
    """What is cut off horizontally on the page (empty when everything fits)."""
    return page.evaluate(CUT_OFF_JS)


def sidebar_athlete(page) -> str:
    """The athlete named by the sidebar's caption (``<name> · data through ...``)."""
    caption = page.get_by_test_id("stSidebar").get_by_test_id("stCaptionContainer").filter(
        has_text="data through").first
    return caption.inner_text().split(" · ")[0].strip()


def assert_data_page_whole(page) -> None:
    """The Data page drew every part: nothing after the uploader went missing."""
    main = page.get_by_test_id("stMain")
    for heading in ("Upload WHOOP export", "WHOOP account", "Coverage per athlete",
                    "Import history", "Data quality"):
        assert main.get_by_role("heading", name=heading).count() == 1, heading
    assert main.get_by_text("Records left out of the statistics").count() == 1
    assert main.get_by_test_id("stExpander").filter(has_text="Delete athlete data").count() == 1


def test_three_athletes_then_a_sync_then_every_page_at_two_sizes(whoop_app, page, tmp_path):  # noqa: F811  (fixture)
    app, person = whoop_app, whoop_app.profile()
    connected = f"{person['first_name']} {person['last_name']}"
    exports = {name: write_demo_export(tmp_path / name, seed=seed, days=120)
               for name, seed in (("b", 11), ("c", 12))}

    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(app.url)
    wait_for_run(page)
    page.get_by_role("button", name="Load demo data").first.click()
    page.get_by_test_id("stMetric").nth(5).wait_for(timeout=60_000)
    wait_for_run(page)
    assert sidebar_athlete(page) == "demo"

    for name, export in exports.items():   # "c" is imported while the picker exists
        upload(page, [export], name)
        assert_clean(page)
        assert_data_page_whole(page)
        assert sidebar_athlete(page) == name
    store = app.store()
    assert store.athletes()["name"].tolist() == ["b", "c", "demo"]

    # a WHOOP account connected and synced after the imports
    link = whoop_card(page).get_by_role("link", name="Connect WHOOP")
    link.click()
    page.wait_for_url(app.sandbox.base_url + "/oauth/oauth2/auth?**")
    page.get_by_role("radio", name=f"{connected} ({person['email']})", exact=True).check()
    page.get_by_role("button", name="Allow").click()
    page.get_by_test_id("stSidebar").get_by_test_id("stCaptionContainer").filter(
        has_text=re.compile(rf"^{re.escape(connected)} · data through")).wait_for(timeout=90_000)
    wait_for_run(page)
    athlete_id = store.athlete_id(connected)
    assert wait_idle(store, athlete_id) == ["ok"]
    open_page(page, "Data")
    sync_now(page, store, athlete_id, connected)          # and once more, by hand
    assert_clean(page)
    assert_data_page_whole(page)
    history = page.get_by_test_id("stMain").get_by_test_id("stDataFrame").filter(
        has_text="sync")
    assert history.count() >= 1
    assert sorted(store.athletes()["name"]) == sorted(["b", "c", "demo", connected])
    runs = store.runs()
    assert set(runs["status"]) == {"ok"} and (runs["kind"] == "sync").sum() == 2, runs

    for width, height in VIEWPORTS:
        page.set_viewport_size({"width": width, "height": height})
        for title in PAGES:
            open_page(page, title)
            assert_clean(page)
            assert_safe(page, app)
            assert sidebar_athlete(page) == connected
            assert cut_off(page) == [], f"{title} at {width}x{height}"
