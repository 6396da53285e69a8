"""The CLI answers ``--help`` without loading the heavy libraries (pandas, DuckDB, Streamlit, the
HTTP client, cryptography): a command imports what it needs when it runs. Not timed (timing is
``bench/bench_cli.py``); this checks which modules a ``--help`` leaves in ``sys.modules``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("pandas", "numpy", "duckdb", "streamlit", "pyarrow", "plotly", "httpx", "cryptography", "tqdm")

PROBE = """
import json, runpy, sys
sys.argv = ["whoop", *json.loads(sys.argv[1])]
try:
    runpy.run_module("whoop", run_name="__main__", alter_sys=True)
except SystemExit as exc:
    code = exc.code
else:
    code = 0
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def loaded_after(*args: str) -> tuple[int, set[str], str]:
    """Run ``python -m whoop ARGS`` in a fresh interpreter; its exit code, the top-level names of
    the modules it imported, and its stdout before the probe's line."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    r = subprocess.run([sys.executable, "-c", PROBE, json.dumps(list(args))], cwd=REPO, env=env,
                       capture_output=True, text=True, timeout=60)
    *shown, last = r.stdout.strip().splitlines()
    probe = json.loads(last)
    return probe["code"], {m.split(".")[0] for m in probe["modules"]}, "\n".join(shown)


@pytest.mark.parametrize("args", [["--help"], ["import", "--help"], ["sync", "--help"],
                                  ["connect", "--help"], ["export", "--help"], ["worker", "--help"],
                                  ["migrate-store", "--help"]])
def test_help_does_not_import_heavy_libraries(args):
    code, top, shown = loaded_after(*args)
    assert code == 0 and "usage: python -m whoop" in shown
    assert top.isdisjoint(HEAVY), f"--help imported {sorted(top & set(HEAVY))}"


def test_a_command_still_imports_what_it_needs(tmp_path):
    """The probe is honest: a real command does load DuckDB and pandas."""
    code, top, shown = loaded_after("status", "--db", str(tmp_path / "w.duckdb"))
    assert code == 0 and "no athletes yet" in shown
    assert {"duckdb", "pandas"} <= top
