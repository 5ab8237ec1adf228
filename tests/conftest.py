"""Shared fixtures: temp cases, small generated collections, a CLI runner that never hides a traceback."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from winnow.cli import cli
from winnow.store.case import Case, create_case


def invoke(*args: Any, expect: int = 0, env: dict[str, str] | None = None) -> Result:
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False, env=env)
    assert result.exit_code == expect, f"exit {result.exit_code}: {result.output}"
    return result


def invoke_json(*args: Any) -> Any:
    result = invoke(*args, "--json")
    return json.loads(result.stdout)  # the whole stdout is one JSON document


def rows(case: Case, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(case.store)
    try:
        return [tuple(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


@pytest.fixture
def case(tmp_path: Path) -> Case:
    return create_case(tmp_path / "case", name="Test case", examiner="Tester")


@pytest.fixture(scope="session")
def collection(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A small sample collection (all kinds of files, nested archives), generated once per session."""
    from winnow.sample.collection import generate

    root = tmp_path_factory.mktemp("evidence") / "seized"
    return generate(root, seed=4, images=14, max_megapixels=3)


@pytest.fixture(scope="session")
def ingested(collection: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> tuple[Case, dict[str, Any]]:
    """The sample collection ingested once through the CLI; returns the case and the --json summary."""
    root = tmp_path_factory.mktemp("cases") / "main"
    invoke("case", "create", root, "--name", "Sample", "--examiner", "Tester")
    summary = invoke_json("ingest", collection["root"], "--case", root, "--workers", "2")
    return Case(root), summary
