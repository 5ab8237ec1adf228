"""Executors benchmark (issue #13): the Dask executor with 2 workers (its own LocalCluster on 127.0.0.1) against
the local process pool with 2 workers, same corpus — 400 1 MP JPEGs and 6 generated videos of 30 s (3 camera-like,
3 call-like) — whole CLI runs as subprocesses, alternated, best of --repeat. Throughput is reported on the run's
own clock (`this_run.seconds`: planning, processing, writing) and on the whole process (start-up included).

Goal: Dask >= 0.9x the local pool's throughput.

Prediction (written before the first run): the run loop ~0.9-0.95x (batches of up to 64 files make the per-task
cost negligible, but the scheduler, the nannies and the workers' event loops share the 2 cores with the work);
whole process ~0.75x (the LocalCluster's ~0.5 s start).

Usage: python benchmarks/executors.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import proctree  # noqa: E402
from ingest import CACHE, files_of, make_corpus  # noqa: E402

WINNOW = [sys.executable, "-m", "winnow.cli"]


def corpus() -> Path:
    """The 1 MP photos (hard links into a folder of their own) and the videos, generated once under .bench/."""
    folder = CACHE / "executors-mixed"
    marker = CACHE / "executors-mixed.complete"
    if marker.exists():
        return folder
    from winnow.sample import calls as sample

    photos = make_corpus("jpeg1", 400, [1], seed=len("jpeg1"))
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "photos").mkdir(parents=True)
    for p in files_of(photos):
        target = folder / "photos" / p.relative_to(photos)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(p, target)
    for i in range(3):
        sample.camera_video(folder / "videos" / f"camera_{i}.mp4", 40 + i, style=i, seconds=30)
        sample.call_video(folder / "videos" / f"call_{i}.mp4", 50 + i, style=i, seconds=30)
    marker.write_text("ok")
    return folder


def run(folder: Path, executor: str, workers: int) -> tuple[float, float, float, int]:
    """(run s, whole-process s, CPU s of the whole process tree, files)."""
    case = Path(tempfile.mkdtemp(prefix="bench-exec-")) / "case"
    subprocess.run([*WINNOW, "case", "create", str(case), "--name", "b", "--examiner", "b"], check=True,
                   capture_output=True)
    wall, cpu, stdout = proctree.run([*WINNOW, "ingest", str(folder), "--case", str(case), "--workers",
                                      str(workers), "--executor", executor, "--json"])
    summary = json.loads(stdout)
    shutil.rmtree(case.parent, ignore_errors=True)
    return summary["this_run"]["seconds"], wall, cpu, summary["this_run"]["source_files"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    mixed = corpus()
    print(f"# executors benchmark — {args.workers} workers, {os.cpu_count()} cores, best of {args.repeat}")
    print("| corpus | executor | run s | files/s (run) | whole process s | files/s (whole) | CPU s (all processes) |")
    print("|---|---|---|---|---|---|---|")
    notes = []
    for label, folder in (("400 x 1 MP JPEG + 6 x 30 s video", mixed), ("400 x 1 MP JPEG", mixed / "photos")):
        results: dict[str, list[tuple[float, float, float]]] = {"local": [], "dask": []}
        files = 0
        for _ in range(args.repeat):  # alternated, so that a busy moment of the shared machine hits both
            for executor in ("local", "dask"):
                seconds, wall, cpu, files = run(folder, executor, args.workers)
                results[executor].append((seconds, wall, cpu))
        best = {k: tuple(min(r[i] for r in v) for i in range(3)) for k, v in results.items()}
        for executor, (seconds, wall, cpu) in best.items():
            print(f"| {label} ({files} files) | {executor} | {seconds:.2f} | {files / seconds:.0f} | {wall:.2f} | "
                  f"{files / wall:.0f} | {cpu:.1f} |", flush=True)
        notes.append(f"{label}: Dask / local throughput: run {best['local'][0] / best['dask'][0]:.2f}x, whole "
                     f"process {best['local'][1] / best['dask'][1]:.2f}x (goal >= 0.9x), CPU per file "
                     f"{best['local'][2] / best['dask'][2]:.2f}x; all runs (run s, whole s, CPU s) "
                     + json.dumps({k: [[round(x, 2) for x in r] for r in v] for k, v in results.items()}))
    print()
    for note in notes:
        print(note)
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")

if __name__ == "__main__":
    main()
