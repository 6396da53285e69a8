"""Alerts delivered for real, on DuckDB and PostgreSQL: e-mail to an aiosmtpd server and Apprise
``json://`` posts to a starlette receiver, both on 127.0.0.1; sent once per (account, athlete,
kind, day), released when sending failed; a coach hears about every athlete, an athlete about
their own; the digest once a day from the person's hour in their time zone; the Apprise URL
encrypted at rest; the worker's hook; ``python -m whoop alerts send`` as a subprocess."""

from __future__ import annotations

import email
import os
import socket
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from email.policy import default as email_policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from whoop import alert_jobs
from whoop.accounts import add_account
from whoop.config import WhoopSettings
from whoop.demo import write_demo_export
from whoop.errors import InputError
from whoop.importer import import_paths
from whoop.serving import serve
from whoop.store import Store
from whoop.worker import Worker

REPO = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)      # the demo's data ends 2026-11-01: stale


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """aiosmtpd handler: every message received, parsed."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.port = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email_policy)
        with self.lock:
            self.messages.append(msg)
        return "250 OK"

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch):
    """A real SMTP server on 127.0.0.1 (no TLS, no login); WHOOP_SMTP_* point at it."""
    inbox = Inbox()
    port = inbox.port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("WHOOP_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("WHOOP_SMTP_PORT", str(port))
    monkeypatch.setenv("WHOOP_SMTP_STARTTLS", "false")
    monkeypatch.setenv("WHOOP_SMTP_FROM", "alerts@team.example")
    yield inbox
    controller.stop()


@pytest.fixture
def hook():
    """A local HTTP receiver for Apprise's ``json://`` scheme: (url base, received JSON bodies)."""
    received: list[dict] = []

    async def take(request: Request):
        received.append(await request.json())
        return JSONResponse({"ok": True})

    app = Starlette(routes=[Route("/hook/{secret}", take, methods=["POST"])])
    with serve(app, name="apprise-hook", join_s=2) as (port, _):
        yield f"json://127.0.0.1:{port}/hook", received


@pytest.fixture
def team(demo_db, tmp_path):
    """The demo athlete 'demo' (connected, data a month old: stale at NOW) and a second generated
    athlete 'bea' whose WHOOP access ended; a coach and bea's athlete account."""
    store = Store(demo_db)
    import_paths(store, [write_demo_export(tmp_path, seed=8, days=60)], athlete="bea")
    demo, bea = store.athlete_id("demo"), store.athlete_id("bea")
    since = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    with store.transaction() as con:
        store.save_connection(con, demo, 101, "opaque", NOW, None, "connected", since)
        store.save_connection(con, bea, 102, "opaque", NOW, None, "reconnect_needed", since)
    coach = add_account(store, "coach", "coach", None)
    athlete = add_account(store, "bea", "athlete", None, athlete_id=bea)
    return store, {"demo": demo, "bea": bea, "coach": coach, "athlete": athlete}


def sent_keys(store: Store, account_id: int) -> set[tuple]:
    return {(r.athlete_id, r.kind) for r in store.alerts_sent(account_id).itertuples()}


def test_coach_hears_about_every_athlete_an_athlete_about_their_own_once(team, smtp):
    store, ids = team
    alert_jobs.save_settings(store, ids["coach"], email="coach@team.example")
    alert_jobs.save_settings(store, ids["athlete"], email="bea@team.example")
    run = alert_jobs.run_alerts(store, NOW, say=lambda _: None)
    assert not run.failed and len(run.sent) == 2
    assert sent_keys(store, ids["coach"]) == {(ids["demo"], "stale"), (ids["bea"], "reconnect")}
    assert sent_keys(store, ids["athlete"]) == {(ids["bea"], "reconnect")}
    (coach_mail,) = smtp.to("coach@team.example")
    (bea_mail,) = smtp.to("bea@team.example")
    assert coach_mail["Subject"] == "WHOOP alert: 2 new (bea, demo)"
    assert coach_mail["From"] == "alerts@team.example"
    body = coach_mail.get_content()
    assert "- demo: no new WHOOP data for" in body and "- bea: WHOOP access ended" in body
    assert "demo" not in bea_mail.get_content() and "WHOOP access ended" in bea_mail.get_content()
    again = alert_jobs.run_alerts(store, NOW + timedelta(hours=1), say=lambda _: None)
    assert again.sent == [] and len(smtp.messages) == 2                    # sent once
    with store.transaction() as con:                                       # demo's access ends too
        store.save_connection(con, ids["demo"], 101, "opaque", NOW, None, "reconnect_needed", NOW)
    third = alert_jobs.run_alerts(store, NOW + timedelta(hours=2), say=lambda _: None)
    assert [(m.recipient.viewer.username, [a.kind for a in m.alerts]) for m in third.sent] == \
        [("coach", ["reconnect"])]


