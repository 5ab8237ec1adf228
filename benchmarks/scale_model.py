"""Scaling model for docs/scale.md (issue #13): per-item costs measured on this machine, and from them the predicted
wall time of the motivating collection (8M images, 4M videos of 3 min) on 1, 8 and 32 machines of 16 cores, with
the first bottleneck named.

    python benchmarks/scale_model.py --measure   # measures here (~3 min), writes benchmarks/scale_costs.json
    python benchmarks/scale_model.py             # the table from benchmarks/scale_costs.json (reproducible)
    python benchmarks/scale_model.py --remeasure images|dask|writer   # one cost again

Measured (CPU seconds of one process, so that the other sessions sharing this machine do not inflate them):
- an image: the worker's whole per-file path (`Processor.disk_file`: read, MD5/SHA-1/SHA-256, reduced JPEG decode,
  8 PDQ hashes, EXIF, thumbnail, call-score gate) on generated 1 MP and 12 MP JPEGs;
- a video minute: the same path on 6 generated videos of 30 s (3 camera-like, 3 call-like; 360x640 to
  1536x864), triage mode, call-recording scoring (OCR where the cheap signals ask for it) included;
- call scoring alone: `calls --rescan`'s per-item function on the same videos (decode + scoring, no hashing);
- the Dask per-task cost: 400 empty batches through a 2-worker LocalCluster, in flight 4: CPU ms a task of the
  process that runs the scheduler and the client (the scheduler is single-threaded: that is its limit), and wall ms;
- the writer: 20,000 image records (content, image, instance rows) into a fresh SQLite case, batches of 500
  (CPU seconds of the writing thread; the commits' fsyncs are not counted).

Assumed (not measurable here; change them with the flags): the image mix (half messaging-app pictures of ~1 MP,
half camera photos of ~12 MP), 2 MB an image and 4 Mbit/s of video on the evidence store, shared storage that
delivers 1.25 GB/s (one 10 GbE NFS server) to all workers together, a Dask scheduler that handles one task at the
measured per-task cost at a time (it is single-threaded), 16 worker processes per machine.

Prediction (written before the first measurement): video dominates the compute (4M x 3 min at ~2-4 CPU s a minute
is 24-48M CPU s, images ~0.2M), so 1 machine takes weeks, 32 machines about a day; at 32 machines the shared
storage (~370 TB to read) becomes the first bottleneck, not the writer (12M records at ~20k/s is ~10 min).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):  # as in a worker: one BLAS thread
    os.environ.setdefault(_var, "1")
COSTS = HERE / "scale_costs.json"


def _processor_cpu(files: list[Path]) -> float:
    """CPU seconds per file of the worker's per-file path (first file excluded: imports and caches)."""
    from winnow.messages import FileTask
    from winnow.pipeline.process import Processor
    from winnow.settings import Settings

    out: list[Any] = []
    processor = Processor(Settings(), Path(tempfile.mkdtemp()), Path(tempfile.mkdtemp()), out.append,
                          lambda sha, tables: set(), lambda chain: {})

    def task(i: int, f: Path) -> FileTask:
        return FileTask(i, str(f), str(f), str(f.parent), f.name, None, 1, f.stat().st_size, None, None, None)

    processor.disk_file(task(0, files[0]))
    start = time.process_time()
    for i, f in enumerate(files[1:], 1):
        processor.disk_file(task(i, f))
    return (time.process_time() - start) / max(1, len(files) - 1)


def _image_costs() -> dict[str, float]:
    from ingest import files_of, make_corpus

    return {"image_1mp_cpu_s": _processor_cpu(files_of(make_corpus("jpeg1", 400, [1], seed=len("jpeg1")))[:201]),
            "image_12mp_cpu_s": _processor_cpu(files_of(make_corpus("jpeg12mp", 40, [12],
                                                                    seed=len("jpeg12mp")))[:21])}


def _video_minutes(files: list[Path]) -> float:
    import av

    total = 0.0
    for f in files:
        with av.open(str(f)) as c:
            total += float(c.duration or 0) / 1e6
    return total / 60


