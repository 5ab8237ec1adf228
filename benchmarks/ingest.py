"""Ingest benchmark: winnow's full ingest (crypto + PDQ + EXIF + thumbnail + store, worker processes) against a
naive baseline (sequential; one hashlib pass per algorithm; Pillow full decode; `pdqhash.compute`; EXIF;
thumbnail; rows written at the end), on generated JPEG corpora of 1 MP, 3 MP and 12 MP and a mixed set.
Both run as subprocesses of this script in the same run, so their peak RSS is measured the same way.

Goals (issue #2): >= 10x the baseline on 12 MP, >= 4x on 1 MP, >= 150 images/s on 2 cores for 1-2 MP JPEGs,
peak RSS < 1.5 GB whatever the corpus size; the fast PDQ path within median <= 2 / max <= 10 bits of the full
decode for quality >= 80.

Prediction (written before the first run): baseline 12 MP ~ 1.2 s/image (decode ~0.25 s + PDQ on 12 MP ~0.9 s);
ours ~ 60 ms/image/core (1/4-scale DCT decode) -> ~15x with two workers. 1 MP: baseline ~45 ms/image; ours
~20 ms/image/core -> ~4.5x. Results: see docs/benchmarks.md (pasted from this script's output).

Usage: python benchmarks/ingest.py [--quick] [--workers N]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CACHE = HERE.parent / ".bench"


def make_corpus(name: str, count: int, megapixels: list[int], seed: int) -> Path:
    """Generated once and cached under .bench/ (never committed)."""
    from winnow.sample import photos

    folder = CACHE / f"{name}-{count}-{seed}"
    marker = CACHE / f"{name}-{count}-{seed}.complete"  # outside the corpus: not an image to ingest
    if (folder / ".complete").exists():
        (folder / ".complete").rename(marker)
    if marker.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    if not megapixels:  # many tiny files: the per-file overhead (8 million files in the motivating case)
        for i in range(count):
            (folder / f"d{i % 50}").mkdir(exist_ok=True)
            (folder / f"d{i % 50}" / f"note_{i:06d}.txt").write_bytes(f"note {i} {seed}\n".encode() * 40)
        marker.write_text("ok")
        return folder
    for i in range(count):
        mp = megapixels[i % len(megapixels)]
        image = photos.photo(seed * 1_000_003 + i, photos.SIZES[mp])
        exif = photos.camera_exif(seed + i, gps=i % 2 == 0)
        data = photos.encode(image, "JPEG", quality=85 + i % 10, exif=exif.tobytes())
        (folder / f"sub{i % 10}").mkdir(exist_ok=True)
        (folder / f"sub{i % 10}" / f"IMG_{i:05d}.jpg").write_bytes(data)
    marker.write_text("ok")
    return folder


def files_of(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


# ------------------------------------------------------------------ the naive baseline (runs in a subprocess)

def baseline(folder: Path) -> dict[str, Any]:
    import numpy as np
    import pdqhash
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = None
    thumbs = Path(tempfile.mkdtemp(prefix="baseline-thumbs-"))
    rows = []
    pdqs = {}
    start = time.perf_counter()
    total = 0
    for path in files_of(folder):
        data = path.read_bytes()
        total += len(data)
        md5 = hashlib.md5(data).hexdigest()
        sha1 = hashlib.sha1(data).hexdigest()
        sha256 = hashlib.sha256(data).hexdigest()
        if path.suffix != ".jpg":
            rows.append((str(path), md5, sha1, sha256, len(data), None, None, None, None, 0))
            continue
        with Image.open(io.BytesIO(data)) as im:
            exif = dict(im.getexif())
            rgb = im.convert("RGB")
        bits, quality = pdqhash.compute(np.asarray(rgb))
        pdq = np.packbits(bits.astype(np.uint8)).tobytes().hex()
        thumb = rgb.copy()
        thumb.thumbnail((256, 256))
        thumb.save(thumbs / f"{sha256}.jpg", "JPEG", quality=80)
        rows.append((str(path), md5, sha1, sha256, len(data), rgb.width, rgb.height, pdq, int(quality), len(exif)))
        pdqs[sha256] = (pdq, int(quality))
    conn = sqlite3.connect(thumbs / "baseline.sqlite")
    conn.execute("CREATE TABLE t(path, md5, sha1, sha256, size, w, h, pdq, q, exif)")
    conn.executemany("INSERT INTO t VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
    conn.commit()
    conn.close()
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "files": len(rows), "bytes": total,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "pdq": pdqs}


# ------------------------------------------------------------------ ours (the real CLI, in a subprocess)

def zipped(folder: Path, workers: int) -> str:
    """The 1 MP corpus inside one ZIP: read by one worker (sequential) or by all workers in member ranges."""
    import zipfile

    target = CACHE / f"{folder.name}-zipped"
    archive = target / "photos.zip"
    if not archive.exists():
        target.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(archive.with_suffix(".part"), "w", zipfile.ZIP_STORED) as zf:
            for p in files_of(folder):
                zf.write(p, p.relative_to(folder))
        archive.with_suffix(".part").rename(archive)
    times = {}
    for label, split in (("one worker", "0"), ("member ranges", "64")):
        case = Path(tempfile.mkdtemp(prefix="bench-zip-")) / "case"
        winnow = [sys.executable, "-m", "winnow.cli"]
        subprocess.run([*winnow, "case", "create", str(case), "--name", "b", "--examiner", "b"], check=True,
                       capture_output=True)
        done = subprocess.run([*winnow, "ingest", str(target), "--case", str(case), "--workers", str(workers),
                               "--json", "--set", f"zip_split_members={split}"], capture_output=True, check=True)
        times[label] = json.loads(done.stdout)["this_run"]["seconds"]
    n = len(files_of(folder))
    return (f"{n} x 1 MP JPEG in one ZIP: one worker {n / times['one worker']:.0f} images/s, member ranges on "
            f"{workers} workers {n / times['member ranges']:.0f} images/s "
            f"({times['one worker'] / times['member ranges']:.1f}x)")


def ours(folder: Path, workers: int) -> dict[str, Any]:
    case = Path(tempfile.mkdtemp(prefix="bench-case-")) / "case"
    winnow = [sys.executable, "-m", "winnow.cli"]
    subprocess.run([*winnow, "case", "create", str(case), "--name", "bench", "--examiner", "bench"], check=True,
                   capture_output=True)
    start = time.perf_counter()
    done = subprocess.run([*winnow, "ingest", str(folder), "--case", str(case), "--workers", str(workers), "--json"],
                          capture_output=True, check=True)
    wall = time.perf_counter() - start
    summary = json.loads(done.stdout)
    conn = sqlite3.connect(case / "case.sqlite")
    pdqs = {r[0]: (r[1], r[2]) for r in conn.execute("SELECT sha256, pdq, pdq_quality FROM images")}
    conn.close()
    run = summary["this_run"]
    return {"seconds": run["seconds"], "wall_seconds": wall, "files": run["source_files"],
            "bytes": run["source_bytes"],
            "peak_rss_mb": run["peak_rss_mb"]["runner"] + run["peak_rss_mb"]["largest_worker"] * workers,
            "pdq": pdqs}


def faithfulness(ours_pdq: dict[str, Any], base_pdq: dict[str, Any]) -> tuple[float, int, int]:
    distances = [bin(int(p, 16) ^ int(base_pdq[sha][0], 16)).count("1")
                 for sha, (p, _) in ours_pdq.items() if sha in base_pdq and base_pdq[sha][1] >= 80 and p]
    return statistics.median(distances or [0]), max(distances or [0]), len(distances)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small corpora (a smoke run, not the reported figures)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--baseline-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline_only:
        print(json.dumps(baseline(args.baseline_only)))
        return
    scale = 0.2 if args.quick else 1.0
    corpora = [("1 MP JPEG", "jpeg1", int(400 * scale), [1]), ("1-2 MP JPEG", "jpeg12", int(400 * scale), [1, 2]),
               ("3 MP JPEG", "jpeg3", int(150 * scale), [3]), ("12 MP JPEG", "jpeg12mp", int(40 * scale), [12]),
               ("mixed 1-16 MP", "mixed", int(120 * scale), [1, 1, 2, 3, 5, 8, 12, 16]),
               ("tiny files (2 KB text)", "tiny", int(20000 * scale), [])]
    print(f"# ingest benchmark — {args.workers} workers, {os.cpu_count()} cores, python {sys.version.split()[0]}")
    header = ("| corpus | files | MB | baseline files/s | winnow files/s | ratio | winnow MB/s | baseline RSS MB "
              "| winnow RSS MB (runner + workers) | PDQ bits vs full decode (median / max, n) |")
    print(header)
    print("|" + "---|" * 10)
    for label, key, count, mps in corpora:
        folder = make_corpus(key, max(count, 4), mps, seed=len(key))
        base = json.loads(subprocess.run([sys.executable, __file__, "--baseline-only", str(folder)],
                                         capture_output=True, check=True).stdout)
        mine = ours(folder, args.workers)
        b_rate = base["files"] / base["seconds"]
        o_rate = mine["files"] / mine["seconds"]
        med, worst, n = faithfulness(mine["pdq"], base["pdq"]) if mps else (0, 0, 0)
        print(f"| {label} | {mine['files']} | {mine['bytes'] / 1e6:.0f} | {b_rate:.1f} | {o_rate:.1f} | "
              f"{o_rate / b_rate:.1f}x | {mine['bytes'] / 1e6 / mine['seconds']:.1f} | {base['peak_rss_mb']:.0f} | "
              f"{mine['peak_rss_mb']:.0f} | {med:g} / {worst} (n={n}) |", flush=True)
    print()
    print(zipped(make_corpus("jpeg1", int(400 * scale), [1], seed=len("jpeg1")), args.workers))


if __name__ == "__main__":
    main()
