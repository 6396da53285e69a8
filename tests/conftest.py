"""Shared fixtures: a fresh database on each backend, the demo athlete loaded once per session,
and an AppTest factory for the Streamlit app.

Backends: every test that takes :func:`db` (or :func:`demo_db`, :func:`one_day_db`) runs twice,
on a DuckDB file and on PostgreSQL. PostgreSQL is the server at ``WHOOP_TEST_PG`` (default
``postgresql://postgres@127.0.0.1:5432/test``: the development and CI machines run one, trust
auth); each test gets its own schema, dropped when the test ends. Without a server the
PostgreSQL variants skip with the reason, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_EXPORTS = REPO.parent / "shared" / "whoop" / "exports"
PG_SERVER = os.environ.get("WHOOP_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
BACKENDS = ("duckdb", "postgresql")
#: The Fernet key tokens are encrypted with on PostgreSQL in tests (no key file there).
TEST_TOKEN_KEY = "n0C7QqNSu5cnM1U0aTaGw4x8tt9M6PrQ2Qh1qo6kJ3E="


@pytest.fixture(scope="session")
def pg_server() -> str:
    """The PostgreSQL server URL for tests; skips (fails under CI=true) when none answers."""
    import psycopg
    try:
        with psycopg.connect(PG_SERVER, connect_timeout=3) as con:
            con.execute("SELECT 1")
    except psycopg.Error as exc:
        reason = f"no PostgreSQL server at {PG_SERVER}: {str(exc).strip().splitlines()[0]}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " (CI must run the PostgreSQL variants)")
        pytest.skip(reason)
    return PG_SERVER


def pg_schema_url(server: str, schema: str) -> str:
    """``server`` with ``search_path`` set to ``schema`` (libpq's ``options``)."""
    sep = "&" if "?" in server else "?"
    return f"{server}{sep}options=-csearch_path%3D{schema}"


class PgSchemas:
    """Private schemas on the test server: :meth:`new` makes one (empty, or a copy of another),
    :meth:`drop_all` drops every one it made."""

    def __init__(self, server: str) -> None:
        self.server = server
        self.made: list[str] = []

    def new(self, copy_of: str | None = None) -> str:
        """A new schema's URL; migrated and filled with ``copy_of``'s rows when given (a URL
        made by this object)."""
        import psycopg

        from whoop.store import Store
        name = f"whoop_t_{os.getpid()}_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(self.server, autocommit=True) as con:
            con.execute(f"CREATE SCHEMA {name}")
        self.made.append(name)
        url = pg_schema_url(self.server, name)
        if copy_of is not None:
            source = copy_of.rsplit("%3D", 1)[1]
            Store(url).schema_version()
            with psycopg.connect(self.server, autocommit=True) as con, con.transaction():
                tables = [r[0] for r in con.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
                    "AND table_type = 'BASE TABLE' AND table_name <> 'schema_version'", [source])]
                for t in tables:
                    con.execute(f"INSERT INTO {name}.{t} SELECT * FROM {source}.{t}")
                for seq in [r[0] for r in con.execute(
                        "SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = %s",
                        [source])]:
                    value = con.execute(f"SELECT last_value, is_called FROM {source}.{seq}").fetchone()
                    con.execute("SELECT setval(%s, %s, %s)", [f"{name}.{seq}", value[0], value[1]])
        return url

    def drop_all(self) -> None:
        """Drop every schema made here."""
        import psycopg
        with psycopg.connect(self.server, autocommit=True) as con:
            for name in self.made:
                con.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
        self.made.clear()


@pytest.fixture(scope="session")
def pg_schemas(pg_server: str) -> Iterator[PgSchemas]:
    """The session's schema maker (every schema dropped at the end of the session)."""
    schemas = PgSchemas(pg_server)
    yield schemas
    schemas.drop_all()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """``duckdb`` or ``postgresql``: the backend of this test's run."""
    return request.param


def _fresh(backend: str, tmp_path: Path, request: pytest.FixtureRequest, name: str,
           copy_of: str | Path | None = None) -> str | Path:
    if backend == "duckdb":
        path = tmp_path / name
        if copy_of is not None:
            shutil.copyfile(copy_of, path)
        return path
    schemas: PgSchemas = request.getfixturevalue("pg_schemas")
    return schemas.new(copy_of=str(copy_of) if copy_of is not None else None)


