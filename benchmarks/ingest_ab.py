"""Ingest before and after a change, in one run: the same corpus (1 MP JPEG photos, a few PNG screenshots and
short generated videos) ingested by the code of a base revision (checked out in a temporary git worktree) and by
the working tree, alternating A/B/A/B so that the shared machine's noise falls on both; the median whole-CLI wall
time and CPU time (all processes) of each, and the ratios. CPU time is the steadier figure on a shared machine.

Issue #12 asks that the signal registry leave ingest no slower. Prediction (before the first run): the registry
adds one generic loop and one UNION query per content in place of two hand-written calls: < 1 % of the ~4 ms a
1 MP image costs, so a ratio of 1.00 ± the noise (~3 % here).

Usage: python benchmarks/ingest_ab.py [--base 093c9ab] [--photos 300] [--videos 4] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def corpus(folder: Path, photos: int, videos: int) -> None:
    from winnow.sample import calls as sample_calls
    from winnow.sample.photos import photo

    folder.mkdir(parents=True)
    for i in range(photos):
        photo(i, (1155, 866)).save(folder / f"p{i:04d}.jpg", quality=88)
    for i in range(max(1, photos // 20)):
        photo(5000 + i, (1366, 768)).save(folder / f"s{i:03d}.png")
    for i in range(videos):
        if i % 2:
            sample_calls.call_video(folder / f"v{i}.mp4", i, style=i % 3, seconds=6)
        else:
            sample_calls.camera_video(folder / f"v{i}.mp4", i, style=0, seconds=6)


def ingest(src: Path, evidence: Path, work: Path, label: str) -> tuple[float, float]:
    """Wall seconds and CPU seconds (all processes of the run: the CLI and its workers)."""
    case = work / f"case-{label}-{time.monotonic_ns()}"
    env = {**os.environ, "PYTHONPATH": str(src)}
    cli = [sys.executable, "-m", "winnow.cli"]
    subprocess.run([*cli, "case", "create", str(case), "--name", "ab", "--examiner", "b"], env=env, check=True,
                   capture_output=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([*cli, "ingest", str(evidence), "--case", str(case), "--workers", "2"], env=env, check=True,
                   capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="093c9ab")
    parser.add_argument("--photos", type=int, default=300)
    parser.add_argument("--videos", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        base = work / "base"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(base), args.base], check=True)
        try:
            evidence = work / "evidence"
            corpus(evidence, args.photos, args.videos)
            times: dict[str, list[tuple[float, float]]] = {"base": [], "now": []}
            for _ in range(args.rounds):
                times["base"].append(ingest(base / "src", evidence, work, "base"))
                times["now"].append(ingest(ROOT / "src", evidence, work, "now"))
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)], check=True)
    items = args.photos + max(1, args.photos // 20) + args.videos
    print(f"| ingest of {items} files, 2 workers (median of {args.rounds}) | base {args.base} | now | ratio now/base |")
    print("|---|---|---|---|")
    for i, what in ((0, "whole CLI run, wall s"), (1, "CPU s, all processes")):
        b = statistics.median(t[i] for t in times["base"])
        n = statistics.median(t[i] for t in times["now"])
        print(f"| {what} | {b:.2f} | {n:.2f} | **{n / b:.3f}** |")
    print(f"runs (wall, cpu): base {[tuple(round(x, 2) for x in t) for t in times['base']]}, "
          f"now {[tuple(round(x, 2) for x in t) for t in times['now']]}")

if __name__ == "__main__":
    main()
