"""Hash-set import benchmark: 10M hashes (md5sum-style list) through `winnow hashset import`, against a
straightforward importer (read every line into a list, validate, insert into an indexed SQLite table), each in its
own subprocess (peak RSS is its own). A VICS 2.0 JSON set of 1M media (MD5 + SHA1 each: 2M hashes) shows the
streamed JSON path.

Goal (issue #3): 10M hashes imported in <= 3 minutes with RSS <= 2 GB.
Prediction (before the first run): ~1.5 us/line parse+validate, ~2 us/row SQLite insert, index after load
~15 s -> ~60 s, RSS < 200 MB; the straightforward importer holds all rows (~1.5 GB) and maintains the index
during inserts -> ~2x slower.

Usage: python benchmarks/hashset_import.py [--size N] [--vics-media N]
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

CACHE = Path(__file__).resolve().parent.parent / ".bench"


def make_list(size: int) -> Path:
    path = CACHE / f"md5-{size}.txt"
    if path.exists():
        return path
    CACHE.mkdir(exist_ok=True)
    rng = np.random.default_rng(3)
    with path.open("w") as f:
        for start in range(0, size, 1_000_000):
            n = min(1_000_000, size - start)
            text = rng.bytes(16 * n).hex()
            f.write("\n".join(f"{text[32 * i:32 * i + 32]}  file_{start + i}.jpg" for i in range(n)) + "\n")
    return path


def make_vics(media: int) -> Path:
    path = CACHE / f"vics-{media}.json"
    if path.exists():
        return path
    rng = np.random.default_rng(4)
    with path.open("w") as f:
        f.write('{"@odata.context": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Media",'
                '\n"value": [\n')
        for start in range(0, media, 100_000):
            n = min(100_000, media - start)
            md5 = rng.bytes(16 * n).hex()
            sha1 = rng.bytes(20 * n).hex()
            f.write(",\n".join(json.dumps({"MediaID": start + i, "Category": int(i % 5), "MD5": md5[32 * i:32 * i + 32],
                                           "SHA1": sha1[40 * i:40 * i + 40], "Series": f"S{i % 97}",
                                           "VictimIdentified": bool(i % 2), "IsDistributed": True})
                               for i in range(n)))
            f.write(",\n" if start + n < media else "\n")
        f.write("]}\n")
    return path


def ours(path: Path) -> dict[str, float]:
    from winnow.hashsets.library import Library

    library = Library(Path(tempfile.mkdtemp(prefix="bench-lib-")))
    start = time.perf_counter()
    result = library.import_file(path, "bench")
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "records": sum(result.counts.values()), "issues": result.issues,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def baseline(path: Path) -> dict[str, float]:
    start = time.perf_counter()
    rows = []
    pattern = re.compile(r"^[0-9a-f]{32}$")
    for line in path.read_text().splitlines():
        value = line.split()[0].lower()
        if pattern.match(value):
            rows.append(("md5", value, line.split(None, 1)[1] if " " in line else None))
    conn = sqlite3.connect(Path(tempfile.mkdtemp(prefix="bench-naive-")) / "set.sqlite")
    conn.execute("CREATE TABLE records (hash_type TEXT, value TEXT, name TEXT)")
    conn.execute("CREATE INDEX records_value ON records(value, hash_type)")
    conn.executemany("INSERT INTO records VALUES (?, ?, ?)", rows)
    conn.commit()
    conn.close()
    return {"seconds": time.perf_counter() - start, "records": len(rows), "issues": 0,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=10_000_000)
    parser.add_argument("--vics-media", type=int, default=1_000_000)
    parser.add_argument("--side", choices=["ours", "baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        print(json.dumps(ours(args.file) if args.side == "ours" else baseline(args.file)))
        return
    listing, vics = make_list(args.size), make_vics(args.vics_media)

    def run(side: str, path: Path) -> dict[str, float]:
        out = subprocess.run([sys.executable, __file__, "--side", side, "--file", str(path)], capture_output=True,
                             text=True, check=True)
        return json.loads(out.stdout)

    print("| input | importer | hashes | seconds | hashes/s | peak RSS MB |")
    print("|---|---|---|---|---|---|")
    results = {}
    for label, side, path in ((f"{args.size:,} MD5 lines (md5sum)", "ours", listing),
                              (f"{args.size:,} MD5 lines (md5sum)", "baseline", listing),
                              (f"VICS 2.0 JSON, {args.vics_media:,} media", "ours", vics)):
        r = run(side, path)
        results[(side, path)] = r
        name = "winnow hashset import" if side == "ours" else "straightforward (list + indexed inserts)"
        print(f"| {label} | {name} | {r['records']:,} | {r['seconds']:.1f} | {r['records'] / r['seconds']:,.0f} | "
              f"{r['peak_rss_mb']:,.0f} |", flush=True)
    o, b = results[("ours", listing)], results[("baseline", listing)]
    print(f"\nratio on the list (time): {b['seconds'] / o['seconds']:.1f}x; "
          f"RSS {b['peak_rss_mb'] / o['peak_rss_mb']:.1f}x")


if __name__ == "__main__":
    main()
