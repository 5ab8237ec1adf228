"""The PostgreSQL case store (issue #13 part 2) beside SQLite, in one run, same machine, same code:

1. writer throughput: the ingest writer (store/writer.py, batches of 500 results, one transaction each) storing
   a synthetic case of `--items` image items (a content, an image and an instance row each); rows/s of the
   flushes only (generating the results is not timed);
2. the review app on a case of `--items` items built as benchmarks/review.py builds it (a 5,000-item stack,
   stacks of 10, folders of 50): the first grid page of the 5,000-item group (median of 20) and the keyboard
   decision round trip (POST /decide, median of 200), in process through FastAPI's test client;
3. `winnow match` of a case of `--match-items` contents with PDQ hashes against a PDQ set of `--hashes` codes
   (2,000 of them near copies of case images), a full match, whole CLI run.

The PostgreSQL server is the test server (WINNOW_TEST_PG, else scripts/pgtest.sh starts one on a free port):
Debian's PostgreSQL 15 on 127.0.0.1 with fsync off (a test server: a lab server with fsync on pays one WAL flush
per committed batch, ~1-5 ms on SSD, i.e. <= 10 % at 500 rows a batch).

Goals: writer PG >= 0.5x SQLite; on PG at 1M items first grid page <= 300 ms and decision <= 50 ms.
Prediction (written before the first run): writer 0.6x (executemany through psycopg's pipeline: one round trip a
batch, but PostgreSQL's per-row cost with 6 indexes and a trigger is ~3x SQLite's in-process B-tree); grid page
~ 40 ms on both; decision ~ 10 ms on PG (two round trips more than SQLite's 5 ms); match: the Hamming search
dominates, PG within 10 % of SQLite.
Result (2026-12-03, a machine shared with three other sessions; docs/benchmarks.md, "PostgreSQL case store"):
writer 9,804 vs 6,288 rows/s at 1M items (1.56x: SQLite slows with its index size, PostgreSQL works on the second
core); review at 1M on PG grid 103 ms, decision 29.8 ms (SQLite 75 ms, 50.2 ms in the same run); match of 1M
contents against 10M PDQ hashes 456 s on PG, 390 s on SQLite (1.17x), the same 2,000 matches.

Usage: python benchmarks/postgres.py [--items 1000000] [--match-items 1000000] [--hashes 1000000]
                                     [--parts writer,review,match]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent.parent
ENGINES = ("sqlite", "postgresql")


@contextmanager
def server() -> Iterator[str]:
    url = os.environ.get("WINNOW_TEST_PG")
    if url:
        yield url
        return
    data = Path(tempfile.mkdtemp(prefix="winnow-pgbench-"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = subprocess.run(["bash", str(HERE / "scripts" / "pgtest.sh"), "start", str(data), str(port)],
                         check=True, capture_output=True, text=True).stdout
    try:
        yield out.strip().splitlines()[-1]
    finally:
        subprocess.run(["bash", str(HERE / "scripts" / "pgtest.sh"), "stop", str(data)], capture_output=True)
        shutil.rmtree(data, ignore_errors=True)


def new_database(admin_url: str) -> str:
    import psycopg

    name = f"winnow_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + "/" + name


def drop_database(admin_url: str, url: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def new_case(engine: str, root: Path, admin_url: str) -> Any:
    from winnow.store.case import create_case

    return create_case(root, name="bench", examiner="bench",
                       db_url=new_database(admin_url) if engine == "postgresql" else None)


def _h(kind: str, n: int) -> str:
    return hashlib.new(kind, f"content {n}".encode()).hexdigest()


def records(start: int, count: int, source_id: int) -> list[Any]:
    from winnow.messages import Record

    out = []
    for n in range(start, start + count):
        sha = _h("sha256", n)
        out.append(Record(
            chain=f"/evidence/f{n // 100}/img{n}.jpg", parent=f"/evidence/f{n // 100}", name=f"img{n}.jpg",
            depth=1, source_id=source_id, status="ok", size=150_000 + n % 1000, mtime="2024-01-02T03:04:05Z",
            extension="jpg", detected_type="image/jpeg",
            content={"sha256": sha, "md5": _h("md5", n), "sha1": _h("sha1", n), "size": 150_000 + n % 1000,
                     "mime": "image/jpeg", "kind": "image"},
            image={"format": "JPEG", "width": 1600, "height": 1200, "mode": "RGB", "frames": 1,
                   "pdq": sha, "pdq_quality": 100, "thumbnail": f"thumbnails/{sha[:2]}/{sha}.jpg",
                   "make": "Canon", "model": "EOS", "datetime_original": "2024:01:02 03:04:05", "orientation": 1,
                   "pdq_dihedral": sha * 7}))
    return out


def writer(root: Path, admin_url: str, items: int, batch: int = 500, round_items: int = 50_000) -> dict[str, Any]:
    """Both engines' writers, alternating every `round_items` items (ABAB: the shared machine's other load falls
    on both alike); seconds of the flushes per engine."""
    from winnow.settings import Settings
    from winnow.store import runs
    from winnow.store.writer import Writer

    state = {}
    for engine in ENGINES:
        case = new_case(engine, root / f"writer-{engine}", admin_url)
        conn = case.connect()
        run_id = runs.start_run(conn, "bench", Settings())
        source_id = runs.register_source(conn, "/evidence", "folder", run_id)
        state[engine] = {"case": case, "conn": conn, "writer": Writer(conn, run_id), "source": source_id,
                         "seconds": 0.0}
    for first in range(0, items, round_items):
        for engine in ENGINES:
            st = state[engine]
            for start in range(first, min(items, first + round_items), batch):
                for record in records(start, min(batch, items - start), st["source"]):
                    st["writer"].add(record)
                t = time.perf_counter()
                st["writer"].flush()
                st["seconds"] += time.perf_counter() - t
    out: dict[str, Any] = {}
    for engine, st in state.items():
        count = st["conn"].execute("SELECT count(*) FROM instances").fetchone()[0]
        st["conn"].close()
        assert count == items, count
        out[engine] = {"seconds": st["seconds"], "rows_per_s": 3 * items / st["seconds"],
                       "url": st["case"].db_url or ""}
    return out


def build_review(engine: str, root: Path, admin_url: str, items: int) -> Any:
    """benchmarks/review.py's case (a 5,000-item stack, stacks of 10 up to half the items, folders of 50)."""
    from PIL import Image

    from winnow.store import db
    from winnow.web import users

    case = new_case(engine, root, admin_url)
    thumb = root / "thumbnails" / "00" / "shared.jpg"
    thumb.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (256, 192), (90, 110, 130)).save(thumb, "JPEG")
    conn = case.connect()
    with db.write(conn):
        run = conn.execute("INSERT INTO runs (started_utc, command, status, tool_version, versions, settings) "
                           "VALUES ('x', 'bench', 'completed', 'x', '{}', '{}') RETURNING id").fetchone()[0]
        source = conn.execute("INSERT INTO sources (path, kind, added_utc, run_id) VALUES ('/evidence', 'folder', "
                              "'x', ?) RETURNING id", (run,)).fetchone()[0]
    chunk = 50_000
    for first in range(0, items, chunk):
        rows = []
        for n in range(first, min(items, first + chunk)):
            sha = f"{n:064x}"
            stack = 1 if n < 5000 else (2 + (n - 5000) // 10 if n < items // 2 else None)
            rows.append((sha, stack, n))
        with db.write(conn):
            conn.executemany("INSERT INTO content (sha256, md5, sha1, size, mime, kind, run_id) VALUES "
                             "(?, ?, ?, 1000, 'image/jpeg', 'image', ?)",
                             [(s, s[:32], s[:40], run) for s, _, _ in rows])
            conn.executemany("INSERT INTO images (sha256, format, width, height, thumbnail, run_id) VALUES "
                             "(?, 'JPEG', 1600, 1200, 'thumbnails/00/shared.jpg', ?)", [(s, run) for s, _, _ in rows])
            conn.executemany("INSERT INTO instances (chain, parent, name, depth, source_id, status, sha256, size, "
                             "run_id) VALUES (?, ?, ?, 1, ?, 'done', ?, 1000, ?)",
                             [(f"/evidence/f{n // 50}/img{n}.jpg", f"/evidence/f{n // 50}", f"img{n}.jpg", source, s,
                               run) for s, _, n in rows])
            conn.executemany("INSERT INTO triage (sha256, state, stack_id, stack_size, queue_rank, reasons) VALUES "
                             "(?, 'unknown', ?, 1, ?, '[]')", [(s, st, n) for s, st, n in rows])
    if engine == "postgresql":
        conn.execute("ANALYZE")  # what autovacuum does soon after a bulk load on a lab server
    users.add(conn, "bench", "reviewer", "bench-password-1")
    conn.close()
    return case


def review(engine: str, root: Path, admin_url: str, items: int) -> dict[str, float]:
    from fastapi.testclient import TestClient

    from winnow.web.app import create_app

    start = time.perf_counter()
    case = build_review(engine, root, admin_url, items)
    built = time.perf_counter() - start
    client = TestClient(create_app(case), base_url="https://testserver", follow_redirects=False)
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)  # type: ignore[union-attr]
    client.post("/login", data={"name": "bench", "password": "bench-password-1", "csrf": token})
    t = time.perf_counter()
    queue_page = client.get("/queue", headers={"accept": "text/html"})
    first_queue = time.perf_counter() - t
    csrf = re.search(r'data-csrf="([^"]+)"', queue_page.text).group(1)  # type: ignore[union-attr]

    def timed(call: Any, n: int) -> float:
        times = []
        for _ in range(n):
            t = time.perf_counter()
            response = call()
            times.append(time.perf_counter() - t)
            assert response.status_code == 200, response.text[:200]
        return statistics.median(times) * 1000

    grid = timed(lambda: client.get("/group/stack:1", headers={"accept": "text/html"}), 20)
    queue = timed(lambda: client.get("/queue", headers={"accept": "text/html"}), 5)
    conn = case.connect()
    shas = [r[0] for r in conn.execute("SELECT sha256 FROM triage WHERE stack_id = 1 ORDER BY queue_rank LIMIT 200")]
    conn.close()
    it = iter(shas)
    decide = timed(lambda: (lambda s: client.post("/decide", headers={"x-csrf-token": csrf},
                                                  json={"items": [s], "category": "0", "versions": {s: 0}}))(next(it)),
                   200)
    client.close()
    return {"build_s": built, "first_queue_ms": first_queue * 1000, "grid_ms": grid, "queue_ms": queue,
            "decide_ms": decide, "url": case.db_url or ""}


