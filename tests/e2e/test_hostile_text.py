"""Hostile text through every page in a real browser: an athlete name, a workout activity name
and a journal question full of Markdown / HTML / plotly markup pointing at 127.0.0.2
(tests/hostile_data.py). No page may make the browser ask 127.0.0.2 (the autouse
``outside_requests`` check fails the test on any request to another host) or build an element
from the text: no attribute anywhere names the hostile URL, no bold from the data, and the text
shows literally."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.appserver import wait_for_run
from tests.hostile_data import HOSTILE_ATHLETE, HOSTILE_SPORT, write_hostile_db

pytestmark = pytest.mark.e2e

PAGES = ["", "recovery", "hrv", "sleep", "strain", "trends", "journal", "explain", "data",
         "settings"]

#: elements with a fetching or linking attribute (src, href, style url(), ...) that names
#: 127.0.0.2, and bold/emphasis/link elements (HTML or plotly SVG) whose text came from the data
#: ("b", "bq", "x", "p", "q", "Q"). Plain-text attributes (an input's value, aria-label) may
#: hold the name.
FIND_MARKUP = """() => {
  const hits = [];
  const linking = new Set(['src', 'href', 'xlink:href', 'srcset', 'style', 'action',
                           'formaction', 'data', 'poster', 'background']);
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      if (linking.has(attr.name) && attr.value.includes('127.0.0.2'))
        hits.push(el.tagName + ' ' + attr.name + '=' + attr.value);
    }
  }
  const fromData = new Set(['b', 'bq', 'x', 'p', 'q', 'Q']);
  for (const el of document.querySelectorAll('b, strong, em, i, a, img')) {
    if (fromData.has(el.textContent.trim())) hits.push(el.tagName + ' ' + el.textContent);
  }
  for (const el of document.querySelectorAll('tspan')) {
    const style = el.getAttribute('style') || '';
    if (style.includes('bold') && fromData.has(el.textContent.trim())) hits.push('bold tspan ' +
    el.textContent);
  }
  return hits;
}"""


@pytest.fixture
def hostile_db(tmp_path: Path) -> Path:
    return write_hostile_db(tmp_path / "hostile.duckdb")


def _text(locator) -> str:
    return locator.inner_text().replace("\u2060", "")


def test_hostile_text_makes_no_request_and_no_element_on_any_page(app_server, hostile_db, page):
    url = app_server(hostile_db)
    for path in PAGES:
        page.goto(f"{url}/{path}")
        wait_for_run(page)
        page.wait_for_selector('[data-testid="stSidebar"] [data-testid="stCaptionContainer"]')
        wait_for_run(page)
        if page.locator(".js-plotly-plot").count():
            page.wait_for_selector(".js-plotly-plot .main-svg")
        page.wait_for_timeout(500)     # images and charts settle
        assert page.evaluate(FIND_MARKUP) == [], path
        # the name reads literally in the sidebar note
        assert HOSTILE_ATHLETE in _text(page.locator('[data-testid="stSidebar"]')), path
        if path in ("", "recovery", "hrv", "sleep", "strain", "trends", "journal", "explain"):
            assert HOSTILE_ATHLETE in _text(page.locator('[data-testid="stCaptionContainer"]').first)
        if path == "strain":
            svg_text = " ".join(page.locator(".js-plotly-plot text").all_text_contents())
            assert HOSTILE_SPORT in svg_text      # legend and category labels, literally
        if path == "journal":
            svg_text = " ".join(page.locator(".js-plotly-plot text").all_text_contents())
            assert "<b>bq</b>" in svg_text and "%{y}?" in svg_text


def test_the_markup_check_would_see_a_rendered_name(page, outside_requests):
    """FIND_MARKUP itself: on a page where the name WAS rendered as Markdown/HTML it reports the
    image, the link and the bold text (and the browser's request for the image is recorded)."""
    page.set_content('<p><img src="http://127.0.0.2/p" alt="p"><a href="http://127.0.0.2/x">x</a>'
                     '<strong>b</strong></p>')
    page.wait_for_timeout(300)
    hits = page.evaluate(FIND_MARKUP)
    assert any(h.startswith("IMG src=") for h in hits) and any(h.startswith("A href=") for h in hits)
    assert "STRONG b" in hits
    assert outside_requests.seen == ["http://127.0.0.2/p"]
    outside_requests.seen.clear()
