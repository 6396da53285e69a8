"""``python -m whoop migrate-store`` and :mod:`whoop.store.transfer`: a store holding the two real
exports and a synced sandbox athlete goes DuckDB -> PostgreSQL -> DuckDB with every row equal,
its WHOOP tokens still decrypt and a sync runs from the PostgreSQL copy; a non-empty target is
refused, ``--replace`` empties it in the same transaction, and a failure half-way (a missing
column, a rejected row, a killed process) leaves the target as it was.

PostgreSQL: the server at ``WHOOP_TEST_PG`` (default 127.0.0.1:5432, database ``test``); each
test works in private schemas dropped afterwards. Without a server the tests skip, under
``CI=true`` they fail. The real exports in ../shared are required under ``CI=true`` too.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
import pytest

from whoop.store import Store
from whoop.store.transfer import TargetNotEmpty, copy_store, row_counts, tables_of

REPO = Path(__file__).resolve().parents[1]
EXPORTS = REPO.parent / "shared" / "whoop" / "exports"
REAL = [EXPORTS / "my_whoop_data_2025_02_16.zip", EXPORTS / "my_whoop_data_2025_11_21"]
PG_SERVER = os.environ.get("WHOOP_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _required(reason: str) -> None:
    """Skip with ``reason``; under CI=true fail instead (CI has the server and the exports)."""
    if os.environ.get("CI") == "true":
        pytest.fail(reason + " (CI must run these tests)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def new_pg() -> Iterator[Callable[[], str]]:
    """``new_pg()``: the URL of a new empty schema on the test server; all dropped at the end."""
    import psycopg
    try:
        with psycopg.connect(PG_SERVER, connect_timeout=3) as con:
            con.execute("SELECT 1")
    except psycopg.Error as exc:
        _required(f"no PostgreSQL server at {PG_SERVER}: {str(exc).strip().splitlines()[0]}")
    made: list[str] = []

    def new() -> str:
        name = f"whoop_mig_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG_SERVER, autocommit=True) as con:
            con.execute(f"CREATE SCHEMA {name}")
        made.append(name)
        sep = "&" if "?" in PG_SERVER else "?"
        return f"{PG_SERVER}{sep}options=-csearch_path%3D{name}"

    yield new
    with psycopg.connect(PG_SERVER, autocommit=True) as con:
        for name in made:
            con.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Iterator[tuple[Path, int, object]]:
    """A DuckDB store with the two real exports (athletes 'me' and 'later') and a sandbox
    athlete connected and synced (40 days): ``(file, the sandbox athlete's id, the sandbox)``.
    The sandbox stays up for the module. Do not write to the file."""
    from tests.sync.conftest import CLIENT_ID, CLIENT_SECRET, FAST, REDIRECT, connect
    from whoop.config import WhoopSettings
    from whoop.importer import import_paths
    from whoop.sandbox.testing import run_sandbox
    from whoop.sync import sync_athlete

    if not all(p.exists() for p in REAL):
        _required(f"the real exports are not in {EXPORTS}")
    path = tmp_path_factory.mktemp("migrate") / "whoop.duckdb"
    store = Store(path)
    import_paths(store, [REAL[0]], athlete="me")
    import_paths(store, [REAL[1]], athlete="later")
    with run_sandbox(now=NOW, days=40, auto_approve=True, rate_window_s=1, slow_s=3) as sb:
        settings = WhoopSettings(CLIENT_ID, CLIENT_SECRET, REDIRECT, sb.base_url)
        with pytest.MonkeyPatch.context() as mp:
            mp.delenv("WHOOP_TOKEN_KEY", raising=False)     # the DuckDB default: the key file beside it
            athlete = connect(store, settings)
            sync_athlete(store, settings, athlete, client_kw=FAST)
        yield path, athlete, sb


def sorted_frame(store: Store, table: str) -> pd.DataFrame:
    """Every row of ``table``, in a canonical order (sorted by every column's text)."""
    frame = store.query(f"SELECT * FROM {table}")
    if frame.empty:
        return frame
    order = frame.astype(str).sort_values(list(frame.columns)).index
    return frame.loc[order].reset_index(drop=True)


def assert_same_rows(a: Store, b: Store) -> None:
    """Every table of ``a`` has the same rows as in ``b``, value for value (dtypes too on one
    backend; across backends a non-null DuckDB INTEGER reads as int32, PostgreSQL's as Int32)."""
    with a.connect() as con:
        tables = tables_of(con)
    assert tables and "journal" in tables and "whoop_connections" in tables
    for table in tables:
        pd.testing.assert_frame_equal(sorted_frame(a, table), sorted_frame(b, table), obj=table,
                                      check_dtype=a.dialect == b.dialect, check_exact=True)


def run_cli(*args: str, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("WHOOP_")}
    base.update(PYTHONPATH=str(REPO), WHOOP_SECRETS_FILE=str(REPO / "no-such-secrets.toml"), **(env or {}))
    return subprocess.run([sys.executable, "-m", "whoop", *args], cwd=REPO, env=base,
                          capture_output=True, text=True, timeout=timeout)


def key_of(db: Path) -> str:
    from whoop.crypto import key_path
    return key_path(db).read_text().strip()


# -- the round trip ------------------------------------------------------------------------

def test_round_trip_duckdb_postgresql_duckdb_keeps_every_row(source, new_pg, tmp_path):
    path, athlete, _ = source
    src, pg, back = Store(path), Store(new_pg()), Store(tmp_path / "back.duckdb")
    there = copy_store(src, pg)
    again = copy_store(pg, back)
    want = row_counts(src)
    assert there.source_counts == there.target_counts == want == row_counts(pg)
    assert again.source_counts == again.target_counts == want == row_counts(back)
    assert set(there.athletes.values()) >= {"me", "later"} and athlete in there.athletes
    assert want["journal"] and len(want["athletes"]) == 3 and want["whoop_connections"] == {athlete: 1}
    assert there.rows == sum(sum(c.values()) for c in want.values()) and there.replaced == 0
    assert_same_rows(src, back)
    assert_same_rows(src, pg)
    assert src.token_row(athlete) == pg.token_row(athlete) == back.token_row(athlete)


def test_sequences_continue_past_the_copied_ids(source, new_pg):
    path, _, _ = source
    src, pg = Store(path), Store(new_pg())
    report = copy_store(src, pg)
    top_athlete = int(src.query("SELECT max(athlete_id) AS m FROM athletes")["m"].iloc[0])
    top_run = int(src.query("SELECT max(run_id) AS m FROM import_runs")["m"].iloc[0])
    assert report.sequences == {"athlete_id_seq": top_athlete + 1, "run_id_seq": top_run + 1}
    for store in (pg, ):
        with store.transaction() as con:
            assert Store.ensure_athlete(con, "newcomer") == top_athlete + 1
        assert store.record_failed_import("newcomer", kind="export", source="x.zip",
                                          error="bad") == top_run + 1


def test_sequences_continue_on_a_duckdb_target(source, tmp_path):
    path, _, _ = source
    src, copy = Store(path), Store(tmp_path / "copy.duckdb")
    copy_store(src, copy)
    top_athlete = int(src.query("SELECT max(athlete_id) AS m FROM athletes")["m"].iloc[0])
    top_run = int(src.query("SELECT max(run_id) AS m FROM import_runs")["m"].iloc[0])
    with copy.transaction() as con:
        assert Store.ensure_athlete(con, "newcomer") == top_athlete + 1
    assert copy.record_failed_import("newcomer", kind="export", source="x.zip", error="bad") == top_run + 1


def test_tokens_still_decrypt_on_the_postgresql_copy_with_the_duckdb_key(source, new_pg):
    from whoop.crypto import decrypt, fernet_from_key

    path, athlete, _ = source
    pg = Store(new_pg())
    copy_store(Store(path), pg)
    pair = json.loads(decrypt(fernet_from_key(key_of(path).encode()), pg.token_row(athlete).token_enc))
    assert pair["access_token"] and pair["refresh_token"]


def test_a_sync_runs_from_the_postgresql_copy(source, new_pg, monkeypatch):
    from tests.sync.conftest import CLIENT_ID, CLIENT_SECRET, FAST, REDIRECT, advance, assert_matches_sandbox
    from whoop.config import WhoopSettings
    from whoop.sync import sync_athlete
    from whoop.tokens import TokenStore

    path, athlete, sb = source
    pg = Store(new_pg())
    copy_store(Store(path), pg)
    monkeypatch.setenv("WHOOP_TOKEN_KEY", key_of(path))    # what the command tells the person to do
    settings = WhoopSettings(CLIENT_ID, CLIENT_SECRET, REDIRECT, sb.base_url)
    assert TokenStore(pg, settings).access_token(athlete)
    advance(sb, 2)
    result = sync_athlete(pg, settings, athlete, client_kw=FAST)
    assert result.requests >= 4
    assert_matches_sandbox(pg, sb, athlete)


def other_host(url: str) -> str:
    """``url`` naming its server by another name (127.0.0.1 <-> localhost), so the two stores
    look like two servers and the copy streams COPY data between two connections."""
    host = urlsplit(url).hostname
    swap = {"127.0.0.1": "localhost", "localhost": "127.0.0.1"}.get(host or "")
    return url.replace(f"@{host}", f"@{swap}", 1) if swap else url


@pytest.mark.parametrize("servers", ["one database", "two servers"])
def test_postgresql_to_postgresql_copies_every_row(servers, source, new_pg):
    path, _, _ = source
    src = Store(path)
    first = Store(new_pg())
    second_url = new_pg()
    second = Store(second_url if servers == "one database" else other_host(second_url))
    copy_store(src, first)
    report = copy_store(first, second)
    assert report.source_counts == report.target_counts == row_counts(src)
    assert_same_rows(first, second)
    assert_same_rows(src, second)


def test_duckdb_to_duckdb_copies_every_row(source, tmp_path):
    path, _, _ = source
    src, twin = Store(path), Store(tmp_path / "twin.duckdb")
    report = copy_store(src, twin)
    assert report.source_counts == report.target_counts == row_counts(src)
    assert_same_rows(src, twin)


def test_the_copy_reads_and_writes_in_batches(source, new_pg, tmp_path):
    path, _, _ = source
    src, pg, back = Store(path), Store(new_pg()), Store(tmp_path / "back.duckdb")
    for a, b in ((src, pg), (pg, back)):
        seen: list[tuple[str, int, int]] = []
        copy_store(a, b, batch_rows=1000,
                   progress=lambda t, done, total, seen=seen: seen.append((t, done, total)))
        journal = [done for t, done, _ in seen if t == "journal"]
        total = sum(row_counts(a)["journal"].values())
        steps = [b - a for a, b in zip([0, *journal], journal, strict=False)]
        assert journal[-1] == total and len(journal) >= total / 1000
        assert all(0 < step <= 1000 for step in steps), steps


# -- refusals and failures -----------------------------------------------------------------

def test_the_cli_refuses_a_non_empty_target_in_one_line(source, new_pg):
    path, _, _ = source
    url = new_pg()
    copy_store(Store(path), Store(url))
    before = row_counts(Store(url))
    r = run_cli("migrate-store", "--from", str(path), "--to", url)
    assert r.returncode == 1, r.stdout + r.stderr
    lines = [ln for ln in r.stderr.splitlines() if "nanobind" not in ln and ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: the target ") and "--replace" in lines[0]
    assert "Traceback" not in r.stderr and r.stdout == ""
    assert row_counts(Store(url)) == before


def test_replace_empties_the_target_in_the_same_transaction(source, new_pg, tmp_path):
    from whoop.importer import import_paths

    path, _, _ = source
    url = new_pg()
    other = Store(url)
    import_paths(other, [REAL[1]], athlete="someone else")
    held = sum(sum(c.values()) for c in row_counts(other).values())
    with pytest.raises(TargetNotEmpty):
        copy_store(Store(path), other)
    r = run_cli("migrate-store", "--from", str(path), "--to", url, "--replace")
    assert r.returncode == 0, r.stderr
    assert f"replaced {held:,} rows" in r.stdout
    assert row_counts(other) == row_counts(Store(path))
    assert "someone else" not in set(other.athletes()["name"])


def test_a_target_missing_a_column_is_refused_and_left_as_it_was(source, new_pg):
    from whoop.errors import StoreError

    path, _, _ = source
    url = new_pg()
    target = Store(url)
    copy_store(Store(path), target)
    with target.transaction() as con:
        con.execute("ALTER TABLE journal DROP COLUMN notes")
    before = {t: sorted_frame(target, t) for t in ("athletes", "journal", "cycles")}
    with pytest.raises(StoreError, match=r"has no column journal\.notes"):
        copy_store(Store(path), target, replace=True)
    for t, frame in before.items():
        pd.testing.assert_frame_equal(sorted_frame(target, t), frame)


class Interrupted(Exception):
    """Raised by a progress callback to stop a copy half-way."""


@pytest.mark.parametrize("backend", ["postgresql", "duckdb"])
def test_a_failure_half_way_leaves_the_target_as_it_was(backend, source, new_pg, tmp_path):
    """PostgreSQL: a constraint rejects a workout (the last table copied), after the target was
    emptied and the other tables written. DuckDB: the copy is interrupted after the journal."""
    from whoop.errors import StoreError
    from whoop.importer import import_paths

    path, _, _ = source
    target = Store(new_pg() if backend == "postgresql" else tmp_path / "target.duckdb")
    import_paths(target, [REAL[0]], athlete="kept")
    before = row_counts(target)
    frames = {t: sorted_frame(target, t) for t in ("athletes", "journal", "import_runs")}
    if backend == "postgresql":
        with target.transaction() as con:
            con.execute("ALTER TABLE workouts ADD CONSTRAINT light_only CHECK (activity_strain < 5) "
                        "NOT VALID")
        with pytest.raises(StoreError, match="copying workouts into .* the target is unchanged"):
            copy_store(Store(path), target, replace=True, batch_rows=100)    # stops amid the batches
    else:
        def stop(table: str, done: int, total: int) -> None:
            if table == "journal" and done == total:
                raise Interrupted
        with pytest.raises(Interrupted):
            copy_store(Store(path), target, replace=True, progress=stop)
    assert row_counts(target) == before
    for t, frame in frames.items():
        pd.testing.assert_frame_equal(sorted_frame(target, t), frame)
    with target.transaction() as con:          # the sequences were not moved either
        assert Store.ensure_athlete(con, "next") == 2


def test_a_killed_copy_leaves_the_postgresql_target_as_it_was(source, new_pg, tmp_path):
    """A copy big enough to be caught half-way (a 300,000-row journal), killed with SIGKILL while
    it writes the journal: the target still holds exactly what it held."""
    from whoop.importer import import_paths

    path, _, _ = source
    big = tmp_path / "big.duckdb"
    copy_store(Store(path), Store(big))
    with Store(big).transaction() as con:
        con.execute("INSERT INTO journal (athlete_id, entry_key, cycle_start_utc, question, answered_yes, "
                    "source) SELECT 1, 'bulk-' || i, TIMESTAMPTZ '2020-01-01' + i * INTERVAL 1 MINUTE, "
                    "'Did you read?', i % 2 = 0, 'export' FROM range(300000) t(i)")
    url = new_pg()
    target = Store(url)
    import_paths(target, [REAL[0]], athlete="kept")
    before = row_counts(target)
    env = {k: v for k, v in os.environ.items() if not k.startswith("WHOOP_")}
    env.update(PYTHONPATH=str(REPO), WHOOP_SECRETS_FILE=str(tmp_path / "none.toml"))
    proc = subprocess.Popen([sys.executable, "-m", "whoop", "-v", "migrate-store", "--from", str(big),
                             "--to", url, "--replace"], cwd=REPO, env=env, stderr=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        for line in proc.stderr:
            m = re.search(r"journal: (\d+) of (\d+) rows", line)
            if m and int(m.group(1)) < int(m.group(2)):
                break
        else:
            pytest.fail("the copy ended before the journal was written")
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert row_counts(target) == before
    assert set(target.athletes()["name"]) == {"kept"}


def test_the_same_store_or_a_missing_file_is_refused(source, tmp_path):
    path, _, _ = source
    r = run_cli("migrate-store", "--from", str(path), "--to", str(path))
    assert r.returncode == 1 and r.stderr.startswith("error: the source and the target are the same database")
    missing = tmp_path / "nope.duckdb"
    r = run_cli("migrate-store", "--from", str(missing), "--to", str(tmp_path / "t.duckdb"))
    assert r.returncode == 1 and f"error: --from {missing}: no such database file" in r.stderr
    assert not missing.exists() and not (tmp_path / "t.duckdb").exists()


# -- what the command says -----------------------------------------------------------------

def test_the_cli_summary_and_key_advice_never_show_a_secret(source, new_pg, tmp_path):
    path, athlete, _ = source
    url = new_pg()
    password = urlsplit(url).password
    if password is None:        # the local server's trust auth ignores a password: add one
        password = "s3cret-pw"
        url = url.replace("postgres@", f"postgres:{password}@", 1)
    r = run_cli("migrate-store", "--from", str(path), "--to", url)
    assert r.returncode == 0, r.stderr
    key = key_of(path)
    out = r.stdout + r.stderr
    assert password not in out and "postgres:***@" in out
    assert key not in out
    counts = row_counts(Store(path))
    lines = r.stdout.splitlines()
    assert lines[0].startswith(f"copied {path} -> postgresql://postgres:***@")
    row = next(ln for ln in lines if ln.startswith("journal "))
    assert f"{sum(counts['journal'].values()):,}" in row
    assert "checked: rows per table and athlete are equal" in r.stdout
    assert "set WHOOP_TOKEN_KEY to that key" in r.stdout and str(path) + ".key" in r.stdout

    printed = run_cli("migrate-store", "--from", str(path), "--to", str(tmp_path / "copy.duckdb"),
                      "--print-key")
    assert printed.returncode == 0, printed.stderr
    assert f"WHOOP_TOKEN_KEY={key}" in printed.stdout.splitlines()
    assert key_of(tmp_path / "copy.duckdb") == key        # the DuckDB copy reads it beside itself
    assert "their key was written to" in printed.stdout


def test_migrate_store_help_is_light_and_says_keys_are_printed_only_when_asked():
    from tests.test_cli_startup import HEAVY, loaded_after

    code, top, shown = loaded_after("migrate-store", "--help")
    assert code == 0 and "--print-key" in shown
    assert "never printed without this flag" in " ".join(shown.split())
    assert top.isdisjoint(HEAVY), sorted(top & set(HEAVY))
