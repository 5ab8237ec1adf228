"""The store layer (issue #13) costs nothing: `winnow ingest` of 2,000 small generated images and `winnow match` of
a case of 200,000 contents against a library of ~1M hashes, by the code before the store layer (commit 093c9ab, a
`git worktree` under /tmp run through PYTHONPATH) and by this tree, in the same run, alternating, median of
`--repeat` runs each (in ABBA order), wall and CPU time (the command's and its workers': the machine is shared,
and CPU time is what the code costs). The match runs twice: the exact set alone (1M MD5/SHA-1/SHA-256 records:
where the SQL changed, from one ATTACH join to batched IN (...) lookups on the set's own connection), and every
set (the exact
set plus 100k PDQ hashes at distance 31: the Hamming search, unchanged, dominates). Every match is a full one, on
a fresh copy of the case. Also measured, in process: the lookup strategy (IN chunks of 500 against a temporary
table of the case's values) and executemany inserts through sqlite3 vs SQLAlchemy Core when it is installed.

Goal: ingest and match within ±5 % of before (ratio after/before 0.95–1.05).
Prediction: ingest 1.00x (the writer's statements changed words, not work); exact match ~1.1x (the join becomes
a Python round trip: 600k values out of the case, ~1,200 IN lookups, 20k rows back), full match 1.00x.
Result (2026-12-03, load 7-11 on 2 cores): 6 runs each: wall after/before ingest 1.013, exact match 0.987, all
sets 1.048; CPU 1.024 / 1.018 / 0.992. An earlier 4-run series: CPU 1.013 / 0.991 / 0.916 (an exact-only set no
longer reads the image rows), wall 1.20 / 1.22 / 1.03 with a 2x spread between runs of the same code. Lookups:
sorted IN chunks 1.25 s, temporary table 3.23 s. Inserts: sqlite3 298k rows/s, SQLAlchemy Core 110k, Core
exec_driver_sql 229k. Table: docs/benchmarks.md ("Store layer").

Usage: python benchmarks/store_layer.py [--contents 200000] [--hashes 1000000] [--images 2000] [--repeat 4]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
BASE_COMMIT = "093c9ab"

# builds the case with the old code (its schema, version 11); the new code upgrades a copy when it opens it
BUILD_CASE = r"""
import hashlib, sys
from pathlib import Path
from winnow.store.case import create_case
root, contents, pdq_file = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
case = create_case(root, name="bench", examiner="bench")
conn = case.connect()
pdqs = Path(pdq_file).read_text().split()
conn.execute("BEGIN")
conn.execute("INSERT INTO runs (id, started_utc, command, status, tool_version, versions, settings) "
             "VALUES (1, 'x', 'bench', 'completed', 'x', '{}', '{}')")
conn.execute("INSERT INTO sources (id, path, kind, added_utc, run_id) VALUES (1, '/evidence', 'folder', 'x', 1)")
def h(kind, n):
    return hashlib.new(kind, f"content {n}".encode()).hexdigest()
conn.executemany("INSERT INTO content (sha256, md5, sha1, size, mime, kind, run_id) VALUES (?, ?, ?, 1000, "
                 "'image/jpeg', 'image', 1)", [(h("sha256", n), h("md5", n), h("sha1", n)) for n in range(contents)])
conn.executemany("INSERT INTO images (sha256, format, width, height, pdq, pdq_quality, run_id) VALUES "
                 "(?, 'JPEG', 640, 480, ?, 100, 1)", [(h("sha256", n), pdqs[n]) for n in range(contents)])
conn.executemany("INSERT INTO instances (chain, parent, name, depth, source_id, status, sha256, size, run_id) "
                 "VALUES (?, ?, ?, 0, 1, 'done', ?, 1000, 1)",
                 [(f"/evidence/f{n // 100}/{n}.jpg", f"/evidence/f{n // 100}", f"{n}.jpg", h("sha256", n))
                  for n in range(contents)])
