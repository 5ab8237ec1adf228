"""`winnow case copy` (issue #13): a synthetic case of `--items` image items (a content, an image, an instance
and a triage row each, a decision for every 20th, a run, a source, a few audit rows) on SQLite copied to
PostgreSQL, beside a baseline in the same run:

- ours: `store.case_copy.copy_case` SQLite -> PostgreSQL (read in one snapshot, COPY in one transaction, the
  identities reset, every table read back and checksummed, the case folder's files copied and hashed, an audit
  row), in a child process so its peak memory (ru_maxrss) is its own; the same at a quarter of the items shows
  whether memory grows with the case (it must not: the copy streams);
- baseline: what an administrator scripts without winnow: for each table `sqlite3 -csv SOURCE "SELECT ..."`
  piped into `psql -c "\\copy TABLE (...) FROM STDIN (FORMAT csv)"` into a database that already has the schema
  (made by `winnow case create --db`, its seeded rows deleted). No verification, no identity reset (later
  inserts would collide), no transaction (a failure leaves half a case), CSV cannot tell NULL from '' unless
  quoted, and blobs do not survive; pg_dump does not apply (the source is SQLite). Its result is checked with
  `case_copy.verify` here, to say whether it even copied the same rows.
- also reported: PostgreSQL -> SQLite (ours, no baseline: sqlite3 cannot read a psql dump either).

Rows/s = rows copied / wall seconds of the whole copy (ours includes its verification and the files).

Prediction (written before the first run): ours ~25,000 rows/s SQLite -> PG (per row: a SQLite read, a COPY
row, a repr + BLAKE2b on read and again on the read-back), the baseline ~100,000 rows/s (C end to end, no
read-back): ours ~0.25x the baseline, its peak memory the same at 50k and 200k items (< 150 MB).
Result (2026-12-03, three runs on a shared, loaded machine; docs/benchmarks.md, "Case copy"): ours 59,040 /
39,363 / 65,812 rows/s, the baseline 65,260 / 47,252 / 81,160 (0.90x / 0.83x / 0.81x): both are bound by
PostgreSQL's index and foreign-key work, not by our Python; the baseline's images differ from the source
(sqlite3 -csv prints 15 digits of a REAL); peak memory 54 MB at 50,000 and at 200,000 items.

Usage: python benchmarks/case_copy.py [--items 200000]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from postgres import drop_database, new_database, server  # noqa: E402


def build(root: Path, items: int) -> Any:
    """The synthetic SQLite case (rows written directly, as benchmarks/review.py builds its case)."""
    from winnow.store import audit, db
    from winnow.store.case import create_case

    case = create_case(root, name="bench", examiner="bench")
    thumb = root / "thumbnails" / "00" / "shared.jpg"
    thumb.parent.mkdir(parents=True, exist_ok=True)
    thumb.write_bytes(b"\xff\xd8" + os.urandom(20_000))
    conn = case.connect()
    with db.write(conn):
        run = conn.execute("INSERT INTO runs (started_utc, command, status, tool_version, versions, settings) "
                           "VALUES ('2026-01-01T00:00:00Z', 'ingest', 'completed', 'x', '{}', '{}') "
                           "RETURNING id").fetchone()[0]
        source = conn.execute("INSERT INTO sources (path, kind, added_utc, run_id) VALUES ('/evidence', 'folder', "
                              "'2026-01-01T00:00:00Z', ?) RETURNING id", (run,)).fetchone()[0]
    chunk = 50_000
    for first in range(0, items, chunk):
        block = range(first, min(items, first + chunk))
        shas = [f"{n:064x}" for n in block]
        with db.write(conn):
            conn.executemany("INSERT INTO content (sha256, md5, sha1, size, mime, kind, run_id) VALUES "
                             "(?, ?, ?, ?, 'image/jpeg', 'image', ?)",
                             [(s, s[:32], s[:40], 1000 + n, run) for s, n in zip(shas, block, strict=True)])
            conn.executemany("INSERT INTO images (sha256, format, width, height, pdq, pdq_quality, thumbnail, make, "
                             "model, exif, gps_lat, run_id) VALUES (?, 'JPEG', 1600, 1200, ?, 100, "
                             "'thumbnails/00/shared.jpg', 'Canon', NULL, ?, ?, ?)",
                             [(s, s, json.dumps({"n": n}), n / 7 if n % 3 else None, run)
                              for s, n in zip(shas, block, strict=True)])
            conn.executemany("INSERT INTO instances (chain, parent, name, depth, source_id, status, sha256, size, "
                             "mtime, extension, run_id) VALUES (?, ?, ?, 1, ?, 'ok', ?, ?, '2024-01-02T03:04:05Z', "
                             "'jpg', ?)",
                             [(f"/evidence/f{n // 50}/img{n}.jpg", f"/evidence/f{n // 50}", f"img{n}.jpg", source, s,
                               1000 + n, run) for s, n in zip(shas, block, strict=True)])
            conn.executemany("INSERT INTO triage (sha256, state, stack_id, stack_size, queue_rank, reasons) VALUES "
                             "(?, 'unknown', ?, 10, ?, '[]')",
                             [(s, n // 10, n) for s, n in zip(shas, block, strict=True)])
            conn.executemany("INSERT INTO decisions (sha256, category, tags, version, user, time_utc) VALUES "
                             "(?, '1', '[]', 1, 'alice', '2026-01-02T00:00:00Z')",
                             [(s,) for s, n in zip(shas, block, strict=True) if n % 20 == 0])
    for n in range(5):
        audit.append(conn, "bench", {"n": n})
    conn.close()
    return case


CHILD = """
import json, resource, sys, time
from winnow.store.case_copy import copy_case
t = time.perf_counter()
r = copy_case(sys.argv[1], sys.argv[2], db_url=sys.argv[3] or None)
print(json.dumps({"seconds": time.perf_counter() - t, "rows": r.rows, "ok": r.ok,
                  "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def ours(source: Path, destination: Path, url: str | None) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-c", CHILD, str(source), str(destination), url or ""],
                          capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(done.stdout)
    result["rows_per_s"] = result["rows"] / result["seconds"]
    return result


def baseline(source: Any, admin: str, root: Path) -> dict[str, Any]:
    """sqlite3 -csv | psql \\copy, table by table, into a database holding the schema (seeded rows deleted)."""
    from winnow.store import db
    from winnow.store.case import Case, create_case
    from winnow.store.case_copy import TABLES, verify

    url = new_database(admin)
    create_case(root, name="baseline", examiner="bench", db_url=url)
    target = Case(root)
    import psycopg

    with psycopg.connect(url, autocommit=True) as c:
        c.execute("TRUNCATE " + ", ".join(TABLES) + " CASCADE")
    src = source.connect(readonly=True)
    columns = {t: db.table_columns(src, t) for t in TABLES}
    total = sum(src.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES)
    src.close()
    start = time.perf_counter()
    for table in TABLES:
        names = ", ".join(f'"{c}"' for c in columns[table])
        dump = subprocess.Popen(["sqlite3", "-csv", str(source.store), f"SELECT {names} FROM {table}"],
                                stdout=subprocess.PIPE)
        subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", url, "-c",
                        f"\\copy {table} ({names}) FROM STDIN WITH (FORMAT csv)"], stdin=dump.stdout, check=True)
        dump.wait()
    seconds = time.perf_counter() - start
    a, b = source.connect(readonly=True), target.connect(readonly=True)
    checks = verify(a, b)
    a.close()
    b.close()
    return {"seconds": seconds, "rows": total, "rows_per_s": total / seconds, "url": url,
            "differs": [c.table for c in checks if not c.ok]}


