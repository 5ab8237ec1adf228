"""`winnow case copy` (issue #13): a case moved SQLite -> PostgreSQL, PostgreSQL -> SQLite, SQLite -> SQLite and
PostgreSQL -> PostgreSQL gives the same review app, findings and triage on the copy; every table verified by rows
and checksum; the copy's ids continue (a resumed ingest into the copy); each refusal is one line before anything
is written, and a failure midway keeps nothing."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import invoke, invoke_json, rows
from winnow.cli import cli
from winnow.store import db, review, runs, users
from winnow.store.case import Case
from winnow.store.case_copy import TABLES, Checksum, copy_case, verify
from winnow.store.schema import SCHEMA_VERSION

WINNOW = [sys.executable, "-m", "winnow.cli"]
PAIRS = [("sqlite", "postgresql"), ("postgresql", "sqlite"), ("sqlite", "sqlite"), ("postgresql", "postgresql")]


def _refused(*args: Any) -> str:
    """The one line a refused command prints (exit 1, no traceback)."""
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    return lines[0]


def _db(engine: str, pg_database: Callable[[], str]) -> list[str]:
    return ["--db", pg_database()] if engine == "postgresql" else []


def _tables(url: str) -> list[str]:
    import psycopg

    with psycopg.connect(url) as conn:
        return [r[0] for r in conn.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = "
                                           "'public'")]


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A small payments export and the WhatsApp chat that books a call and pays to its number (the demo's story
    without its videos)."""
    from winnow.sample.story import _chat, _payments

    folder = tmp_path_factory.mktemp("records")
    facts = _payments(folder, 1, 60, 4, 2)
    chat, _ = _chat(folder, 1, facts)
    return {"payments": folder / "payments" / "transactions.csv", "chat": chat}