conn.execute("COMMIT")
conn.close()
"""


def _hex(kind: str, n: int) -> str:
    return hashlib.new(kind, f"content {n}".encode()).hexdigest()


def _pdq_codes(n: int, seed: int) -> list[str]:
    import numpy as np

    return [bytes(row).hex() for row in np.random.default_rng(seed).integers(0, 256, size=(n, 32), dtype=np.uint8)]


def build_library(root: Path, hashes: int, contents: int) -> Path:
    """An exact set of `hashes` records (a tenth of them the case's own MD5, SHA-1 or SHA-256: 1 in 30 contents
    matches each way) and a PDQ set of 100k codes, 2,000 of them within 8 bits of a case image."""
    import numpy as np

    from winnow.hashsets.library import Library

    exact = root / "exact.txt"
    with exact.open("w") as f:
        for n in range(hashes):
            if n % 10 == 0 and n // 10 < contents:
                kind = ("md5", "sha1", "sha256")[(n // 10) % 3]
                value = _hex(kind, n // 10)
            else:
                kind = ("md5", "sha1", "sha256")[n % 3]
                value = _hex(kind, -n - 1)
            f.write(f"{kind.upper()} (f{n}) = {value}\n")
    case_pdqs = (root / "case_pdq.txt").read_text().split()
    rng = np.random.default_rng(7)
    known = _pdq_codes(100_000, seed=3)
    for k in range(2000):  # near copies of case images
        code = bytearray(bytes.fromhex(case_pdqs[k * (contents // 2000)]))
        for bit in rng.choice(256, size=8, replace=False):
            code[bit // 8] ^= 1 << (bit % 8)
        known[k] = code.hex()
    (root / "pdq.txt").write_text("\n".join(known) + "\n")
    library = Library(root / "library")
    library.import_file(exact, "exact", format_name="hashlist")
    library.import_file(root / "pdq.txt", "pdq", format_name="pdq-list")
    return root / "library"


def run(cli_path: str, args: list[str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the command and every process it started) of one CLI run."""
    env = dict(os.environ, PYTHONPATH=cli_path)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "winnow.cli", *args], check=True, cwd=cwd, env=env,
                   stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def make_images(folder: Path, count: int) -> None:
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(1)
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        base = rng.integers(0, 256, size=(3,))
        pixels = (np.linspace(0, 1, 96)[None, :, None] * base + rng.integers(0, 40, size=(96, 96, 3))).clip(0, 255)
        Image.fromarray(pixels.astype(np.uint8)).save(folder / f"img{n:05d}.jpg", quality=85)


def lookups(library: Path, contents: int) -> dict[str, float]:
    """Seconds to look up the case's 3 x `contents` hashes in the exact set: IN chunks of 500 vs a temp table."""
    from winnow.hashsets.library import Library
    from winnow.store import hashset_library as hsdb

    conn = hsdb.open_readonly(Library(library).get("exact").path)
    found: dict[str, float] = {}
    values = {kind: [_hex(kind, n) for n in range(contents)] for kind in ("md5", "sha1", "sha256")}
    start = time.perf_counter()
    hits_in = sum(len(hsdb.records_for(conn, kind, v)) for kind, v in values.items())
    found["in_chunks_500"] = time.perf_counter() - start
    start = time.perf_counter()
    hits_temp = 0
    for kind, v in values.items():
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (value TEXT PRIMARY KEY)")
        conn.execute("DELETE FROM wanted")
        conn.executemany("INSERT INTO wanted (value) VALUES (?)", [(x,) for x in v])
        hits_temp += len(conn.execute("SELECT r.value, r.category FROM wanted w JOIN records r ON r.value = w.value "
                                      "AND r.hash_type = ?", (kind,)).fetchall())
    found["temp_table"] = time.perf_counter() - start
    assert hits_in == hits_temp, (hits_in, hits_temp)
    found["hits"] = hits_in
    conn.close()
    return found


