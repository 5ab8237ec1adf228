"""Offline OCR of a few frames with RapidOCR (ONNX models bundled in its wheel; nothing is downloaded). Returns
text lines with their boxes; the engine loads once per process."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

_ENGINE: Any = None


@dataclass(frozen=True)
class TextLine:
    text: str
    confidence: float
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 in the frame's pixels


def available() -> bool:
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def read(image: np.ndarray, min_confidence: float = 0.5) -> list[TextLine]:
    """Text lines of an RGB frame (H x W x 3, uint8)."""
    global _ENGINE
    if _ENGINE is None:
        from rapidocr_onnxruntime import RapidOCR

        _ENGINE = RapidOCR()
    result, _ = _ENGINE(image)
    lines = []
    for box, text, confidence in result or []:
        xs = [int(p[0]) for p in box]
        ys = [int(p[1]) for p in box]
        if float(confidence) >= min_confidence and text.strip():
            lines.append(TextLine(text.strip(), float(confidence), (min(xs), min(ys), max(xs), max(ys))))
    return lines
