"""The one escaping helper: every string that comes from a file, from WHOOP or from a person is
data, never markup. Escape it for the place it lands, at the place it lands (never store escaped
text):

=====================  ==================================================  =====================
function               where the text lands                                what it neutralises
=====================  ==================================================  =====================
:func:`markdown`       ``st.markdown``, ``st.caption``, ``st.write``,      links, images, emphasis,
                       ``st.error``/``warning``/``info``/``success``,      raw HTML, math, headings,
                       ``st.toast``, ``st.subheader``, widget labels,      lists, Streamlit's
                       expander/status labels, tab and option labels       ``:material/..:``,
                       that Streamlit renders as Markdown                  ``:red[..]``, emoji
:func:`plotly`         plotly text: trace names, category values (tick     ``<a href>``, ``<b>``,
                       labels, ``%{y}`` in hovers), hover/annotation/      ``<br>`` ... and
                       title text, and literal text inside a               ``%{..}`` template
                       ``hovertemplate``                                   variables
:func:`html`           HTML text and attribute values                      tags, attributes
=====================  ==================================================  =====================

Plain-text places need nothing: ``st.dataframe`` cells, ``st.selectbox`` options, text-input
values and ``st.metric`` values show text as it is (escaping them would show the backslashes).
CSV cells have their own writer.
"""

from __future__ import annotations

import html as _html
import re
import string

#: CommonMark 0.31.2, section 2.4 "Backslash escapes": any ASCII punctuation character may be
#: backslash-escaped and is then a literal character
#: (https://spec.commonmark.org/0.31.2/#backslash-escapes).
_MD_PUNCTUATION = frozenset(string.punctuation)
#: U+2060 WORD JOINER: invisible and zero-width; placed after every ``:`` so Streamlit's own
#: shortcodes, which it matches in the parsed text (``:material_icon:``, ``:streamlit:``) where
#: backslash escapes no longer show, cannot form.
_WORD_JOINER = "\u2060"
_LINE_BREAKS = re.compile(r"[\r\n\t\v\f\u0085\u2028\u2029]+")
_LEADING_SPACES = re.compile(r"^ +")


def markdown(text: object) -> str:
    """``text`` as Markdown that renders exactly as the text, inline (one line).

    Rules (each a CommonMark 0.31.2 rule, https://spec.commonmark.org/0.31.2/):

    * every ASCII punctuation character gets a backslash (section 2.4 "Backslash escapes"), so
      ``![p](http://x/t.png)``, ``[x](url)``, ``<http://x>``, ``**b**``, ``_i_``, ``<img>``,
      ``&amp;`` (entity references, section 2.5), ``# heading``, ``- item``, ``$math$``, GFM
      autolink literals (``www.x.com``, ``http://x``;
      https://github.github.com/gfm/#autolinks-extension-)
      and Streamlit's ``:red[text]`` directives and ``:material/icon:`` shortcodes
      (https://docs.streamlit.io/develop/api-reference/text/st.markdown) stay literal;
    * a word joiner (U+2060, invisible) follows every ``:``, so shortcodes that Streamlit
      matches after parsing (``:material_icon:``, ``:streamlit:``) cannot form;
    * line breaks and tabs become one space (the text stays inline: no new paragraph, list item
      or block), and leading spaces become ``&#32;`` (four would start an indented code block,
      section 4.4).

    Streamlit's typographic replacements (``->`` as an arrow) may still show.

    Args:
        text: any value; ``None`` gives ``""``, other values their ``str()``.

    Returns:
        The escaped string, to be embedded in Markdown written by the app.
    """
    if text is None:
        return ""
    s = _LINE_BREAKS.sub(" ", str(text))
    out = []
    for ch in s:
        if ch in _MD_PUNCTUATION:
            out.append("\\" + ch)
            if ch == ":":
                out.append(_WORD_JOINER)
        else:
            out.append(ch)
    escaped = "".join(out)
    return _LEADING_SPACES.sub(lambda m: "&#32;" * len(m.group(0)), escaped)


def plotly(text: object) -> str:
    """``text`` for a plotly text property, shown literally.

    Plotly renders a subset of HTML in every text it draws (``<br>``, ``<b>``, ``<i>``, ``<em>``,
    ``<sup>``, ``<sub>``, ``<s>``, ``<u>``, ``<span style>``, ``<a href>``; "Styling and
    formatting text", https://plotly.com/chart-studio-help/adding-HTML-and-links-to-charts/ and
    https://plotly.com/python/reference/layout/#layout-title-text) and decodes the entities
    ``&lt;``, ``&gt;``, ``&amp;`` and numeric ``&#N;``. So ``&``, ``<`` and ``>`` become
    those entities. ``%`` becomes ``&#37;`` because inside a ``hovertemplate`` or
    ``texttemplate`` ``%{name}`` is a variable
    (https://plotly.com/python/hover-text-and-formatting/);
    plotly substitutes variables first and decodes the entity when it draws the text, so the
    person sees ``%`` again. Line breaks become spaces (plotly draws ``\\n`` as nothing).

    Args:
        text: any value; ``None`` gives ``""``, other values their ``str()``.

    Returns:
        The escaped string (use for trace names, category values, hover text, annotations,
        titles, and literal parts of templates).
    """
    if text is None:
        return ""
    s = _LINE_BREAKS.sub(" ", str(text))
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("%", "&#37;"))


def html(text: object) -> str:
    """``text`` for HTML text or a quoted attribute value: Python's :func:`html.escape` with
    ``quote=True`` (``& < > " '`` as character references; HTML Living Standard, "Character
    references", https://html.spec.whatwg.org/multipage/syntax.html#character-references).

    Args:
        text: any value; ``None`` gives ``""``, other values their ``str()``.

    Returns:
        The escaped string.
    """
    if text is None:
        return ""
    return _html.escape(str(text), quote=True)
