"""Video probing and frame sampling through PyAV.

Two sampling modes:
- triage: keyframes only, at most one per `interval` seconds; only keyframe packets are decoded (never whole
  GOPs), and when that gives too few samples, the keyframes nearest before evenly spaced times are added.
  Cost follows the number of sampled frames (plus a demux pass), not the length or frame rate.
- vpdq: every frame is decoded and one frame per 1/fps seconds is kept, as Meta's vPDQ does, so that signatures
  can be exchanged with other tools.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
from PIL import Image


class VideoError(Exception):
    """The container or its video stream cannot be read."""


SMALL = 320  # longest side of the RGB copy kept for the poster and the contact sheet
_SKIPPABLE = ("h264", "hevc", "mpeg2video", "mpeg4", "mpeg1video")  # codecs with non-reference (B) frames
_LIMITED_TO_FULL = ((np.arange(256, dtype=np.float32) - 16.0) * (255.0 / 219.0)).astype(np.float32)
_PLANAR_YUV = ("yuv420p", "yuvj420p", "yuv422p", "yuvj422p", "yuv444p", "yuvj444p", "yuv420p10le", "nv12", "nv21")


@dataclass
class Sample:
    index: int  # frame number (vpdq mode) or sample number (triage mode)
    seconds: float
    luma: np.ndarray  # float luma for PDQ
    small: Image.Image  # RGB, longest side <= SMALL
    rotation: int = 0  # display rotation in degrees (from the display matrix)


def _small(frame: Any) -> Image.Image:
    scale = min(1.0, SMALL / max(frame.width, frame.height))
    w, h = max(2, int(frame.width * scale) // 2 * 2), max(2, int(frame.height * scale) // 2 * 2)
    return frame.reformat(width=w, height=h, format="rgb24").to_image()


def _luma_from_y(frame: Any) -> np.ndarray | None:
    """The Y plane as PDQ luma, without an RGB conversion. PDQ's bits do not change under a positive affine
    change of luma (the DC term is dropped, the rest is thresholded at its median), so limited-range Y is only
    rescaled to full range to keep the quality metric comparable."""
    name = frame.format.name
    if name not in _PLANAR_YUV or name.endswith("10le"):
        return None
    plane = frame.planes[0]
    y = np.frombuffer(plane, np.uint8).reshape(frame.height, plane.line_size)[:, : frame.width]
    if not (name.startswith("yuvj") or frame.color_range == 2):
        # (y - 16) * 255/219 in one pass, uint8 lookup table: limited range to full range
        return _LIMITED_TO_FULL[y]
    return y.astype(np.float32)


def _luma_from_rgb(frame: Any) -> np.ndarray:
    return np.asarray(frame.to_image().convert("F"), dtype=np.float32)


def crop_borders(luma: np.ndarray, dark: float = 24.0, spread: float = 12.0, limit: float = 0.25) -> np.ndarray:
    """Remove uniform dark bars (letterbox, pillarbox) around a frame before hashing: PDQ is not robust to them
    (measured 84-104 bits for 12 % bars), and without them a re-encode with bars matches its original within a
    few bits. At most `limit` of each dimension per side; nothing is cropped from a frame that is dark all over."""
    h, w = luma.shape
    if h < 16 or w < 16:
        return luma
    rows, cols = luma[:, ::4], luma[::4, :]  # every 4th pixel is enough to see a uniform bar

    def bars(profile_max: np.ndarray, profile_min: np.ndarray, size: int) -> tuple[int, int]:
        flat = (profile_max <= dark) & (profile_max - profile_min <= spread)
        cap = int(size * limit)
        top = 0
        while top < cap and flat[top]:
            top += 1
        bottom = 0
        while bottom < cap and flat[size - 1 - bottom]:
            bottom += 1
        return top, bottom

    top, bottom = bars(rows.max(axis=1), rows.min(axis=1), h)
    left, right = bars(cols.max(axis=0), cols.min(axis=0), w)
    if top + bottom >= h // 2 or left + right >= w // 2 or (top + bottom + left + right) == 0:
        return luma
    return luma[top: h - bottom, left: w - right]


def _sample(index: int, seconds: float, frame: Any, fast: bool) -> Sample:
    luma = _luma_from_y(frame) if fast else None
    if luma is None:
        luma = _luma_from_rgb(frame)
    luma = crop_borders(luma)
    return Sample(index, seconds, luma, _small(frame), int(getattr(frame, "rotation", 0) or 0))


@dataclass
class Probe:
    values: dict[str, Any] = field(default_factory=dict)
    keyframes: list[tuple[int, float]] = field(default_factory=list)  # (pts, seconds)
    warnings: list[tuple[str, str]] = field(default_factory=list)


def _seconds(value: Any, time_base: Fraction | None) -> float | None:
    if value is None or time_base is None:
        return None
    return float(value * time_base)


def _rate(value: Any) -> float | None:
    try:
        return round(float(value), 3) if value else None
    except (TypeError, ZeroDivisionError, ValueError):
        return None


def probe(container: Any) -> Probe:
    """Container and stream facts, and the keyframe positions (one demux pass: packets only, no decoding)."""
    result = Probe()
    video = container.streams.video[0] if container.streams.video else None
    audio = container.streams.audio
    v = result.values
    v["container"] = container.format.name
    v["duration"] = round(container.duration / 1_000_000, 3) if container.duration else None
    v["bitrate"] = container.bit_rate or None
    v["has_audio"] = bool(audio)
    v["audio_codec"] = audio[0].codec_context.name if audio else None
    tags: dict[str, Any] = {"format": dict(container.metadata)}
    for i, stream in enumerate(container.streams):
        tags[f"stream{i}:{stream.type}"] = dict(stream.metadata)
    v["tags"] = tags
    v["creation_time"] = container.metadata.get("creation_time") or (
        video.metadata.get("creation_time") if video else None)
    if video is None:
        result.warnings.append(("video_no_stream", "no video stream (audio-only or not a video)"))
        return result
    v["video_codec"] = video.codec_context.name
    v["width"], v["height"] = video.codec_context.width, video.codec_context.height
    v["avg_fps"] = _rate(video.average_rate)
    v["real_fps"] = _rate(getattr(video, "base_rate", None) or video.guessed_rate)
    if v["duration"] is None and video.duration is not None:
        v["duration"] = _seconds(video.duration, video.time_base)
    times: list[float] = []
    for packet in container.demux(video):
        if packet.pts is None:
            continue
        t = _seconds(packet.pts, video.time_base)
        if t is None:
            continue
        times.append(t)
        if packet.is_keyframe:
            result.keyframes.append((packet.pts, t))
    v["packets"] = len(times)
    v["variable_frame_rate"], v["timing_jitter"] = _vfr(times)
    if v["duration"] is None and times:
        v["duration"] = round(max(times) - min(times), 3)
    if v["avg_fps"] is None and v["duration"]:
        v["avg_fps"] = round(len(times) / v["duration"], 3)
    return result


def _vfr(times: list[float]) -> tuple[bool | None, float | None]:
    """Variable frame rate from the presentation timestamps: the spread of frame-to-frame gaps."""
    if len(times) < 3:
        return None, None
    ordered = sorted(times)
    gaps = [b - a for a, b in zip(ordered, ordered[1:], strict=False) if b > a]
    if len(gaps) < 2:
        return None, None
    mean = statistics.fmean(gaps)
    jitter = statistics.pstdev(gaps) / mean if mean > 0 else 0.0
    return jitter > 0.1, round(jitter, 4)


def triage_samples(container: Any, keyframes: list[tuple[int, float]], duration: float | None, interval: float,
                   min_frames: int) -> Iterator[Sample]:
    """Keyframes at most one per `interval` s; when that gives fewer than `min_frames`, also the keyframe nearest
    before each of `min_frames` evenly spaced times. The keyframe positions come from the probe's demux pass, so
    sampling is one more demux pass that decodes only the chosen keyframe packets (no seeking: seeking is
    imprecise in some containers, e.g. MPEG-TS)."""
    video = container.streams.video[0]
    ordered = sorted(keyframes, key=lambda k: k[1])
    chosen: set[int] = set()
    last = -1e18
    for pts, t in ordered:
        if t - last >= interval:
            chosen.add(pts)
            last = t
    if len(chosen) < min_frames and duration and ordered:
        start = ordered[0][1]
        for i in range(min_frames):
            target = start + duration * i / min_frames
            before = [pts for pts, t in ordered if t <= target + 1e-6]
            chosen.add(before[-1] if before else ordered[0][0])
    ctx = video.codec_context
    n = 0
    for packet in container.demux(video):
        if packet.pts is None or not packet.is_keyframe or packet.pts not in chosen:
            continue
        chosen.discard(packet.pts)
        frames = ctx.decode(packet) or ctx.decode(None)
        ctx.flush_buffers()
        if frames:
            seconds = float(frames[0].pts * video.time_base) if frames[0].pts is not None else 0.0
            yield _sample(n, seconds, frames[0], fast=True)
            n += 1
        if not chosen:
            break


def vpdq_samples(container: Any, fps: float, window: float = 0.25) -> Iterator[Sample]:
    """The first frame at or after each 1/fps boundary, as Meta's vPDQ samples (exchangeable hashes).

    Every reference frame is decoded; a non-reference frame (a B-frame nothing else predicts from) is skipped
    unless its time lies within `window` seconds after the next sampling boundary. The sampled frames are the
    same as with a full decode (a test checks it), at about half the cost, and the cost no longer doubles with
    the frame rate."""
    video = container.streams.video[0]
    ctx = video.codec_context
    skipping = ctx.name in _SKIPPABLE
    # skip decisions are taken per packet, so no frame-threading delay for codecs where skipping pays
    video.thread_type = "SLICE" if skipping else "AUTO"
    step = 1.0 / fps
    next_t = 0.0
    decoded = 0
    base = video.time_base
    rate = float(video.average_rate or video.guessed_rate or 0) or None
    start = float(video.start_time * base) if video.start_time is not None and base is not None else 0.0

    def take(frames: list[Any]) -> Iterator[Sample]:
        nonlocal next_t, decoded
        for frame in frames:
            t = float(frame.pts * base) if frame.pts is not None else decoded * step
            if t + 1e-6 >= next_t:
                # the frame's number in the full sequence, from its time (skipped frames are not counted)
                number = round((t - start) * rate) if rate else decoded
                yield _sample(number, t, frame, fast=False)  # RGB luma, as Meta's vPDQ
                next_t = (int(t / step) + 1) * step
            decoded += 1

    for packet in container.demux(video):
        if packet.pts is not None and base is not None:
            t = float(packet.pts * base)
            if skipping:
                ctx.skip_frame = "DEFAULT" if next_t - 1e-6 <= t <= next_t + window else "NONREF"
        yield from take(ctx.decode(packet))
    if skipping:
        ctx.skip_frame = "DEFAULT"
    yield from take(ctx.decode(None))


def ocr_frames(source: Any, duration: float | None, count: int) -> list[tuple[float, Any]]:
    """`count` frames evenly spread over the video, RGB at most 1280 px wide, for OCR (seeks to keyframes)."""
    import av
    import numpy as np

    if hasattr(source, "seek"):
        source.seek(0)
    out = []
    with av.open(source, mode="r") as container:
        video = container.streams.video[0]
        span = duration or 0.0
        for i in range(count):
            target = span * (i + 0.5) / count
            try:
                container.seek(int(target / float(video.time_base)) if video.time_base else 0, stream=video)
                frame = next(container.decode(video))
            except (StopIteration, av.error.FFmpegError, ValueError):
                continue
            scale = min(1.0, 1280 / max(1, frame.width))
            image = frame.to_image() if scale == 1.0 else frame.reformat(
                width=int(frame.width * scale) // 2 * 2, height=int(frame.height * scale) // 2 * 2).to_image()
            seconds = float(frame.pts * video.time_base) if frame.pts is not None else target
            out.append((seconds, np.asarray(image.convert("RGB"))))
    return out
