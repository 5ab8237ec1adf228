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

from PIL import Image


class VideoError(Exception):
    """The container or its video stream cannot be read."""


@dataclass
class Sample:
    index: int  # frame number (vpdq mode) or sample number (triage mode)
    seconds: float
    image: Image.Image
    rotation: int = 0  # display rotation in degrees (from the display matrix)


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


def _image(frame: Any) -> Image.Image:
    return frame.to_image()  # RGB through swscale


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
            yield Sample(n, seconds, _image(frames[0]), int(getattr(frames[0], "rotation", 0) or 0))
            n += 1
        if not chosen:
            break


def vpdq_samples(container: Any, fps: float) -> Iterator[Sample]:
    """Every frame decoded; the first frame at or after each 1/fps boundary kept (Meta vPDQ sampling)."""
    video = container.streams.video[0]
    video.thread_type = "AUTO"
    step = 1.0 / fps
    next_t = 0.0
    for number, frame in enumerate(container.decode(video)):
        t = float(frame.pts * video.time_base) if frame.pts is not None else number / (fps or 1)
        if t + 1e-6 >= next_t:
            yield Sample(number, t, _image(frame), int(getattr(frame, "rotation", 0) or 0))
            next_t = (int(t / step) + 1) * step
