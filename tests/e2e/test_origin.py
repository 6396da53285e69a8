"""The app's front door in a real browser against real servers: a name that resolves to
127.0.0.1 (DNS rebinding, Chromium's ``--host-resolver-rules``), a page served on another local
port opening the app's websocket, and a server bound to 0.0.0.0 without sign-in, each sees no
data; in the same test the app's own address still shows the athlete (so the checks can fail).
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.appserver import CHROMIUM, CHROMIUM_ARGS, wait_for_run

pytestmark = pytest.mark.e2e

MARK = "Quokka Zelda"          # the athlete's name: seen in the sidebar and in websocket frames
REBIND_RULE = "--host-resolver-rules=MAP evil.test 127.0.0.1"


@pytest.fixture
def marker_db(tmp_path: Path) -> Path:
    """60 demo days imported as athlete :data:`MARK`."""
    from whoop.demo import write_demo_export
    from whoop.importer import import_uploads
    from whoop.store import Store

    zip_path = write_demo_export(tmp_path / "export", days=60)
    db = tmp_path / "marker.duckdb"
    import_uploads(Store(db), [(zip_path.name, zip_path.read_bytes())], athlete=MARK)
    return db


def _alert(page) -> str:
    """The first alert's text as a person reads it (without the invisible word joiners that
    whoop.escape puts after colons)."""
    return page.locator('[data-testid="stAlert"]').first.inner_text().replace("\u2060", "")


def _shows_data(page) -> bool:
    sidebar = page.locator('[data-testid="stSidebar"]')
    return MARK in (sidebar.inner_text() if sidebar.count() else "") or bool(
        page.locator('[data-testid="stMetric"]').count())


def _own_address_shows_data(page, url: str) -> None:
    page.goto(url)
    wait_for_run(page)
    page.wait_for_selector('[data-testid="stMetric"]')
    assert _shows_data(page)


@pytest.fixture
def rebinding_browser(browser, outside_requests) -> Iterator[object]:
    """A second Chromium that resolves ``evil.test`` to 127.0.0.1 (what a rebinding DNS server
    does), its requests watched like every other browser's."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing")
    other = browser.browser_type.launch(executable_path=str(CHROMIUM), headless=True,
                                        args=[*CHROMIUM_ARGS, REBIND_RULE])
    outside_requests.allow("evil.test")
    context = other.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(30_000)
    outside_requests.watch(context)
    yield context
    context.close()
    other.close()


def test_a_rebound_name_is_refused_by_streamlit_and_by_the_app(app_server, marker_db,
                                                               rebinding_browser):
    # 1. the shipped config: Streamlit's server.allowedHosts closes the websocket at once
    url = app_server(marker_db)
    port = url.rsplit(":", 1)[1]
    page = rebinding_browser.new_page()
    page.goto(f"http://evil.test:{port}/")
    page.wait_for_timeout(4000)
    assert page.locator('[data-testid="stApp"][data-test-connection-state="CONNECTED"]').count() == 0
    assert not _shows_data(page)
    assert MARK not in page.content()
    # 2. with Streamlit's own check switched off, the app's guard alone refuses the name
    open_url = app_server(marker_db, args=["--server.allowedHosts", "*"])
    open_port = open_url.rsplit(":", 1)[1]
    page.goto(f"http://evil.test:{open_port}/")
    wait_for_run(page)
    alert = _alert(page)
    assert f"does not answer to the address 'evil.test:{open_port}'" in alert
    assert not _shows_data(page) and MARK not in page.content()
    # the same browser, the app's own address: the data is there
    _own_address_shows_data(page, f"http://127.0.0.1:{open_port}/")
    _own_address_shows_data(page, f"http://localhost:{port}/")


PROBE = """<!doctype html><title>probe</title><script>
const out = {opened: false, closed: null, frames: 0, text: ""};
window.probe = out;
const ws = new WebSocket("ws://localhost:%(port)s/_stcore/stream", ["streamlit"]);
ws.binaryType = "arraybuffer";
ws.onopen = () => { out.opened = true; ws.send(new Uint8Array([%(rerun)s])); };
ws.onmessage = (e) => { out.frames += 1; out.text += new TextDecoder().decode(e.data); };
ws.onclose = (e) => { out.closed = e.code; };
</script>"""


@pytest.fixture
def probe_site(tmp_path: Path) -> Iterator[callable]:
    """Factory ``probe_site(app_port) -> url``: a page on another 127.0.0.1 port whose script
    opens the app's websocket, asks for a script run (a ``BackMsg.rerun_script``, as Streamlit's
    frontend does) and keeps what arrives in ``window.probe``."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ClientState_pb2 import ClientState

    rerun = ",".join(str(b) for b in BackMsg(rerun_script=ClientState()).SerializeToString())
    root = tmp_path / "probe"
    root.mkdir()
    servers = []

    def start(app_port: str) -> str:
        (root / "index.html").write_text(PROBE % {"port": app_port, "rerun": rerun})
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/index.html"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_a_page_on_another_local_port_cannot_read_the_data(app_server, marker_db, page,
                                                           probe_site):
    url = app_server(marker_db)
    port = url.rsplit(":", 1)[1]
    page.goto(probe_site(port))
    page.wait_for_function("window.probe.closed !== null || "
                           "window.probe.text.includes('another site')", timeout=30_000)
    page.wait_for_timeout(1000)
    probe = page.evaluate("window.probe")
    # Streamlit accepts a localhost origin on any port (it compares host names only) ...
    assert probe["opened"] and probe["frames"] > 0
    # ... and the app answers the session with its refusal and nothing else
    assert "This page was opened from another site" in probe["text"].replace("\\", "")
    assert MARK not in probe["text"]
    # the app's own origin, same server, same browser: the frames carry the athlete's data
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on(
        "framereceived", lambda payload: frames.append(
            payload.decode("utf-8", "replace") if isinstance(payload, bytes) else payload)))
    _own_address_shows_data(page, f"http://localhost:{port}/")
    assert any(MARK in f for f in frames)


def test_a_server_on_every_interface_without_sign_in_serves_nothing(app_server, marker_db, page,
                                                                    tmp_path):
    env = {"WHOOP_SECRETS_FILE": str(tmp_path / "no-secrets.toml")}
    url = app_server(marker_db, args=["--server.address", "0.0.0.0"], env=env)
    page.goto(url)
    wait_for_run(page)
    alert = _alert(page)
    assert "server.address" in alert and "[auth]" in alert and ".streamlit/secrets.toml" in alert
    assert "'0.0.0.0'" in alert
    assert not _shows_data(page) and MARK not in page.content()
    # the same database on a loopback server: served
    _own_address_shows_data(page, app_server(marker_db, env=env))


def test_the_outside_request_check_sees_a_request(page, outside_requests):
    """The autouse check itself: an image on another host is recorded (then forgiven here)."""
    page.set_content('<img src="http://127.0.0.2:9/probe.png">')
    page.wait_for_timeout(500)
    assert outside_requests.seen == ["http://127.0.0.2:9/probe.png"]
    outside_requests.seen.clear()
