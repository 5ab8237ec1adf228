"""Near-duplicate variants of an image: border removal and geometric probes, hashed with PDQ.

PDQ survives re-encoding and resizing but not geometry: a 5 %-per-side crop, a 3 degree rotation or a 33 %
letterbox moves ~60-120 of its 256 bits, far past the usual match distance of 31. The stored PDQ of a case image
is of its full pixels, so it cannot change; what can change is *which pictures get hashed*:

- **border removal** (as Meta's own PDQ preprocessing proposes for letterboxes): near-uniform rows and columns
  (letterbox/pillarbox bars, window chrome around a screenshot) are peeled from the edges and the rest is hashed;
- **query-side probes**: the (border-removed) picture rotated back by a few degrees (margins filled by
  reflection). A crop cannot be probed back from the query side: the margin it removed is gone, and zoom-out
  probes with reflected margins stayed 42-94 bits off (measured on the synthetic set);
- **store-side variants** (only where winnow has the reference pixels: case items matched against each other,
  reference sets winnow builds): the reference's centre crops and small rotations, so that a crop of it matches
  directly.

All variants come from the 256-px thumbnail the case store keeps (so matching never re-reads evidence), reduced
to BASE px, warped, and area-averaged straight into PDQ's 64 x 64 block (`pdq_of`). Every variant has a name
(the reason shown with a match) and a radius it is trusted at: probes are trusted closer than plain PDQ,
because each probe is another chance of a chance match (`docs/neardup.md` has the measurements).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from winnow.signals.pdq import DCT, DIM, bits_hex, quality

BASE = 128  # the picture a variant is warped from: longest side in pixels, aspect kept
TRIM_RADIUS = 31  # a border-removed picture is the picture itself: trusted like plain PDQ
PROBE_RADIUS = 26  # a probe is a guess at a geometry: trusted closer (measured: docs/neardup.md)
QUERY_ROTATIONS = tuple(float(a) for a in (-6, -5, -4, -3, -2, -1, 1, 2, 3, 4, 5, 6))
STORE_ROTATIONS = tuple(float(a) for a in (-7, -6, -5, -4, -3, -2, -1, 1, 2, 3, 4, 5, 6, 7))
STORE_CROPS = tuple(round(0.01 * k, 2) for k in range(1, 14))  # centre crops: share removed per side
FLAT_SHARES = (0.97, 0.7)  # a row/column is border if this share of it lies in one narrow luma band
MIN_CONTENT = 0.35  # a trim leaving less than this share of a side is not a border


@dataclass(frozen=True)
class Variant:
    name: str  # 'trim', 'trim-loose', 'trim+rotate-4', 'crop0.08', ...
    pdq: str
    quality: int
    radius: int  # the largest distance at which a match through this variant counts


def gray_of(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("L"), dtype=np.float32)


def _flat(lines: np.ndarray, share: float) -> np.ndarray:
    """Per row of `lines` (n, m) uint8: does `share` of it fall within one 24-level luma band?"""
    n, m = lines.shape
    if m == 0:
        return np.zeros(n, dtype=bool)
    bins = (lines >> 3).astype(np.int64)  # 32 bins of 8 levels
    counts = np.bincount((np.arange(n)[:, None] * 32 + bins).ravel(), minlength=n * 32).reshape(n, 32)
    window = counts[:, :-2] + counts[:, 1:-1] + counts[:, 2:]
    return window.max(axis=1) >= share * m


def _peel(lines: np.ndarray, share: float, chunk: int = 16) -> int:
    """How many leading rows of `lines` are flat, looking at `chunk` rows at a time: most pictures stop at the
    first row, so only a few rows are ever counted."""
    done = 0
    while done < len(lines):
        flags = _flat(lines[done:done + chunk], share)
        off = np.nonzero(~flags)[0]
        if len(off):
            return done + int(off[0])
        done += len(flags)
    return done


def trim_box(gray: np.ndarray, share: float) -> tuple[int, int, int, int] | None:
    """(left, top, right, bottom) of the content once near-uniform edge rows/columns are peeled, or None when
    nothing (or implausibly much) would be removed. Rows, then columns, twice: window chrome is peeled bar by
    bar, side margins once the bars above and below them are gone."""
    g = np.clip(gray, 0, 255).astype(np.uint8)
    h, w = g.shape
    left, top, right, bottom = 0, 0, w, h
    for _ in range(2):
        inner = g[top:bottom, left:right]
        top, bottom = top + _peel(inner, share), bottom - _peel(inner[::-1], share)
        if bottom - top < MIN_CONTENT * h:
            return None
        inner = g[top:bottom, left:right].T
        left, right = left + _peel(inner, share), right - _peel(inner[::-1], share)
        if right - left < MIN_CONTENT * w:
            return None
    # a peel of one or two lines is JPEG edge noise, not a border
    margin = max(2, round(0.01 * max(h, w)))
    box = (left if left >= margin else 0, top if top >= margin else 0,
           right if w - right >= margin else w, bottom if h - bottom >= margin else h)
    return None if box == (0, 0, w, h) else box


def base(gray: np.ndarray, box: tuple[int, int, int, int] | None = None) -> np.ndarray:
    """The picture (or its `box`) area-resampled to BASE px on its longest side, uint8, aspect kept: rotations
    must happen in the picture's own aspect, and a small base keeps each probe at ~60 us."""
    import cv2

    if box is not None:
        gray = gray[box[1]:box[3], box[0]:box[2]]
    h, w = gray.shape
    f = BASE / max(h, w)
    size = (max(1, round(w * f)), max(1, round(h * f)))
    return cv2.resize(np.clip(gray, 0, 255).astype(np.uint8), size, interpolation=cv2.INTER_AREA)


