"""The two backends behind one interface: the same frames from DuckDB and PostgreSQL, connections
per unit of work, data versions per athlete, locks between processes, migrations per dialect
and in Python, and no password in what people see."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from tests import export_fixtures as fx
from whoop.errors import StoreError
from whoop.importer import import_paths, load_demo
from whoop.store import LockTimeout, Store, base
from whoop.store.backend import pg_sql, redact_url

REPO = Path(__file__).resolve().parents[1]


def test_both_backends_give_the_same_frames(tmp_path, pg_schemas):
    """One export into a DuckDB file and into PostgreSQL: every frame the pages read is equal,
    dtypes included."""
    export = fx.write_zip(tmp_path / "my_whoop_data_2026_01_10.zip", fx.export_csvs("current"))
    duck, pg = Store(tmp_path / "w.duckdb"), Store(pg_schemas.new())
    for store in (duck, pg):
        import_paths(store, [export], athlete="me")
    aid = duck.athlete_id("me")
    assert pg.athlete_id("me") == aid
    pd.testing.assert_frame_equal(pg.days(aid), duck.days(aid), check_dtype=True)
    for table in ("cycles", "recoveries", "sleeps", "workouts", "journal"):
        a, b = duck.records(table, aid), pg.records(table, aid)
        assert len(a) == len(b) > 0, table
        pd.testing.assert_frame_equal(b.drop(columns=["ingested_at", "run_id"], errors="ignore"),
                                      a.drop(columns=["ingested_at", "run_id"], errors="ignore"),
                                      check_dtype=True, obj=table)
    summary = [s.drop(columns=["last_import"]) for s in (duck.athlete_summary(), pg.athlete_summary())]
    pd.testing.assert_frame_equal(summary[1], summary[0], check_dtype=False)


def test_a_unit_of_work_opens_the_database_once(db):
    store = Store(db)
    load_demo(store, days=20)
    aid = store.athlete_id("demo")
    before = store.opens
    for _ in range(3):
        store.days(aid), store.athletes(), store.runs(), store.data_version(aid)
    assert store.opens - before == 12                 # one open per call without a unit of work
    before = store.opens
    with store.unit_of_work():
        for _ in range(3):
            store.days(aid), store.athletes(), store.runs(), store.data_version(aid)
        store.set_setting("energy_unit", "kcal")      # a transaction joins the open connection
        assert Store(db).get_setting("energy_unit") == "kcal"   # another Store object, same thread
    assert store.opens - before == 1


def test_a_transaction_inside_a_unit_of_work_rolls_back_alone(db):
    store = Store(db)
    with store.unit_of_work():
        store.set_setting("a", 1)
        with pytest.raises(RuntimeError):
            with store.transaction() as con:
                store.ensure_athlete(con, "ghost")
                raise RuntimeError("boom")
        assert store.athlete_id("ghost") is None and store.get_setting("a") == 1


def test_data_version_of_one_athlete_ignores_another_athletes_import(db, tmp_path):
    store = Store(db)
    export = fx.write_zip(tmp_path / "my_whoop_data_2026_01_10.zip", fx.export_csvs("current"))
    import_paths(store, [export], athlete="a")
    a = store.athlete_id("a")
    version_a, version_all = store.data_version(a), store.data_version()
    import_paths(store, [export], athlete="b")
    assert store.data_version(a) == version_a
    assert store.data_version() != version_all
    import_paths(store, [export], athlete="a")       # a new run of a's, even if nothing changed
    assert store.data_version(a) != version_a


HOLD = textwrap.dedent("""
    import sys, time
    from whoop.store import Store
    lock = Store(sys.argv[1]).lock("sync-7")
    lock.acquire(timeout=10)
    print("held", flush=True)
    time.sleep(60)
