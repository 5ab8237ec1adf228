"""Where faces are in a frame: a count and boxes, never an identity, age or sex — no face is stored, compared or
recognised, and no landmark leaves this module.

The default detector is a small CNN, libfacedetection (Shiqi Yu's YuNet family, BSD-3-Clause), whose weights are
compiled into the `yuface` wheel: nothing is downloaded at run time. OpenCV's bundled Haar cascade is kept as the
baseline that `benchmarks/faces.py` measures it against (it misses turned and small faces and fires on textures).
A detector is one small Protocol; `DETECTORS` is the explicit registry."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

LONG_SIDE = 640  # faces in a call fill a good part of the picture; both detectors work on at most 640 px


@dataclass(frozen=True)
class Face:
    """One face box in the caller's pixel coordinates, with the detector's confidence (0-1)."""

    x: int
    y: int
    w: int
    h: int
    confidence: float


class FaceDetector(Protocol):
    name: str

    def detect(self, image: np.ndarray) -> list[Face]:
        """Faces in an RGB (H, W, 3) or grey (H, W) uint8/float 0-255 picture."""
        ...


def _prepare(image: np.ndarray) -> tuple[np.ndarray, float]:
    """uint8 RGB at most LONG_SIDE px on its long side, and the factor back to the caller's coordinates."""
    import cv2

    array = np.clip(np.asarray(image), 0, 255).astype(np.uint8)
    if array.ndim == 2:
        array = np.repeat(array[:, :, None], 3, axis=2)
    elif array.shape[2] == 4:
        array = array[:, :, :3]
    side = max(array.shape[:2])
    if side <= LONG_SIDE:
        return np.ascontiguousarray(array), 1.0
    scale = LONG_SIDE / side
    small = cv2.resize(array, (max(1, round(array.shape[1] * scale)), max(1, round(array.shape[0] * scale))),
                       interpolation=cv2.INTER_AREA)
    return small, 1 / scale


def _clip(x: float, y: float, w: float, h: float, conf: float, back: float, shape: tuple[int, ...]) -> Face | None:
    x0, y0 = max(0.0, x * back), max(0.0, y * back)
    x1, y1 = min(float(shape[1]), (x + w) * back), min(float(shape[0]), (y + h) * back)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None
    return Face(round(x0), round(y0), round(x1 - x0), round(y1 - y0), conf)


class CnnFaces:
    """libfacedetection's CNN through `yuface` (weights inside the wheel)."""

    name = "cnn (libfacedetection/yuface)"

    def __init__(self, threshold: float = 0.6) -> None:
        self.threshold = threshold

    def detect(self, image: np.ndarray) -> list[Face]:
        import yuface

        small, back = _prepare(image)
        if min(small.shape[:2]) < 16:
            return []
        with warnings.catch_warnings():  # yuface warns above 960 px; _prepare keeps to 640
            warnings.simplefilter("ignore")
            confs, boxes, _landmarks = yuface.detect(np.ascontiguousarray(small[:, :, ::-1]), conf=self.threshold)
        found = [_clip(float(b[0]), float(b[1]), float(b[2]), float(b[3]), float(c) / 100, back, image.shape)
                 for c, b in zip(confs, boxes, strict=True)]
        return [f for f in found if f is not None]


class HaarFaces:
    """OpenCV's bundled frontal-face Haar cascade: the detector winnow used before issue #16."""

    name = "haar (OpenCV cascade)"
    _cascade: Any = None

    def detect(self, image: np.ndarray) -> list[Face]:
        import cv2

        if HaarFaces._cascade is None:
            cascades = cv2.data.haarcascades  # type: ignore[attr-defined]
            HaarFaces._cascade = cv2.CascadeClassifier(cascades + "haarcascade_frontalface_default.xml")
        small, back = _prepare(image)
        grey = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
        boxes = HaarFaces._cascade.detectMultiScale(grey, scaleFactor=1.1, minNeighbors=5, minSize=(24, 24))
        found = [_clip(float(x), float(y), float(w), float(h), 1.0, back, image.shape) for x, y, w, h in boxes]
        return [f for f in found if f is not None]


DETECTORS: tuple[type[CnnFaces] | type[HaarFaces], ...] = (CnnFaces, HaarFaces)
_DEFAULT: CnnFaces | HaarFaces | None = None


def default() -> CnnFaces | HaarFaces:
    """The first detector of DETECTORS whose library imports (yuface has wheels for CPython <= 3.11 only)."""
    global _DEFAULT
    if _DEFAULT is None:
        try:
            import yuface  # noqa: F401

            _DEFAULT = CnnFaces()
        except ImportError:
            _DEFAULT = HaarFaces()
    return _DEFAULT


def find(image: np.ndarray) -> list[Face]:
    """Face boxes by the default detector (the CNN where it is installed)."""
    return default().detect(image)


def count(image: np.ndarray) -> int:
    """How many faces an RGB or grey frame shows."""
    return len(find(image))
