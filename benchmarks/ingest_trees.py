"""Ingest speed of two source trees of winnow on the same corpora, runs alternating (before, after, before, ...)
so that both see the same machine load: `benchmarks/ingest.py`'s own run of `winnow ingest --workers 2` on its
cached 1 MP JPEG and tiny-file corpora. Used for refactors that must not slow ingest (issue #12); not part of
`make bench` (it needs a second tree: `git archive REV src | tar -x -C DIR`).

Prediction (issue #12, before the run): no change beyond noise — the refactor moved modules and replaced string
tests, nothing on the per-file path. Result: docs/benchmarks.md ("Ingest before/after the house refactor").

Usage: python benchmarks/ingest_trees.py BEFORE_SRC AFTER_SRC [--reps 5] [--corpora jpeg1,tiny]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ingest  # noqa: E402  (the sibling benchmark: its corpora and its run of winnow)

CORPORA = {"jpeg1": ("1 MP JPEG", 400, [1]), "tiny": ("tiny files (2 KB text)", 20000, [])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--corpora", default="jpeg1,tiny")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    trees = {"before": args.before, "after": args.after}
    print("| corpus | files | before files/s (median of runs) | after files/s (median) | after / before | runs |")
    print("|---|---|---|---|---|---|")
    for key in args.corpora.split(","):
        label, count, mps = CORPORA[key]
        folder = ingest.make_corpus(key, count, mps, seed=len(key))
        rates: dict[str, list[float]] = {t: [] for t in trees}
        for _ in range(args.reps):
            for tree, src in trees.items():
                os.environ["PYTHONPATH"] = str(src.resolve())
                run = ingest.ours(folder, args.workers)
                rates[tree].append(run["files"] / run["seconds"])
        b, a = statistics.median(rates["before"]), statistics.median(rates["after"])
        shown = "; ".join(f"{t} " + ", ".join(f"{r:.0f}" for r in v) for t, v in rates.items())
        print(f"| {label} | {count} | {b:.1f} | {a:.1f} | {a / b:.2f}x | {shown} |", flush=True)


if __name__ == "__main__":
    main()
