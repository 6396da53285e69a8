"""The Streamlit theme in .streamlit/config.toml: primary buttons stay readable.

Streamlit 1.67 draws a primary button's label in its fixed ``white`` (#ffffff) on
``theme.primaryColor`` (there is no button-text option in ``streamlit/config.py``), so the
primary colour itself must reach WCAG 2.1 AA against white: a contrast ratio of at least 4.5:1
for normal-size text (https://www.w3.org/TR/WCAG21/#contrast-minimum), with relative luminance
and contrast ratio as defined in https://www.w3.org/TR/WCAG21/#dfn-relative-luminance.
"""

from __future__ import annotations

import tomllib

import pytest

from tests.conftest import REPO

BUTTON_TEXT = "#ffffff"  # Streamlit's theme colour ``white``, the primary button's label
WCAG_AA_TEXT = 4.5


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2.1 relative luminance of an sRGB ``#rrggbb`` colour (0 black .. 1 white)."""
    h = hex_colour.lstrip("#")
    channels = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2.1 contrast ratio (L1 + 0.05) / (L2 + 0.05), L1 the lighter colour (1..21)."""
    hi, lo = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_formula_matches_known_ratios():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#16EC06", "#ffffff") == pytest.approx(1.61, abs=0.01)  # the old one


def test_primary_button_text_meets_wcag_aa():
    theme = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())["theme"]
    ratio = contrast_ratio(theme["primaryColor"], BUTTON_TEXT)
    assert ratio >= WCAG_AA_TEXT, f"{theme['primaryColor']} on white: {ratio:.2f}:1"