def _drop(admin: str, url: str) -> None:
    """drop_database, again after a moment when an autovacuum worker (the server's own role) is still in it."""
    import psycopg

    for _ in range(10):
        try:
            drop_database(admin, url)
            return
        except psycopg.errors.InsufficientPrivilege:
            time.sleep(1)
    drop_database(admin, url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=200_000)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="bench-copy-"))
    out: dict[str, Any] = {}
    urls = []
    try:
        with server() as admin:
            small = build(base / "small", args.items // 4)
            big = build(base / "big", args.items)
            print(f"built {args.items:,} and {args.items // 4:,} items on SQLite", flush=True)
            urls += [new_database(admin), new_database(admin)]
            out["ours_small"] = ours(small.root, base / "small-pg", urls[0])
            out["ours"] = ours(big.root, base / "big-pg", urls[1])
            print(f"ours: {out['ours']}, at a quarter: {out['ours_small']}", flush=True)
            out["baseline"] = baseline(big, admin, base / "baseline")
            urls.append(out["baseline"]["url"])
            print(f"baseline: {out['baseline']}", flush=True)
            out["back"] = ours(base / "big-pg", base / "back", None)
            print(f"PostgreSQL -> SQLite: {out['back']}", flush=True)
            for url in urls:
                _drop(admin, url)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    o, b, s, k = out["ours"], out["baseline"], out["ours_small"], out["back"]
    print("\n| measure | winnow case copy | baseline (sqlite3 -csv \\| psql \\copy) | ours / baseline |")
    print("|---|---|---|---|")
    print(f"| SQLite -> PostgreSQL, {args.items:,} items ({o['rows']:,} rows), rows/s | {o['rows_per_s']:,.0f} | "
          f"{b['rows_per_s']:,.0f} | {o['rows_per_s'] / b['rows_per_s']:.2f}x |")
    print(f"| wall seconds | {o['seconds']:.1f} | {b['seconds']:.1f} | |")
    print(f"| verified, same rows as the source | yes ({o['ok']}) | "
          f"{'no: ' + ', '.join(b['differs']) if b['differs'] else 'yes (checked here)'} | |")
    print(f"| peak memory of the copy, {args.items // 4:,} / {args.items:,} items | {s['maxrss_mb']:.0f} / "
          f"{o['maxrss_mb']:.0f} MB | | |")
    print(f"| PostgreSQL -> SQLite, {args.items:,} items, rows/s | {k['rows_per_s']:,.0f} ({k['seconds']:.1f} s) | "
          "(none applies) | |")


if __name__ == "__main__":
    main()
