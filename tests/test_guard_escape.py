"""Error and flash messages quote names and file content: whoop.ui.guard shows them escaped
(AppTest of a small script using the real guard, flash and show_flashes)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.hostile_data import HOSTILE_ATHLETE, shown, unescaped


def _script() -> None:
    from whoop.errors import ExportFormatError
    from whoop.ui.guard import flash, guard, show_flashes

    name = "![p](http://127.0.0.2/p)[x](http://127.0.0.2/x)**b**<img src=x>"
    flash("success", f"Deleted all data of athlete '{name}'.")
    flash("error", "a <b>bold</b> $x$ :material/favorite: message")
    show_flashes()
    with guard("test"):
        raise ExportFormatError("not a number: ![p](http://127.0.0.2/p)", file="**b**.csv",
                                line=2, column="<img src=x>")


def test_flashes_and_guarded_errors_are_escaped():
    at = AppTest.from_function(_script).run()
    assert not at.exception
    success, = [s.value for s in at.success]
    errors = [e.value for e in at.error]
    assert len(errors) == 2
    for body in [success, *errors]:
        live = unescaped(body)
        for raw in ("](", "![", "**b**", "<img", "<b>", "$x$", ":material/favorite"):
            assert raw not in live, (raw, body)
    assert HOSTILE_ATHLETE in shown(success)
    assert "a <b>bold</b> $x$ :material/favorite: message" in shown(errors[0])
    assert "not a number: ![p](http://127.0.0.2/p)" in shown(errors[1])
    assert "**b**.csv" in shown(errors[1]) and "<img src=x>" in shown(errors[1])
