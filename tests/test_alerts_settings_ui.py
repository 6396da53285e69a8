"""The Settings page's Alerts section (whoop.ui.alerts_settings) in Streamlit's AppTest on a DuckDB
file: save an e-mail address and an Apprise URL (stored encrypted, never shown again), refuse a
bad address with a clear message, and "Send a test" to a local Apprise json:// receiver."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.test_alert_delivery import hook  # noqa: F401 - the local Apprise receiver fixture
from whoop.accounts import add_account
from whoop.store import Store


def section(db: str, account_id: int) -> None:
    from whoop.accounts import Viewer
    from whoop.store import Store
    from whoop.ui.alerts_settings import alerts_settings

    alerts_settings(Viewer(account_id, "coach", "coach"), Store(db))


def test_save_settings_and_send_a_test(tmp_path, hook):  # noqa: F811
    base, received = hook
    db = str(tmp_path / "w.duckdb")
    account = add_account(Store(db), "coach", "coach", None)
    at = AppTest.from_function(section, args=(db, account), default_timeout=60).run()
    assert not at.exception and at.subheader[0].value == "Alerts"
    at.text_input[0].input("not an address")
    at.button[0].click().run()                                           # the form's Save
    assert r"one name\@domain address" in at.error[0].value             # escaped Markdown
    url = f"{base}/tok-123456"
    at.text_input[0].input("coach@team.example")
    at.text_input[1].input(url)
    at.button[0].click().run()
    assert not at.exception and "Alert settings saved." in at.success[0].value
    row = Store(db).alert_settings(account)
    assert row.email == "coach@team.example" and "tok-123456" not in row.apprise_enc
    assert at.text_input[1].value == "" and "saved (hidden)" in at.text_input[1].placeholder
    at.text_input[0].input("")                                          # only the Apprise channel
    at.button[0].click().run()
    at.button(key="alerts_test").click().run()
    assert not at.exception and "Test sent by apprise." in at.success[-1].value
    assert received and received[-1]["title"] == "WHOOP dashboard: test message"
