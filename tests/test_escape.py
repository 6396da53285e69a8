"""whoop.escape: Markdown, plotly and HTML escaping of data strings.

The rendering itself (Streamlit's Markdown, plotly's SVG text) is checked in the browser by
tests/e2e/test_hostile_text.py; here the escaping rules are pinned down."""

from __future__ import annotations

import re
import string

import pytest

from whoop import escape

HOSTILE = [
    "![p](http://127.0.0.2:9/t.png)",
    "[x](http://127.0.0.2:9/)",
    "**b** __u__ *i* _j_ ~~s~~ `code`",
    "<img src=x onerror=alert(1)>",
    "$x^2$ and $$y$$",
    ":material/favorite: :material_favorite: :streamlit: :red[red] :smile:",
    "<http://127.0.0.2:9/> www.example.com http://127.0.0.2:9/ a@b.co",
    "&amp; &#60; &lt;",
    "# heading",
    "- item",
    "1. item",
    "> quote",
    "line one\nline two\r\n\tthree",
    "    indented code",
    "back\\slash \\*",
    "| a | b |",
]


def _unescape_markdown(md: str) -> str:
    """The text a CommonMark renderer shows for an escaped string (backslash escapes resolved,
    ``&#32;`` decoded, word joiners dropped)."""
    md = md.replace("&#32;", " ").replace("\u2060", "")
    return re.sub(r"\\(.)", r"\1", md)


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_escapes_every_punctuation_character(text):
    md = escape.markdown(text)
    body = md.replace("&#32;", "")
    # every ASCII punctuation character is preceded by a backslash (CommonMark 2.4)
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            assert body[i + 1] in string.punctuation, (md, i)
            i += 2
            continue
        assert ch not in string.punctuation, (md, i, ch)
        i += 1
    # what shows is the original text, on one line
    assert _unescape_markdown(md) == re.sub(r"[\r\n\t]+", " ", text)


def test_markdown_breaks_streamlit_shortcodes_and_keeps_one_line():
    md = escape.markdown(":material_favorite: :streamlit:\n# h")
    assert ":material_" not in md.replace("\\", "") and ":streamlit:" not in md.replace("\\", "")
    assert ":\u2060material" in md.replace("\\", "")
    assert "\n" not in md
    assert escape.markdown("    x").startswith("&#32;" * 4 + "x")


def test_markdown_plain_text_is_unchanged_and_none_is_empty():
    assert escape.markdown("Anna Müller 2") == "Anna Müller 2"
    assert escape.markdown(None) == ""
    assert escape.markdown(42) == "42"


def test_plotly_escapes_tags_entities_and_template_variables():
    raw = '<a href="http://127.0.0.2:9/">x</a><b>b</b> &amp; 50% %{y}<br>'
    out = escape.plotly(raw)
    assert "<" not in out and ">" not in out and "%" not in out
    assert out == ('&lt;a href="http://127.0.0.2:9/"&gt;x&lt;/a&gt;&lt;b&gt;b&lt;/b&gt; &amp;amp; '
                   "50&#37; &#37;{y}&lt;br&gt;")
    # plotly's convertEntities (lt, gt, amp, numeric) gives the original text back
    shown = (out.replace("&lt;", "<").replace("&gt;", ">").replace("&#37;", "%")
             .replace("&amp;", "&"))
    assert shown == raw
    assert escape.plotly("Running") == "Running"
    assert escape.plotly("a\nb") == "a b"
    assert escape.plotly(None) == ""


def test_html_escapes_tags_and_quotes():
    assert escape.html('<img src="x" onerror=\'y\'>&') == (
        "&lt;img src=&quot;x&quot; onerror=&#x27;y&#x27;&gt;&amp;")
    assert escape.html(None) == ""