@pytest.fixture
def db(backend: str, tmp_path: Path, request: pytest.FixtureRequest,
       monkeypatch: pytest.MonkeyPatch) -> str | Path:
    """A fresh, empty database on this run's backend: a DuckDB file path (not created yet) or a
    ``postgresql://`` URL of a private schema. On PostgreSQL ``WHOOP_TOKEN_KEY`` is set."""
    if backend == "postgresql":
        monkeypatch.setenv("WHOOP_TOKEN_KEY", TEST_TOKEN_KEY)
    return _fresh(backend, tmp_path, request, "whoop.duckdb")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A DuckDB file path in a fresh temporary folder (the file does not exist yet): for tests
    of the file itself; tests of behaviour take :func:`db` and run on both backends."""
    return tmp_path / "whoop.duckdb"


def _template(backend: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest,
              **demo) -> str | Path:
    from whoop.importer import load_demo
    from whoop.store import Store

    if backend == "duckdb":
        location: str | Path = tmp_path_factory.mktemp("template") / "template.duckdb"
    else:
        location = request.getfixturevalue("pg_schemas").new()
    load_demo(Store(location), **demo)
    return location


@pytest.fixture(scope="session")
def demo_templates(tmp_path_factory: pytest.TempPathFactory,
                   request: pytest.FixtureRequest) -> Callable[[str], str | Path]:
    """``template(backend)``: a database with the demo athlete (``whoop.importer.load_demo``),
    built once per session and backend. Do not write to it: use :func:`demo_db`."""
    made: dict[str, str | Path] = {}

    def template(backend: str) -> str | Path:
        if backend not in made:
            made[backend] = _template(backend, tmp_path_factory, request)
        return made[backend]
    return template


@pytest.fixture(scope="session")
def one_day_templates(tmp_path_factory: pytest.TempPathFactory,
                      request: pytest.FixtureRequest) -> Callable[[str], str | Path]:
    """``template(backend)``: the demo writer's ``days=1`` athlete (two day rows, one scored
    recovery, a few journal answers), built once per session and backend."""
    made: dict[str, str | Path] = {}

    def template(backend: str) -> str | Path:
        if backend not in made:
            made[backend] = _template(backend, tmp_path_factory, request, days=1)
        return made[backend]
    return template


@pytest.fixture
def demo_db(backend: str, demo_templates, tmp_path: Path, request: pytest.FixtureRequest,
            monkeypatch: pytest.MonkeyPatch) -> str | Path:
    """A private copy of the demo database on this run's backend (safe to modify)."""
    if backend == "postgresql":
        monkeypatch.setenv("WHOOP_TOKEN_KEY", TEST_TOKEN_KEY)
    return _fresh(backend, tmp_path, request, "demo.duckdb", demo_templates(backend))


@pytest.fixture
def demo_file(demo_templates, tmp_path: Path) -> Path:
    """A private copy of the demo database as a DuckDB file (tests of the file itself, the
    browser journeys)."""
    return _fresh("duckdb", tmp_path, None, "demo.duckdb", demo_templates("duckdb"))


@pytest.fixture
def one_day_db(backend: str, one_day_templates, tmp_path: Path, request: pytest.FixtureRequest) -> str | Path:
    """A private copy of the one-day database on this run's backend."""
    return _fresh(backend, tmp_path, request, "one.duckdb", one_day_templates(backend))


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

    def make(db: str | Path, timeout: float = 30, *, signed_in_as: str | None = "coach") -> AppTest:
        """On PostgreSQL (the team deployment, sign-in required) the session is signed in as
        the account ``signed_in_as`` (made as a coach when missing; None: nobody)."""
        monkeypatch.setenv("WHOOP_DB", str(db))
        at = AppTest.from_file(str(REPO / "app.py"), default_timeout=timeout)
        if signed_in_as is not None and str(db).startswith("postgresql"):
            from whoop.ui.session import ACCOUNT_KEY
            at.session_state[ACCOUNT_KEY] = _account(db, signed_in_as)
        return at

    return make


def _account(db: str | Path, name: str) -> int:
    """The id of account ``name`` in ``db``, made as a coach (password ``coach-password``) when
    missing."""
    from whoop.accounts import add_account
    from whoop.store import Store

    store = Store(db)
    row = store.account(name)
    return row.account_id if row is not None else add_account(store, name, "coach", "coach-password")


# -- scheduling -------------------------------------------------------------------------------
#: The slowest modules (``--durations`` of a full run, slowest first). pytest.ini runs the suite
#: on two xdist workers, one module at a time each (``--dist loadfile``) in collection order, so
#: these go first: the long ones start at once and the short ones fill the end, and the two
#: workers finish together. Refresh the list when ``--durations`` shows a new slow module.
SLOW_MODULES = (
    "tests/sync/test_resilience.py", "tests/test_worker.py", "tests/test_cli.py",
    "tests/test_bench_run.py", "tests/sync/test_sync.py", "tests/test_webhook_loop.py",
    "tests/sync/test_token_kill_loop.py", "tests/sync/test_token_postgres.py",
    "tests/sync/test_cli_output.py", "tests/test_data_page.py", "tests/test_import_cli.py",
    "tests/e2e/test_team_journey.py", "tests/sync/test_token_refresh.py",
    "tests/test_worker_concurrency.py", "tests/test_pages_insights.py", "tests/test_signin.py",
    "tests/test_team.py", "tests/sync/test_sync_now.py", "tests/e2e/test_journeys.py",
    "tests/test_alert_delivery.py", "tests/test_migrate_store.py", "tests/test_pages_analytics.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Move the tests of :data:`SLOW_MODULES` to the front, in that order (a stable sort: the
    order inside a module, and of every other module, stays the collection order)."""
    rank = {name: i for i, name in enumerate(SLOW_MODULES)}
    root = Path(str(config.rootpath))

    def key(item: pytest.Item) -> int:
        try:
            module = item.path.relative_to(root).as_posix()
        except ValueError:
            return len(rank)
        return rank.get(module, len(rank))

    items.sort(key=key)