@pytest.fixture(scope="module")
def library(collection: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    from winnow.sample.hashsets import generate as generate_sets

    base = tmp_path_factory.mktemp("library")
    sets = generate_sets(collection, base / "sets")
    invoke("hashset", "import", sets["vics"], "--name", "known", "--library", base / "lib")
    return base / "lib"


@pytest.fixture(scope="module")
def worked(collection: dict[str, Any], records: dict[str, Any], library: Path,
           tmp_path_factory: pytest.TempPathFactory, pg_database: Callable[[], str]) -> Callable[[str], Case]:
    """A case on an engine that has been through the whole workflow: ingest, match, triage, chats, payments
    (payments.duckdb in the folder, the stored ranking), links, review accounts and decisions (one overridden
    by a supervisor, tags), a group seen. Made once per engine."""
    made: dict[str, Case] = {}

    def make(engine: str) -> Case:
        if engine in made:
            return made[engine]
        root = tmp_path_factory.mktemp(f"worked-{engine}") / "case"
        invoke("case", "create", root, "--name", "Worked", "--examiner", "e", *_db(engine, pg_database))
        invoke("ingest", collection["root"], "--case", root, "--workers", "2")
        invoke("match", "--case", root, "--library", library, "--dihedral")
        invoke("triage", "--case", root, "--library", library)
        invoke("chats", "import", records["chat"], "--case", root, "--tz", "Europe/Paris", "--region", "PH")
        invoke("payments", "import", records["payments"], "--case", root)
        invoke("payments", "score", "--case", root)
        invoke("links", "--case", root)
        case = Case(root)
        conn = case.connect()
        try:
            from winnow.web import users as accounts

            for name, role in (("alice", "reviewer"), ("sue", "supervisor")):
                accounts.add(conn, name, role, f"{name}-secret-pass")
            alice, sue = users.account(conn, "alice"), users.account(conn, "sue")
            assert alice and sue
            groups = review.groups(conn, "alice", 0, 100)
            first = review.group_items(conn, groups[0]["group_key"])["items"]
            shas = [i["sha256"] for i in first][:3]
            review.decide(conn, alice, shas, "1", {}, add_tags=["series-a"])
            review.decide(conn, sue, shas[:1], "3", {}, reason="second look")
            review.mark_seen(conn, "alice", groups[0]["group_key"])
        finally:
            conn.close()
        made[engine] = case
        return case

    return make


def _review_view(case: Case) -> dict[str, Any]:
    """What the review app shows alice: the queue, each group's items, each item's page data."""
    conn = case.connect()  # the queue summary is rebuilt when stale
    try:
        groups = review.groups(conn, "alice", 0, 1000)
        pages = {g["group_key"]: review.group_items(conn, g["group_key"]) for g in groups}
        items = {i["sha256"]: review.item(conn, i["sha256"]) for page in pages.values() for i in page["items"]}
        return {"groups": groups, "pages": pages, "items": items, "next": review.next_unseen(conn, "alice")}
    finally:
        conn.close()


def _pages(case: Case, group: str, sha: str) -> list[str]:
    """The review app's queue, a group and an item page as alice sees them over HTTP (her session's tokens
    written as TOKEN: each login has its own)."""
    from fastapi.testclient import TestClient

    from winnow.web.app import create_app

    c = TestClient(create_app(case), base_url="https://testserver", follow_redirects=False)
    form = c.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    c.post("/login", data={"name": "alice", "password": "alice-secret-pass", "csrf": token})
    pages = []
    for path in ("/queue", f"/group/{group}", f"/item/{sha}", f"/thumb/{sha}"):
        page = c.get(path, headers={"accept": "text/html"})
        assert page.status_code == 200, (path, page.status_code)
        if path.startswith("/thumb/"):
            pages.append(page.content.hex())
            continue
        text = page.text
        for secret in set(re.findall(r'(?:data-csrf|name="csrf" value)="([^"]+)"', text)):
            text = text.replace(secret, "TOKEN")
        pages.append(text)
    return pages


def _findings(case: Case) -> dict[str, Any]:
    found = invoke_json("findings", "--case", case.root)
    found.pop("case")
    return found


def _without(document: Any, root: Path) -> Any:
    """A JSON document with the case's own folder written as CASE (the copy is elsewhere)."""
    return json.loads(json.dumps(document).replace(str(root), "CASE"))


@pytest.mark.parametrize(("source_engine", "copy_engine"), PAIRS)
def test_the_copy_shows_the_same_case(worked: Callable[[str], Case], source_engine: str, copy_engine: str,
                                      tmp_path: Path, library: Path, pg_database: Callable[[], str]) -> None:
    source = worked(source_engine)
    before = {"review": _review_view(source), "findings": _findings(source)}
    destination = tmp_path / "copy"
    audited = rows(source, "SELECT count(*) FROM audit")[0][0]
    done = invoke_json("case", "copy", source.root, destination, *_db(copy_engine, pg_database))
    copy = Case(destination)
    assert (copy.db_url is not None) == (copy_engine == "postgresql")
    assert done["ok"] and [t["table"] for t in done["tables"]] == list(TABLES)
    assert all(t["ok"] and t["source_rows"] == t["copy_rows"] and t["source_checksum"] == t["copy_checksum"]
               for t in done["tables"])
    counted = {t["table"]: t["copy_rows"] for t in done["tables"]}
    for table in ("content", "instances", "images", "videos", "matches", "triage", "decisions", "chat_messages",
                  "identifiers", "ranked_parties", "queue_summary", "users", "seen"):
        assert counted[table] > 0, table  # the workflow filled it: the comparison below means something
        assert rows(copy, f"SELECT count(*) FROM {table}")[0][0] == counted[table]
    assert done["rows"] == sum(counted.values())
    assert done["source_audit"] == {"rows": audited, "ok": True, "problems": []}
    if copy_engine == "postgresql":  # every identity continues after the copied ids
        assert done["next_ids"]["content.seq"] == rows(copy, "SELECT max(seq) FROM content")[0][0] + 1
        for name, following in done["next_ids"].items():
            table, column = name.split(".")
            assert following == (rows(copy, f"SELECT max({column}) FROM {table}")[0][0] or 0) + 1, name
    else:
        assert done["next_ids"] == {}
    assert done["files"]["ok"] and done["files"]["source_rows"] > 10  # thumbnails, contact sheets, payments
    assert (destination / "payments.duckdb").read_bytes() == (source.root / "payments.duckdb").read_bytes()
    # the review app, findings (calls, chats, payments ranking read from the copied payments.duckdb) and triage
    assert _review_view(copy) == before["review"]
    found = _findings(copy)
    assert found.pop("audit") == {"rows": before["findings"]["audit"]["rows"] + 1, "ok": True}  # + the copy's
    assert found == {k: v for k, v in before["findings"].items() if k != "audit"}
    assert _without(invoke_json("triage", "--case", copy.root, "--library", library), copy.root) == \
        _without(invoke_json("triage", "--case", source.root, "--library", library), source.root)
    assert sorted(rows(copy, "SELECT sha256, state, category, queue_rank FROM triage")) == \
        sorted(rows(source, "SELECT sha256, state, category, queue_rank FROM triage"))
    # the review app over HTTP: alice logs in to each and sees the same queue, group, item page and thumbnail
    decided = rows(source, "SELECT sha256 FROM decisions WHERE reviewed_by = 'sue'")[0][0]
    group = before["review"]["groups"][0]["group_key"]
    theirs, ours = _pages(source, group, decided), _pages(copy, group, decided)
    assert ours == theirs and "3 by sue" in ours[2] and "(version 2)" in ours[2] and len(ours[3]) > 1000
    # the audit trail continues and records the copy: who, when, from where to where
    assert invoke_json("audit", "verify", "--case", copy.root)["ok"]
    last = rows(copy, "SELECT command, os_user, time_utc, arguments FROM audit WHERE id = ?", audited + 1)[0]
    arguments = json.loads(last[3])
    assert last[0] == "case copy" and last[1] and re.match(r"\d{4}-\d\d-\d\dT", last[2])
    assert arguments["from"] == {"case": str(source.root), "store": done["source"]["store"]}
    assert arguments["to"] == {"case": str(copy.root), "store": done["destination"]["store"]}
    assert arguments["verified"]["decisions"] == [counted["decisions"], done["tables"][TABLES.index(
        "decisions")]["source_checksum"]]
    # the source was only read
    assert "case copy" not in {r[0] for r in rows(source, "SELECT command FROM audit")}


def test_small_batches_and_the_table_printed(worked: Callable[[str], Case], tmp_path: Path) -> None:
    source = worked("sqlite")
    result = copy_case(source.root, tmp_path / "copy", batch=7)  # many batches per table
    assert result.ok and result.rows > 7 * 20
    printed = invoke("case", "copy", source.root, tmp_path / "again").output.splitlines()
    assert printed[0].split() == ["table", "rows", "copied", "checksum", "(source)", "checksum", "(copy)"]
    body = {line.split()[0]: line.split() for line in printed[1:-1]}
    assert list(body) == [*TABLES, "files"] and all(line[-1] == "ok" for line in body.values())
    decided = next(t for t in result.tables if t.table == "decisions")
    assert body["decisions"][1:4] == [str(decided.source_rows), str(decided.copy_rows), decided.source_checksum[:16]]
    assert printed[-1].startswith(f"copied {source.root} (") and "41 tables" in printed[-1]


def test_tables_cover_both_engines_in_dependency_order(tmp_path: Path, pg_database: Callable[[], str]) -> None:
    sqlite_case = Case(tmp_path / "s")
    invoke("case", "create", sqlite_case.root, "--name", "s", "--examiner", "e")
    pg_case = Case(tmp_path / "p")
    invoke("case", "create", pg_case.root, "--name", "p", "--examiner", "e", "--db", pg_database())
    for case in (sqlite_case, pg_case):
        conn = case.connect(readonly=True)
        assert db.case_tables(conn) == set(TABLES)
        conn.close()
    assert len(set(TABLES)) == len(TABLES)
    raw = sqlite3.connect(sqlite_case.store)
    for position, table in enumerate(TABLES):
        for ref in {r[2] for r in raw.execute(f"PRAGMA foreign_key_list({table})")}:
            assert TABLES.index(ref) < position, (table, ref)
    raw.close()
    # the triggers' tables: decisions before the summary they count into, the summary state after every table
    # whose insert marks it stale
    assert TABLES.index("decisions") < TABLES.index("queue_summary") < TABLES.index("queue_summary_state")
    assert all(TABLES.index(t) < TABLES.index("queue_summary_state") for t in ("instances", "triage", "matches"))


def test_checksum_is_order_independent_and_tells_types_apart() -> None:
    def digest(data: list[tuple[Any, ...]]) -> str:
        check = Checksum()
        check.add(data)
        return check.hexdigest()

    data = [(1, "a", None, b"\x00\xff"), (2, "b", 1.5, b""), (3, "c", 0.1, None)]
    assert digest(data) == digest(data[::-1]) == digest([data[1], data[2], data[0]])
    assert digest(data) != digest(data[:2]) and digest(data) != digest(data + data[:1])  # a row lost or repeated
    variants = [(1,), (1.0,), ("1",), (True,), (None,), ("",), (b"1",)]
    assert len({digest([v]) for v in variants}) == len(variants)
    assert digest([]) == "0" * 32


def test_verify_finds_the_table_a_later_change_touched(worked: Callable[[str], Case], tmp_path: Path) -> None:
    source = worked("sqlite")
    copy = Case(tmp_path / "copy")
    copy_case(source.root, copy.root)
    conn = copy.connect()
    conn.execute("UPDATE decisions SET tags = '[]' WHERE sha256 = (SELECT min(sha256) FROM decisions)")
    theirs = source.connect(readonly=True)
    try:
        checks = verify(theirs, conn)
    finally:
        conn.close()
        theirs.close()
    # meta (the audit head) and audit differ by the copy's own audit row; decisions by the change
    assert [c.table for c in checks if not c.ok] == ["meta", "audit", "decisions"]
    bad = next(c for c in checks if c.table == "decisions")
    assert bad.source_rows == bad.copy_rows and bad.source_checksum != bad.copy_checksum


def _small_case(root: Path, *extra: str) -> Case:
    invoke("case", "create", root, "--name", "Small", "--examiner", "e", *extra)
    conn = Case(root).connect()
    users.insert(conn, "alice", "reviewer", "h", {})
    conn.close()
    return Case(root)


def test_refusals_are_one_line_and_write_nothing(tmp_path: Path, pg_database: Callable[[], str]) -> None:
    source = _small_case(tmp_path / "src")
    target = tmp_path / "dst"
    # the source is not a case
    (tmp_path / "empty").mkdir()
    assert "no case at" in _refused("case", "copy", tmp_path / "empty", target)
    assert "no case at" in _refused("case", "copy", tmp_path / "missing", target)
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "case.sqlite").write_bytes(b"not a database at all" * 100)
    assert "is not a case store" in _refused("case", "copy", tmp_path / "junk", target)
    # the destination exists, is not empty, or overlaps the source
    other = _small_case(tmp_path / "other")
    assert "a case already exists at" in _refused("case", "copy", source.root, other.root)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("x")
    assert "is not empty" in _refused("case", "copy", source.root, tmp_path / "full")
    assert "separate folders" in _refused("case", "copy", source.root, source.root / "inside")
    # wrong URLs, an unreachable server, a database that already holds a case
    assert "empty database URL" in _refused("case", "copy", source.root, target, "--db", "")
    assert "unsupported database URL" in _refused("case", "copy", source.root, target, "--db", "mysql://u@h/d")
    assert "names no database" in _refused("case", "copy", source.root, target, "--db", "postgresql://u@h:1/")
    assert "cannot connect to the case database postgresql://winnow:***@127.0.0.1:1/x" in _refused(
        "case", "copy", source.root, target, "--db", "postgresql://winnow:secret@127.0.0.1:1/x")
    taken = pg_database()
    _small_case(tmp_path / "on-pg", "--db", taken)
    before = rows(Case(tmp_path / "on-pg"), "SELECT count(*) FROM audit")
    assert f"the database {taken} already holds a winnow case (schema version {SCHEMA_VERSION})" in _refused(
        "case", "copy", source.root, target, "--db", taken)
    assert rows(Case(tmp_path / "on-pg"), "SELECT count(*) FROM audit") == before
    # another schema version, older or newer
    for version, words in ((SCHEMA_VERSION - 1, "upgrade it first"), (SCHEMA_VERSION + 1, "upgrade winnow")):
        raw = sqlite3.connect(source.store)
        raw.execute(f"PRAGMA user_version={version}")
        raw.close()
        assert f"has schema version {version}" in (line := _refused("case", "copy", source.root, target))
        assert words in line
    raw = sqlite3.connect(source.store)
    raw.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
    raw.close()
    assert not target.exists()
    invoke("case", "copy", source.root, target)  # and with all put right, it copies
    assert rows(Case(target), "SELECT name FROM users") == [("alice",)]


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_a_run_in_progress_is_refused_and_a_killed_one_is_copied(tmp_path: Path, engine: str,
                                                                 pg_database: Callable[[], str]) -> None:
    from winnow.settings import Settings

    source = _small_case(tmp_path / "src", *_db(engine, pg_database))
    target = tmp_path / "dst"
    # a writer holds the write lock (an open write transaction: an ingest's batch, a decision)
    holder = source.connect()
    with db.write(holder):
        holder.execute("INSERT INTO case_settings (key, value) VALUES ('x', '1')")
        assert "a writer holds its write lock" in _refused("case", "copy", source.root, target)
    holder.close()
    # a run marked running that showed life within the last minute
    conn = source.connect()
    run_id = runs.start_run(conn, "ingest /evidence", Settings())
    assert f"run {run_id} (ingest /evidence) is in progress" in _refused("case", "copy", source.root, target)
    assert not target.exists()
    # the same run a minute later with no sign of life: killed without ending; copied as it is
    conn.execute("UPDATE runs SET started_utc = '2020-01-01T00:00:00Z' WHERE id = ?", (run_id,))
    conn.close()
    done = invoke_json("case", "copy", source.root, target)
    assert done["ok"] and done["stalled_runs"] == [run_id]
    assert rows(Case(target), "SELECT id, status FROM runs") == [(run_id, "running")]


