"""The store layer (issue #13): every case-store and hash-set-library statement is in `store/`, in a portable subset
of SQL (what only SQLite says is a helper of `store/db.py`), and old cases upgrade in place to the explicit sequence
columns that replaced `rowid`."""

from __future__ import annotations

import ast
import re
import sqlite3
from pathlib import Path

import pytest

from winnow.settings import Settings
from winnow.store import db, matching
from winnow.store.case import create_case, open_case
from winnow.store.runs import finish_run, start_run
from winnow.store.schema import MIGRATIONS, SCHEMA_VERSION

SRC = Path(__file__).resolve().parent.parent / "src" / "winnow"
DRIVERS = ("sqlite3", "psycopg", "psycopg2", "psycopg_pool")
EXECUTE = {"execute", "executemany", "executescript"}
# DuckDB is the payments' analytic engine (payments.duckdb), not the case store: these modules query it and stay in
# payments/ (issue #13). Every name here must still exist and still call .execute (the list cannot go stale).
DUCKDB_MODULES = {
    "payments/actions.py", "payments/entities.py", "payments/generator.py", "payments/importer.py",
    "payments/lookups.py", "payments/network.py", "payments/parquet.py", "payments/report.py", "payments/rules.py",
    "payments/scoring.py", "payments/shared.py", "payments/store.py", "payments/stored.py",
    "payments/indicators/behaviour.py", "payments/indicators/counter.py", "payments/indicators/fan.py",
    "payments/indicators/links.py", "payments/indicators/network.py", "payments/indicators/rotation.py",
}
# SQLite-only words in the SQL of store/ and where each is allowed, with the reason
FORBIDDEN = {
    "OR IGNORE": r"\bOR\s+IGNORE\b", "OR REPLACE": r"\bOR\s+REPLACE\b", "rowid": r"\browid\b",
    "ATTACH": r"\bATTACH\b", "BEGIN IMMEDIATE": r"\bBEGIN\s+IMMEDIATE\b", "PRAGMA": r"\bPRAGMA\b",
    "instr": r"\binstr\s*\(", "json_group_array": r"\bjson_group_array\b", "group_concat": r"\bgroup_concat\b",
    "COLLATE NOCASE": r"\bCOLLATE\s+NOCASE\b", "MATCH": r"\bMATCH\s+\?",
    "a placeholder other than ?": r"(?<![\w:]):[A-Za-z_]\w*|\$\d|%s",
    "a literal transaction statement": r"^\s*(?:BEGIN|COMMIT|ROLLBACK|END)(?:\s+(?:IMMEDIATE|DEFERRED|EXCLUSIVE|"
                                       r"TRANSACTION))?\s*;?\s*$",
    "INSERT without a column list": r"\bINSERT\s+(?:OR\s+\w+\s+)?INTO\s+\w+\s+(?:VALUES|SELECT)\b",
}
ALLOWED = {
    ("chat_views.py", "rowid"): "FTS5's row key is called rowid; chat search is dialect-specific (pg_trgm on PG)",
    ("chat_views.py", "MATCH"): "FTS5's query operator: chat search is dialect-specific (pg_trgm on PG)",
    ("hashset_library.py", "rowid"): "NSRL RDSv3 is a foreign SQLite file: its FILE rows have no other position",
}
SQL_START = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|WITH|BEGIN|COMMIT|ROLLBACK|END|PRAGMA|"
                       r"ATTACH)\b|"
                       r"\b(FROM|INTO|WHERE)\b", re.IGNORECASE)


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def driver_imports(source: str) -> list[str]:
    """The database drivers a module imports (at the top or inside a function)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
            [node.module or ""] if isinstance(node, ast.ImportFrom) else []
        found += [n for n in names if n.split(".")[0] in DRIVERS]
    return found


def execute_calls(source: str) -> list[int]:
    """Lines where the module calls .execute/.executemany/.executescript on anything."""
    return [node.lineno for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in EXECUTE]


def sqlite_only_words(source: str) -> list[tuple[str, str]]:
    """(word, the SQL text) for every SQLite-only construct in the module's SQL strings (docstrings skipped)."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            text = node.value
        elif isinstance(node, ast.JoinedStr):
            text = "{}".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
        else:
            continue
        if not SQL_START.search(text):
            continue
        found += [(word, text) for word, pattern in FORBIDDEN.items() if re.search(pattern, text, re.IGNORECASE)]
    return found