def test_a_failed_send_is_released_and_tried_again(team, smtp, monkeypatch):
    store, ids = team
    alert_jobs.save_settings(store, ids["athlete"], email="bea@team.example")
    monkeypatch.setenv("WHOOP_SMTP_PORT", str(free_port()))               # nobody listens there
    warnings: list[str] = []
    run = alert_jobs.run_alerts(store, NOW, say=lambda _: None, warn=warnings.append)
    assert run.sent == [] and len(run.failed) == 1 and "cannot send e-mail through 127.0.0.1" in warnings[0]
    assert store.alerts_sent().empty
    monkeypatch.setenv("WHOOP_SMTP_PORT", str(smtp.port))
    assert len(alert_jobs.run_alerts(store, NOW, say=lambda _: None).sent) == 1
    assert len(smtp.to("bea@team.example")) == 1


def test_apprise_json_target_and_the_url_is_encrypted_at_rest(team, hook):
    store, ids = team
    base, received = hook
    url = f"{base}/s3cr3t-token-abc"
    alert_jobs.save_settings(store, ids["athlete"], email=None, apprise_url=url)
    raw = store.query("SELECT apprise_enc FROM alert_settings")["apprise_enc"].iloc[0]
    assert "s3cr3t" not in raw and "127.0.0.1" not in raw and raw.startswith("gAAAA")   # a Fernet token
    (person,) = alert_jobs.recipients(store)
    assert person.apprise_url == url and "s3cr3t" not in repr(person)
    lines: list[str] = []
    run = alert_jobs.run_alerts(store, NOW, say=lines.append)
    assert len(run.sent) == 1 and run.sent[0].sent_by == ["apprise"]
    assert lines and not any("s3cr3t" in line for line in lines)
    (post,) = received
    assert post["title"] == "WHOOP alert: 1 new (bea)" and "WHOOP access ended" in post["message"]
    # an empty field keeps the stored URL; None removes it
    alert_jobs.save_settings(store, ids["athlete"], email="bea@team.example")
    assert alert_jobs.recipients(store)[0].apprise_url == url
    alert_jobs.save_settings(store, ids["athlete"], email="bea@team.example", apprise_url=None)
    assert alert_jobs.recipients(store)[0].apprise_url is None


def test_bad_settings_are_refused_with_a_clear_message(team):
    store, ids = team
    with pytest.raises(InputError, match="one name@domain address"):
        alert_jobs.save_settings(store, ids["coach"], email="a@b.org\r\nBcc: x@y.org")
    with pytest.raises(InputError, match="Apprise cannot use that URL") as err:
        alert_jobs.save_settings(store, ids["coach"], email=None, apprise_url="nosuchscheme://secret-123")
    assert "secret-123" not in str(err.value)
    with pytest.raises(InputError, match="IANA name"):
        alert_jobs.save_settings(store, ids["coach"], email="c@team.example", digest_tz="Mars/Olympus")
    with pytest.raises(InputError, match="0 to 23"):
        alert_jobs.save_settings(store, ids["coach"], email="c@team.example", digest_hour=24)