def pdq_of(picture: np.ndarray, degrees: float = 0.0, zoom: float = 1.0, fill: str = "reflect",
           with_quality: bool = False) -> tuple[str, int]:
    """PDQ of `picture` rotated by `degrees` about its centre and scaled by `zoom` (> 1 shows less: a centre
    crop), its 64 x 64 block taken by area averaging. From a 256-px thumbnail this stays within ~8 bits (median;
    max 12-14) of the full image's PDQ, where PDQ's own filter on the small picture is ~17 off: its tiny tent
    window aliases the thumbnail's own resampling (measured on the synthetic set)."""
    import cv2

    h, w = picture.shape
    if degrees or zoom != 1.0:
        m = cv2.getRotationMatrix2D(((w - 1) / 2, (h - 1) / 2), degrees, zoom)
        border = cv2.BORDER_REFLECT101 if fill == "reflect" else cv2.BORDER_CONSTANT
        picture = cv2.warpAffine(picture, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=border, borderValue=0)
    block = cv2.resize(picture, (DIM, DIM), interpolation=cv2.INTER_AREA).astype(np.float32)
    return bits_hex(DCT @ block @ DCT.T), quality(block) if with_quality else 0


def trims(gray: np.ndarray) -> list[tuple[str, tuple[int, int, int, int]]]:
    """The distinct border-removal boxes (strict: one-colour bars; loose: bars with some text or icons)."""
    found: list[tuple[str, tuple[int, int, int, int]]] = []
    for k, share in enumerate(FLAT_SHARES):
        box = trim_box(gray, share)
        if box is not None and all(box != b for _, b in found):
            found.append(("trim" if k == 0 else "trim-loose", box))
    return found


def query_variants(gray: np.ndarray, rotations: tuple[float, ...] = QUERY_ROTATIONS,
                   probe_radius: int = PROBE_RADIUS) -> list[Variant]:
    """What a case image is also looked up as: its border-removed pictures (trusted like PDQ) and probes of its
    (most border-removed) picture rotated back by a few degrees (trusted at `probe_radius`). Zoom-out probes
    were measured and dropped: a crop cannot be undone from the query side (the margin PDQ needs is gone)."""
    out: list[Variant] = []
    picture, prefix, q = base(gray), "", -1
    for name, box in trims(gray):
        picture, prefix = base(gray, box), name + "+"
        pdq, q = pdq_of(picture, with_quality=True)
        out.append(Variant(name, pdq, q, TRIM_RADIUS))
    if q < 0:
        q = pdq_of(picture, with_quality=True)[1]
    for degrees in rotations:
        out.append(Variant(f"{prefix}rotate{degrees:+g}", pdq_of(picture, degrees)[0], q, probe_radius))
    return out


def store_variants(gray: np.ndarray, rotations: tuple[float, ...] = STORE_ROTATIONS,
                   crops: tuple[float, ...] = STORE_CROPS, radius: int = PROBE_RADIUS) -> list[Variant]:
    """What a reference image (whose pixels winnow has) is also stored as: its border-removed picture, centre
    crops on a 1 % grid and small rotations on a 1 degree grid (black corners, as editors rotate). PDQ moves
    ~20 bits for 1 % per side of crop or 1 degree of rotation, so the grids are that fine."""
    out: list[Variant] = []
    picture, prefix = base(gray), ""
    for name, box in trims(gray)[:1]:
        picture, prefix = base(gray, box), name + "+"
        pdq, q = pdq_of(picture, with_quality=True)
        out.append(Variant(name, pdq, q, TRIM_RADIUS))
    q = pdq_of(picture, with_quality=True)[1]
    for share in crops:
        out.append(Variant(f"{prefix}crop{share:g}", pdq_of(picture, zoom=1 / (1 - 2 * share))[0], q, radius))
    for degrees in rotations:
        out.append(Variant(f"{prefix}rotate{degrees:+g}", pdq_of(picture, degrees, fill="black")[0], q, radius))
    return out