def test_the_checks_catch_what_they_look_for() -> None:
    bad = ('import sqlite3\nfrom psycopg import sql\n\ndef f(c):\n    """INSERT OR IGNORE in prose is fine."""\n'
           '    c.execute("INSERT OR IGNORE INTO t VALUES (?)", (1,))\n'
           '    c.executemany(f"SELECT rowid FROM {x} WHERE instr(a, ?) > 0 AND b = :b", [])\n'
           '    c.execute("BEGIN IMMEDIATE")\n    c.execute("COMMIT")\n')
    assert driver_imports(bad) == ["sqlite3", "psycopg"]
    assert execute_calls(bad) == [6, 7, 8, 9]
    assert sorted({w for w, _ in sqlite_only_words(bad)}) == [
        "BEGIN IMMEDIATE", "INSERT without a column list", "OR IGNORE", "a literal transaction statement",
        "a placeholder other than ?", "instr", "rowid"]
    good = 'def f(c):\n    c.execute("INSERT INTO t (a) VALUES (?) ON CONFLICT DO NOTHING", (1,))\n'
    assert sqlite_only_words(good) == [] and driver_imports(good) == []


def test_no_sql_and_no_driver_outside_store() -> None:
    drivers, calls = {}, {}
    seen_duckdb = set()
    for path in sorted(SRC.rglob("*.py")):
        name = path.relative_to(SRC).as_posix()
        if name.startswith("store/"):
            continue
        source = path.read_text(encoding="utf-8")
        if found := driver_imports(source):
            drivers[name] = found
        if lines := execute_calls(source):
            if name in DUCKDB_MODULES:
                seen_duckdb.add(name)
            else:
                calls[name] = lines
    assert drivers == {}, "import the driver in store/ only"
    assert calls == {}, "SQL belongs in a named function of store/ (a DuckDB module of payments/: DUCKDB_MODULES)"
    assert seen_duckdb == DUCKDB_MODULES, "the DuckDB allow-list names a module that no longer queries DuckDB"


def test_store_sql_is_the_portable_subset() -> None:
    problems = []
    for path in sorted((SRC / "store").glob("*.py")):
        # the engines (db.py, the PostgreSQL adapter pg.py: its own transaction statements and placeholders) and the
        # migrations (SQLite DDL; the PostgreSQL DDL beside it)
        if path.name in ("db.py", "pg.py", "schema.py"):
            continue
        for word, text in sqlite_only_words(path.read_text(encoding="utf-8")):
            if (path.name, word) not in ALLOWED:
                problems.append(f"{path.name}: {word}: {text[:100]}")
    assert problems == []


def _old_case(tmp_path: Path) -> Path:
    """A case store as schema version 11 left it (content keyed by sha256 with SQLite's rowid beside it), with
    contents stored out of SHA-256 order, a lead, a chat problem and a match watermark."""
    case = create_case(tmp_path / "old", name="old", examiner="e")
    case.store.unlink()
    conn = sqlite3.connect(case.store, isolation_level=None)
    for script in MIGRATIONS[:11]:
        conn.executescript(script)
    conn.execute("PRAGMA user_version=11")
    conn.executescript("""
        INSERT INTO meta (key, value) VALUES ('name', 'old');
        INSERT INTO runs (id, started_utc, command, status, tool_version, versions, settings)
            VALUES (1, 't', 'ingest', 'completed', '0', '{}', '{}');
        INSERT INTO sources (id, path, kind, added_utc, run_id) VALUES (1, '/e', 'folder', 't', 1);
        INSERT INTO content (rowid, sha256, md5, sha1, size, kind, run_id) VALUES
            (7, 'ff', 'm1', 's1', 1, 'image', 1), (9, 'aa', 'm2', 's2', 2, 'video', 1), (12, 'cc', 'm3', 's3', 3,
            'other', 1);
        INSERT INTO instances (chain, parent, name, depth, source_id, status, sha256, run_id)
            VALUES ('/e/a', '/e', 'a', 0, 1, 'done', 'aa', 1);
        INSERT INTO leads (rowid, sha256, seconds, kind, value, raw, confidence, text, box, run_id)
            VALUES (5, 'aa', 1.5, 'phone', '+63', '+63', 0.9, 'call +63', '[]', 1);
        INSERT INTO chat_sources (id, sha256, path, format, options, imported_utc)
            VALUES (1, 'x', '/c', 'csv', '{}', 't');
        INSERT INTO chat_problems (rowid, source_id, position, message) VALUES (3, 1, 'line 2', 'no time');
        INSERT INTO match_state (set_name, set_version, set_sha256, content_rowid, max_distance, dihedral, matched_utc)
            VALUES ('known', 1, 'h', 9, 31, 0, 't');
    """)
    conn.close()
    return case.root


