"""The call detector's signals as one registry: each `Check` is a name, its weight (points per unit of strength),
the stage it runs in, the media it applies to, and one function of one signature — `measure(clip) -> Signal`
(or None when the clip lacks what it needs: no picture size, no frames). The detector (`detector.py`) runs the
stages in order over this tuple; adding a signal is one function and one line here.

Stages: `early` (metadata and the sampled frames' overlays: cheap, always run), `layout` (insets, bars,
resolution, faces: skipped when the early ones already say camera; for a still image, run with OCR), `ocr` (what
OCR read on a few frames, only when the cheap score reaches the OCR threshold). Weights are set by hand from what
each signal means, not fitted (docs/calls.md gives the reasoning)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from PIL import Image

from winnow.calls import signals
from winnow.calls.signals import Signal

Stage = Literal["early", "layout", "ocr"]


@dataclass
class Clip:
    """What the checks look at: the media's facts (size, tags, timing; for an image its format and EXIF), the
    small sampled frames and their grey copies, the picture inside any bars, the middle frame's luma, and the OCR
    readings (seconds, text) once OCR ran."""

    values: dict[str, Any]
    frames: list[Image.Image] = field(default_factory=list)
    grays: list[np.ndarray] = field(default_factory=list)
    frame_size: tuple[int, int] = (0, 0)
    picture_size: tuple[int, int] | None = None
    luma: np.ndarray | None = None
    readings: list[tuple[float, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Check:
    name: str
    weight: float
    stage: Stage
    media: tuple[str, ...]  # "video", "image"
    measure: Callable[[Clip], Signal | None]


def face_signal(frames: list[Image.Image]) -> Signal:
    """Two or more faces in a sampled frame (a remote and a self view?): a count and boxes, never who."""
    from winnow.calls import faces

    picks = frames[:: max(1, len(frames) // 6)][:6]
    counts = [faces.count(np.asarray(f.convert("RGB"))) for f in picks]
    if not counts:
        return Signal("faces", 0.0, "no frames")
    most = max(counts)
    text = f"faces per sampled frame ({faces.default().name.split()[0]}): {counts}"
    return Signal("faces", 0.6 if most >= 2 else 0.0, text + (" (two or more: a remote and a self view?)"
                                                              if most >= 2 else ""))


def screenshot_traits(values: dict[str, Any]) -> Signal:
    """How a screenshot is stored: PNG (or WebP) without camera EXIF, or a capture tool named in the software tag,
    versus a camera JPEG with make and model."""
    software = str(values.get("software") or "").lower()
    if any(w in software for w in ("screenshot", "screen capture", "snipping", "grab")):
        return Signal("screenshot", 0.8, f"software tag {values.get('software')!r}")
    if values.get("make") or values.get("model"):
        return Signal("screenshot", -0.6, f"camera EXIF ({values.get('make') or ''} {values.get('model') or ''})")
    if values.get("format") in ("PNG", "WEBP"):
        return Signal("screenshot", 0.6, f"{values.get('format')} without camera EXIF")
    return Signal("screenshot", 0.0, "format says nothing")




def _faces(clip: Clip) -> Signal | None:
    return face_signal(clip.frames) if clip.frames else None


CHECKS: tuple[Check, ...] = (
    Check("recorder_tags", 2.5, "early", ("video",), lambda c: signals.recorder_tags(c.values.get("tags"))),
    Check("geometry", 1.2, "early", ("video", "image"),
          lambda c: signals.geometry(c.values.get("width"), c.values.get("height"), c.values.get("rotation") or 0)),
    Check("timing", 1.0, "early", ("video",), lambda c: signals.timing(
        c.values.get("variable_frame_rate"), c.values.get("timing_jitter"), c.values.get("avg_fps"))),
    Check("static_overlay", 1.5, "early", ("video",), lambda c: signals.static_overlay(c.grays)),
    Check("screenshot", 1.0, "early", ("image",), lambda c: screenshot_traits(c.values)),
    Check("pip_inset", 2.5, "layout", ("video",), lambda c: signals.pip_inset(c.grays)),
    Check("borders", 0.6, "layout", ("video",),
          lambda c: signals.borders(c.frame_size, c.picture_size) if c.picture_size else None),
    Check("effective_resolution", 0.5, "layout", ("video",),
          lambda c: signals.effective_resolution(c.luma) if c.luma is not None else None),
    Check("faces", 0.8, "layout", ("video", "image"), _faces),
    Check("timer", 3.0, "ocr", ("video",), lambda c: signals.timers(c.readings)),
    Check("interface_words", 2.0, "ocr", ("video", "image"),
          lambda c: signals.interface_words([text for _, text in c.readings])),
)

WEIGHTS = {check.name: check.weight for check in CHECKS}


def run(stage: Stage, medium: str, clip: Clip, registry: tuple[Check, ...] = CHECKS) -> list[Signal]:
    """The signals of one stage for one medium, in registry order (a check that cannot measure is left out)."""
    out = []
    for check in registry:
        if check.stage == stage and medium in check.media:
            found = check.measure(clip)
            if found is not None:
                if found.name != check.name:  # its weight is looked up by this name
                    raise ValueError(f"check {check.name!r} measured a signal named {found.name!r}")
                out.append(found)
    return out