def test_a_failure_midway_keeps_nothing(tmp_path: Path, pg_database: Callable[[], str]) -> None:
    """A value PostgreSQL cannot hold (a NUL character in a text), a value it would store as another type (text
    in a BLOB column: the checksums differ), a row that refers to nothing (SQLite refuses it): each fails the
    copy after the first tables were written; the folder is removed and the database left empty."""
    source = _small_case(tmp_path / "src")
    raw = sqlite3.connect(source.store, isolation_level=None)
    raw.execute("INSERT INTO case_settings (key, value) VALUES ('note', 'a' || char(0) || 'b')")
    url = pg_database()
    line = _refused("case", "copy", source.root, tmp_path / "dst", "--db", url)
    assert "case copy failed and kept nothing (the folder" in line and "left empty" in line
    assert "0x00" in line
    assert not (tmp_path / "dst").exists() and _tables(url) == []
    raw.execute("DELETE FROM case_settings")
    raw.execute("INSERT INTO runs (id, started_utc, command, status, tool_version, versions, settings) VALUES "
                "(1, 't', 'c', 'completed', '0', '{}', '{}')")
    raw.execute("INSERT INTO sources (id, path, kind, added_utc, run_id) VALUES (1, '/e', 'folder', 't', 1)")
    raw.execute("INSERT INTO instances (chain, parent, name, name_raw, depth, source_id, status, run_id) VALUES "
                "('/e/a', '/e', 'a', 'text, not bytes', 0, 1, 'ok', 1)")
    line = _refused("case", "copy", source.root, tmp_path / "dst", "--db", url)
    assert "the copy does not match the source: table instances: 1 rows" in line
    assert not (tmp_path / "dst").exists() and _tables(url) == []
    raw.execute("DELETE FROM instances")
    raw.execute("INSERT INTO images (sha256, run_id) VALUES ('no-such-content', 1)")  # foreign keys off here
    (tmp_path / "empty").mkdir()
    line = _refused("case", "copy", source.root, tmp_path / "empty")
    assert "kept nothing (the folder" in line and "was emptied" in line and "FOREIGN KEY" in line
    assert list((tmp_path / "empty").iterdir()) == []
    raw.close()