def build_match_library(base: Path, contents: int, hashes: int) -> tuple[Path, list[str]]:
    import numpy as np

    from winnow.hashsets.library import Library

    rng = np.random.default_rng(5)
    case_codes = rng.integers(0, 256, size=(contents, 32), dtype=np.uint8)
    known = np.random.default_rng(3).integers(0, 256, size=(hashes, 32), dtype=np.uint8)
    for k in range(min(2000, contents, hashes)):  # near copies of case images, 8 bits off
        code = case_codes[k * (contents // min(2000, contents))].copy()
        for bit in rng.choice(256, size=8, replace=False):
            code[bit // 8] ^= np.uint8(1 << (bit % 8))
        known[k] = code
    with (base / "pdq.txt").open("w") as f:
        for row in known:
            f.write(bytes(row).hex() + "\n")
    Library(base / "library").import_file(base / "pdq.txt", "pdq", format_name="pdq-list")
    return base / "library", [bytes(r).hex() for r in case_codes]


def build_match_case(engine: str, root: Path, admin_url: str, codes: list[str]) -> Any:
    from winnow.store import db

    case = new_case(engine, root, admin_url)
    conn = case.connect()
    with db.write(conn):
        run = conn.execute("INSERT INTO runs (started_utc, command, status, tool_version, versions, settings) "
                           "VALUES ('x', 'bench', 'completed', 'x', '{}', '{}') RETURNING id").fetchone()[0]
        source = conn.execute("INSERT INTO sources (path, kind, added_utc, run_id) VALUES ('/evidence', 'folder', "
                              "'x', ?) RETURNING id", (run,)).fetchone()[0]
    chunk = 50_000
    for first in range(0, len(codes), chunk):
        part = range(first, min(len(codes), first + chunk))
        with db.write(conn):
            conn.executemany("INSERT INTO content (sha256, md5, sha1, size, mime, kind, run_id) VALUES (?, ?, ?, 1000, "
                             "'image/jpeg', 'image', ?)", [(_h("sha256", n), _h("md5", n), _h("sha1", n), run)
                                                           for n in part])
            conn.executemany("INSERT INTO images (sha256, format, width, height, pdq, pdq_quality, run_id) VALUES "
                             "(?, 'JPEG', 640, 480, ?, 100, ?)", [(_h("sha256", n), codes[n], run) for n in part])
            conn.executemany("INSERT INTO instances (chain, parent, name, depth, source_id, status, sha256, size, "
                             "run_id) VALUES (?, ?, ?, 0, ?, 'done', ?, 1000, ?)",
                             [(f"/evidence/f{n // 100}/{n}.jpg", f"/evidence/f{n // 100}", f"{n}.jpg", source,
                               _h("sha256", n), run) for n in part])
    if engine == "postgresql":
        conn.execute("ANALYZE")
    conn.close()
    return case


def match(engine: str, root: Path, admin_url: str, library: Path, codes: list[str]) -> dict[str, float]:
    case = build_match_case(engine, root, admin_url, codes)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "winnow.cli", "match", "--case", str(case.root), "--library",
                    str(library)], check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    conn = case.connect()
    found = conn.execute("SELECT count(*) FROM matches").fetchone()[0]
    conn.close()
    return {"seconds": seconds, "matches": found, "url": case.db_url or ""}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--match-items", type=int, default=1_000_000)
    parser.add_argument("--hashes", type=int, default=1_000_000)
    parser.add_argument("--parts", default="writer,review,match")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    base = Path(tempfile.mkdtemp(prefix="bench-pg-"))
    results: dict[str, dict[str, dict[str, float]]] = {}
    with server() as admin:
        import psycopg

        with psycopg.connect(admin) as c:
            version = c.info.parameter_status("server_version")
        print(f"PostgreSQL {version} at {admin}; {os.cpu_count()} cores")
        if "writer" in parts:
            results["writer"] = writer(base, admin, args.items)
            print(f"writer: {results['writer']}", flush=True)
        if "review" in parts:
            results["review"] = {}
            for engine in ENGINES:
                results["review"][engine] = review(engine, base / f"review-{engine}", admin, args.items)
                print(f"review {engine}: {results['review'][engine]}", flush=True)
        if "match" in parts:
            (base / "lib").mkdir()
            library, codes = build_match_library(base / "lib", args.match_items, args.hashes)
            results["match"] = {}
            for engine in ENGINES:
                results["match"][engine] = match(engine, base / f"match-{engine}", admin, library, codes)
                print(f"match {engine}: {results['match'][engine]}", flush=True)
        for part in results.values():
            for r in part.values():
                if r.get("url"):
                    drop_database(admin, str(r["url"]))
    shutil.rmtree(base, ignore_errors=True)
    print("\n| measure | PostgreSQL | SQLite | PG / SQLite | goal |")
    print("|---|---|---|---|---|")
    if "writer" in results:
        w = results["writer"]
        print(f"| writer, {args.items:,} image items (3 rows each), rows/s | {w['postgresql']['rows_per_s']:,.0f} | "
              f"{w['sqlite']['rows_per_s']:,.0f} | {w['postgresql']['rows_per_s'] / w['sqlite']['rows_per_s']:.2f}x "
              "| >= 0.5x |")
    if "review" in results:
        r = results["review"]
        for key, label, goal in (("grid_ms", "first grid page of the 5,000-item group (median of 20)", "<= 300 ms"),
                                 ("decide_ms", "keyboard decision round trip (median of 200)", "<= 50 ms"),
                                 ("queue_ms", "queue page (median of 5)", ""),
                                 ("first_queue_ms", "first queue page (rebuilds the summary)", "")):
            print(f"| review at {args.items:,} items: {label} | {r['postgresql'][key]:.1f} ms | "
                  f"{r['sqlite'][key]:.1f} ms | {r['postgresql'][key] / r['sqlite'][key]:.2f}x | {goal} |")
    if "match" in results:
        m = results["match"]
        print(f"| match of {args.match_items:,} contents vs {args.hashes:,} PDQ hashes, whole CLI run | "
              f"{m['postgresql']['seconds']:.1f} s | {m['sqlite']['seconds']:.1f} s | "
              f"{m['postgresql']['seconds'] / m['sqlite']['seconds']:.2f}x | reported |")
        assert m["postgresql"]["matches"] == m["sqlite"]["matches"], m


if __name__ == "__main__":
    main()
