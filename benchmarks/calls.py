"""Call-recording detector evaluation (issue #5): synthetic recordings of video calls versus camera videos, TV
news recordings (logo, ticker, clock, sometimes a live inset) and other screen recordings (slides, desktop work,
game-like scenes), in layout styles 4 and up — the tests use styles
0-3 — scored by the same code ingest runs (`signals.video.analyse`). Prints precision and recall at the default
threshold (0.5), ROC AUC with and without OCR, per-family mean scores, and the CPU the non-OCR signals cost per
minute of video, beside the decoding that ingest does anyway.

Goals: AUC >= 0.95; <= 2 s of CPU per minute of video for the non-OCR signals.
Prediction (before the first run): AUC ~0.97 with OCR (timer and inset carry it), ~0.9 without; the non-OCR
signals ~0.2 s per minute (numpy on 160-px greys, a Haar pass on six 320-px frames, one FFT).

Usage: python benchmarks/calls.py [--per-family 12] [--seconds 20]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any


def _auc(scores: list[tuple[float, bool]]) -> float:
    positives = [s for s, label in scores if label]
    negatives = [s for s, label in scores if not label]
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-family", type=int, default=12, help="videos per family (calls get 4x)")
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    from winnow.sample import calls as sample
    from winnow.signals.video import analyse

    base = Path(tempfile.mkdtemp(prefix="bench-calls-"))
    items: list[tuple[str, bool, Path]] = []
    n = args.per_family
    for i in range(4 * n):
        items.append(("call", True, sample.call_video(base / f"call{i}.mp4", 100 + i, style=4 + i % 24,
                                                      seconds=args.seconds)))
    for i in range(n):
        items.append(("camera", False, sample.camera_video(base / f"cam{i}.mp4", 200 + i, style=4 + i,
                                                           seconds=args.seconds)))
        items.append(("tv", False, sample.tv_video(base / f"tv{i}.mp4", 400 + i, style=4 + i, seconds=args.seconds)))
        for kind in ("slides", "desktop", "game"):
            items.append((kind, False, sample.screen_video(base / f"{kind}{i}.mp4", 300 + i, kind, style=4 + i,
                                                           seconds=args.seconds)))
    results: list[dict[str, Any]] = []
    for family, label, path in items:
        start = time.process_time()
        result = analyse(str(path), sha256="0" * 64, thumbs=None, call={"ocr": "auto", "threshold": 0.2,
                                                                        "frames": 4, "regions": ["PH", "FR"]})
        total = time.process_time() - start
        call = result.values["call"]
        duration = result.values.get("duration") or args.seconds
        results.append({"family": family, "label": label, "score": call["score"], "cheap": call["cheap_score"],
                        "cheap_cpu": call["cheap_cpu_seconds"], "cpu": call["cpu_seconds"], "total_cpu": total,
                        "minutes": duration / 60, "ocr": call["ocr_frames"] > 0})
    shutil.rmtree(base, ignore_errors=True)
    threshold = 0.5
    tp = sum(r["label"] and r["score"] >= threshold for r in results)
    fp = sum(not r["label"] and r["score"] >= threshold for r in results)
    fn = sum(r["label"] and r["score"] < threshold for r in results)
    minutes = sum(r["minutes"] for r in results)
    print(f"{len(results)} videos of {args.seconds:.0f} s (styles never used by the tests)\n")
    print("| measure | value |")
    print("|---|---|")
    print(f"| ROC AUC (all signals) | {_auc([(r['score'], r['label']) for r in results]):.3f} |")
    print(f"| ROC AUC (without OCR) | {_auc([(r['cheap'], r['label']) for r in results]):.3f} |")
    print(f"| precision at {threshold} | {tp / max(1, tp + fp):.3f} |")
    print(f"| recall at {threshold} | {tp / max(1, tp + fn):.3f} |")
    print(f"| non-OCR signals, CPU s per minute of video | {sum(r['cheap_cpu'] for r in results) / minutes:.2f} |")
    print(f"| all signals incl. OCR, CPU s per minute | {sum(r['cpu'] for r in results) / minutes:.2f} |")
    print(f"| whole video analysis (decode + vPDQ + signals), CPU s per minute | "
          f"{sum(r['total_cpu'] for r in results) / minutes:.2f} |")
    print(f"| videos that went to OCR | {sum(r['ocr'] for r in results)} of {len(results)} |")
    print("\n| family | videos | mean score | min | max | flagged |")
    print("|---|---|---|---|---|---|")
    for family in ("call", "camera", "tv", "slides", "desktop", "game"):
        group = [r for r in results if r["family"] == family]
        scores = [r["score"] for r in group]
        print(f"| {family} | {len(group)} | {sum(scores) / len(scores):.2f} | {min(scores):.2f} | {max(scores):.2f} | "
              f"{sum(s >= threshold for s in scores)} |")


if __name__ == "__main__":
    main()
