"""The PostgreSQL case store (issue #13 part 2) on a real server: the statement translation, the bad inputs (each
one line, before any work, nothing half-written), the same rows as SQLite after an ingest, match and triage of the
sample collection, and two reviewers deciding on the same item through two `winnow serve` processes."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import invoke, invoke_json, rows
from winnow.store import db
from winnow.store.case import Case, CaseError, create_case, open_case
from winnow.store.pg import translate
from winnow.store.schema import PG_BASELINE_VERSION, PG_MIGRATIONS, SCHEMA_VERSION


def test_statements_are_translated_once_and_exactly() -> None:
    assert translate("SELECT user, name FROM decisions WHERE sha256 = ? AND name LIKE ? ESCAPE '\\'") == (
        "SELECT \"user\", name FROM decisions WHERE sha256 = %s AND name ILIKE %s ESCAPE '\\'")
    # literals keep their text (a '?' or 'user' inside quotes is data); a literal % doubles only with parameters
    assert translate("SELECT 'user?', '100%' WHERE x = ?") == "SELECT 'user?', '100%%' WHERE x = %s"
    assert translate("SELECT 'a%'", False) == "SELECT 'a%'"
    assert translate("SELECT group_concat(DISTINCT lower(x)), json_group_array(y), instr(a, ?) FROM t") == (
        "SELECT string_agg(DISTINCT CAST(lower(x) AS TEXT), ','), json_agg(y), strpos(a, %s) FROM t")
    assert translate("SELECT 1 FROM a CROSS JOIN b x ON x.id = CAST(s.ref AS INTEGER)", False) == (
        "SELECT 1 FROM a JOIN b x ON x.id = winnow_int(s.ref)")
    assert translate("SELECT 1 WHERE name COLLATE NOCASE >= ?") == "SELECT 1 WHERE lower(name) >= %s"
    assert translate.cache_info().currsize >= 1
    # every SQLite migration after the PostgreSQL baseline has its PostgreSQL text
    assert sorted(PG_MIGRATIONS) == list(range(PG_BASELINE_VERSION, SCHEMA_VERSION + 1))


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # nothing listens there once the socket is closed


@pytest.mark.parametrize(("url", "message"), [
    ("", "empty database URL"),
    ("   ", "empty database URL"),
    ("mysql://u@h/db", "unsupported database URL"),
    ("postgresql://winnow@127.0.0.1:55432", "names no database"),
    (None, "cannot connect to the case database"),  # a closed port: nothing listens
])
def test_bad_database_urls_are_one_line_before_any_work(tmp_path: Path, url: str | None, message: str) -> None:
    url = f"postgresql://winnow@127.0.0.1:{_closed_port()}/nothing" if url is None else url
    result = invoke("case", "create", tmp_path / "c", "--name", "n", "--examiner", "e", "--db", url, expect=1)
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "c").exists()  # nothing written
    if not url:
        return  # an empty WINNOW_DB is no setting at all (a SQLite case), as for any environment variable
    env = invoke("case", "create", tmp_path / "c", "--name", "n", "--examiner", "e", expect=1,
                 env={"WINNOW_DB": url})  # the environment variable is read the same way
    assert message in env.output and not (tmp_path / "c").exists()


def test_password_is_never_printed(tmp_path: Path) -> None:
    url = f"postgresql://winnow:s3cret@127.0.0.1:{_closed_port()}/nothing"
    result = invoke("case", "create", tmp_path / "c", "--name", "n", "--examiner", "e", "--db", url, expect=1)
    assert "s3cret" not in result.output and "winnow:***@127.0.0.1" in result.output


def test_a_database_holds_one_case_and_a_newer_one_is_refused(tmp_path: Path,
                                                              pg_database: Callable[[], str]) -> None:
    url = pg_database()
    case = create_case(tmp_path / "a", name="A", examiner="e", db_url=url)
    assert (case.root / "case.json").exists() and not case.store.exists() and case.thumbnails.is_dir()
    assert case.meta()["name"] == "A" and case.location == url
    assert invoke_json("case", "info", "--case", case.root)["store"] == url
    with pytest.raises(CaseError, match="already holds a winnow case"):
        create_case(tmp_path / "b", name="B", examiner="e", db_url=url)
    assert not (tmp_path / "b").exists()
    conn = case.connect()
    try:
        assert db.schema_version(conn) == SCHEMA_VERSION and db.dialect(conn) == "postgresql"
        conn.execute("INSERT INTO schema_version (version, applied_utc) VALUES (?, 'later')", (SCHEMA_VERSION + 1,))
    finally:
        conn.close()
    with pytest.raises(CaseError, match=f"schema version {SCHEMA_VERSION + 1}, newer than this tool"):
        open_case(case.root)
    result = invoke("case", "info", "--case", case.root, expect=1)
    assert "newer than this tool" in result.output and len(result.output.strip().splitlines()) == 1


def test_readonly_connection_cannot_write(tmp_path: Path, pg_database: Callable[[], str]) -> None:
    case = create_case(tmp_path / "a", name="A", examiner="e", db_url=pg_database())
    conn = case.connect(readonly=True)
    try:
        with pytest.raises(db.DatabaseError, match="read-only"):
            conn.execute("INSERT INTO meta (key, value) VALUES ('x', 'y')")
    finally:
        conn.close()


_TABLES = {
    "content": "SELECT sha256, md5, sha1, size, mime, kind FROM content",
    "instances": "SELECT chain, parent, name, depth, status, sha256, size, extension, detected_type, "
                 "extension_mismatch FROM instances",
    "images": "SELECT sha256, format, width, height, pdq, pdq_quality, pdq_dihedral, thumbnail FROM images",
    "videos": "SELECT sha256, duration, width, height, signature, thumbnail FROM videos",
    "warnings": "SELECT chain, stage, code FROM warnings",
    "matches": "SELECT sha256, set_name, hash_type, matched_value, distance, transform, category FROM matches",
    "triage": "SELECT sha256, state, best_distance, category, stack_size, queue_rank FROM triage",
}


def test_same_rows_as_sqlite_after_ingest_match_and_triage(collection: dict[str, Any], tmp_path: Path,
                                                           pg_database: Callable[[], str]) -> None:
    from winnow.sample.hashsets import generate as generate_sets

    sets = generate_sets(collection, tmp_path / "sets")  # sets that know some of the collection's files
    lib = tmp_path / "lib"
    invoke("hashset", "import", sets["vics"], "--name", "known", "--library", lib)
    cases = {"sqlite": tmp_path / "s", "postgresql": tmp_path / "p"}
    invoke("case", "create", cases["sqlite"], "--name", "s", "--examiner", "e")
    invoke("case", "create", cases["postgresql"], "--name", "p", "--examiner", "e", "--db", pg_database())
    summaries = {}
    for engine, root in cases.items():
        summaries[engine] = invoke_json("ingest", collection["root"], "--case", root, "--workers", "2")
        invoke("match", "--case", root, "--library", lib, "--dihedral")
        invoke("triage", "--case", root, "--library", lib)
    assert summaries["sqlite"]["case_totals"] == summaries["postgresql"]["case_totals"]
    assert summaries["postgresql"]["case_totals"]["items"] > 10
    for table, sql in _TABLES.items():
        got = {engine: sorted(tuple(bytes(v) if isinstance(v, memoryview) else v for v in r)
                              for r in rows(Case(root), sql)) for engine, root in cases.items()}
        assert got["sqlite"] == got["postgresql"], table
    assert rows(Case(cases["postgresql"]), "SELECT count(*) FROM matches")[0][0] >= 1
    versions = rows(Case(cases["postgresql"]), "SELECT versions FROM runs ORDER BY id")[0][0]
    assert '"postgresql": "15.' in versions


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def two_servers(tmp_path: Path, pg_database: Callable[[], str]) -> Iterator[tuple[Case, list[str]]]:
    """One case on PostgreSQL served by two `winnow serve` processes (two app processes, one database)."""
    from winnow.sample import photos

    evidence = tmp_path / "evidence"
    evidence.mkdir()
    for n in range(8):  # eight distinct photos: small and quick to ingest
        (evidence / f"img{n}.jpg").write_bytes(photos.encode(photos.photo(n, (320, 240)), "JPEG", quality=85))
    root = tmp_path / "case"
    invoke("case", "create", root, "--name", "Team", "--examiner", "e", "--db", pg_database())
    invoke("ingest", evidence, "--case", root, "--workers", "1")
    invoke("triage", "--case", root)
    from click.testing import CliRunner

    from winnow.cli import cli

    for name in ("alice", "bob"):
        added = CliRunner().invoke(cli, ["user", "add", name, "--case", str(root), "--role", "reviewer",
                                         "--password-stdin"], input=f"{name}-secret-pass\n")
        assert added.exit_code == 0, added.output
    ports = [_free_port(), _free_port()]
    procs = [subprocess.Popen([sys.executable, "-m", "winnow.cli", "serve", "--case", str(root), "--port", str(p)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for p in ports]
    try:
        for port in ports:
            for _ in range(300):
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                        break
                except OSError:
                    time.sleep(0.1)
        yield Case(root), [f"http://127.0.0.1:{p}" for p in ports]
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=20)
            assert proc.stderr is not None
            proc.stderr.close()


def _login(url: str, name: str) -> tuple[Any, str]:
    import httpx2 as httpx

    client = httpx.Client(base_url=url, follow_redirects=False)

    def keep(response: Any) -> Any:  # the app's cookies are Secure; over http to 127.0.0.1 they are kept by hand
        for header in response.headers.get_list("set-cookie"):
            key, _, value = header.split(";", 1)[0].partition("=")
            client.cookies.set(key, value)
        return response

    form = keep(client.get("/login"))
    token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    done = keep(client.post("/login", data={"name": name, "password": f"{name}-secret-pass", "csrf": token}))
    assert done.status_code == 303, done.text
    queue = client.get("/queue", headers={"accept": "text/html"})
    csrf = re.search(r'data-csrf="([^"]+)"', queue.text).group(1)  # type: ignore[union-attr]
    return client, csrf


def test_two_reviewers_through_two_app_processes_get_the_conflict(two_servers: tuple[Case, list[str]]) -> None:
    case, (first, second) = two_servers
    items = [r[0] for r in rows(case, "SELECT sha256 FROM images WHERE thumbnail IS NOT NULL ORDER BY sha256")]
    alice, a_csrf = _login(first, "alice")
    bob, b_csrf = _login(second, "bob")
    # one after the other: the later decision on the version both saw is refused, naming who decided
    sha = items[0]
    done = alice.post("/decide", headers={"x-csrf-token": a_csrf},
                      json={"items": [sha], "category": "0", "versions": {sha: 0}})
    assert done.status_code == 200 and done.json()["changed"][0]["version"] == 1
    late = bob.post("/decide", headers={"x-csrf-token": b_csrf},
                    json={"items": [sha], "category": "3", "versions": {sha: 0}})
    assert late.status_code == 409 and "alice" in late.json()["conflict"]
    # at the same moment, on every remaining item: exactly one of the two wins each, the other gets the conflict
    results: dict[str, list[int]] = {"alice": [], "bob": []}
    start = threading.Barrier(2)

    def race(who: str, client: Any, csrf: str) -> None:
        start.wait()
        for item in items[1:]:
            answer = client.post("/decide", headers={"x-csrf-token": csrf},
                                 json={"items": [item], "category": "1" if who == "alice" else "2",
                                       "versions": {item: 0}})
            results[who].append(answer.status_code)

    threads = [threading.Thread(target=race, args=("alice", alice, a_csrf)),
               threading.Thread(target=race, args=("bob", bob, b_csrf))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    pairs = list(zip(results["alice"], results["bob"], strict=True))
    assert len(items) == 8 and len(pairs) == len(items) - 1 and all(sorted(p) == [200, 409] for p in pairs), pairs
    decided = rows(case, "SELECT version, count(*) FROM decisions GROUP BY version")
    assert decided == [(1, len(items))]  # every item decided once, none overwritten
    audit = rows(case, "SELECT count(*) FROM audit WHERE command = 'review decide'")[0][0]
    assert audit == len(items)
    alice.close()
    bob.close()


@pytest.mark.engines
def test_rows_changes_and_errors_read_the_same_on_both_engines(case: Case, engine: str) -> None:
    conn = case.connect()
    try:
        assert db.dialect(conn) == engine
        before = db.changes(conn)
        with db.write(conn):
            new = conn.execute("INSERT INTO runs (started_utc, command, status, tool_version, versions, settings) "
                               "VALUES ('t', 'c', 'running', 'v', '{}', '{}') RETURNING id").fetchone()[0]
            conn.executemany("INSERT INTO case_settings (key, value) VALUES (?, ?) ON CONFLICT DO NOTHING",
                             [("a", "1"), ("b", "2"), ("a", "3")])
        assert db.changes(conn) - before == 3  # the run, a and b; the second a was refused by the key
        row = conn.execute("SELECT key, value, length(value) AS n, sum(key = 'a') AS hits FROM case_settings "
                           "WHERE key >= ? GROUP BY key, value ORDER BY key", ("a",)).fetchall()
        assert [tuple(r) for r in row] == [("a", "1", 1, 1), ("b", "2", 1, 0)]
        assert row[0]["value"] == "1" and dict(row[1]) == {"key": "b", "value": "2", "n": 1, "hits": 0}
        assert isinstance(new, int) and conn.execute("SELECT count(*) FROM runs WHERE id = ?", (new,)).fetchone()[0]
        with pytest.raises(db.IntegrityError), db.write(conn):
            conn.execute("INSERT INTO case_settings (key, value) VALUES ('a', 'again')")
        assert not conn.in_transaction  # rolled back, the connection usable again
        assert conn.execute("SELECT value FROM case_settings WHERE key = 'a'").fetchone()[0] == "1"
    finally:
        conn.close()


@pytest.mark.engines
def test_name_and_chat_search_answer_alike_on_both_engines(case: Case, engine: str) -> None:
    from winnow.store import chat_views, search

    conn = case.connect()
    try:
        with db.write(conn):
            run = conn.execute("INSERT INTO runs (started_utc, command, status, tool_version, versions, settings) "
                               "VALUES ('t', 'c', 'completed', 'v', '{}', '{}') RETURNING id").fetchone()[0]
            source = conn.execute("INSERT INTO sources (path, kind, added_utc, run_id) VALUES ('/e', 'folder', 't', ?) "
                                  "RETURNING id", (run,)).fetchone()[0]
            conn.executemany("INSERT INTO instances (chain, parent, name, depth, source_id, status, run_id) "
                             "VALUES (?, '/e', ?, 1, ?, 'ok', ?)",
                             [(f"/e/{n}", n, source, run) for n in ("Holiday_2019.JPG", "holiday_2020.jpg",
                                                                     "notes.txt", "Ünïcode_holiday.png")])
            chat = conn.execute("INSERT INTO chat_sources (sha256, path, format, options, imported_utc) VALUES "
                                "('x', '/c.txt', 'whatsapp', '{}', 't') RETURNING id").fetchone()[0]
            thread = conn.execute("INSERT INTO chat_threads (source_id, key, title, app, kind, participants, notes) "
                                  "VALUES (?, 'k', 'T', 'whatsapp', 'direct', '[]', '') RETURNING id",
                                  (chat,)).fetchone()[0]
            conn.executemany("INSERT INTO chat_messages (thread_id, seq, sender, time_original, tz_resolution, kind, "
                             "text, text_raw, attachments, deleted, position, raw) VALUES (?, ?, 'a', 't', 'utc', "
                             "'text', ?, ?, '[]', 0, 'p', 'r')",
                             [(thread, i, t, t) for i, t in enumerate(["Send the PAYMENT today", "no", "50% off",
                                                                       "payment_ref done"])])
        names = [r["chain"] for r in search.files(conn, "HOLIDAY")]
        assert names == ["/e/Holiday_2019.JPG", "/e/holiday_2020.jpg", "/e/Ünïcode_holiday.png"]
        assert [m["seq"] for m in chat_views.search(conn, "payment")] == [0, 3]
        assert [m["seq"] for m in chat_views.search(conn, "0% o")] == [2]  # a % is a character, not a wildcard
        assert chat_views.search_count(conn, "PAYMENT") == 2
    finally:
        conn.close()