def test_an_old_case_upgrades_in_place_keeping_every_row_and_its_order(tmp_path: Path) -> None:
    root = _old_case(tmp_path)
    case = open_case(root)  # migrates
    conn = case.connect()
    assert db.user_version(conn) == SCHEMA_VERSION
    assert [tuple(r) for r in conn.execute("SELECT seq, sha256 FROM content ORDER BY seq")] == [
        (7, "ff"), (9, "aa"), (12, "cc")]
    assert [tuple(r) for r in conn.execute("SELECT id, sha256, kind, value FROM leads")] == [(5, "aa", "phone", "+63")]
    assert [tuple(r) for r in conn.execute("SELECT id, position FROM chat_problems")] == [(3, "line 2")]
    assert matching.state(conn, "known")["content_seq"] == 9  # type: ignore[index]
    assert matching.watermark(conn) == 12
    assert matching.contents_between(conn, 9, 12) == [("cc", "m3", "s3")]  # the watermark still means the same
    # the rebuilt table is the one the others refer to, and its references are still checked
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    with pytest.raises(db.IntegrityError):
        conn.execute("INSERT INTO images (sha256, run_id) VALUES ('nothing', 1)")
    conn.execute("INSERT INTO content (sha256, md5, sha1, size, kind, run_id) VALUES ('dd', 'm', 's', 1, 'other', 1)")
    assert conn.execute("SELECT seq FROM content WHERE sha256 = 'dd'").fetchone()[0] == 13  # the next in order
    conn.close()


def test_the_upgrade_runs_once_per_case_and_again_changes_nothing(tmp_path: Path) -> None:
    root = _old_case(tmp_path)
    conn = open_case(root).connect()
    before = {t: [tuple(r) for r in conn.execute(f"SELECT * FROM {t} ORDER BY 1")] for t in
              ("content", "leads", "chat_problems", "match_state")}
    conn.execute("PRAGMA user_version=11")  # migration 12 applied twice (a copied case, an interrupted upgrade)
    assert db.migrate(conn) == SCHEMA_VERSION
    assert {t: [tuple(r) for r in conn.execute(f"SELECT * FROM {t} ORDER BY 1")] for t in before} == before
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1  # switched back on after the rebuild
    conn.close()


def test_write_rolls_back_everything_on_error(tmp_path: Path) -> None:
    conn = create_case(tmp_path / "c", name="c", examiner="e").connect()
    with pytest.raises(db.IntegrityError), db.write(conn):
        conn.execute(db.upsert("case_settings", ("key", "value"), ("key",)), ("a", "1"))
        conn.execute("INSERT INTO case_settings (key, value) VALUES ('a', '2')")  # duplicate key
    assert conn.execute("SELECT count(*) FROM case_settings").fetchone()[0] == 0 and not conn.in_transaction
    with db.write(conn):
        conn.execute(db.upsert("case_settings", ("key", "value"), ("key",)), ("a", "1"))
        conn.execute(db.upsert("case_settings", ("key", "value"), ("key",)), ("a", "2"))
    assert [tuple(r) for r in conn.execute("SELECT key, value FROM case_settings")] == [("a", "2")]
    conn.close()


