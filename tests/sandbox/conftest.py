"""Fixtures for the sandbox tests: running sandboxes, tokens, and OpenAPI schema validation."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jsonschema
import pytest

from whoop.sandbox.testing import SandboxHandle, run_sandbox

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
REDIRECT = "http://localhost:8501/"
CLIENT = {"client_id": "sandbox-client", "client_secret": "sandbox-secret"}
ALL_SCOPES = ["offline", "read:recovery", "read:cycles", "read:workout", "read:sleep", "read:profile",
              "read:body_measurement"]
HTTP = httpx.Client(timeout=30)   # one pooled client: keeps the suite fast
SPEC_PATH = Path(__file__).resolve().parents[3] / "shared" / "whoop" / "openapi" / "openapi.yaml"


@pytest.fixture
def start_sandbox() -> Callable[..., Any]:
    """``start_sandbox(**options)`` -> context manager yielding a SandboxHandle (seed 1, NOW)."""

    def start(**options: Any):
        options.setdefault("now", NOW)
        options.setdefault("days", 30)
        return run_sandbox(**options)

    return start


@pytest.fixture
def sandbox(start_sandbox) -> Iterator[SandboxHandle]:
    """A fresh auto-approving sandbox with 30 days of data."""
    with start_sandbox(auto_approve=True) as sb:
        yield sb


@pytest.fixture(scope="module")
def shared_sandbox() -> Iterator[SandboxHandle]:
    """One read-only sandbox per module, 70 days (enough for 51-record pages); the rate window is
    shrunk to 50 ms so the many requests of a module never meet the 100-per-window limit."""
    with run_sandbox(now=NOW, days=70, auto_approve=True, athletes=2, rate_window_s=0.05) as sb:
        yield sb


def authorize_code(base_url: str, scopes: list[str] = ALL_SCOPES, athlete: int = 0,
                   redirect_uri: str = REDIRECT) -> str:
    """Run the auto-approved authorize step and return the code."""
    r = HTTP.get(f"{base_url}/oauth/oauth2/auth", params={
        "response_type": "code", "client_id": "sandbox-client", "redirect_uri": redirect_uri,
        "scope": " ".join(scopes), "state": "state-12345", "sandbox_athlete": str(athlete)})
    assert r.status_code == 302, r.text
    return parse_qs(urlsplit(r.headers["location"]).query)["code"][0]


def exchange(base_url: str, code: str, redirect_uri: str = REDIRECT) -> httpx.Response:
    return HTTP.post(f"{base_url}/oauth/oauth2/token", data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri, **CLIENT})


def connect(sb: SandboxHandle, scopes: list[str] = ALL_SCOPES, athlete: int = 0) -> dict:
    """Token response for an auto-approving sandbox."""
    r = exchange(sb.base_url, authorize_code(sb.base_url, scopes, athlete))
    assert r.status_code == 200, r.text
    return r.json()


def api(sb: SandboxHandle, token: dict | str, path: str, **params: Any) -> httpx.Response:
    access = token if isinstance(token, str) else token["access_token"]
    return HTTP.get(f"{sb.base_url}/developer/v2{path}", params=params or None,
                     headers={"Authorization": f"Bearer {access}"})


# -- OpenAPI 3.0 -> JSON Schema ---------------------------------------------------------------
def _convert(node: Any) -> Any:
    """OpenAPI 3.0 schema -> JSON Schema: ``nullable``, and closed objects to catch stray fields."""
    if isinstance(node, list):
        return [_convert(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: _convert(v) for k, v in node.items() if k not in ("example", "externalDocs", "nullable")}
    if node.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
    if out.get("type") == "object" and "properties" in out:
        out["additionalProperties"] = False
    return out


@pytest.fixture(scope="session")
def openapi() -> dict:
    if not SPEC_PATH.exists():
        if os.environ.get("CI") == "true":  # CI always has ../shared: the contract tests must run
            pytest.fail(f"{SPEC_PATH} is missing under CI")
        pytest.skip("../shared/whoop/openapi/openapi.yaml is absent")
    return json.loads(SPEC_PATH.read_text())


@pytest.fixture(scope="session")
def validate(openapi) -> Callable[[Any, str], None]:
    """``validate(instance, "Cycle")`` against components.schemas (formats checked)."""
    components = _convert(copy.deepcopy(openapi["components"]))
    # A newer revision of WHOOP's OpenAPI document (docs/WHOOP.md#records-and-fields) adds
    # Cycle.step_count (int32, nullable); accept it, typed.
    components["schemas"]["Cycle"]["properties"]["step_count"] = {"type": ["integer", "null"]}
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER

    def check(instance: Any, name: str) -> None:
        schema = {"$ref": f"#/components/schemas/{name}", "components": components}
        jsonschema.Draft202012Validator(schema, format_checker=checker).validate(instance)

    return check


def operation_schema(openapi: dict, path: str, method: str = "get", status: str = "200") -> str:
    """Name of the response schema of an OpenAPI operation (e.g. "PaginatedCycleResponse")."""
    ref = openapi["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]["$ref"]
    return ref.rsplit("/", 1)[-1]
