import sqlite3
from pathlib import Path

import pytest

from conftest import invoke
from winnow.store.case import CaseError, create_case, open_case
from winnow.store.db import StoreError, connect, migrate
from winnow.store.schema import SCHEMA_VERSION


def test_create_case_makes_folder_store_and_meta(tmp_path: Path) -> None:
    case = create_case(tmp_path / "c", name="Op Lantern", examiner="J. Doe")
    assert case.store.exists() and case.thumbnails.is_dir() and case.logs.is_dir() and case.tmp.is_dir()
    meta = case.meta()
    assert meta["name"] == "Op Lantern" and meta["examiner"] == "J. Doe" and len(meta["case_id"]) == 36
    conn = sqlite3.connect(case.store)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_create_twice_and_open_missing_are_clear_errors(tmp_path: Path) -> None:
    create_case(tmp_path / "c", name="a", examiner="b")
    with pytest.raises(CaseError, match="already exists"):
        create_case(tmp_path / "c", name="a", examiner="b")
    with pytest.raises(CaseError, match="winnow case create"):
        open_case(tmp_path / "nothing")


def test_newer_store_is_refused(tmp_path: Path) -> None:
    conn = connect(tmp_path / "x.sqlite")
    migrate(conn)
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="newer"):
        migrate(conn)


def test_cli_errors_are_one_line_without_traceback(tmp_path: Path) -> None:
    result = invoke("warnings", "--case", tmp_path / "missing", expect=1)
    assert "no case at" in result.output and "Traceback" not in result.output
    invoke("case", "create", tmp_path / "c", "--name", "n", "--examiner", "e")
    result = invoke("case", "create", tmp_path / "c", "--name", "n", "--examiner", "e", expect=1)
    assert "already exists" in result.output
    result = invoke("ingest", tmp_path / "does-not-exist", "--case", tmp_path / "c", expect=1)
    assert "cannot be read" in result.output and "Traceback" not in result.output
    result = invoke("ingest", tmp_path, "--case", tmp_path / "c", "--set", "bogus=1", expect=1)
    assert "unknown setting" in result.output


def test_case_from_environment(tmp_path: Path) -> None:
    invoke("case", "create", tmp_path / "c", "--name", "n", "--examiner", "e")
    result = invoke("case", "info", "--json", env={"WINNOW_CASE": str(tmp_path / "c")})
    assert '"name": "n"' in result.stdout
