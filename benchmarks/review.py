"""Review app speed (issue #7, point 8): a generated case of 100k items (a 5,000-item near-duplicate stack, the
rest in stacks of 10 and folders of 50), thumbnails in the case; server time measured in process (FastAPI's test
client, no network) for the queue page, the first grid page of the 5,000-item group, and the keyboard decision
round trip (POST /decide, median over 200). Beside it, the straightforward grid: the whole group on one page.

Goals: first grid page of a 5,000-item group <= 300 ms; decision round trip <= 50 ms (median of 200).
Prediction: grid page ~ 40 ms (one indexed query of 5,000 rows, 120 rendered), whole group ~ 600 ms; decision
~ 8 ms (one transaction, one audit row).
Result: grid page 19 ms (whole group 105 ms), page 31 21 ms, queue 181 ms, decision 4.7 ms: the grid query is
cheaper than predicted (the stack index); the queue aggregates all 100k items on each load.

Usage: python benchmarks/review.py [--items 100000]
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any


def build(root: Path, items: int) -> Any:
    from PIL import Image

    from winnow.store.case import create_case
    from winnow.web import users

    case = create_case(root, name="bench", examiner="bench")
    thumb = root / "thumbnails" / "00" / "shared.jpg"
    thumb.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (256, 192), (90, 110, 130)).save(thumb, "JPEG")
    conn = case.connect()
    conn.execute("BEGIN")
    conn.execute("INSERT INTO runs (id, started_utc, command, status, tool_version, versions, settings) "
                 "VALUES (1, 'x', 'bench', 'done', 'x', '{}', '{}')")
    conn.execute("INSERT INTO sources (id, path, kind, added_utc, run_id) VALUES (1, '/evidence', 'folder', 'x', 1)")
    rows = []
    for n in range(items):
        sha = f"{n:064x}"
        stack = 1 if n < 5000 else (2 + (n - 5000) // 10 if n < items // 2 else None)
        rows.append((sha, stack, n))
    conn.executemany("INSERT INTO content (sha256, md5, sha1, size, mime, kind, run_id) VALUES "
                     "(?, substr(?, 1, 32), substr(?, 1, 40), 1000, 'image/jpeg', 'image', 1)",
                     [(s, s, s) for s, _, _ in rows])
    conn.executemany("INSERT INTO images (sha256, format, width, height, thumbnail, run_id) VALUES "
                     "(?, 'JPEG', 1600, 1200, 'thumbnails/00/shared.jpg', 1)", [(s,) for s, _, _ in rows])
    conn.executemany("INSERT INTO instances (chain, parent, name, depth, source_id, status, sha256, size, run_id) "
                     "VALUES (?, ?, ?, 1, 1, 'done', ?, 1000, 1)",
                     [(f"/evidence/f{n // 50}/img{n}.jpg", f"/evidence/f{n // 50}", f"img{n}.jpg", s)
                      for s, _, n in rows])
    conn.executemany("INSERT INTO triage (sha256, state, stack_id, stack_size, queue_rank, reasons) VALUES "
                     "(?, 'unknown', ?, 1, ?, '[]')", [(s, st, n) for s, st, n in rows])
    conn.execute("COMMIT")
    users.add(conn, "bench", "reviewer", "bench-password-1")
    conn.close()
    return case


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=100_000)
    args = parser.parse_args()
    from fastapi.testclient import TestClient

    from winnow.store import review
    from winnow.web.app import create_app

    root = Path(tempfile.mkdtemp(prefix="bench-review-")) / "case"
    start = time.perf_counter()
    case = build(root, args.items)
    print(f"case of {args.items:,} items built in {time.perf_counter() - start:.0f} s")
    client = TestClient(create_app(case), base_url="https://testserver", follow_redirects=False)
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)  # type: ignore[union-attr]
    client.post("/login", data={"name": "bench", "password": "bench-password-1", "csrf": token})
    csrf = re.search(r'data-csrf="([^"]+)"', client.get("/queue", headers={"accept": "text/html"}).text
                     ).group(1)  # type: ignore[union-attr]

    def timed(call: Any, n: int) -> float:
        times = []
        for _ in range(n):
            t = time.perf_counter()
            response = call()
            times.append(time.perf_counter() - t)
            assert response.status_code == 200, response.text[:200]
        return statistics.median(times) * 1000

    grid = timed(lambda: client.get("/group/stack:1", headers={"accept": "text/html"}), 20)
    later = timed(lambda: client.get("/group/stack:1?page=30", headers={"accept": "text/html"}), 20)
    queue = timed(lambda: client.get("/queue", headers={"accept": "text/html"}), 5)
    conn = case.connect()
    shas = [r[0] for r in conn.execute("SELECT sha256 FROM triage WHERE stack_id = 1 ORDER BY queue_rank LIMIT 200")]
    conn.close()
    it = iter(shas)
    decide = timed(lambda: (lambda s: client.post("/decide", headers={"x-csrf-token": csrf},
                                                  json={"items": [s], "category": "0", "versions": {s: 0}}))(next(it)),
                   200)
    page_size = review.PAGE
    review.PAGE = 5000  # the straightforward grid: every item of the group at once
    try:
        whole = timed(lambda: client.get("/group/stack:1", headers={"accept": "text/html"}), 5)
    finally:
        review.PAGE = page_size
    print("\n| measure | winnow | straightforward (whole group on one page) | ratio |")
    print("|---|---|---|---|")
    print(f"| first grid page of a 5,000-item group (median of 20) | {grid:.0f} ms | {whole:.0f} ms | "
          f"{whole / grid:.1f}x |")
    print(f"| page 31 of that group (median of 20) | {later:.0f} ms | | |")
    print(f"| queue page ({args.items:,} items in groups, median of 5) | {queue:.0f} ms | | |")
    print(f"| keyboard decision round trip (median of 200) | {decide:.1f} ms | | |")


if __name__ == "__main__":
    main()
