"""How many faces a frame shows, from OpenCV's bundled Haar cascade (offline): a count, never an identity — no
face is stored, compared or recognised."""

from __future__ import annotations

from typing import Any

import numpy as np

_CASCADE: Any = None


def count(gray: np.ndarray) -> int:
    """Frontal faces in a grey frame (uint8 or float 0-255)."""
    global _CASCADE
    import cv2

    if _CASCADE is None:
        cascades = cv2.data.haarcascades  # type: ignore[attr-defined]
        _CASCADE = cv2.CascadeClassifier(cascades + "haarcascade_frontalface_default.xml")
    image = np.clip(gray, 0, 255).astype(np.uint8)
    side = max(image.shape)
    scale = 1.0
    if side > 640:  # faces in a call fill a good part of the picture: 640 px is plenty
        scale = 640 / side
        image = cv2.resize(image, (int(image.shape[1] * scale), int(image.shape[0] * scale)))
    found = _CASCADE.detectMultiScale(image, scaleFactor=1.1, minNeighbors=5, minSize=(24, 24))
    return int(len(found))
