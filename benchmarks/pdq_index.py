"""PDQ index benchmark: winnow's exact multi-index-hashing index against faiss `IndexBinaryFlat` range search
(brute force, exact) on the same data: 10M indexed hashes (random, plus planted near-duplicates of the queries at
distances 0-40) and 100k queries (half planted, half random); radius 31.

faiss is brute force (10M x 32 B scanned per query), so it runs on a sample of the queries (`--faiss-queries`)
and its results there are the ground truth for recall; on all queries, recall is also checked against the
planted pairs. Each side runs in its own subprocess so its peak RSS is its own.

Goal (issue #3): >= 4,000 queries/s on 2 cores at 10M, 100 % recall, <= 2 GB RAM.
Prediction (before the first run): 16 substrings of 16 bits, probe radius 1 -> 272 buckets of ~150 codes per
query -> ~41k candidate checks per query -> ~5-8k queries/s on 2 threads; build ~15 s; ~1.1 GB.
Result of that first design at 1M: 4,000 queries/s, dominated by ~80k random memory reads per query (the
arithmetic is cheap) -> it would fall to ~300/s at 10M. Redesign: ten 24-bit substrings at probe radius 2 plus
one 16-bit at radius 1 (sum of radius+1 = 32 > 31): ~3k bucket lookups and ~4k candidates per query.

Usage: python benchmarks/pdq_index.py [--size N] [--queries N] [--faiss-queries N]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

CACHE = Path(__file__).resolve().parent.parent / ".bench"


def make_data(size: int, queries: int, seed: int = 7) -> Path:
    folder = CACHE / f"pdq-{size}-{queries}-{seed}"
    if (folder / "done").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, 256, (size, 32), dtype=np.uint8)
    planted = queries // 2
    rows = rng.choice(size, planted, replace=False)
    q = rng.integers(0, 256, (queries, 32), dtype=np.uint8)
    dists = rng.integers(0, 41, planted)
    for i, (row, d) in enumerate(zip(rows, dists, strict=True)):
        code = codes[row].copy()
        for b in rng.choice(256, d, replace=False):
            code[b // 8] ^= 1 << (b % 8)
        q[i] = code
    np.save(folder / "codes.npy", codes)
    np.save(folder / "queries.npy", q)
    np.save(folder / "planted.npy", np.stack([np.arange(planted), rows, dists], axis=1))
    (folder / "done").write_text("ok")
    return folder


def run_ours(folder: Path) -> dict[str, object]:
    from winnow.match.hamming import HammingIndex

    codes = np.load(folder / "codes.npy")
    queries = np.load(folder / "queries.npy")
    start = time.perf_counter()
    index = HammingIndex(codes, max_radius=31)
    build = time.perf_counter() - start
    start = time.perf_counter()
    q, ids, d = index.search(queries)
    seconds = time.perf_counter() - start
    np.save(folder / "ours.npy", np.stack([q, ids, d], axis=1))
    return {"build_s": build, "search_s": seconds, "qps": len(queries) / seconds, "pairs": int(len(q)),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def run_faiss(folder: Path, n_queries: int) -> dict[str, object]:
    import faiss

    codes = np.load(folder / "codes.npy")
    queries = np.load(folder / "queries.npy")
    sample = np.random.default_rng(1).choice(len(queries), min(n_queries, len(queries)), replace=False)
    sample.sort()
    start = time.perf_counter()
    index = faiss.IndexBinaryFlat(256)
    index.add(codes)
    build = time.perf_counter() - start
    start = time.perf_counter()
    lims, dist, labels = index.range_search(queries[sample], 32)  # keeps d < 32, i.e. <= 31
    seconds = time.perf_counter() - start
    pairs = [(int(sample[i]), int(labels[j])) for i in range(len(sample)) for j in range(lims[i], lims[i + 1])]
    np.save(folder / "faiss.npy", np.array(pairs, dtype=np.int64).reshape(-1, 2))
    np.save(folder / "faiss_sample.npy", sample)
    return {"build_s": build, "search_s": seconds, "qps": len(sample) / seconds, "pairs": len(pairs),
            "queries": int(len(sample)), "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=10_000_000)
    parser.add_argument("--queries", type=int, default=100_000)
    parser.add_argument("--faiss-queries", type=int, default=1_000)
    parser.add_argument("--side", choices=["ours", "faiss"], help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        result = run_ours(args.folder) if args.side == "ours" else run_faiss(args.folder, args.faiss_queries)
        print(json.dumps(result))
        return
    folder = make_data(args.size, args.queries)
    sides = {}
    for side in ("ours", "faiss"):
        out = subprocess.run([sys.executable, __file__, "--side", side, "--folder", str(folder), "--faiss-queries",
                              str(args.faiss_queries)], capture_output=True, text=True, check=True)
        sides[side] = json.loads(out.stdout)
    ours = np.load(folder / "ours.npy")
    ours_pairs = {(int(a), int(b)) for a, b, _ in ours}
    sample = set(np.load(folder / "faiss_sample.npy").tolist())
    truth = {(int(a), int(b)) for a, b in np.load(folder / "faiss.npy")}
    ours_on_sample = {p for p in ours_pairs if p[0] in sample}
    recall_bf = len(truth & ours_on_sample) / max(1, len(truth))
    planted = np.load(folder / "planted.npy")
    expected = {(int(q), int(r)) for q, r, d in planted if d <= 31}
    recall_planted = len(expected & ours_pairs) / max(1, len(expected))
    o, f = sides["ours"], sides["faiss"]
    print(f"# PDQ index — {args.size:,} hashes, {args.queries:,} queries (faiss on {f['queries']:,}), radius 31")
    print("| index | build s | queries/s | peak RSS MB | recall vs brute force | recall on planted pairs |")
    print("|---|---|---|---|---|---|")
    layout = "10 x 24 + 16 bit" if args.size >= 1 << 20 else "16 x 16 bit"
    print(f"| winnow MIH ({layout}) | {o['build_s']:.1f} | {o['qps']:,.0f} | {o['peak_rss_mb']:,.0f} | "
          f"{recall_bf:.2%} (extra pairs: {len(ours_on_sample - truth)}) | {recall_planted:.2%} "
          f"({len(expected):,} pairs) |")
    print(f"| faiss IndexBinaryFlat range_search | {f['build_s']:.1f} | {f['qps']:,.0f} | {f['peak_rss_mb']:,.0f} "
          f"| 100% (reference) | — |")
    print(f"\nratio (queries/s): {o['qps'] / f['qps']:.0f}x")


if __name__ == "__main__":
    main()
