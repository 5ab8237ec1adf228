"""Local-feature verification of a near-duplicate candidate: SIFT keypoints on both pictures, ratio-tested
matches, and a RANSAC fit of a similarity transform (rotation, uniform scale, shift — what crops, rotations,
resizes, letterboxes and screenshots do). A copy of the same photograph keeps dozens of consistent keypoints
spread over the picture; a look-alike (another photo with the same coarse light layout, which is all PDQ sees)
keeps a handful at random. The evidence is the inlier count, how far the inliers spread over the reference
(the share of its width and height their bounding box spans), and the similarity's scale and angle. Works on
the case store's 256-px thumbnails.

SIFT replaced ORB (measured in `docs/neardup.md`): on small, blurry, low-texture pictures (tiles of a retina
fundus photograph, a cell micrograph) FAST finds too few corners and ORB confirmed 76 % of true copies, where
SIFT (a low contrast threshold: blobs, not corners) confirmed 99 %, and random other pictures kept at most 6
SIFT inliers against ORB's 11.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_INLIERS = 14  # set with ORB on the synthetic set; kept for SIFT (random pairs keep <= 6, docs/neardup.md)
MIN_SPREAD = 0.2  # the inliers' bounding box spans at least this share of the reference's width and height
UPSCALE = 512  # thumbnails are upscaled to this longest side: the detector's pyramid needs some room
FEATURES = 700
MIN_OVERLAP = 0.5  # a near-duplicate shows most of the reference (a crop of 10 % per side: 0.64)
MIN_AGREEMENT = 0.5  # share of textured cells where the aligned pictures correlate (a copy: ~1)
CELLS = 6  # the pixel check's grid per side
FLAT = 3.0  # luma standard deviation below which a cell shows no texture
CONTRAST = 0.01  # SIFT's contrast threshold (OpenCV's default 0.04 drops the keypoints of blurry pictures)
CLOSE_DISTANCE = 16  # a candidate this close in PDQ is strong evidence already (docs/neardup.md, sixth session)
CLOSE_INLIERS = 6  # ... and needs fewer keypoints, no spread, but the same pixel check


@dataclass(frozen=True)
class Features:
    points: np.ndarray  # (n, 2) float32, in the picture's own pixels
    descriptors: np.ndarray  # (n, 128) float32
    size: tuple[int, int]  # (width, height) of the picture


@dataclass(frozen=True)
class Verdict:
    inliers: int
    matches: int
    scale: float
    degrees: float
    spread: float = 0.0  # the smaller of the inliers' width and height spans, as a share of the reference's
    overlap: float = 1.0  # the share of the reference the fitted query covers (pixel check)
    agreement: float = 1.0  # share of the overlap's textured cells where the aligned pictures correlate

    @property
    def confirmed(self) -> bool:
        return (self.inliers >= MIN_INLIERS and self.spread >= MIN_SPREAD and self.overlap >= MIN_OVERLAP
                and self.agreement >= MIN_AGREEMENT)

    @property
    def rule(self) -> str:
        """Which rule a confirmed pair passed: `features` (enough keypoints, spread over the reference, the pixel
        check) or `close` (only `confirmed_at`'s: a hash pair within CLOSE_DISTANCE, a few keypoints, the same
        pixel check)."""
        return "features" if self.confirmed else "close"

    def confirmed_at(self, distance: int | None) -> bool:
        """Confirmed for a candidate whose closest hash pair is `distance` bits apart (None: found by feature
        votes). Within CLOSE_DISTANCE two independent signs agree already — the hashes, and the pixels once
        aligned — so a small, low-texture picture whose keypoints are few and bunched (a crop of a retina tile:
        2 bits from the stored crop, 8-12 inliers over 8-17 % of it) needs CLOSE_INLIERS consistent keypoints
        (enough to align the two) and no spread; the pixel check stays as strict."""
        if distance is not None and distance <= CLOSE_DISTANCE:
            return (self.inliers >= CLOSE_INLIERS and self.overlap >= MIN_OVERLAP
                    and self.agreement >= MIN_AGREEMENT)
        return self.confirmed


def features(gray: np.ndarray, mirrored: bool = False) -> Features:
    import cv2

    g = np.clip(gray, 0, 255).astype(np.uint8)
    if mirrored:
        g = g[:, ::-1].copy()
    h, w = g.shape
    factor = max(1.0, UPSCALE / max(h, w))
    if factor > 1:
        g = cv2.resize(g, (round(w * factor), round(h * factor)), interpolation=cv2.INTER_CUBIC)
    sift = cv2.SIFT.create(nfeatures=FEATURES, contrastThreshold=CONTRAST)
    keypoints, descriptors = sift.detectAndCompute(g, None)
    if descriptors is None or not keypoints:
        return Features(np.zeros((0, 2), np.float32), np.zeros((0, 128), np.float32), (w, h))
    points = np.array([k.pt for k in keypoints], dtype=np.float32) / factor
    return Features(points, descriptors, (w, h))


def verify(a: Features, b: Features, gray_a: np.ndarray | None = None, gray_b: np.ndarray | None = None,
           mirrored: bool = False) -> Verdict:
    """How many of a's keypoints map onto b's under one similarity transform (RANSAC, 3 px at 256 px); with the
    two pictures (`gray_a` as given, mirrored when a's features were), also how much of b the aligned a
    covers and how well the two correlate there (a pixel check of the whole picture, not only keypoints)."""
    import cv2

    if len(a.points) < 3 or len(b.points) < 3:
        return Verdict(0, 0, 0.0, 0.0)
    matcher = cv2.BFMatcher(cv2.NORM_L2)
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
    inside = dst[mask.ravel().astype(bool)]
    inliers = int(len(inside))
    if not 0.25 <= scale <= 4.0:  # no re-share shrinks or blows a picture up that much inside a thumbnail
        inliers = 0
    spread = 0.0
    if inliers:
        span = inside.max(axis=0) - inside.min(axis=0)
        spread = float(min(span[0] / max(1, b.size[0]), span[1] / max(1, b.size[1])))
    overlap, agreement = 1.0, 1.0
    if inliers and gray_a is not None and gray_b is not None:
        overlap, agreement = _aligned(model, gray_a[:, ::-1] if mirrored else gray_a, gray_b)
    return Verdict(inliers, len(good), round(scale, 3), round(degrees, 2), round(spread, 3), round(overlap, 3),
                   round(agreement, 3))


def _aligned(model: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """(share of b covered by a warped with `model`, agreement of the two there), at <= 128 px. Agreement: the
    share of the covered cells (a 6 x 6 grid) that show texture in both pictures and correlate there (r >= 0.5);
    cells flat in either (a letterbox bar laid over the reference, a sky) and a's own border (its trim box) do
    not count. A copy agrees almost
    everywhere; a picture sharing one copied patch with the reference agrees in that patch only."""
    import cv2

    h, w = b.shape
    a32 = np.ascontiguousarray(a, dtype=np.float32)
    warped = cv2.warpAffine(a32, model.astype(np.float64), (w, h), flags=cv2.INTER_LINEAR)
    from winnow.signals.neardup import FLAT_SHARES, trim_box

    content = np.zeros_like(a32)
    box = trim_box(a32, FLAT_SHARES[0]) or (0, 0, a32.shape[1], a32.shape[0])
    content[box[1]:box[3], box[0]:box[2]] = 1.0  # a's bars or borders laid over b are no evidence either way
    inside = cv2.warpAffine(content, model.astype(np.float64), (w, h), flags=cv2.INTER_NEAREST)
    frame = cv2.warpAffine(np.ones_like(a32), model.astype(np.float64), (w, h), flags=cv2.INTER_NEAREST)
    f = min(1.0, 128 / max(h, w))
    size = (max(1, round(w * f)), max(1, round(h * f)))
    warped = cv2.resize(warped, size, interpolation=cv2.INTER_AREA)
    target = cv2.resize(np.ascontiguousarray(b, dtype=np.float32), size, interpolation=cv2.INTER_AREA)
    valid = cv2.resize(inside, size, interpolation=cv2.INTER_AREA) > 0.999  # wholly inside a, no blended edge
    overlap = float((cv2.resize(frame, size, interpolation=cv2.INTER_AREA) > 0.999).mean())
    agree, informative = 0, 0
    ys = np.linspace(0, size[1], CELLS + 1).astype(int)
    xs = np.linspace(0, size[0], CELLS + 1).astype(int)
    for y0, y1 in zip(ys[:-1], ys[1:], strict=True):
        for x0, x1 in zip(xs[:-1], xs[1:], strict=True):
            m = valid[y0:y1, x0:x1]
            if m.size == 0 or m.mean() < 0.8:
                continue
            x = warped[y0:y1, x0:x1][m].astype(np.float64)
            y = target[y0:y1, x0:x1][m].astype(np.float64)
            if x.std() < FLAT or y.std() < FLAT:
                continue
            informative += 1
            agree += float(np.corrcoef(x, y)[0, 1]) >= 0.5
    if informative < 4:  # too little texture to judge by cells: the whole covered area's correlation
        if valid.sum() < 16:
            return overlap, 0.0
        x, y = warped[valid].astype(np.float64), target[valid].astype(np.float64)
        if x.std() < FLAT or y.std() < FLAT:
            return overlap, 0.0
        return overlap, max(0.0, float(np.corrcoef(x, y)[0, 1]))
    return overlap, agree / informative


class FeatureIndex:
    """A candidate stage by local features, for where PDQ itself is fragile (fine texture, small or blurry
    pictures: every hash of a resampled copy moves): the SIFT descriptors of all reference pictures in one
    approximate nearest-neighbour index (OpenCV's FLANN k-d trees); each ratio-tested query descriptor votes
    for the reference its nearest neighbour belongs to, and the references with the most votes (at least
    `min_votes`) are candidates, to be confirmed by `verify` like any other. Costs one SIFT extraction per
    query picture (~100 ms on a 256-px thumbnail), so it is a stage for reference-pixel sets of modest size,
    not for 10M hashes."""

    def __init__(self, refs: list[Features], trees: int = 4, checks: int = 64) -> None:
        import cv2

        self.owner = np.concatenate([np.full(len(f.descriptors), i, dtype=np.int32) for i, f in enumerate(refs)]
                                    or [np.zeros(0, np.int32)])
        self.count = len(refs)
        descriptors = [f.descriptors for f in refs if len(f.descriptors)]
        self.matcher = None
        if descriptors:
            self.matcher = cv2.FlannBasedMatcher({"algorithm": 1, "trees": trees}, {"checks": checks})
            self.matcher.add([np.ascontiguousarray(np.concatenate(descriptors), dtype=np.float32)])
            self.matcher.train()

    def candidates(self, query: Features, top: int = 3, min_votes: int = 6) -> list[tuple[int, int]]:
        """(reference, votes) of the best-voted references, most votes first."""
        if self.matcher is None or len(query.descriptors) < 2:
            return []
        pairs = self.matcher.knnMatch(np.ascontiguousarray(query.descriptors, dtype=np.float32), k=2)
        hits = [p[0].trainIdx for p in pairs if len(p) == 2 and p[0].distance < 0.8 * p[1].distance]
        if not hits:
            return []
        votes = np.bincount(self.owner[np.array(hits)], minlength=self.count)
        order = np.argsort(-votes, kind="stable")[:top]
        return [(int(j), int(votes[j])) for j in order if votes[j] >= min_votes]
