"""Face boxes by the CNN (libfacedetection through yuface, weights inside the wheel) on photos that scikit-image
ships: the box lands on the labelled face, in the caller's coordinates at any frame size, grey frames work, a cat
and a cup are not faces, and the cameraman turned three quarters away — which the Haar cascade misses — is found."""

from __future__ import annotations

import numpy as np
from PIL import Image

from winnow.calls import faces


def _inside(face: faces.Face, box: tuple[int, int, int, int], scale: float = 1.0) -> bool:
    cx, cy = face.x + face.w / 2, face.y + face.h / 2
    return box[0] * scale <= cx <= box[2] * scale and box[1] * scale <= cy <= box[3] * scale


def test_cnn_boxes_on_package_photos() -> None:
    from skimage import data

    astronaut = data.astronaut()
    found = faces.find(astronaut)
    assert len(found) == 1 and _inside(found[0], (165, 55, 285, 190)) and 0.6 <= found[0].confidence <= 1.0
    big = np.asarray(Image.fromarray(astronaut).resize((1536, 1536)))  # above the 640-px working size
    scaled = faces.find(big)
    assert len(scaled) == 1 and _inside(scaled[0], (165, 55, 285, 190), 3.0) and scaled[0].w > 200
    assert faces.count(np.asarray(Image.fromarray(astronaut).convert("L"), dtype=np.float32)) == 1  # grey input
    cameraman = data.camera()
    assert faces.count(cameraman) == 1 and faces.HaarFaces().detect(cameraman) == []
    assert faces.count(data.chelsea()) == 0 and faces.count(data.coffee()) == 0
    assert faces.count(np.zeros((8, 8), np.uint8)) == 0  # too small to hold a face: no error
    assert [d.name for d in (cls() for cls in faces.DETECTORS)] == ["cnn (libfacedetection/yuface)",
                                                                    "haar (OpenCV cascade)"]
