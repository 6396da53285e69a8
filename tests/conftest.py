"""Shared fixtures: a fresh database path, the demo athlete loaded once per session, and an
AppTest factory for the Streamlit app."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_EXPORTS = REPO.parent / "shared" / "whoop" / "exports"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A database file path in a fresh temporary folder (the file does not exist yet)."""
    return tmp_path / "whoop.duckdb"


@pytest.fixture(scope="session")
def demo_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with the demo athlete (``whoop.importer.load_demo``), built once per session.
    Do not write to it: use :func:`demo_db` for a private copy."""
    from whoop.importer import load_demo
    from whoop.store import Store

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    load_demo(Store(path))
    return path


@pytest.fixture
def demo_db(demo_db_template: Path, tmp_path: Path) -> Path:
    """A private copy of the demo database (safe to modify)."""
    path = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_db_template, path)
    return path


@pytest.fixture(scope="session")
def one_day_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with the demo writer's ``days=1`` athlete (two day rows, one scored recovery,
    a few journal answers), built once per session. Use :func:`one_day_db` for a copy."""
    from whoop.importer import load_demo
    from whoop.store import Store

    path = tmp_path_factory.mktemp("oneday") / "one.duckdb"
    result = load_demo(Store(path), days=1)
    assert result.counts["recoveries"]["inserted"] == 1
    return path


@pytest.fixture
def one_day_db(one_day_template: Path, tmp_path: Path) -> Path:
    """A private copy of the one-day database."""
    path = tmp_path / "one.duckdb"
    shutil.copyfile(one_day_template, path)
    return path


@pytest.fixture
def app_test(monkeypatch: pytest.MonkeyPatch) -> Callable[..., object]:
    """Factory ``app_test(db) -> AppTest`` for ``app.py`` with ``WHOOP_DB=db`` (not yet run).

    Works around an AppTest gap: each ``AppTest.run`` builds a fresh ``PagesManager`` that turns
    the legacy ``pages/`` directory mode back on when a ``pages/`` folder exists, so from the
    second run on it executes the page file alone instead of ``app.py`` (the real server turns
    that mode off for good once ``st.navigation`` runs). The shim does what ``st.navigation``
    does in the server: ``PagesManager.uses_pages_directory = False``.
    (streamlit/streamlit#9446, PR #14217 fixed only the state left over between tests.)
    """
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest

    original = PagesManager.__init__

    def init_v2(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init_v2)

    def make(db: Path, timeout: float = 30) -> AppTest:
        monkeypatch.setenv("WHOOP_DB", str(db))
        return AppTest.from_file(str(REPO / "app.py"), default_timeout=timeout)

    return make
