import sqlite3
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import invoke
from winnow.store import audit
from winnow.store.case import Case, create_case


def _case_with_rows(path: Path, n: int = 4) -> Case:
    case = create_case(path, name="a", examiner="b")
    conn = case.connect()
    for i in range(n):
        audit.append(conn, f"cmd{i}", {"i": i, "text": "é"})
    conn.close()
    return case


def _verify(case: Case) -> audit.Verification:
    conn = case.connect()
    try:
        return audit.verify(conn)
    finally:
        conn.close()


def test_intact_chain_verifies(tmp_path: Path) -> None:
    result = _verify(_case_with_rows(tmp_path / "c"))
    assert result.ok and result.rows == 4 and result.problems == []


def test_edited_row_is_detected(tmp_path: Path) -> None:
    case = _case_with_rows(tmp_path / "c")
    with sqlite3.connect(case.store) as conn:
        conn.execute("UPDATE audit SET arguments='{\"i\": 99}' WHERE id=2")
    result = _verify(case)
    assert not result.ok and any("row 2" in p and "edited" in p for p in result.problems)


def test_deleted_middle_and_last_rows_are_detected(tmp_path: Path) -> None:
    case = _case_with_rows(tmp_path / "c")
    with sqlite3.connect(case.store) as conn:
        conn.execute("DELETE FROM audit WHERE id=2")
    assert not _verify(case).ok
    case2 = _case_with_rows(tmp_path / "d")
    with sqlite3.connect(case2.store) as conn:
        conn.execute("DELETE FROM audit WHERE id=4")
    result = _verify(case2)
    assert not result.ok and any("head mismatch" in p for p in result.problems)


def test_cli_verify_exit_codes(tmp_path: Path) -> None:
    case = _case_with_rows(tmp_path / "c")
    assert "intact" in invoke("audit", "verify", "--case", case.root).output
    with sqlite3.connect(case.store) as conn:
        conn.execute("UPDATE audit SET os_user='mallory' WHERE id=1")
    invoke("audit", "verify", "--case", case.root, expect=3)


@settings(max_examples=25, deadline=None)
@given(column=st.sampled_from(["time_utc", "os_user", "command", "arguments", "tool_version"]),
       row=st.integers(min_value=1, max_value=3), value=st.text(min_size=1, max_size=8))
def test_any_single_field_edit_is_detected(tmp_path_factory, column: str, row: int, value: str) -> None:  # type: ignore[no-untyped-def]
    case = _case_with_rows(tmp_path_factory.mktemp("a") / "c", n=3)
    with sqlite3.connect(case.store) as conn:
        old = conn.execute(f"SELECT {column} FROM audit WHERE id=?", (row,)).fetchone()[0]
        conn.execute(f"UPDATE audit SET {column}=? WHERE id=?", (old + value, row))
    assert not _verify(case).ok