def _jpeg(seed: int) -> bytes:
    from winnow.sample import photos

    return photos.encode(photos.photo(seed, (320, 240)), "JPEG", quality=85)


def _corpus(root: Path) -> None:
    import zipfile

    for i in range(60):
        target = root / f"folder{i % 3}" / f"img_{i:03d}.jpg"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(_jpeg(i))
    with zipfile.ZipFile(root / "big.zip", "w") as zf:
        for i in range(60):
            zf.writestr(f"z/{i:03d}.jpg", _jpeg(2000 + i))
        zf.writestr("z/dup.jpg", _jpeg(3))


def _dump(case: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for table, columns in (("instances", "chain, parent, name, depth, status, sha256, size, extension"),
                           ("content", "sha256, md5, sha1, size, mime, kind"),
                           ("images", "sha256, format, width, height, pdq, thumbnail"),
                           ("warnings", "chain, stage, code, message")):
        out[table] = sorted(rows(Case(case), f"SELECT {columns} FROM {table}"), key=repr)
    out["thumbnails"] = sorted(p.name for p in (case / "thumbnails").rglob("*.jpg"))
    return out


@pytest.mark.parametrize(("source_engine", "copy_engine"), [("sqlite", "postgresql"), ("postgresql", "sqlite")])
def test_an_interrupted_ingest_resumes_on_the_copy(tmp_path: Path, source_engine: str, copy_engine: str,
                                                  pg_database: Callable[[], str]) -> None:
    """Ctrl-C an ingest, copy the case, run the same ingest on the copy: the same case as an uninterrupted run;
    the copied rows keep their ids and the new ones continue after them (sequences set past the copied ids)."""
    corpus = tmp_path / "corpus"
    _corpus(corpus)
    reference, source, copy = tmp_path / "reference", tmp_path / "source", tmp_path / "copy"
    invoke("case", "create", reference, "--name", "r", "--examiner", "e")
    invoke("ingest", corpus, "--case", reference, "--workers", "2")
    invoke("case", "create", source, "--name", "s", "--examiner", "e", *_db(source_engine, pg_database))
    env = {**os.environ, "WINNOW_FAULT_SLOW_SECONDS": "0.03"}
    proc = subprocess.Popen([*WINNOW, "ingest", str(corpus), "--case", str(source), "--workers", "2", "--set",
                             "batch_size=5", "--set", "batch_seconds=0.05"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    while rows(Case(source), "SELECT count(*) FROM instances")[0][0] < 20:
        assert proc.poll() is None, proc.stderr.read()  # type: ignore[union-attr]
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and b"run the same command again to resume" in err, err
    total = rows(Case(reference), "SELECT count(*) FROM instances")[0][0]
    assert 0 < rows(Case(source), "SELECT count(*) FROM instances")[0][0] < total

    invoke("case", "copy", source, copy, *_db(copy_engine, pg_database))
    copied = {t: rows(Case(copy), f"SELECT {k}, {v} FROM {t} ORDER BY {k}") for t, k, v in (
        ("instances", "id", "chain"), ("content", "seq", "sha256"), ("warnings", "id", "chain"),
        ("runs", "id", "status"), ("audit", "id", "hash"))}
    done = subprocess.run([*WINNOW, "ingest", str(corpus), "--case", str(copy), "--workers", "2"],
                          capture_output=True)
    assert done.returncode == 0, done.stderr
    assert _dump(copy) == _dump(reference)
    for table, before in copied.items():
        key = "seq" if table == "content" else "id"
        value = {"instances": "chain", "content": "sha256", "warnings": "chain", "runs": "status",
                 "audit": "hash"}[table]
        after = rows(Case(copy), f"SELECT {key}, {value} FROM {table} ORDER BY {key}")
        if table == "runs":
            assert after == [(before[0][0], "interrupted"), (before[0][0] + 1, "completed")]
            continue
        assert after[:len(before)] == before, table  # the copied rows as they were
        assert all(k > before[-1][0] for k, _ in after[len(before):]) if before else True, table
    assert len(rows(Case(copy), "SELECT id FROM instances")) == total
    assert invoke_json("audit", "verify", "--case", copy)["ok"]


def test_a_source_whose_audit_trail_does_not_verify_is_copied_and_says_so(tmp_path: Path) -> None:
    source = _small_case(tmp_path / "src")
    raw = sqlite3.connect(source.store, isolation_level=None)
    raw.execute("UPDATE audit SET arguments = '{}' WHERE id = 1")  # an edited row
    raw.close()
    done = invoke_json("case", "copy", source.root, tmp_path / "dst")
    assert done["ok"] and done["source_audit"]["ok"] is False
    assert done["source_audit"]["problems"] == ["row 1: content edited (hash does not match its fields)"]
    recorded = json.loads(rows(Case(tmp_path / "dst"), "SELECT arguments FROM audit WHERE command = 'case copy'")[0][0])
    assert recorded["source_audit"] == done["source_audit"]
    checked = CliRunner().invoke(cli, ["audit", "verify", "--case", str(tmp_path / "dst"), "--json"])
    assert checked.exit_code == 3 and json.loads(checked.stdout)["problems"] == done["source_audit"]["problems"]
    note = CliRunner().invoke(cli, ["case", "copy", str(source.root), str(tmp_path / "again")])
    assert note.exit_code == 0 and "note: the source's audit trail does not verify (row 1: content edited" in \
        note.stderr
