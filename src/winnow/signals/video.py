"""Video signals from one video: container/stream metadata, a vPDQ signature (triage or vpdq sampling), a
poster frame and a contact sheet. Decoder failures become warnings; a decoder that crashes or hangs takes its
worker process with it, and the runner replaces the worker (see pipeline/ingest.py)."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from winnow.messages import Rows
from winnow.signals import vpdq
from winnow.signals.base import Job, Output, Result, plain

if TYPE_CHECKING:  # imported where used: the registry (and the ingest runner) must not load numpy and Pillow
    from PIL import Image

    from winnow.media.video import Sample

SHEET_GRID = 4
SHEET_CELL = (160, 90)


@dataclass
class VideoResult:
    values: dict[str, Any] = field(default_factory=dict)
    warnings: list[tuple[str, str]] = field(default_factory=list)


def _errors() -> tuple[type[BaseException], ...]:
    import av

    return (av.error.FFmpegError, OSError, ValueError, RuntimeError, MemoryError, IndexError, ZeroDivisionError,
            TypeError, AttributeError, StopIteration)


def _save(image: Image.Image, target: Path, quality: int = 80) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    image.convert("RGB").save(tmp, "JPEG", quality=quality)
    os.replace(tmp, target)


def _contact_sheet(cells: list[Image.Image]) -> Image.Image:
    grid = SHEET_GRID
    if len(cells) > grid * grid:  # evenly spaced
        cells = [cells[int(i * len(cells) / (grid * grid))] for i in range(grid * grid)]
    w, h = SHEET_CELL
    rows = max(1, -(-len(cells) // grid))
    from PIL import Image

    sheet = Image.new("RGB", (w * grid, h * rows), (16, 16, 16))
    for i, cell in enumerate(cells):
        fitted = cell.copy()
        fitted.thumbnail((w, h))
        sheet.paste(fitted, ((i % grid) * w + (w - fitted.width) // 2, (i // grid) * h + (h - fitted.height) // 2))
    return sheet


def _call(result: VideoResult, source: Any, sha256: str, thumbs: Path | None, smalls: list[tuple[float, Any]],
          luma: Any, picture: tuple[int, int] | None, call: dict[str, Any]) -> None:
    """`analyse(call=...)`: the call signal's own scoring (`signals/call.py`), on this source."""
    from winnow.signals.call import score_video

    result.values.update(score_video(lambda: contextlib.nullcontext(source), sha256, thumbs, result.values,
                                     (smalls, luma, picture), call))


