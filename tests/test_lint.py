"""The whole repository passes ``ruff check`` and the package passes ``mypy`` (both configured in
pyproject.toml: ruff's rule set and line length, mypy's files and the third-party libraries named as
untyped). Each runs as a subprocess from the repository root, as a developer would run it."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _run(*args: str, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout)


def test_ruff_check_passes():
    proc = _run("ruff", "check", ".", "--no-cache", timeout=120)
    assert proc.returncode == 0, f"ruff check . failed:\n{proc.stdout}\n{proc.stderr}"
    assert "All checks passed" in proc.stdout


def test_mypy_passes():
    proc = _run("mypy", timeout=280)
    assert proc.returncode == 0, f"mypy failed:\n{proc.stdout}\n{proc.stderr}"
    assert proc.stdout.startswith("Success: no issues found")
