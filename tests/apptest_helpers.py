"""Helpers shared by the AppTest page tests (fixtures live in tests/conftest.py)."""

from __future__ import annotations


def open_page(at, page: str):
    """Run the app (the first run lands on Overview) and switch to ``pages/<page>.py``."""
    at.run()
    if page != "overview":
        at.switch_page(f"pages/{page}.py").run()
    return at


def assert_clean(at) -> None:
    """No exception and no st.error in the run."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def texts(at) -> str:
    """Every alert, markdown, caption and subheader text of the run, joined."""
    parts = []
    for kind in ("warning", "info", "success", "markdown", "caption", "subheader"):
        parts += [str(e.value) for e in getattr(at, kind)]
    return "\n".join(parts)
