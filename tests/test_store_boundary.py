"""Only whoop/store/ speaks SQL: no other module of the package imports DuckDB or runs a statement.

The package is read with ``ast`` (no import, no execution): a module outside ``whoop/store/``
fails when it imports ``duckdb`` (``import duckdb``, ``from duckdb import ...``), calls a method
named ``execute``, ``executemany``, ``sql``, ``register``, ``fetchone``, ``fetchall`` or
``fetchdf`` on anything, or calls ``query`` on a store (``store.query``, ``self.store.query``:
a test and diagnostic helper). Callers use the store's typed methods instead.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "whoop"
INSIDE = PACKAGE / "store"
SQL_CALLS = frozenset({"execute", "executemany", "sql", "register", "fetchone", "fetchall", "fetchdf"})


def _receiver(node: ast.expr) -> str:
    """The dotted name a method is called on (``self.store`` for ``self.store.query(...)``),
    '' when it is not a plain name chain."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return ""


def violations(source: str, name: str) -> list[str]:
    """Every place in ``source`` (a module called ``name``) that speaks SQL or imports DuckDB,
    as ``name:line: what``."""
    found = []
    for node in ast.walk(ast.parse(source, filename=name)):
        if isinstance(node, ast.Import):
            found += [f"{name}:{node.lineno}: import {a.name}" for a in node.names
                      if a.name.split(".")[0] == "duckdb"]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "duckdb":
            found.append(f"{name}:{node.lineno}: from {node.module} import ...")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            attr = node.func.attr
            if attr in SQL_CALLS or (attr == "query" and "store" in _receiver(node.func.value).lower()):
                found.append(f"{name}:{node.lineno}: .{attr}(...)")
    return found


def package_modules() -> list[Path]:
    """The package's modules outside whoop/store/."""
    return sorted(p for p in PACKAGE.rglob("*.py") if INSIDE not in p.parents)


def test_no_module_outside_the_store_imports_duckdb_or_runs_sql():
    modules = package_modules()
    assert len(modules) > 40                      # the walk sees the package
    assert not any(INSIDE in p.parents for p in modules)
    found = [v for p in modules for v in violations(p.read_text(encoding="utf-8"),
                                                     str(p.relative_to(PACKAGE.parent)))]
    assert found == []


@pytest.mark.parametrize("snippet, what", [
    ("import duckdb\n", "import duckdb"),
    ("import duckdb as db\n", "import duckdb"),
    ("from duckdb import connect\n", "from duckdb import"),
    ("from duckdb.typing import VARCHAR\n", "from duckdb.typing import"),
    ("with store.connect() as con:\n    con.execute('SELECT 1')\n", ".execute("),
    ("cur.executemany('INSERT INTO t VALUES (?)', rows)\n", ".executemany("),
    ("con.sql('SELECT 1').df()\n", ".sql("),
    ("con.register('incoming', frame)\n", ".register("),
    ("row = cur.fetchone()\n", ".fetchone("),
    ("self.store.query('SELECT * FROM days')\n", ".query("),
    ("store.query('SELECT 1', [])\n", ".query("),
])
def test_the_check_catches_sql_and_duckdb_outside_the_store(snippet, what):
    found = violations(snippet, "whoop/x.py")
    assert len(found) == 1 and what in found[0] and found[0].startswith("whoop/x.py:")


def test_the_check_leaves_ordinary_code_alone():
    ok = ("frame.query('a > 1')\nparser.add_parser('sync')\nstore.days(1)\n"
          "with store.transaction() as con:\n    Store.upsert(con, 'cycles', 1, frame, None)\n")
    assert violations(ok, "whoop/x.py") == []


def test_the_store_itself_is_where_the_sql_is():
    inside = [v for p in sorted(INSIDE.glob("*.py"))
              for v in violations(p.read_text(encoding="utf-8"), p.name)]
    assert any("import duckdb" in v for v in inside) and any(".execute(" in v for v in inside)