def analyse(source: Any, *, sha256: str, thumbs: Path | None, mode: str = "triage", interval: float = 1.0,
            min_frames: int = 8, fps: float = 1.0, max_pixels: int = 8192 * 8192,
            thumbnail_size: int = 256, call: dict[str, Any] | None = None,
            keep: dict[str, Any] | None = None) -> VideoResult:
    """`source` is a path or a readable, seekable binary file object. `call`: also score it as a call recording,
    with the call signal's own scoring (the detector benchmarks and tests use it; ingest runs the registered
    signal). `keep`: receives the sampled frames (`video_frames`: small frames, the middle frame's luma, the
    picture size) for the signals after it."""
    import av

    from winnow.media.video import probe, triage_samples, vpdq_samples
    from winnow.signals.pdq import hash_from_luma

    errors = _errors()
    result = VideoResult()
    v = result.values
    try:
        container = av.open(source, mode="r")
    except errors as exc:
        result.warnings.append(("video_unreadable", f"{type(exc).__name__}: {exc}"))
        return result
    try:
        info = probe(container)
        v.update(info.values)
        result.warnings.extend(info.warnings)
        if not container.streams.video:
            return result
        width, height = v.get("width") or 0, v.get("height") or 0
        if width <= 0 or height <= 0 or width * height > max_pixels:
            result.warnings.append(("video_dimensions", f"{width}x{height}: not decoded (limit {max_pixels} pixels)"))
            return result
        if hasattr(source, "seek"):
            source.seek(0)
        container.close()
        container = av.open(source, mode="r")
        samples = (vpdq_samples(container, fps) if mode == "vpdq" else
                   triage_samples(container, info.keyframes, v.get("duration"), interval, min_frames))
        features: list[vpdq.Feature] = []
        cells: list[Image.Image] = []
        smalls: list[tuple[float, Image.Image]] = []
        middle: Sample | None = None
        poster: Sample | None = None
        try:
            for sample in samples:
                pdq, quality = hash_from_luma(sample.luma)
                features.append(vpdq.Feature(sample.index, quality, pdq, round(sample.seconds, 3)))
                smalls.append((sample.seconds, sample.small))
                if middle is None or sample.seconds <= (v.get("duration") or 0) / 2:
                    middle = sample
                small = sample.small.copy()
                small.thumbnail(SHEET_CELL)
                cells.append(small)
                if not features[:-1]:
                    v["rotation"] = sample.rotation
                if poster is None or (poster.seconds < 0.5 and sample.seconds >= 0.5):
                    poster = sample  # skip a black first frame when there is a later one
        except errors as exc:
            result.warnings.append(("video_decode_error", f"{type(exc).__name__}: {exc} (after {len(features)} "
                                                          "sampled frames; those are kept)"))
        if not features:
            result.warnings.append(("video_no_frames", "no frame could be decoded"))
        if smalls:
            picture = (middle.luma.shape[1], middle.luma.shape[0]) if middle is not None else None
            luma = middle.luma if middle is not None else None
            if keep is not None:
                keep["video_frames"] = (smalls, luma, picture)
            if call is not None:
                _call(result, source, sha256, thumbs, smalls, luma, picture, call)
        collapsed = vpdq.collapse(features)
        v["signature"] = vpdq.pack(collapsed)
        v["signature_mode"] = mode
        v["frames_hashed"] = len(features)
        v["signature_frames"] = len(collapsed)
        if poster is not None and thumbs is not None:
            image = poster.small.copy()
            image.thumbnail((thumbnail_size, thumbnail_size))
            target = thumbs / sha256[:2] / f"{sha256}.jpg"
            _save(image, target)
            v["thumbnail"] = str(target.relative_to(thumbs.parent))
            sheet = thumbs / sha256[:2] / f"{sha256}.sheet.jpg"
            _save(_contact_sheet(cells), sheet)
            v["contact_sheet"] = str(sheet.relative_to(thumbs.parent))
    except errors as exc:
        result.warnings.append(("video_corrupt", f"{type(exc).__name__}: {exc}"))
    finally:
        try:
            container.close()
        except errors:
            pass
    return result


VIDEO_COLUMNS = ("container", "duration", "video_codec", "audio_codec", "width", "height", "rotation", "avg_fps",
                 "real_fps", "variable_frame_rate", "timing_jitter", "bitrate", "has_audio", "creation_time",
                 "packets", "signature", "signature_mode", "frames_hashed", "signature_frames", "thumbnail",
                 "contact_sheet")


class VideoSignal:
    """Container and stream facts, the vPDQ signature, a poster and a contact sheet: the `videos` table. The
    sampled frames are shared with the signals after it (the call-recording score)."""

    name = "video"
    version = 1
    kinds: tuple[str, ...] = ("video",)
    reads: Literal["bytes", "stream", "found"] = "stream"
    table = "videos"
    tables: Mapping[str, tuple[str, ...]] = {"videos": ("sha256", *VIDEO_COLUMNS, "tags")}

    def compute(self, job: Job) -> Result:
        assert job.open is not None
        s = job.settings
        with job.open() as source:
            found = analyse(source, sha256=job.sha256, thumbs=job.thumbs, mode=s.video_mode, interval=s.video_interval,
                            min_frames=s.video_min_frames, fps=s.video_fps, max_pixels=s.video_max_pixels,
                            thumbnail_size=s.thumbnail_size, keep=job.shared)
        return Result(found.values, found.warnings)

    def output(self, sha256: str, values: dict[str, Any]) -> Output:
        row = (sha256, *[plain(values.get(k)) for k in VIDEO_COLUMNS],
               json.dumps(values.get("tags"), sort_keys=True, default=str))
        return Output([Rows(self.table, self.tables[self.table], (row,))])
