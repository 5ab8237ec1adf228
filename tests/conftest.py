"""Shared fixtures: temp cases, small generated collections, a CLI runner that never hides a traceback; the case
store's two engines (SQLite, and a real PostgreSQL server: WINNOW_TEST_PG from the Makefile, else one started
here by scripts/pgtest.sh for the session). A test marked `engines` that takes `case` runs on both."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
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


def rows(case: Case | Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """The rows of one query on a case's store, whichever engine holds it."""
    conn = (case if isinstance(case, Case) else Case(Path(case))).connect(readonly=True)
    try:
        return [tuple(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


ENGINES = ("sqlite", "postgresql")
PGTEST = Path(__file__).resolve().parent.parent / "scripts" / "pgtest.sh"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if metafunc.definition.get_closest_marker("engines") and "engine" in metafunc.fixturenames:
        metafunc.parametrize("engine", ENGINES)


@pytest.fixture
def engine() -> str:
    return "sqlite"  # a test marked `engines` gets both (pytest_generate_tests)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """The URL of a PostgreSQL database whose role may create databases (the Makefile's server, else one
    started for this session on a free private port and stopped after it)."""
    url = os.environ.get("WINNOW_TEST_PG")
    if url:
        yield url
        return
    data = Path(tempfile.mkdtemp(prefix="winnow-pgtest-"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    started = subprocess.run(["bash", str(PGTEST), "start", str(data), str(port)], capture_output=True, text=True)
    assert started.returncode == 0, f"PostgreSQL did not start: {started.stderr}"
    try:
        yield started.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run(["bash", str(PGTEST), "stop", str(data)], capture_output=True)
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_database(pg_server: str) -> Iterator[Callable[[], str]]:
    """A factory of new empty databases on the test server (each dropped at the end of the session)."""
    import psycopg

    made: list[str] = []
    admin = psycopg.connect(pg_server, autocommit=True)

    def new() -> str:
        name = f"winnow_t_{uuid.uuid4().hex[:12]}"
        admin.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return pg_server.rsplit("/", 1)[0] + "/" + name

    try:
        yield new
    finally:
        for name in made:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def db_args(engine: str, request: pytest.FixtureRequest) -> list[str]:
    """The `winnow case create` options for a case on `engine`."""
    if engine == "sqlite":
        return []
    return ["--db", request.getfixturevalue("pg_database")()]


@pytest.fixture
def case(tmp_path: Path, engine: str, request: pytest.FixtureRequest) -> Case:
    url = db_args(engine, request)[1:]
    return create_case(tmp_path / "case", name="Test case", examiner="Tester", db_url=url[0] if url else None)


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
