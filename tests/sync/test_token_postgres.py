"""WHOOP tokens on PostgreSQL with no file anywhere: the key from WHOOP_TOKEN_KEY (a clear error
without it), the refresh and in-flight locks as advisory locks, the pending pair of a rotated
refresh in the ``token_pending`` table. Against the real server on 127.0.0.1:5432 (a private
schema per test, dropped afterwards) and the sandbox over HTTP; requesters are real processes.
On DuckDB the same names still give the files of before (checked here too)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet

from tests.sync.conftest import (
    CLIENT_ID,
    CLIENT_SECRET,
    NOW,
    REDIRECT,
    REPO,
    connect,
    faults,
    issued_tokens,
    stats,
)
from whoop.config import WhoopSettings
from whoop.errors import ConfigError
from whoop.sandbox.testing import run_sandbox
from whoop.store import Store
from whoop.token_sidecar import inflight_lock, inflight_lock_path
from whoop.tokens import TokenStore

PASSWORD = "pw-never-on-argv-5831"       # trust auth ignores it; it must not show in `ps`


def _with_password(url: str) -> str:
    """``url`` with :data:`PASSWORD` as its password when it has none (trust auth ignores it)."""
    scheme, rest = url.split("://", 1)
    user, host = rest.split("@", 1)
    return url if ":" in user else f"{scheme}://{user}:{PASSWORD}@{host}"


@pytest.fixture
def pg_url(monkeypatch, tmp_path, pg_schemas):
    """A private schema's URL (holding a password trust auth ignores); WHOOP_TOKEN_KEY set, no
    secrets file, the working folder an empty one."""
    url = pg_schemas.new()
    monkeypatch.setenv("WHOOP_TOKEN_KEY", Fernet.generate_key().decode())
    monkeypatch.setenv("WHOOP_SECRETS_FILE", str(tmp_path / "absent-secrets.toml"))
    monkeypatch.delenv("WHOOP_DB", raising=False)
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    return _with_password(url)


def _token_files() -> set[Path]:
    """Files a token store could leave near: in the temporary folder's top level, the repository's
    top level and data/, and the working folder (names with tokens, .key, .lock, .pending)."""
    found: set[Path] = set()
    for folder in {Path(tempfile.gettempdir()), REPO, REPO / "data", Path.cwd()}:
        if folder.is_dir():
            found |= {p for p in folder.iterdir()
                      if "tokens" in p.name or p.suffix in (".key", ".lock", ".pending")}
    return found


def _settings(sb) -> WhoopSettings:
    return WhoopSettings(CLIENT_ID, CLIENT_SECRET, REDIRECT, sb.base_url)


def _due_now(store: Store, athlete: int) -> None:
    with store.transaction() as con:
        con.execute("UPDATE whoop_connections SET expires_at = now() WHERE athlete_id = ?", [athlete])


def _works(sb, token: str) -> bool:
    r = httpx.get(sb.base_url + "/developer/v2/user/profile/basic",
                  headers={"Authorization": f"Bearer {token}"}, timeout=10)
    return r.status_code == 200


def _pending_rows(store: Store) -> int:
    return int(store.query("SELECT count(*) AS n FROM token_pending")["n"].iloc[0])


def _env() -> dict[str, str]:
    """The environment of a requester process (the URL goes in WHOOP_DB, never on argv)."""
    return {**os.environ, "PYTHONPATH": str(REPO)}


# -- connect and refresh --------------------------------------------------------------------------
def test_connect_and_refresh_on_postgres_leave_no_file(pg_url, sandbox, settings, tmp_path):
    before = _token_files()
    store = Store(pg_url)
    athlete = connect(store, settings)
    ts = TokenStore(store, settings)
    first = ts.access_token(athlete)
    assert stats(sandbox)["refreshes"] == 0
    _due_now(store, athlete)
    second = TokenStore(store, settings).access_token(athlete)
    assert second != first and _works(sandbox, second)
    s = stats(sandbox)
    assert s["refreshes"] == 1 and not s["token_errors"]
    assert TokenStore(store, settings).access_token(athlete) == second      # committed to the row
    assert _pending_rows(store) == 0                                       # ... and the pending pair gone
    blob = store.token_row(athlete).token_enc
    assert second not in blob and first not in blob                       # encrypted in the row
    assert TokenStore(store, settings).sidecar_path(athlete) is None
    assert _token_files() == before
    assert list(Path.cwd().iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cwd"]


def test_a_401_then_disconnect_on_postgres(pg_url, sandbox, settings):
    from whoop.client import WhoopClient
    store = Store(pg_url)
    athlete = connect(store, settings)
    ts = TokenStore(store, settings)
    with WhoopClient(settings.base_url, lambda force=False, stale=None: ts.access_token(
            athlete, force=force, stale=stale)) as cl:
        faults(sandbox, "expire")           # WHOOP ends the token early: one forced refresh
        assert cl.profile()["user_id"]
    assert stats(sandbox)["refreshes"] == 1
    assert ts.disconnect(athlete) is True   # takes the refresh lock, which access_token takes again
    conn = ts.connection(athlete)
    assert conn.status == "disconnected" and not conn.has_tokens
    assert _pending_rows(store) == 0


# -- durability: a requester killed between WHOOP's answer and the commit ---------------------------
_REQUESTER = """
import os, sys
from whoop.config import WhoopSettings
from whoop.store import Store
from whoop.tokens import TokenStore
base, aid = sys.argv[1:3]
settings = WhoopSettings("sandbox-client", "sandbox-secret", "http://localhost:8501/", base)
print(TokenStore(Store(os.environ["WHOOP_DB"]), settings).access_token(int(aid)), flush=True)
"""


def _cmdlines() -> list[str]:
    out = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                out.append((proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
            except OSError:
                pass
    return out


def test_a_requester_killed_after_whoop_rotated_the_pair_loses_nothing_on_postgres(pg_url):
    before = _token_files()
    with run_sandbox(now=NOW, days=5, auto_approve=True, token_hold_s=1.5) as sb:
        settings = _settings(sb)
        store = Store(pg_url)
        athlete = connect(store, settings)
        _due_now(store, athlete)
        proc = subprocess.Popen([sys.executable, "-c", _REQUESTER, sb.base_url, str(athlete)],
                                env={**_env(), "WHOOP_DB": pg_url}, cwd=Path.cwd(), stdout=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while stats(sb)["refreshes"] == 0:      # WHOOP has rotated; its answer is held 1.5 s
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.01)
        lines = _cmdlines()                     # the helper is waiting for WHOOP's answer now
        assert any("whoop.token_refresh" in c for c in lines)
        assert not [c for c in lines if PASSWORD in c], "the database password is on a command line"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        proc.stdout.close()
        # the helper, in its own session, finishes and commits the pair to token_pending
        inflight = Store(pg_url).lock("tokens.inflight")
        inflight.acquire(timeout=30)
        try:
            assert _pending_rows(store) == 1
            assert store.token_row(athlete).updated_at < store.pending_token(athlete)[1]
        finally:
            inflight.release()
        token = TokenStore(store, settings).access_token(athlete)   # reads the pending pair, commits it
        s = stats(sb)
        assert s["refreshes"] == 1 and not s["token_errors"], s
        assert _works(sb, token) and token in issued_tokens(sb)
        assert _pending_rows(store) == 0
        conn = TokenStore(store, settings).connection(athlete)
        assert (conn.status, conn.status_detail) == ("connected", None)
        assert TokenStore(store, settings).access_token(athlete) == token
    assert _token_files() == before and list(Path.cwd().iterdir()) == []


def test_a_requester_killed_before_whoop_answered_does_not_spend_the_token_twice(pg_url):
    """Killed while the helper waits for WHOOP: the next reader waits for the in-flight advisory
    lock (released when the helper exits) instead of sending the old refresh token again."""
    with run_sandbox(now=NOW, days=5, auto_approve=True, slow_s=2) as sb:
        settings = _settings(sb)
        store = Store(pg_url)
        athlete = connect(store, settings)
        _due_now(store, athlete)
        faults(sb, "slow@token")                # WHOOP takes 2 s to answer the refresh
        proc = subprocess.Popen([sys.executable, "-c", _REQUESTER, sb.base_url, str(athlete)],
                                env={**_env(), "WHOOP_DB": pg_url}, cwd=Path.cwd(), stdout=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while not any("token" in r and c.get("slow") for r, c in stats(sb)["requests"].items()):
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)        # the refresh lock dies with it; the in-flight one does not
        proc.wait(timeout=10)
        proc.stdout.close()
        token = TokenStore(store, settings).access_token(athlete)
        s = stats(sb)
        assert s["refreshes"] == 1 and not s["token_errors"], s
        assert _works(sb, token)


# -- two processes at once ---------------------------------------------------------------------------
def test_three_processes_refreshing_at_once_make_one_refresh(pg_url):
    with run_sandbox(now=NOW, days=5, auto_approve=True, token_hold_s=0.5) as sb:
        settings = _settings(sb)
        store = Store(pg_url)
        athlete = connect(store, settings)
        _due_now(store, athlete)
        procs = [subprocess.Popen([sys.executable, "-c", _REQUESTER, sb.base_url, str(athlete)],
                                  env={**_env(), "WHOOP_DB": pg_url}, cwd=Path.cwd(),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for _ in range(3)]
        outs = [p.communicate(timeout=120) for p in procs]
        for p, (_out, err) in zip(procs, outs, strict=False):
            assert p.returncode == 0, err[-800:]
        tokens = {out.split()[-1] for out, _ in outs}
        s = stats(sb)
        assert s["refreshes"] == 1 and not s["token_errors"], s
        assert len(tokens) == 1 and _works(sb, tokens.pop())
        assert _pending_rows(store) == 0


# -- the key ------------------------------------------------------------------------------------------
def test_no_token_key_on_postgres_is_a_clear_error_and_no_file(pg_url, settings, monkeypatch, tmp_path):
    before = _token_files()
    monkeypatch.delenv("WHOOP_TOKEN_KEY")
    with pytest.raises(ConfigError) as err:
        TokenStore(Store(pg_url), settings)
    msg = str(err.value)
    assert "WHOOP_TOKEN_KEY" in msg and "PostgreSQL" in msg
    assert 'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"' in msg
    assert PASSWORD not in msg
    assert _token_files() == before and list(Path.cwd().iterdir()) == []
    # the same setting from .streamlit/secrets.toml works
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f'WHOOP_TOKEN_KEY = "{Fernet.generate_key().decode()}"\n')
    monkeypatch.setenv("WHOOP_SECRETS_FILE", str(secrets))
    assert TokenStore(Store(pg_url), settings).connections().empty


def test_a_bad_token_key_says_how_to_make_one(pg_url, settings, monkeypatch):
    monkeypatch.setenv("WHOOP_TOKEN_KEY", "not-a-key")
    with pytest.raises(ConfigError, match="Fernet.generate_key"):
        TokenStore(Store(pg_url), settings)


def test_on_duckdb_a_given_key_makes_no_key_file_and_the_lock_files_keep_their_names(tmp_path, settings,
                                                                                   monkeypatch):
    monkeypatch.setenv("WHOOP_SECRETS_FILE", str(tmp_path / "absent-secrets.toml"))
    db = tmp_path / "whoop.duckdb"
    monkeypatch.delenv("WHOOP_TOKEN_KEY", raising=False)
    ts = TokenStore(Store(db), settings)
    assert (tmp_path / "whoop.duckdb.key").exists()             # no key given: the file beside it
    assert ts.lock.lock_file == f"{db}.tokens.lock"
    assert ts._inflight.lock_file == str(inflight_lock_path(db)) == f"{db}.tokens.inflight.lock"  # noqa: SLF001
    assert inflight_lock(str(db)).lock_file == f"{db}.tokens.inflight.lock"   # the helper's, same file
    assert ts.sidecar_path(7) == tmp_path / "whoop.duckdb.tokens-7.pending"
    other = tmp_path / "given.duckdb"
    monkeypatch.setenv("WHOOP_TOKEN_KEY", Fernet.generate_key().decode())
    TokenStore(Store(other), settings)
    assert not (tmp_path / "given.duckdb.key").exists()          # WHOOP_TOKEN_KEY wins on DuckDB too


# -- the kill loop on PostgreSQL ------------------------------------------------------------------
def test_sync_killed_again_and_again_on_postgres_stays_connected(pg_url, capsys):
    """``tests/sync/test_token_kill_loop.py`` on PostgreSQL: ``python -m whoop sync`` killed with
    SIGKILL (half of the kills aimed between WHOOP's refresh answer and the commit) while access
    tokens live 3 s; after every kill the athlete is still connected and WHOOP never saw a spent
    refresh token. ``WHOOP_PG_KILLS`` kills (default 8)."""
    import random

    from tests.sync.conftest import FAST, assert_matches_sandbox
    from tests.sync.test_token_kill_loop import (
        CHECK,
        HOLD_S,
        LATENCY_S,
        TTL_S,
        _invalid_grants,
        _kill_after_refresh,
        _refreshes,
    )
    from whoop.sync import sync_athlete

    kills_wanted = int(os.environ.get("WHOOP_PG_KILLS", "8"))
    seed = int(os.environ.get("WHOOP_KILL_SEED") or random.SystemRandom().randrange(1_000_000))
    rng = random.Random(seed)
    before = _token_files()
    with run_sandbox(now=NOW, days=30, auto_approve=True, rate_window_s=1, token_ttl_s=TTL_S,
                     token_hold_s=HOLD_S, latency_s=LATENCY_S) as sb:
        settings = _settings(sb)
        store = Store(pg_url)
        athlete = connect(store, settings)
        env = {k: v for k, v in _env().items() if not k.startswith("WHOOP_") or k in (
            "WHOOP_TOKEN_KEY", "WHOOP_SECRETS_FILE")}
        env.update(WHOOP_CLIENT_ID=CLIENT_ID, WHOOP_CLIENT_SECRET=CLIENT_SECRET, WHOOP_REDIRECT_URI=REDIRECT,
                   WHOOP_BASE_URL=sb.base_url, WHOOP_DB=pg_url)
        cmd = [sys.executable, "-m", "whoop", "sync", "--athlete", str(athlete), "--full", "--quiet"]
        kills = pending_after_kill = 0
        for i in range(kills_wanted):
            where = f"seed {seed}, kill {i + 1}"
            start = _refreshes(sb)
            proc = subprocess.Popen(cmd, env=env, cwd=Path.cwd(), stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE)
            if i % 2 == 0:
                _kill_after_refresh(proc, sb, start, rng, limit_s=8)
            else:
                time.sleep(rng.uniform(0.1, 2.0))
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                kills += 1
            proc.wait(timeout=30)
            err = proc.stderr.read().decode(errors="replace")
            proc.stderr.close()
            assert "reconnect" not in err.lower() and "invalid_grant" not in err, f"{where}: {err[-500:]}"
            inflight = store.lock("tokens.inflight")
            inflight.acquire(timeout=60)
            try:
                pending_after_kill += store.pending_token(athlete) is not None
            finally:
                inflight.release()
            sync_athlete(store, settings, athlete, CHECK, client_kw=FAST)
            conn = TokenStore(store, settings).connection(athlete)
            assert conn.status == "connected", f"{where}: {conn.status} ({conn.status_detail})"
            assert _invalid_grants(sb) == 0, f"{where}: WHOOP saw a spent refresh token"
        with capsys.disabled():
            print(f"\nkill loop on PostgreSQL: seed {seed}, {kills} kills, {pending_after_kill} left a "
                  f"pending pair in token_pending, {_refreshes(sb)} refreshes, 0 lost")
        assert kills >= kills_wanted * 0.75, f"seed {seed}: only {kills} runs were still running to kill"
        assert pending_after_kill >= 1, f"seed {seed}: no kill landed between WHOOP's answer and the commit"
        done = subprocess.run(cmd, env=env, cwd=Path.cwd(), capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, f"seed {seed}: {done.stderr[-500:]}"
        assert_matches_sandbox(store, sb, athlete)
        assert _invalid_grants(sb) == 0
    assert _token_files() == before and list(Path.cwd().iterdir()) == []


@pytest.mark.parametrize("on", ["duckdb", "postgresql"])
def test_commit_pending_moves_a_left_pair_into_the_row(on, request, tmp_path, monkeypatch):
    """A pending pair left by a requester that died (written here as the helper writes it) is
    committed by ``commit_pending`` (what a copy of the database needs first), on both backends."""
    from datetime import timedelta

    from whoop.store import utcnow
    from whoop.token_sidecar import seal_pair, write_sidecar
    location = request.getfixturevalue("pg_url") if on == "postgresql" else tmp_path / "whoop.duckdb"
    with run_sandbox(now=NOW, days=3, auto_approve=True) as sb:
        settings = _settings(sb)
        store = Store(location)
        athlete = connect(store, settings)
        ts = TokenStore(store, settings)
        old = ts.access_token(athlete)
        assert ts.commit_pending() == 0
        at = utcnow()
        pair = {"access_token": "new-access-0123456", "refresh_token": "new-refresh-0123456",
                "scope": "offline",
                "expires_in": 3600.0}
        if on == "postgresql":
            store.save_pending_token(athlete, seal_pair(ts._fernet, pair, at + timedelta(hours=1), at), at)  # noqa: SLF001
        else:
            write_sidecar(ts.sidecar_path(athlete), ts._fernet, pair, at + timedelta(hours=1), at)  # noqa: SLF001
        assert ts.pending.present(athlete)
        assert TokenStore(store, settings).commit_pending() == 1
        assert not ts.pending.present(athlete)
        fresh = TokenStore(store, settings)
        assert fresh.access_token(athlete) == "new-access-0123456" != old
        assert fresh.commit_pending() == 0