def test_the_digest_goes_out_once_a_day_from_the_hour_in_the_persons_zone(team, smtp):
    store, ids = team
    alert_jobs.save_settings(store, ids["coach"], email="coach@team.example", immediate=False, digest=True,
                             digest_hour=7, digest_tz="Asia/Tokyo")
    early = datetime(2026, 11, 30, 21, 30, tzinfo=UTC)           # 06:30 on 12-01 in Tokyo
    assert alert_jobs.run_alerts(store, early, say=lambda _: None).sent == []
    on_time = early + timedelta(hours=1)                                   # 07:30 in Tokyo
    (msg,) = alert_jobs.run_alerts(store, on_time, say=lambda _: None).sent
    assert msg.kind == "digest" and msg.local_day == datetime(2026, 12, 1).date()
    assert alert_jobs.run_alerts(store, on_time + timedelta(hours=3), say=lambda _: None).sent == []
    (mail,) = smtp.to("coach@team.example")
    assert mail["Subject"] == "WHOOP digest 2026-12-01: 2 athletes"
    body = mail.get_content().replace("\r\n", "\n")
    assert body.startswith("Morning digest for coach, Tuesday 01 December 2026")
    for text in ("\ndemo\n  latest day 2026-11-01: Recovery", "HRV", "Asleep", "Day strain",
                 "\nbea\n  latest day", "alert: WHOOP access ended", "alert: no new WHOOP data"):
        assert text in body
    next_day = on_time + timedelta(days=1)
    assert [m.kind for m in alert_jobs.run_alerts(store, next_day, say=lambda _: None).sent] == ["digest"]
    assert store.alert_settings(ids["coach"]).last_digest_on == datetime(2026, 12, 2).date()


def test_the_worker_sends_alerts_after_its_pass(team, smtp):
    store, ids = team
    alert_jobs.save_settings(store, ids["athlete"], email="bea@team.example")
    with store.transaction() as con:                                       # nobody due for a sync
        store.save_connection(con, ids["demo"], 101, "opaque", NOW, None, "disconnected", NOW)
    lines: list[str] = []
    worker = Worker(store, WhoopSettings("id", "secret", "http://localhost:8501/", "http://127.0.0.1:9"),
                    say=lines.append, warn=lines.append)
    assert worker.run(once=True) == 0
    (mail,) = smtp.to("bea@team.example")
    assert "WHOOP access ended" in mail.get_content()
    assert any(line.startswith("alerts: notice sent to 'bea' by email") for line in lines)


def cli(db, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env["WHOOP_DB"] = str(db)
    return subprocess.run([sys.executable, "-m", "whoop", "alerts", "send", *args], env=env, cwd=REPO,
                          check=False, capture_output=True, text=True, timeout=120)


def test_cli_dry_run_then_real_send_to_the_local_smtp_server(team, smtp, demo_db):
    store, ids = team
    alert_jobs.save_settings(store, ids["coach"], email="coach@team.example", digest=True, digest_hour=0)
    dry = cli(demo_db, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "would send notice to 'coach' by email: WHOOP alert: " in dry.stdout
    assert "would send digest to 'coach' by email: WHOOP digest" in dry.stdout
    assert "    - bea: WHOOP access ended" in dry.stdout
    assert smtp.messages == [] and store.alerts_sent().empty
    assert store.alert_settings(ids["coach"]).last_digest_on is None
    real = cli(demo_db)
    assert real.returncode == 0, real.stderr
    assert "alerts: notice sent to 'coach' by email" in real.stdout
    assert "alerts: digest sent to 'coach' by email" in real.stdout
    subjects = sorted(m["Subject"] for m in smtp.to("coach@team.example"))
    assert len(subjects) == 2 and subjects[0].startswith("WHOOP alert: ")
    assert subjects[1].startswith("WHOOP digest ")
    again = cli(demo_db)
    assert again.returncode == 0 and again.stdout.strip() == "nothing to send"
    forced = cli(demo_db, "--digest")                                       # already sent today
    assert forced.returncode == 0 and forced.stdout.strip() == "nothing to send"