@pytest.mark.engines
def test_an_interrupt_while_a_write_begins_leaves_no_transaction_open(case, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C landing between BEGIN and the body (on PostgreSQL: while the advisory write lock is awaited) rolls
    the half-open transaction back: the next autocommit statement (a run's end) is not swallowed by it."""
    conn = case.connect()
    begin = db.begin

    def interrupted(c: db.Connection) -> None:
        begin(c)
        raise KeyboardInterrupt

    monkeypatch.setattr(db, "begin", interrupted)
    with pytest.raises(KeyboardInterrupt), db.write(conn):
        conn.execute(db.upsert("case_settings", ("key", "value"), ("key",)), ("a", "1"))
    assert not conn.in_transaction
    conn.close()


@pytest.mark.engines
def test_a_run_end_is_recorded_even_over_a_transaction_left_open(case) -> None:
    """The end of a run is written last, after whatever was cut short: a transaction left open by an interrupt is
    rolled back first, so the status reaches the store instead of vanishing with the connection."""
    conn = case.connect()
    run_id = start_run(conn, "ingest", Settings())
    db.begin(conn)
    conn.execute(db.upsert("case_settings", ("key", "value"), ("key",)), ("half", "written"))
    with pytest.raises(RuntimeError, match="cannot be recorded completed inside an open transaction"):
        finish_run(conn, run_id, "completed")  # a bug in the caller, not a batch to throw away in silence
    _ends_interrupted_keeping_nothing(case, conn, run_id)


def test_ctrl_c_inside_a_pipelined_batch_leaves_a_connection_that_records_the_run_end(
        tmp_path: Path, pg_database) -> None:
    """A real SIGINT while `executemany` streams a batch (psycopg's pipeline mode): the interrupt propagates, the
    write is rolled back, and the connection still takes the run's end. Before, psycopg had closed the connection
    ("query not terminated after cancellation") or left it refusing every statement ("cannot exit pipeline mode
    while busy"), and Ctrl-C on a PostgreSQL ingest ended in a traceback (exit 1) with the run left 'running'."""
    import os
    import signal
    import threading

    case = create_case(tmp_path / "c", name="c", examiner="e", db_url=pg_database())
    conn = case.connect()
    run_id = start_run(conn, "ingest", Settings())
    timer = threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT))
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    batch = [(f"k{i}", "v" * 200) for i in range(300_000)]  # seconds to send: the signal lands inside
    try:
        with pytest.raises(KeyboardInterrupt), db.write(conn):
            conn.execute(db.upsert("case_settings", ("key", "value"), ("key",)), ("half", "written"))
            timer.start()
            conn.executemany("INSERT INTO case_settings (key, value) VALUES (?, ?)", batch)
    finally:
        timer.cancel()
        signal.signal(signal.SIGINT, previous)
    _ends_interrupted_keeping_nothing(case, conn, run_id)


def _ends_interrupted_keeping_nothing(case, conn: db.Connection, run_id: int) -> None:
    """The run's end recorded on `conn` (then closed) reaches the store; the cut-short write does not."""
    finish_run(conn, run_id, "interrupted")
    conn.close()
    again = case.connect(readonly=True)
    assert [tuple(r) for r in again.execute("SELECT id, status FROM runs")] == [(run_id, "interrupted")]
    assert again.execute("SELECT count(*) FROM case_settings").fetchone()[0] == 0
    again.close()


def test_a_connection_psycopg_closed_mid_write_is_replaced_and_one_closed_on_purpose_is_not(
        tmp_path: Path, pg_database) -> None:
    """The reconnect path without timing: the server connection dies inside a write (as psycopg closes it after
    a cancelled pipeline); the write's interrupt propagates, the connection is replaced with the same settings (a
    read-only one stays read-only) and takes the run's end. A connection closed by its owner is never reopened."""
    case = create_case(tmp_path / "c", name="c", examiner="e", db_url=pg_database())
    conn = case.connect()
    run_id = start_run(conn, "ingest", Settings())
    with pytest.raises(KeyboardInterrupt), db.write(conn):
        conn.execute(db.upsert("case_settings", ("key", "value"), ("key",)), ("half", "written"))
        conn.raw.close()
        raise KeyboardInterrupt
    assert not conn.raw.closed
    _ends_interrupted_keeping_nothing(case, conn, run_id)
    reader = case.connect(readonly=True)
    reader.raw.execute("BEGIN")
    reader.raw.close()
    db.abandon(reader)
    assert reader.execute("SHOW default_transaction_read_only").fetchone()[0] == "on"
    reader.close()
    db.abandon(reader)
    assert reader.raw.closed
