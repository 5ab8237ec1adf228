"""The call-recording score of one video: each signal's strength times its weight, summed with a bias, through a
logistic curve to 0..1 — so every point of the score has a reason. The cheap signals (tags, geometry, timing,
static overlays, inset, bars, resolution, faces) run on the frames ingest already samples; OCR (timer, interface
words, leads) reads a few frames only when the cheap score reaches `call_ocr_threshold` (or always/never).

Weights are set by hand from what each signal means, not fitted (docs/calls.md gives the reasoning); the
evaluation (benchmarks/calls.py) runs on synthetic layouts the tests never use."""

from __future__ import annotations

import io
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict

import numpy as np
from PIL import Image

from winnow.calls import checks, signals
from winnow.calls.checks import WEIGHTS, Clip, face_signal, screenshot_traits
from winnow.calls.signals import Signal

__all__ = ["WEIGHTS", "face_signal", "screenshot_traits"]

BIAS = -3.0
FLAG = 0.5  # a video is listed as a likely call recording from this score on
EARLY_EXIT = 0.03  # below this after tags, size, timing and overlays, the other layout signals are skipped
GRAY_WIDTH = 160


class Reason(TypedDict):
    signal: str
    points: float
    evidence: str


class CallScore(TypedDict):
    """A call-recording score with its reasons (the `calls` row, and what the review app and report show)."""

    score: float
    cheap_score: float
    reasons: list[Reason]
    ocr_frames: int
    cpu_seconds: float
    cheap_cpu_seconds: float


class LeadRow(TypedDict):
    """A lead read on screen, as stored (`leads` row): where, what, how sure, the line read and its crop."""

    seconds: float
    kind: str
    value: str
    raw: str
    confidence: float
    text: str
    box: list[int]
    crop: str | None


class CallValues(TypedDict):
    call: CallScore
    call_leads: list[LeadRow]


@dataclass
class Lead:
    seconds: float
    kind: str
    value: str
    raw: str
    confidence: float
    text: str
    box: tuple[int, int, int, int]
    crop: Image.Image | None = None


@dataclass
class Detection:
    score: float
    cheap_score: float
    reasons: list[Reason]
    ocr_frames: int = 0
    leads: list[Lead] = field(default_factory=list)
    cpu_seconds: float = 0.0  # all signals
    cheap_cpu_seconds: float = 0.0  # the signals other than OCR

    def as_dict(self) -> CallScore:
        return {"score": round(self.score, 4), "cheap_score": round(self.cheap_score, 4), "reasons": self.reasons,
                "ocr_frames": self.ocr_frames, "cpu_seconds": round(self.cpu_seconds, 3),
                "cheap_cpu_seconds": round(self.cheap_cpu_seconds, 3)}


def logistic(points: float) -> float:
    return 1.0 / (1.0 + math.exp(-points))


def combine(found: list[Signal], registry: tuple[checks.Check, ...] = checks.CHECKS) -> tuple[float, list[Reason]]:
    """The score (bias plus each signal's weight times its strength, through the logistic) and its reasons,
    largest contribution first. A signal with no registered check (the `layout`/`ocr` notes) weighs 1."""
    weights = WEIGHTS if registry is checks.CHECKS else {c.name: c.weight for c in registry}
    points = BIAS
    reasons: list[Reason] = []
    for signal in found:
        contribution = weights.get(signal.name, 1.0) * signal.strength
        points += contribution
        reasons.append({"signal": signal.name, "points": round(contribution, 3), "evidence": signal.evidence})
    reasons.sort(key=lambda r: -abs(r["points"]))
    return logistic(points), reasons


def grays(frames: list[Image.Image]) -> list[np.ndarray]:
    """Small grey copies, all of one size (the first frame's), for the layout signals."""
    if not frames:
        return []
    first = frames[0]
    size = (GRAY_WIDTH, max(8, round(GRAY_WIDTH * first.height / first.width)))
    return [np.asarray(f.convert("L").resize(size, Image.Resampling.BILINEAR), dtype=np.float32) for f in frames]


def _ocr_variants(text: str) -> str:
    """OCR drops spaces ("Rosa+63917...", "UK07911..."): put one back between a word and a number or handle."""
    spaced = re.sub(r"(?<=[A-Za-z])(?=\+\d|\d{6,})", " ", text)
    if not re.search(r"@[\w-]+\.[A-Za-z]{2,}", spaced):
        spaced = re.sub(r"(?<=[A-Za-z0-9])@", " @", spaced)
    return spaced


def leads_from(seconds: float, image: np.ndarray, lines: list[Any], regions: tuple[str, ...]) -> list[Lead]:
    from winnow.identifiers.extract import Found, extract

    out = []
    for line in lines:
        text = _ocr_variants(line.text)
        found = list(extract(text, regions))
        for match in signals.TIMER.finditer(line.text):  # a call timer on screen is a lead too (a time)
            found.append(Found("time", match.group(0), match.group(0), 0.6, match.start(), match.end()))
        for item in found:
            if item.kind in ("amount",):
                continue
            x0, y0, x1, y1 = line.box
            pad = 4
            crop = Image.fromarray(image).crop((max(0, x0 - pad), max(0, y0 - pad), x1 + pad, y1 + pad))
            out.append(Lead(seconds, item.kind, item.value, item.raw, round(item.confidence * line.confidence, 3),
                            line.text, line.box, crop))
    return out


