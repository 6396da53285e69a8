"""The README's two commands stay true: CI runs exactly the test command, the run command
starts app.py, and every page in the navigation is described."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def bash_blocks(text: str) -> list[str]:
    return [b.strip() for b in re.findall(r"```bash\n(.*?)```", text, flags=re.S)]


def test_ci_runs_exactly_the_readme_test_command():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = bash_blocks(readme)
    assert len(blocks) >= 2
    run_line, test_line = blocks[0], blocks[1]
    assert "streamlit run app.py" in run_line and "requirements.txt" in run_line
    assert "pytest" in test_line and "requirements-dev.txt" in test_line
    ci_lines = [line.strip() for line in (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    assert test_line in ci_lines


def test_every_page_has_a_readme_section_and_screenshot():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    app = (REPO / "app.py").read_text(encoding="utf-8")
    titles = re.findall(r'st\.Page\([^)]*?title="([^"]+)"', app)
    assert titles
    for title in titles:
        assert re.search(rf"^### {re.escape(title)}\b", readme, flags=re.M), title
    for image in re.findall(r"\]\((docs/screenshots/[^)]+\.png)\)", readme):
        assert (REPO / image).is_file(), image


def test_one_way_to_the_whoop_export_everywhere():
    """The README, the empty page and the error messages name the same steps in the WHOOP app
    (``whoop.export.headers.APP_EXPORT_PATH``), and the README does not promise a browser that
    the headless server never opens."""
    from whoop.export.headers import APP_EXPORT_PATH, REEXPORT

    readme = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    assert APP_EXPORT_PATH in readme.replace("*", "")
    assert APP_EXPORT_PATH in REEXPORT
    for path in [*REPO.joinpath("whoop").rglob("*.py"), *REPO.joinpath("pages").glob("*.py")]:
        text = path.read_text(encoding="utf-8")
        assert "App Settings" not in text and "Menu →" not in text, path
    assert "then open http://localhost:8501" in readme