def measure() -> dict[str, Any]:
    from executors import corpus

    from winnow.pipeline.rescan import score_items
    from winnow.settings import Settings

    costs: dict[str, Any] = {"machine": f"{os.cpu_count()} cores, python {sys.version.split()[0]}",
                             "measured_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    costs.update(_image_costs())
    videos = sorted((corpus() / "videos").glob("*.mp4"))
    minutes = _video_minutes(videos)
    start = time.process_time()
    from winnow.messages import FileTask
    from winnow.pipeline.process import Processor

    out: list[Any] = []
    processor = Processor(Settings(), Path(tempfile.mkdtemp()), Path(tempfile.mkdtemp()), out.append,
                          lambda sha, tables: set(), lambda chain: {})
    for i, f in enumerate(videos):
        processor.disk_file(FileTask(i, str(f), str(f), str(f.parent), f.name, None, 1, f.stat().st_size, None,
                                     None, None))
    costs["video_minute_cpu_s"] = (time.process_time() - start) / minutes
    start = time.process_time()
    score_items([("0" * 64, "video", str(f), {}) for f in videos], tempfile.mkdtemp(), Settings().as_dict())
    costs["call_scoring_minute_cpu_s"] = (time.process_time() - start) / minutes
    costs["video_bytes_per_minute"] = sum(f.stat().st_size for f in videos) / minutes
    costs["dask_task_ms"], costs["dask_task_cpu_ms"] = _dask_task_ms()
    costs["writer_records_per_s"] = _writer_rate()
    return costs


def _dask_task_ms(n: int = 400) -> tuple[float, float]:
    """(wall ms a task at 4 in flight, CPU ms a task of this process: the scheduler and the client)."""
    from distributed import Client, LocalCluster, as_completed

    from winnow.pipeline.batch import run_batch

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None,
                      silence_logs=logging.ERROR, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"}) as cluster, \
            Client(cluster, set_as_default=False) as client:
        config = {"store": "/nonexistent", "settings": {}, "thumbs": "", "tmp": tempfile.mkdtemp()}
        client.gather([client.submit(run_batch, [], config, 1.0, pure=False) for _ in range(8)])  # warm
        start, cpu = time.perf_counter(), time.process_time()
        done = as_completed(loop=client.loop)
        submitted = finished = 0
        while finished < n:
            while submitted < n and submitted - finished < 4:
                done.add(client.submit(run_batch, [], config, 1.0, pure=False))
                submitted += 1
            for future in done.next_batch(block=True):
                future.result()
                future.release()
                finished += 1
        return (time.perf_counter() - start) / n * 1000, (time.process_time() - cpu) / n * 1000


def _writer_rate(n: int = 20_000) -> float:
    import hashlib

    from winnow.messages import Record, Rows
    from winnow.settings import Settings
    from winnow.signals.image import IMAGE_COLUMNS
    from winnow.store.case import create_case
    from winnow.store.runs import register_source, start_run
    from winnow.store.writer import Writer

    case = create_case(Path(tempfile.mkdtemp()) / "case", name="w", examiner="w")
    conn = case.connect()
    run_id = start_run(conn, "bench", Settings())
    source = register_source(conn, "/evidence", "folder", run_id)
    writer = Writer(conn, run_id)
    records = []
    for i in range(n):
        sha = hashlib.sha256(str(i).encode()).hexdigest()
        rec = Record(chain=f"/evidence/d{i // 1000}/IMG_{i:06d}.jpg", parent=f"/evidence/d{i // 1000}",
                     name=f"IMG_{i:06d}.jpg", depth=0, source_id=source, size=2_000_000, extension="jpg",
                     detected_type="jpg", mtime="2024-01-01T00:00:00Z")
        rec.content = {"sha256": sha, "md5": sha[:32], "sha1": sha[:40], "size": 2_000_000, "mime": "image/jpeg",
                       "kind": "image"}
        image = {"format": "JPEG", "width": 4000, "height": 3000, "mode": "RGB", "frames": 1, "pdq": sha,
                 "pdq_quality": 100, "thumbnail": f"thumbnails/{sha[:2]}/{sha}.jpg", "pdq_dihedral": sha * 7}
        rec.rows = [Rows("images", ("sha256", *IMAGE_COLUMNS, "exif"),
                         ((sha, *[image.get(k) for k in IMAGE_COLUMNS], None),))]
        records.append(rec)
    start = time.process_time()  # CPU: the writer is one thread, and the machine is shared
    for i in range(0, n, 500):
        for rec in records[i:i + 500]:
            writer.add(rec)
        writer.flush()
    rate = n / (time.process_time() - start)
    conn.close()
    return rate


def model(costs: dict[str, Any], args: argparse.Namespace) -> str:
    image_s = (costs["image_1mp_cpu_s"] + costs["image_12mp_cpu_s"]) / 2  # the assumed half-and-half mix
    video_s = args.videos * args.video_minutes * costs["video_minute_cpu_s"]
    cpu = args.images * image_s + video_s
    tasks = args.images / 64 + args.videos  # images in batches of 64, each video a task of its own
    scheduler = tasks * costs["dask_task_cpu_ms"] / 1000  # the scheduler is one thread: its CPU per task
    writer = (args.images + args.videos) / costs["writer_records_per_s"]
    data = args.images * args.image_mb * 1e6 + args.videos * args.video_minutes * 60 * args.video_mbit * 1e6 / 8
    storage = data / (args.storage_gbs * 1e9)
    lines = [
        f"Inputs: image {image_s * 1000:.1f} CPU ms (mean of 1 MP {costs['image_1mp_cpu_s'] * 1000:.1f} and 12 MP "
        f"{costs['image_12mp_cpu_s'] * 1000:.1f}), video {costs['video_minute_cpu_s']:.2f} CPU s a minute (call "
        f"scoring alone {costs['call_scoring_minute_cpu_s']:.2f}), Dask {costs['dask_task_cpu_ms']:.2f} CPU ms a task "
        f"in the scheduler and client ({costs['dask_task_ms']:.2f} ms wall at 4 in flight), writer "
        f"{costs['writer_records_per_s']:,.0f} records/s; {args.images / 1e6:g}M images of {args.image_mb:g} MB, "
        f"{args.videos / 1e6:g}M videos of {args.video_minutes:g} min at {args.video_mbit:g} Mbit/s = "
        f"{data / 1e12:,.0f} TB; storage {args.storage_gbs:g} GB/s.",
        "",
        "| machines x 16 cores | compute (images + videos) | scheduler (tasks) | writer (records) | "
        "shared storage (bytes) | predicted wall time | first bottleneck |",
        "|---|---|---|---|---|---|---|",
    ]
    for machines in (1, 8, 32):
        compute = cpu / (machines * 16)
        parts = {"compute": compute, "scheduler": scheduler, "writer": writer, "shared storage": storage}
        name, wall = max(parts.items(), key=lambda kv: kv[1])
        lines.append(f"| {machines} | {_h(compute)} | {_h(scheduler)} | {_h(writer)} | {_h(storage)} | {_h(wall)} | "
                     f"{name} |")
    return "\n".join(lines)


def _h(seconds: float) -> str:
    if seconds >= 2 * 86400:
        return f"{seconds / 86400:.1f} d"
    if seconds >= 2 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 60:.0f} min"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--measure", action="store_true", help="measure the costs here and write scale_costs.json")
    parser.add_argument("--remeasure", choices=("images", "dask", "writer"), help="measure only this cost again")
    parser.add_argument("--images", type=float, default=8e6)
    parser.add_argument("--videos", type=float, default=4e6)
    parser.add_argument("--video-minutes", type=float, default=3.0)
    parser.add_argument("--image-mb", type=float, default=2.0)
    parser.add_argument("--video-mbit", type=float, default=4.0)
    parser.add_argument("--storage-gbs", type=float, default=1.25)
    args = parser.parse_args()
    if args.measure:
        costs = measure()
        COSTS.write_text(json.dumps(costs, indent=2) + "\n")
    costs = json.loads(COSTS.read_text())
    if args.remeasure == "images":
        costs.update(_image_costs())
    elif args.remeasure == "dask":
        costs["dask_task_ms"], costs["dask_task_cpu_ms"] = _dask_task_ms()
    elif args.remeasure == "writer":
        costs["writer_records_per_s"] = _writer_rate()
    if args.remeasure:
        COSTS.write_text(json.dumps(costs, indent=2) + "\n")
    print(json.dumps(costs))
    print(model(costs, args))


if __name__ == "__main__":
    main()