""")


def test_a_lock_is_shared_between_processes_and_freed_when_its_holder_dies(db, tmp_path):
    store = Store(db)
    store.schema_version()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(db)], cwd=tmp_path, env=env,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(LockTimeout):
            store.lock("sync-7").acquire(timeout=0.3)
        with store.lock("sync-8"):                    # another name is another lock
            pass
    finally:
        holder.kill()
        holder.wait(timeout=30)
    lock = store.lock("sync-7")
    with lock.acquire(timeout=10):                    # the dead holder's lock is free
        with lock.acquire(timeout=0):                 # re-entrant in one object
            pass
        assert lock.is_locked
    assert not lock.is_locked                         # `with acquire()` released exactly once
    other = Store(db).lock("sync-7")
    other.acquire(timeout=0)
    other.release()
    if store.dialect == "postgresql":                 # no file anywhere: not beside, not in cwd
        assert list(tmp_path.iterdir()) == []


def test_dialect_migrations_and_python_steps(tmp_path, pg_schemas, monkeypatch):
    folder = tmp_path / "migrations"
    shutil.copytree(base.MIGRATIONS_DIR, folder)
    (folder / "0090_note.sql").write_text("CREATE TABLE note (id INTEGER PRIMARY KEY, body VARCHAR);")
    (folder / "0090_note.postgresql.sql").write_text("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT);")
    (folder / "0091_fill.py").write_text(textwrap.dedent('''
        def upgrade(con, dialect):
            con.execute("INSERT INTO note VALUES (?, ?)", [1, dialect])
    '''))
    monkeypatch.setattr(base, "MIGRATIONS_DIR", folder)
    for location, dialect in ((tmp_path / "w.duckdb", "duckdb"), (pg_schemas.new(), "postgresql")):
        store = Store(location)
        assert store.schema_version() == 91
        assert store.query("SELECT body FROM note")["body"].tolist() == [dialect]
        names = store.query("SELECT name FROM schema_version WHERE version >= 90 ORDER BY version")
        assert names["name"].tolist() == ["note", "fill"]


def test_a_failing_python_step_leaves_the_schema_as_it_was(tmp_path, monkeypatch):
    folder = tmp_path / "migrations"
    shutil.copytree(base.MIGRATIONS_DIR, folder)
    (folder / "0090_bad.py").write_text(textwrap.dedent('''
        def upgrade(con, dialect):
            con.execute("CREATE TABLE half (id INTEGER)")
            con.execute("SELECT * FROM no_such_table")
    '''))
    monkeypatch.setattr(base, "MIGRATIONS_DIR", folder)
    store = Store(tmp_path / "w.duckdb")
    with pytest.raises(StoreError, match="schema 90 \\(bad\\)"):
        store.schema_version()
    (folder / "0090_bad.py").unlink()
    assert Store(tmp_path / "w.duckdb").query("SELECT count(*) AS n FROM information_schema.tables "
                                              "WHERE table_name = 'half'")["n"][0] == 0


def test_no_password_reaches_a_message():
    url = "postgresql://coach:s3cret-pw@127.0.0.1:1/team"
    assert redact_url(url) == "postgresql://coach:***@127.0.0.1:1/team"
    store = Store(url, busy_timeout_s=1)
    assert "s3cret" not in store.display
    with pytest.raises(StoreError) as err:
        store.athletes()
    assert "s3cret" not in str(err.value) and "127.0.0.1:1" in str(err.value)


def test_placeholders_become_psycopgs_outside_quoted_text(pg_schemas):
    assert pg_sql("SELECT '?', \"a?\" , x FROM t WHERE y = ? AND z LIKE '50%' -- why?\n AND w = ?") == (
        "SELECT '?', \"a?\" , x FROM t WHERE y = %s AND z LIKE '50%%' -- why?\n AND w = %s")
    store = Store(pg_schemas.new())
    got = store.query("SELECT '?' AS q, '5%' AS pct, ? AS p, 7 % ? AS m", ["x", 4])
    assert got.iloc[0].tolist() == ["?", "5%", "x", 3]