def inserts(rows: int) -> dict[str, float]:
    """rows/s of the writer's widest insert (instances, 18 columns) through sqlite3 and through SQLAlchemy Core."""
    import sqlite3

    data = [(f"/e/{n}", "/e", f"{n}", None, 0, 1, "done", None, 1000, "t", "t", "t", "fs", "jpg", "jpeg", 0, None, 1)
            for n in range(rows)]
    columns = ("chain, parent, name, name_raw, depth, source_id, status, sha256, size, mtime, atime, ctime, "
               "time_source, extension, detected_type, extension_mismatch, link_target, run_id")
    ddl = (f"CREATE TABLE instances (id INTEGER PRIMARY KEY, chain TEXT NOT NULL UNIQUE, "
           f"{', '.join(c + ' ' for c in columns.split(', ')[1:])})")
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        conn = sqlite3.connect(Path(tmp) / "a.sqlite", isolation_level=None)
        conn.execute(ddl)
        start = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(f"INSERT INTO instances ({columns}) VALUES ({', '.join('?' * 18)}) ON CONFLICT DO NOTHING",
                         data)
        conn.execute("COMMIT")
        out["sqlite3"] = rows / (time.perf_counter() - start)
        conn.close()
        try:
            import sqlalchemy as sa
        except ImportError:
            return out
        engine = sa.create_engine(f"sqlite:///{Path(tmp) / 'b.sqlite'}")
        meta = sa.MetaData()
        table = sa.Table("instances", meta, sa.Column("id", sa.Integer, primary_key=True),
                         sa.Column("chain", sa.Text, nullable=False, unique=True),
                         *[sa.Column(c, sa.Text) for c in columns.split(", ")[1:]])
        meta.create_all(engine)
        names = columns.split(", ")
        dicts = [dict(zip(names, row, strict=True)) for row in data]
        from sqlalchemy.dialects.sqlite import insert

        start = time.perf_counter()
        with engine.begin() as sconn:
            sconn.execute(insert(table).on_conflict_do_nothing(), dicts)
        out["sqlalchemy_core"] = rows / (time.perf_counter() - start)
        start = time.perf_counter()
        with engine.begin() as sconn:  # Core's text() with the tuples we already have (no dicts)
            sconn.exec_driver_sql(f"INSERT INTO instances ({columns}) VALUES ({', '.join('?' * 18)}) "
                                  "ON CONFLICT DO NOTHING", [(f"/f/{r[0]}", *r[1:]) for r in data])
        out["sqlalchemy_driver_sql"] = rows / (time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contents", type=int, default=200_000)
    parser.add_argument("--hashes", type=int, default=1_000_000)
    parser.add_argument("--images", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=4)
    parser.add_argument("--base", type=Path, default=Path("/tmp/store-base"),
                        help=f"a git worktree of {BASE_COMMIT} (made when missing)")
    args = parser.parse_args()
    if not (args.base / "src" / "winnow").is_dir():
        subprocess.run(["git", "worktree", "add", "--detach", str(args.base), BASE_COMMIT], cwd=HERE, check=True,
                       stdout=subprocess.DEVNULL)
    before, after = str(args.base / "src"), str(HERE / "src")
    work = Path(tempfile.mkdtemp(prefix="bench-store-"))
    try:
        print(f"building: {args.images} images, a case of {args.contents:,} contents, {args.hashes:,} + 100,000 "
              "library hashes ...", flush=True)
        (work / "case_pdq.txt").write_text("\n".join(_pdq_codes(args.contents, seed=5)) + "\n")
        make_images(work / "images", args.images)
        library = build_library(work, args.hashes, args.contents)
        env = dict(os.environ, PYTHONPATH=before)
        subprocess.run([sys.executable, "-c", BUILD_CASE, str(work / "case0"), str(args.contents),
                        str(work / "case_pdq.txt")], check=True, env=env)
        # the new code's copy, upgraded to schema 12 once (not timed: an upgrade happens once per case)
        shutil.copytree(work / "case0", work / "case1")
        run(after, ["case", "info", "--case", str(work / "case1")], work)
        times: dict[tuple[str, str], list[tuple[float, float]]] = {}
        pair = (("before", before, "case0"), ("after", after, "case1"))
        for rep in range(args.repeat):  # ABBA: neither tree always runs first while the load changes
            for label, code, seed in (pair if rep % 2 == 0 else pair[::-1]):
                case = work / f"ingest-{label}-{rep}"
                run(code, ["case", "create", str(case), "--name", "b", "--examiner", "b"], work)
                times.setdefault(("ingest", label), []).append(
                    run(code, ["ingest", str(work / "images"), "--case", str(case), "--json"], work))
                for what, sets in (("match exact", ["--sets", "exact"]), ("match all", [])):
                    copy = work / f"m-{label}"
                    shutil.rmtree(copy, ignore_errors=True)
                    shutil.copytree(work / seed, copy)
                    times.setdefault((what, label), []).append(
                        run(code, ["match", "--case", str(copy), "--library", str(library), *sets, "--json"], work))
        check = {}
        for label in ("before", "after"):
            copy = work / f"m-{label}"
            out = subprocess.run([sys.executable, "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
                                  "print(c.execute('SELECT set_name, hash_type, count(*) FROM matches GROUP BY 1, 2 "
                                  "ORDER BY 1, 2').fetchall())", str(copy / "case.sqlite")],
                                 check=True, capture_output=True, text=True)
            check[label] = out.stdout.strip()
        print(f"\nmatches, before: {check['before']}\nmatches, after:  {check['after']}")
        assert check["before"] == check["after"], "the store layer changed what matches"
        print(f"\nload average at the end: {os.getloadavg()[0]:.1f} (2 cores)")
        print(f"\n| run ({args.repeat} each, median) | before (093c9ab) wall s | after wall s | wall after/before "
              "| before CPU s | after CPU s | CPU after/before |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for what in ("ingest", "match exact", "match all"):
            b = [statistics.median(x[i] for x in times[(what, "before")]) for i in (0, 1)]
            a = [statistics.median(x[i] for x in times[(what, "after")]) for i in (0, 1)]
            print(f"| {what} | {b[0]:.2f} | {a[0]:.2f} | {a[0] / b[0]:.3f} | {b[1]:.2f} | {a[1]:.2f} | "
                  f"{a[1] / b[1]:.3f} |")
        print("\nall runs (wall, CPU):", json.dumps({f"{k[0]} {k[1]}": [(round(w, 2), round(c, 2)) for w, c in v]
                                                    for k, v in times.items()}))
        found = lookups(library, args.contents)
        print(f"\nexact lookups of {3 * args.contents:,} case hashes in the {args.hashes:,}-record set "
              f"({found['hits']:,} hits): IN chunks of 500 {found['in_chunks_500']:.2f} s, temporary table "
              f"{found['temp_table']:.2f} s")
        speeds = inserts(200_000)
        print("executemany of 200,000 instances rows: " +
              ", ".join(f"{k} {v:,.0f} rows/s" for k, v in speeds.items()))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