def detect(small_frames: list[tuple[float, Image.Image]], luma: np.ndarray | None, values: dict[str, Any],
           frame_size: tuple[int, int], picture_size: tuple[int, int] | None,
           ocr_frames: Callable[[int], list[tuple[float, np.ndarray]]] | None = None, ocr: str = "auto",
           ocr_threshold: float = 0.2, ocr_count: int = 4, regions: tuple[str, ...] = ()) -> Detection:
    start = time.process_time()
    frames = [f for _, f in small_frames]
    clip = Clip(values, frames, grays(frames), frame_size, picture_size, luma)
    found = checks.run("early", "video", clip)
    early, _ = combine(found)
    if early < EARLY_EXIT:
        # most seized videos are camera videos: when size, timing and overlays already say so, the costlier
        # layout signals are not computed (a recorder tag alone would have lifted the score above this)
        found.append(Signal("layout", 0.0, f"inset, bars, resolution and faces not examined: camera-like "
                                           f"so far (score {early:.3f})"))
    else:
        found += checks.run("layout", "video", clip)
    cheap, _ = combine(found)
    detection = Detection(cheap, cheap, [], cheap_cpu_seconds=time.process_time() - start)
    from winnow.calls import ocr as ocr_engine

    wanted = ocr == "always" or (ocr == "auto" and cheap >= ocr_threshold)
    if wanted and ocr_frames is not None and ocr_engine.available():
        for seconds, image in ocr_frames(ocr_count):
            lines = ocr_engine.read(image)
            detection.ocr_frames += 1
            clip.readings += [(seconds, line.text) for line in lines]
            for lead in leads_from(seconds, image, lines, regions):
                if (lead.kind, lead.value) not in {(x.kind, x.value) for x in detection.leads}:
                    detection.leads.append(lead)
        found += checks.run("ocr", "video", clip)
    elif wanted and ocr_frames is not None:
        found.append(Signal("ocr", 0.0, "OCR not available (rapidocr-onnxruntime is not installed)"))
    elif ocr == "never" or cheap < ocr_threshold:
        found.append(Signal("ocr", 0.0, f"OCR not run ({'call_ocr=never' if ocr == 'never' else 'cheap score '}"
                                        f"{'' if ocr == 'never' else f'{cheap:.2f} below {ocr_threshold}'})"))
    detection.score, detection.reasons = combine(found)
    detection.cpu_seconds = time.process_time() - start
    return detection


def detect_image(values: dict[str, Any], load: Callable[[], np.ndarray], ocr: str = "auto",
                 ocr_threshold: float = 0.2, regions: tuple[str, ...] = ()) -> Detection:
    """The same score for a screenshot-like image: its size and storage, then (when those point to a screen)
    faces, interface words and leads read by OCR on the one frame. A still cannot show a running timer."""
    start = time.process_time()
    clip = Clip(values)
    found = checks.run("early", "image", clip)
    cheap, _ = combine(found)
    detection = Detection(cheap, cheap, [], cheap_cpu_seconds=time.process_time() - start)
    from winnow.calls import ocr as ocr_engine

    if (ocr == "always" or (ocr == "auto" and cheap >= ocr_threshold)) and ocr_engine.available():
        image = load()
        clip.frames = [Image.fromarray(image)]
        found += checks.run("layout", "image", clip)
        lines = ocr_engine.read(image)
        detection.ocr_frames = 1
        clip.readings = [(0.0, line.text) for line in lines]
        found += checks.run("ocr", "image", clip)
        detection.leads = leads_from(0.0, image, lines, regions)
    else:
        found.append(Signal("ocr", 0.0, f"OCR not run (cheap score {cheap:.2f})"))
    detection.score, detection.reasons = combine(found)
    detection.cpu_seconds = time.process_time() - start
    return detection


def store_leads(leads: list[Any], sha256: str, thumbs: Path | None) -> list[LeadRow]:
    """Leads as plain dicts, each text crop saved as a PNG beside the thumbnails."""
    out: list[LeadRow] = []
    for i, lead in enumerate(leads):
        crop_path = None
        if thumbs is not None and lead.crop is not None:
            target = thumbs / sha256[:2] / f"{sha256}.lead{i}.png"
            target.parent.mkdir(parents=True, exist_ok=True)
            lead.crop.save(target, "PNG")
            crop_path = str(target.relative_to(thumbs.parent))
        out.append({"seconds": round(lead.seconds, 3), "kind": lead.kind, "value": lead.value, "raw": lead.raw,
                    "confidence": lead.confidence, "text": lead.text, "box": list(lead.box), "crop": crop_path})
    return out


def call_options(settings: Any) -> dict[str, Any]:
    """The detector's options from the case settings (call_ocr, call_ocr_threshold, call_ocr_frames,
    call_regions), as ingest and `winnow calls --rescan` pass them."""
    return {"ocr": settings.call_ocr, "threshold": settings.call_ocr_threshold, "frames": settings.call_ocr_frames,
            "regions": [r.strip().upper() for r in settings.call_regions.split(",") if r.strip()]}


def score_image(values: dict[str, Any], data: bytes, sha256: str, thumbs: Path | None,
                options: dict[str, Any]) -> CallValues:
    """`call` and `call_leads` for an image's bytes (decoded again, at most 1280 px wide, only if OCR runs).
    Decoder errors propagate: the caller says what to do with an image it cannot read twice."""

    def load() -> np.ndarray:
        with Image.open(io.BytesIO(data)) as im:
            rgb = im.convert("RGB")
        if rgb.width > 1280:
            rgb = rgb.resize((1280, max(1, round(rgb.height * 1280 / rgb.width))))
        return np.asarray(rgb)

    detection = detect_image(values, load, ocr=options["ocr"], ocr_threshold=options["threshold"],
                             regions=tuple(options["regions"]))
    return {"call": detection.as_dict(), "call_leads": store_leads(detection.leads, sha256, thumbs)}
