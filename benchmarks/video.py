"""Video benchmark: winnow's two sampling modes against decoding every frame and hashing one per second
(`pdqhash` on each), on generated videos: H.264 720p and 1080p (a slow drift over generated photos, 10 s to
10 min, GOPs of 2 s and 10 s, 25 and 50 fps) and VP9/WebM. Then the match decisions on re-encoded variants
(bitrate x0.25, 480p, letterbox, first 2 s trimmed, logo overlay) in both modes and across modes (triage-mode
query against a vpdq-mode index): each must match its original and no other video.

Per-video timings run in this process: triage mode decodes keyframes on one core; vpdq mode and the baseline
let FFmpeg decode on both cores (thread_type AUTO). The last row ingests all videos with `winnow ingest
--workers 2` (hashing the bytes too) to show the two-core throughput of triage mode.

Goals (issue #4) on 2 cores for 720p H.264: triage >= 200x realtime, vpdq >= 30x realtime, neither growing with
frame rate. Prediction (before the first run): triage ~ 300-600x (a 720p I-frame decodes in ~4 ms, PDQ ~2 ms,
one per 1-2 s of video; demuxing is cheap); vpdq ~ 20-40x (H.264 720p decodes at ~500-900 fps on two threads);
baseline a little below vpdq (pdqhash on 720p ~ 10 ms a frame).

Usage: python benchmarks/video.py [--quick]
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # numpy in this process: one BLAS thread (as in workers)

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CACHE = Path(__file__).resolve().parent.parent / ".bench" / "video"


def corpus(quick: bool) -> list[dict[str, Any]]:
    from winnow.sample import videos as sv

    long = 60 if quick else 600
    specs = [
        ("720p 10s gop2s", (1280, 720), 10, 25, "libx264", 50),
        ("720p 60s gop2s", (1280, 720), 60, 25, "libx264", 50),
        ("720p 60s gop10s", (1280, 720), 60, 25, "libx264", 250),
        ("720p 60s 50fps gop2s", (1280, 720), 60, 50, "libx264", 100),
        (f"720p {long}s gop2s", (1280, 720), long, 25, "libx264", 50),
        ("1080p 60s gop2s", (1920, 1080), 60, 25, "libx264", 50),
        ("720p 60s VP9 webm", (1280, 720), 60, 25, "libvpx-vp9", 50),
    ]
    out = []
    for label, size, seconds, fps, codec, gop in specs:
        ext = "webm" if codec == "libvpx-vp9" else "mp4"
        path = CACHE / f"{label.replace(' ', '_')}.{ext}"
        if not path.exists():
            CACHE.mkdir(parents=True, exist_ok=True)
            sv.write(path.with_suffix(".part." + ext), sv.pan_frames(7, size, seconds, fps), size, fps, codec=codec,
                     gop=gop, container_format="webm" if ext == "webm" else None)
            path.with_suffix(".part." + ext).rename(path)
        out.append({"label": label, "path": path, "seconds": seconds, "fps": fps})
    return out


def baseline(path: Path) -> float:
    """Decode every frame; RGB + pdqhash for the first frame of each second."""
    import av
    import pdqhash

    start = time.perf_counter()
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        next_t = 0.0
        for frame in container.decode(stream):
            t = float(frame.pts * stream.time_base)
            if t + 1e-6 >= next_t:
                pdqhash.compute(frame.to_ndarray(format="rgb24"))
                next_t = int(t) + 1.0
    return time.perf_counter() - start


def ours(path: Path, mode: str) -> tuple[float, int]:
    from winnow.signals.video import analyse

    start = time.perf_counter()
    with path.open("rb") as f:
        result = analyse(f, sha256="0" * 64, thumbs=None, mode=mode)
    return time.perf_counter() - start, int(result.values.get("frames_hashed") or 0)


def balanced_set(count: int, seconds: int) -> list[Path]:
    """Distinct 720p videos of equal length (a collection holds many videos: both workers stay busy)."""
    from winnow.sample import videos as sv

    paths = []
    for i in range(count):
        path = CACHE / f"balanced_{seconds}s_{i}.mp4"
        if not path.exists():
            sv.write(path.with_suffix(".part.mp4"), sv.pan_frames(31 + i, (1280, 720), seconds, 25), (1280, 720), 25,
                     gop=50)
            path.with_suffix(".part.mp4").rename(path)
        paths.append(path)
    return paths


def ingest_all(paths: list[Path], total_seconds: float) -> float:
    """Realtime factor of one whole `winnow ingest --workers 2` run (process and worker start included)."""
    return total_seconds / ingest_seconds(paths)


def ingest_seconds(paths: list[Path]) -> float:
    case = Path(tempfile.mkdtemp(prefix="bench-video-")) / "case"
    folder = case.parent / "evidence"
    folder.mkdir()
    for p in paths:
        (folder / p.name).write_bytes(p.read_bytes())  # a copy: ingest never follows links
    winnow = [sys.executable, "-m", "winnow.cli"]
    subprocess.run([*winnow, "case", "create", str(case), "--name", "b", "--examiner", "b"], check=True,
                   capture_output=True)
    start = time.perf_counter()
    subprocess.run([*winnow, "ingest", str(folder), "--case", str(case), "--workers", "2", "--json"], check=True,
                   capture_output=True)
    return time.perf_counter() - start


def variants_matrix(quick: bool) -> list[str]:
    """Match decisions of re-encoded variants against originals, per mode pair."""
    from winnow.match.videos import _frames, shares
    from winnow.sample import videos as sv
    from winnow.signals.video import analyse

    folder = CACHE / ("variants-quick" if quick else "variants")
    if not (folder / "done").exists():
        sv.make_set(folder / "a", seed=21, seconds=20 if quick else 40, size=(1280, 720), fps=25.0)
        sv.write(folder / "other.mp4", sv.pan_frames(99, (1280, 720), 20 if quick else 40, 25.0), (1280, 720), 25.0)
        (folder / "done").write_text("ok")
    files = {f"a/{p.stem}": p for p in sorted((folder / "a").iterdir())} | {"other": folder / "other.mp4"}
    signatures: dict[str, dict[str, Any]] = {"triage": {}, "vpdq": {}}
    for mode in signatures:
        for name, path in files.items():
            with path.open("rb") as f:
                from winnow.signals import vpdq

                signatures[mode][name] = vpdq.unpack(analyse(f, sha256="0" * 64, thumbs=None, mode=mode)
                                                     .values["signature"])
    lines = ["| query mode → index mode | variant | matches original (query / index share) | matches another video |",
             "|---|---|---|---|"]
    failures = 0
    for qmode, imode in (("triage", "triage"), ("vpdq", "vpdq"), ("triage", "vpdq")):
        index = _frames({"original": signatures[imode]["a/original"], "other": signatures[imode]["other"]})
        for name in files:
            if name in ("a/original", "other"):
                continue
            query = _frames({name: signatures[qmode][name]})
            result = shares(query, index)
            q_o, i_o = result.get((name, "original"), (0.0, 0.0, 0, 0))[:2]
            wrong = result.get((name, "other"), (0.0, 0.0, 0, 0))[0] >= 0.8
            ok = q_o >= 0.8 and not wrong
            failures += not ok
            lines.append(f"| {qmode} → {imode} | {name.split('/')[-1]} | {'yes' if q_o >= 0.8 else 'NO'} "
                         f"({q_o:.0%} / {i_o:.0%}) | {'YES' if wrong else 'no'} |")
    lines.append(f"\nmatch decisions: {'all correct' if not failures else f'{failures} wrong'}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="shorter videos (smoke run)")
    args = parser.parse_args()
    videos = corpus(args.quick)
    print("| video | triage s (x realtime, frames) | vpdq s (x realtime, frames) | every frame + pdqhash 1/s s "
          "(x realtime) | triage / baseline | vpdq / baseline |")
    print("|---|---|---|---|---|---|")
    for v in videos:
        t_triage, n_triage = ours(v["path"], "triage")
        t_vpdq, n_vpdq = ours(v["path"], "vpdq")
        t_base = baseline(v["path"])
        d = v["seconds"]
        print(f"| {v['label']} | {t_triage:.2f} ({d / t_triage:.0f}x, {n_triage}) | {t_vpdq:.2f} "
              f"({d / t_vpdq:.0f}x, {n_vpdq}) | {t_base:.2f} ({d / t_base:.0f}x) | {t_base / t_triage:.0f}x | "
              f"{t_base / t_vpdq:.1f}x |", flush=True)
    h264_720 = [v for v in videos if v["label"].startswith("720p") and "VP9" not in v["label"]]
    rate = ingest_all([v["path"] for v in h264_720], sum(v["seconds"] for v in h264_720))
    print(f"\n`winnow ingest --workers 2` (triage mode, bytes hashed too), whole-run realtime factor:\n"
          f"- the {len(h264_720)} 720p H.264 videos above (one of them 10x longer than the rest, so one worker "
          f"ends alone): {rate:.0f}x")
    count, seconds = (4, 30) if args.quick else (16, 60)
    paths = balanced_set(count, seconds)
    half, full = ingest_seconds(paths[: count // 2]), ingest_seconds(paths)
    print(f"- {count} distinct 720p H.264 videos of {seconds} s (both workers busy): {count * seconds / full:.0f}x; "
          f"steady state (the second {count // 2} videos: run time of {count} minus run time of {count // 2}, "
          f"start-up excluded): {(count - count // 2) * seconds / max(1e-9, full - half):.0f}x\n")
    for line in variants_matrix(args.quick):
        print(line)


if __name__ == "__main__":
    main()
