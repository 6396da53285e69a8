"""Hostile text through every page (AppTest, the real app.py): an athlete name, a workout
activity name and a journal question full of Markdown / HTML / plotly markup
(tests/hostile_data.py) are shown escaped wherever they land: every Markdown body and label the
pages send, and every plotly figure. The browser side (no request, no element made from the
text) is tests/e2e/test_hostile_text.py."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.apptest_helpers import open_page
from tests.hostile_data import (
    HOSTILE_ATHLETE,
    HOSTILE_QUESTION,
    HOSTILE_SPORT,
    RAW_MARKUP,
    shown,
    unescaped,
    write_hostile_db,
)
from whoop import escape

PAGES = ["overview", "recovery", "hrv", "sleep", "strain", "trends", "team", "journal", "explain", "data",
         "settings"]
#: element types that show text as it is (no Markdown): their raw strings are fine
PLAIN = {"selectbox", "text_input", "arrow_data_frame", "dataframe", "plotly_chart", "date_input",
         "number_input"}


@pytest.fixture(scope="module")
def hostile_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_hostile_db(tmp_path_factory.mktemp("hostile") / "hostile.duckdb")


@pytest.fixture
def hostile_db(hostile_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "hostile.duckdb"
    shutil.copyfile(hostile_template, path)
    return path


def _strings(message) -> list[str]:
    """Every string field of a protobuf message, recursively."""
    out = []
    for _field, value in message.ListFields():
        values = value if isinstance(value, (list, tuple)) or hasattr(value, "__len__") and \
            not isinstance(value, (str, bytes)) and not hasattr(value, "ListFields") else [value]
        for v in values:
            if isinstance(v, str):
                out.append(v)
            elif hasattr(v, "ListFields"):
                out.extend(_strings(v))
    return out


def markdown_texts(at) -> list[str]:
    """The strings of every element and block the run sent that Streamlit renders as Markdown
    (bodies, labels, captions, alerts, tab and expander labels, radio options ...)."""
    out: list[str] = []

    def walk(node) -> None:
        if getattr(node, "type", None) not in PLAIN and getattr(node, "proto", None) is not None:
            out.extend(_strings(node.proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return out


def figures(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def figure_strings(fig: dict) -> list[str]:
    out: list[str] = []

    def walk(v) -> None:
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    walk(fig.get("data", []))
    walk({k: v for k, v in fig.get("layout", {}).items() if k != "template"})
    return out


def assert_no_raw_markup(texts: list[str]) -> None:
    for text in texts:
        live = unescaped(text)
        for raw in RAW_MARKUP:
            assert raw not in live, (raw, text)


@pytest.mark.parametrize("page", PAGES)
def test_hostile_text_is_escaped_on_every_page(app_test, hostile_db, page):
    at = open_page(app_test(hostile_db, timeout=60), page)
    assert not at.exception, [e.value for e in at.exception]
    texts = markdown_texts(at)
    assert_no_raw_markup(texts)
    # the name is there, escaped, and reads as the original text: sidebar caption, page header
    name = escape.markdown(HOSTILE_ATHLETE)
    assert any(name in t for t in texts)
    assert any(HOSTILE_ATHLETE in shown(t) for t in texts)
    assert sum(name in t for t in at.sidebar.caption.values) == 1
    if page not in ("data", "settings", "team"):  # pages of no one athlete
        assert name in at.caption[0].value          # the page header's athlete line
    # the picker (plain text) offers the name as it is
    assert HOSTILE_ATHLETE in at.sidebar.selectbox[0].options
    for fig in figures(at):
        strings = figure_strings(fig)
        for s in strings:
            assert "<a " not in s and "<b>b" not in s and "<img" not in s, s
        assert HOSTILE_SPORT not in strings and HOSTILE_QUESTION not in strings


def test_strain_charts_show_the_sport_name_escaped(app_test, hostile_db):
    at = open_page(app_test(hostile_db, timeout=60), "strain")
    strings = [s for fig in figures(at) for s in figure_strings(fig)]
    sport = escape.plotly(HOSTILE_SPORT)
    assert sport in strings                                  # a legend name / category
    assert any(s.startswith(sport + ": ") for s in strings)  # the hover template's literal part


def test_journal_chart_shows_the_question_escaped(app_test, hostile_db):
    at = open_page(app_test(hostile_db, timeout=60), "journal")
    strings = [s for fig in figures(at) for s in figure_strings(fig)]
    # the category label: escaped, perhaps wrapped with <br> (plotly's line break)
    assert escape.plotly(HOSTILE_QUESTION) in [s.replace("<br>", " ") for s in strings]
    assert "%{y}?" not in " ".join(strings)  # the question's template variable is inert


def test_data_page_texts_name_the_athlete_escaped(app_test, hostile_db):
    at = open_page(app_test(hostile_db, timeout=60), "data")
    name = escape.markdown(HOSTILE_ATHLETE)
    assert any(name in m.value for m in at.markdown)                 # "Data quality" line
    assert any(name in c.label for c in at.checkbox)                 # delete confirmation
    assert HOSTILE_ATHLETE in at.dataframe[0].value["athlete"].tolist()  # tables: as it is
