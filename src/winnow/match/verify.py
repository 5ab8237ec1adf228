"""Local-feature verification of a near-duplicate candidate: ORB keypoints on both pictures, ratio-tested
matches, and a RANSAC fit of a similarity transform (rotation, uniform scale, shift — what crops, rotations,
resizes, letterboxes and screenshots do). The inlier count is the evidence: a copy of the same photograph
keeps dozens of consistent keypoints, a look-alike (another photo with the same coarse light layout, which is
all PDQ sees) keeps a handful at random. Works on the case store's 256-px thumbnails.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_INLIERS = 14  # measured on the synthetic set (docs/neardup.md)
UPSCALE = 512  # thumbnails are upscaled to this longest side: ORB's pyramid needs some room
FEATURES = 700


@dataclass(frozen=True)
class Features:
    points: np.ndarray  # (n, 2) float32, in the picture's own pixels
    descriptors: np.ndarray  # (n, 32) uint8
    size: tuple[int, int]  # (width, height) of the picture


@dataclass(frozen=True)
class Verdict:
    inliers: int
    matches: int
    scale: float
    degrees: float

    @property
    def confirmed(self) -> bool:
        return self.inliers >= MIN_INLIERS


def features(gray: np.ndarray, mirrored: bool = False) -> Features:
    import cv2

    g = np.clip(gray, 0, 255).astype(np.uint8)
    if mirrored:
        g = g[:, ::-1].copy()
    h, w = g.shape
    factor = max(1.0, UPSCALE / max(h, w))
    if factor > 1:
        g = cv2.resize(g, (round(w * factor), round(h * factor)), interpolation=cv2.INTER_CUBIC)
    orb = cv2.ORB.create(nfeatures=FEATURES, fastThreshold=10, edgeThreshold=15, patchSize=15)
    keypoints, descriptors = orb.detectAndCompute(g, None)
    if descriptors is None or not keypoints:
        return Features(np.zeros((0, 2), np.float32), np.zeros((0, 32), np.uint8), (w, h))
    points = np.array([k.pt for k in keypoints], dtype=np.float32) / factor
    return Features(points, descriptors, (w, h))


def verify(a: Features, b: Features) -> Verdict:
    """How many of a's keypoints map onto b's under one similarity transform (RANSAC, 3 px at 256 px)."""
    import cv2

    if len(a.points) < 3 or len(b.points) < 3:
        return Verdict(0, 0, 0.0, 0.0)
    matcher = cv2.BFMatcher(cv2.NORM_HAMMING)
    pairs = matcher.knnMatch(a.descriptors, b.descriptors, k=2)
    good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < 0.8 * p[1].distance]
    if len(good) < 3:
        return Verdict(0, len(good), 0.0, 0.0)
    src = a.points[[m.queryIdx for m in good]]
    dst = b.points[[m.trainIdx for m in good]]
    threshold = 3.0 * max(b.size) / 256
    model, mask = cv2.estimateAffinePartial2D(src, dst, method=cv2.RANSAC, ransacReprojThreshold=threshold,
                                              maxIters=2000, confidence=0.995)
    if model is None or mask is None:
        return Verdict(0, len(good), 0.0, 0.0)
    scale = float(np.hypot(model[0, 0], model[1, 0]))
    degrees = float(np.degrees(np.arctan2(model[1, 0], model[0, 0])))
    inliers = int(mask.sum())
    if not 0.25 <= scale <= 4.0:  # no re-share shrinks or blows a picture up that much inside a thumbnail
        inliers = 0
    return Verdict(inliers, len(good), round(scale, 3), round(degrees, 2))
