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

All variants come from the 256-px thumbnail the case store keeps (so matching never re-reads evidence), hashed
the way PDQ hashes the full image (`Sampler`: PDQ's tent filter at the original's scale, then its 64 x 64
sample points moved by the geometry). Every variant has a name (the reason shown with a match) and a radius it
is trusted at: probes are trusted closer than plain PDQ, because each probe is another chance of a chance
match (`docs/neardup.md` has the measurements).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from PIL import Image

from winnow.signals.pdq import DCT, DIM, bits_hex, quality

TRIM_RADIUS = 31  # a border-removed picture is the picture itself: trusted like plain PDQ
PROBE_RADIUS = 21  # a blind probe (corners unclear: all twelve angles) is a guess: trusted closer
WEDGE_RADIUS = 31  # probes at the angle the corners' wedges show: the geometry was read (docs/neardup.md)
STORE_RADIUS = 26  # a reference's stored crops and rotations (reference pixels: every such pair is verified)
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


def gray_of_file(path: str | os.PathLike[str]) -> np.ndarray | None:
    """The luma of a stored thumbnail as uint8 (None when it cannot be read). JPEG's own Y channel, decoded
    without the colour conversion (3x faster than decoding RGB and converting; differs only where RGB
    clipped)."""
    import cv2

    try:
        data = np.fromfile(path, dtype=np.uint8)
    except OSError:
        return None
    gray = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE) if len(data) else None
    if gray is None:
        try:
            with Image.open(path) as im:
                return np.asarray(im.convert("L"), dtype=np.uint8)
        except (OSError, ValueError):
            return None
    return gray


def _band(lines: np.ndarray) -> np.ndarray:
    """Per row of `lines` (n, m) uint8: how many of its values fall within its fullest 24-level luma band."""
    n, m = lines.shape
    if m == 0:
        return np.zeros(n, dtype=np.int64)
    keys = (np.arange(n, dtype=np.int32)[:, None] << 5) + (lines >> 3)  # line * 32 + one of 32 bins of 8 levels
    counts = np.bincount(keys.ravel(), minlength=n * 32).reshape(n, 32)
    return (counts[:, :-2] + counts[:, 1:-1] + counts[:, 2:]).max(axis=1)


def _flat(lines: np.ndarray, share: float) -> np.ndarray:
    """Per row of `lines` (n, m) uint8: does `share` of it fall within one 24-level luma band?"""
    return _band(lines) >= share * lines.shape[1]


def _peel(lines: np.ndarray, share: float, chunk: int = 4, growth: int = 4,
          memo: dict[tuple[int, ...], np.ndarray] | None = None, key: tuple[int, ...] = ()) -> int:
    """How many leading rows of `lines` are flat: `chunk` rows first (most edges stop at the first row), then
    blocks `growth` times larger (a bar is tens of rows), never past the share that would leave too little
    content to be a trim. `memo` keeps the band counts per (`key`, block) for the other share's pass over the
    same lines."""
    done = 0
    limit = len(lines) - int(MIN_CONTENT * len(lines)) + 1  # beyond this the trim is refused anyway
    size = chunk
    while done < len(lines):
        end = min(done + size, max(limit, done + chunk))
        where = (*key, done, end)
        band = memo.get(where) if memo is not None else None
        if band is None:
            band = _band(lines[done:end])
            if memo is not None:
                memo[where] = band
        off = np.flatnonzero(band < share * lines.shape[1])
        if len(off):
            return done + int(off[0])
        done += len(band)
        if done >= limit:
            return done  # too much to be a border: the caller refuses the trim whatever the exact count
        size *= growth
    return done


def trim_box(gray: np.ndarray, share: float,
             memo: dict[tuple[int, ...], np.ndarray] | None = None) -> tuple[int, int, int, int] | None:
    """(left, top, right, bottom) of the content once near-uniform edge rows/columns are peeled, or None when
    nothing (or implausibly much) would be removed. Rows, then columns, twice: window chrome is peeled bar by
    bar, side margins once the bars above and below them are gone."""
    g = gray if gray.dtype == np.uint8 else np.clip(gray, 0, 255).astype(np.uint8)
    h, w = g.shape
    left, top, right, bottom = 0, 0, w, h
    for step in range(2):
        before = (left, top, right, bottom)
        inner = g[top:bottom, left:right]
        region = (top, bottom, left, right)
        top, bottom = (top + _peel(inner, share, memo=memo, key=(0, *region)),
                       bottom - _peel(inner[::-1], share, memo=memo, key=(1, *region)))
        if bottom - top < MIN_CONTENT * h:
            return None
        inner = g[top:bottom, left:right].T
        region = (top, bottom, left, right)
        left, right = (left + _peel(inner, share, memo=memo, key=(2, *region)),
                       right - _peel(inner[::-1], share, memo=memo, key=(3, *region)))
        if right - left < MIN_CONTENT * w:
            return None
        if step == 0 and (left, top, right, bottom) in (before, (0, 0, w, h)):
            break  # nothing peeled, or nothing more to peel: a second pass would find the same
    # a peel of one or two lines is JPEG edge noise, not a border
    margin = max(2, round(0.01 * max(h, w)))
    box = (left if left >= margin else 0, top if top >= margin else 0,
           right if w - right >= margin else w, bottom if h - bottom >= margin else h)
    return None if box == (0, 0, w, h) else box


# -------------------------------------------------------------- PDQ's own filter geometry, on the thumbnail


@lru_cache(maxsize=1024)
def _tent(width: float) -> np.ndarray:
    """Discrete weights (odd length, centred, sum 1) of two box passes of `width` thumbnail pixels: PDQ's
    Jarosz tent, integrated over each thumbnail pixel (a thumbnail pixel is the mean of its footprint)."""
    width = max(width, 1e-3)
    half = int(np.ceil(width + 0.5))
    k = np.arange(-half, half + 1, dtype=np.float64)

    def cumulative(x: np.ndarray) -> np.ndarray:  # integral of the triangle (base 2 * width) from -inf to x
        u = np.clip(x / width, -1.0, 1.0)
        return np.where(u < 0, 0.5 * (1 + u) ** 2, 1 - 0.5 * (1 - u) ** 2)

    w = cumulative(k + 0.5) - cumulative(k - 0.5)
    return (w / w.sum()).astype(np.float32)


def _centres(n: int, original: int | None = None) -> tuple[np.ndarray, float]:
    """Where PDQ samples its 64 points along a side of n thumbnail pixels (index coordinates), and the tent's
    width there in thumbnail pixels. `original` is the side in the image's own pixels (None: a large image).
    Meta decimates at int((i + 0.5) * N / 64) after two box passes of ceil(N / 128), which for an even window
    sit half a pixel to the right each."""
    if original is None or original <= n:
        original = n if original is not None else 64 * n
    s = n / original
    full = (original + 2 * DIM - 1) // (2 * DIM)
    picks = ((np.arange(DIM) + 0.5) * original / DIM).astype(np.int64).astype(np.float64)
    shift = 1.0 if full % 2 == 0 else 0.0
    return ((picks + shift + 0.5) * s - 0.5).astype(np.float32), full * s


class Sampler:
    """A picture (the thumbnail, or a box of it) ready to be hashed as PDQ would hash the full image, under
    small rotations and centre crops: blurred once with PDQ's tent at the picture's own scale, then sampled at
    PDQ's 64 x 64 points moved by the geometry (cv2.remap of 4,096 points: ~20 us a probe, where warping the
    picture and area-averaging it cost ~60 us and aliased differently from PDQ)."""

    def __init__(self, gray: np.ndarray, box: tuple[int, int, int, int] | None = None,
                 original: tuple[int, int] | None = None, crop: float = 0.0,
                 blurs: dict[tuple[float, float], np.ndarray] | None = None) -> None:
        import cv2

        h, w = gray.shape
        left, top, right, bottom = box or (0, 0, w, h)
        bw, bh = right - left, bottom - top
        # the picture a crop keeps: `crop` of each side removed (a store-side variant)
        dx, dy = crop * bw, crop * bh
        cw, ch = bw - 2 * dx, bh - 2 * dy
        oh, ow = original or (0, 0)
        scale = (oh / h if oh else 0.0, ow / w if ow else 0.0)
        orig_w = round(cw * scale[1]) if scale[1] else None
        orig_h = round(ch * scale[0]) if scale[0] else None
        xs, bx = _centres(max(1, round(cw)), orig_w)
        ys, by = _centres(max(1, round(ch)), orig_h)
        self.xs = (xs * (cw / max(1, round(cw))) + left + dx).astype(np.float32)
        self.ys = (ys * (ch / max(1, round(ch))) + top + dy).astype(np.float32)
        self.centre = (left + bw / 2 - 0.5, top + bh / 2 - 0.5)
        # the blur depends on the box only through PDQ's integer window (ceil(N / 128) of the original's N), so
        # the boxes of one picture (its trims, the box its probes turn) share it: `blurs` keeps it per width
        key = (round(float(bx), 6), round(float(by), 6))
        blurred = blurs.get(key) if blurs is not None else None
        if blurred is None:
            g = gray if gray.dtype in (np.uint8, np.float32) else gray.astype(np.float32)
            blurred = cv2.sepFilter2D(np.ascontiguousarray(g), cv2.CV_32F, _tent(key[0]), _tent(key[1]),
                                      borderType=cv2.BORDER_REFLECT)
            if blurs is not None:
                blurs[key] = blurred
        self.blurred = blurred

    def blocks(self, degrees: tuple[float, ...], fill: str = "reflect") -> np.ndarray:
        """(len(degrees), 64, 64): the picture rotated by each angle (counter-clockwise, as PIL and cv2 rotate),
        seen through PDQ's filter; all angles in one remap."""
        import cv2

        a = np.radians(np.asarray(degrees, dtype=np.float64))
        c, s = np.cos(a).astype(np.float32)[:, None, None], np.sin(a).astype(np.float32)[:, None, None]
        x0, y0 = self.centre
        dx = (self.xs - np.float32(x0))[None, None, :]
        dy = (self.ys - np.float32(y0))[None, :, None]
        # output point p of the rotated picture shows input point centre + R(-angle)(p - centre), y down
        gx = (c * dx - s * dy + np.float32(x0)).reshape(-1, DIM)
        gy = (s * dx + c * dy + np.float32(y0)).reshape(-1, DIM)
        border = cv2.BORDER_REFLECT101 if fill == "reflect" else cv2.BORDER_CONSTANT
        out = cv2.remap(self.blurred, gx, gy, cv2.INTER_LINEAR, borderMode=border, borderValue=0)
        return out.reshape(len(degrees), DIM, DIM)

    def hashes(self, degrees: tuple[float, ...], fill: str = "reflect") -> list[str]:
        """PDQ hex of the picture rotated by each angle."""
        return self.hashes_and_quality(degrees, fill)[0]

    def hashes_and_quality(self, degrees: tuple[float, ...], fill: str = "reflect") -> tuple[list[str], int]:
        """PDQ hex of the picture rotated by each angle, and the PDQ quality of the first of them."""
        if not degrees:
            return [], 0
        n = len(degrees)
        blocks = self.blocks(degrees, fill)  # (n, 64, 64): one matrix product per side for all angles
        rows = (DCT @ blocks.transpose(1, 0, 2).reshape(DIM, -1)).reshape(16, n, DIM)
        flat = (rows @ DCT.T).transpose(1, 0, 2).reshape(n, -1)  # (n, 256), row-major 16 x 16 coefficients
        median = np.partition(flat, 127, axis=1)[:, 127:128]  # torben(): the lower median of 256 values
        bits = np.packbits((flat > median)[:, ::-1].astype(np.uint8), axis=1)  # bit 255 first, as bits_hex
        return [row.tobytes().hex() for row in bits], quality(blocks[0])

    def pdq(self, degrees: float = 0.0, fill: str = "reflect", with_quality: bool = False) -> tuple[str, int]:
        block = self.blocks((degrees,), fill)[0]
        return bits_hex(DCT @ block @ DCT.T), quality(block) if with_quality else 0


def trims(gray: np.ndarray) -> list[tuple[str, tuple[int, int, int, int]]]:
    """The distinct border-removal boxes: strict (one-colour bars), loose (bars with some text or icons), and
    the symmetric one (each axis peeled by the smaller of its two peels: letterbox and pillarbox bars are equal,
    so a photo whose own top edge is as flat as the bar — sky, a dark background — keeps that edge)."""
    found: list[tuple[str, tuple[int, int, int, int]]] = []
    g = gray if gray.dtype == np.uint8 else np.clip(gray, 0, 255).astype(np.uint8)
    h, w = g.shape
    loosest = min(FLAT_SHARES)
    if not (_flat(g[[0, h - 1]], loosest).any() or _flat(np.ascontiguousarray(g[:, [0, w - 1]].T), loosest).any()):
        return found  # no edge line is flat: nothing to peel (most photographs: two checks instead of eight)
    memo: dict[tuple[int, ...], np.ndarray] = {}  # band counts the strict pass made, for the loose one
    for k, share in enumerate(FLAT_SHARES):
        box = trim_box(g, share, memo)
        if box is None:
            continue
        if all(box != b for _, b in found):
            found.append(("trim" if k == 0 else "trim-loose", box))
        if k == 0:
            left, top, right, bottom = box
            x, y = min(left, w - right), min(top, h - bottom)
            sym = (x, y, w - x, h - y)
            if sym != (0, 0, w, h) and all(sym != b for _, b in found):
                found.append(("trim-sym", sym))
    return found


REPLACED = ("trim", "trim-sym")  # the thumbnail's boxes that ingest's, read on the decode, stand in for


def with_borders(stored: list[Variant], variants: list[Variant]) -> list[Variant]:
    """A picture's lookups when ingest stored its border-removed hashes (`border_hashes`): those, in place of the
    thumbnail's strict and symmetric boxes (the loose box, for bars with text and icons, and the probes stay the
    thumbnail's: on screenshots the thumbnail's loose box found more, development set). Replacing rather than
    adding keeps the lookups per image as they were (measured: letterbox as with both, one tile fewer)."""
    if not stored:
        return variants
    return [*stored, *(v for v in variants if v.name not in REPLACED)]


BORDER_SIDE = 1024  # ingest's border-removed hashes are read from its decode, reduced to this longest side


def border_hashes(gray: np.ndarray, original: tuple[int, int]) -> list[Variant]:
    """At ingest, from the decode ingest already has (JPEG: DCT-reduced to >= `pdq_size`) and the luma PDQ
    took of it (`gray`, float or uint8): the PDQ of each border-removed box of the stored pixels (`trims`),
    named `trim@full` and `trim-sym@full`. The thumbnail sees a letterboxed picture at 172 of its
    256 pixels, and a box read there is a few original pixels off, which moves fine textures and text 30-60
    bits; read on the decode it lands on the bars' edge (development photographs, hash-only letterbox 33 %: 0.88
    -> 1.00). `original` is (width, height) of the stored pixels. A picture without a flat edge line (most)
    costs four lines' check."""
    loosest = min(FLAT_SHARES)
    rows = np.clip(gray[[0, -1]], 0, 255).astype(np.uint8)
    cols = np.ascontiguousarray(np.clip(gray[:, [0, -1]].T, 0, 255).astype(np.uint8))
    if not (_flat(rows, loosest).any() or _flat(cols, loosest).any()):
        return []
    g = np.clip(gray, 0, 255).astype(np.uint8)
    factor = max(1, -(-max(g.shape) // BORDER_SIDE))
    if factor > 1:  # a large PNG or TIFF: its borders are read at <= BORDER_SIDE pixels
        import cv2

        g = cv2.resize(g, (-(-g.shape[1] // factor), -(-g.shape[0] // factor)), interpolation=cv2.INTER_AREA)
    found = [(name, box) for name, box in trims(g) if name in REPLACED]  # the loose box: the thumbnail's is better
    blurs: dict[tuple[float, float], np.ndarray] = {}
    out = []
    for name, box in found:  # Sampler scales each box to the stored pixels' (height, width)
        pdq, q = Sampler(g, box, (original[1], original[0]), blurs=blurs).pdq(with_quality=True)
        out.append(Variant(f"{name}@full", pdq, q, TRIM_RADIUS))
    return out


FILL_TOLERANCE = 24  # luma levels: a corner wedge's fill (black or white), through JPEG
WEDGE_MIN, WEDGE_MAX = 0.5, 7.5  # degrees: the rotations a corner wedge is read as
WEDGE_WINDOW = 1.0  # degrees: the probes looked up around the wedges' angle
WEDGE_LEG = 0.2  # a wedge's long leg is about half the side; shorter than this share of it: no wedge


def _run(line: np.ndarray, fill: float) -> int:
    """How many leading pixels of `line` are the fill colour (a single odd pixel, JPEG ringing, does not end
    the run; two in a row do)."""
    off = np.abs(line - fill) > FILL_TOLERANCE
    both = off[:-1] & off[1:]
    hits = np.nonzero(both)[0]
    return int(hits[0]) if len(hits) else len(line)


def rotation_reading(gray: np.ndarray, box: tuple[int, int, int, int] | None = None,
                     grid: tuple[float, ...] = QUERY_ROTATIONS) -> tuple[str, tuple[float, ...], float]:
    """What the picture's corners say about a rotation, which probes of `grid` that asks for, and the angle
    that rotates it back: ("upright", (), 0), ("rotated", the probes within WEDGE_WINDOW of the wedges' angle,
    that angle) or ("unclear", all of them, 0).

    A picture rotated by a few degrees on its own canvas (what rotating in an editor or viewer leaves, and the
    only rotation a hash-only set can be matched through: a rotation that also crops is a crop) has a thin
    fill-coloured wedge in each corner: along one edge about half the side long, along the other a few pixels,
    their ratio the tangent of the angle. Corners with no wedge at all: upright (most of a collection). At
    least two wedges agreeing on an angle: rotated. Anything else (a flat sky or a dark background in a corner,
    wedges that disagree): unclear."""
    h, w = gray.shape
    left, top, right, bottom = box or (0, 0, w, h)
    g = gray[top:bottom, left:right]
    ph, pw = g.shape
    if ph < 16 or pw < 16:
        return "unclear", grid, 0.0
    estimates: list[float] = []
    unclear = 0
    # each corner seen as the top-left one (flipped there); a flip reverses the sense of rotation
    for view, sign in ((g, 1.0), (g[:, ::-1], -1.0), (g[::-1, ::-1], 1.0), (g[::-1, :], -1.0)):
        corner = sorted([*view[0, :3].tolist(), *view[:3, 0].tolist()])
        fill = (corner[2] + corner[3]) / 2  # their median
        if FILL_TOLERANCE < fill < 255 - FILL_TOLERANCE:
            continue  # editors fill a rotation's corners with black or white (or transparency, flattened so)
        along_row, along_column = _run(view[0], fill), _run(view[:, 0], fill)
        long_leg, short_leg = max(along_row, along_column), min(along_row, along_column)
        if long_leg < WEDGE_LEG * min(ph, pw) or short_leg < 2:
            continue  # the picture reaches this corner, or one flat edge (a sky): not a rotation's wedge
        degrees = float(np.degrees(np.arctan(short_leg / long_leg)))
        # a wedge's edge is straight: halfway along its short leg, the fill runs half the long leg
        k = short_leg // 2
        middle = _run(view[k], fill) if along_row > along_column else _run(view[:, k], fill)
        expected = long_leg * (1 - (k + 0.5) / short_leg)
        if not WEDGE_MIN <= degrees <= WEDGE_MAX or abs(middle - expected) > 0.15 * long_leg + 3:
            unclear += 1  # a flat patch in the corner: the picture's own, or a wedge hidden in it
            continue
        estimates.append(degrees * (sign if along_row > along_column else -sign))
    if len(estimates) >= 2 and max(estimates) - min(estimates) <= 1.5:
        angle = -float(np.median(estimates))  # the probe rotates back
        near = tuple(a for a in grid if abs(a - angle) <= WEDGE_WINDOW)
        return ("rotated", near, angle) if near else ("unclear", grid, 0.0)
    if not estimates and not unclear:
        return "upright", (), 0.0
    return "unclear", grid, 0.0


FILL_WINDOW = 9  # thumbnail pixels: the neighbourhood a rotation's wedges are filled from


def rotation_probes(gray: np.ndarray, box: tuple[int, int, int, int] | None = None,
                    grid: tuple[float, ...] = QUERY_ROTATIONS) -> tuple[float, ...]:
    """Which rotation probes are worth looking up for this picture, read from its corners
    (`rotation_reading`): none for an upright picture, 2-3 for wedges agreeing on an angle, all otherwise."""
    return rotation_reading(gray, box, grid)[1]


def fill_wedges(gray: np.ndarray, angle: float, window: int = FILL_WINDOW) -> np.ndarray:
    """The picture (rotated on its own canvas by -`angle` degrees) with its corner wedges filled from the
    content next to them (the mean of the content pixels within `window`), so that rotating it back does not
    carry the fill colour into the corners PDQ sees: the original had picture there, and a neighbourhood's
    mean is nearer to it than black or white (measured on the development set, wedge-read probes within 31
    of the original: tiles 0.90 -> 0.95 at 3 degrees, 0.77 -> 0.85 at 5; full photographs 0.86 -> 0.86 and
    0.79 -> 0.86; a 15-pixel window did as well on the tiles and lost one full photograph at 5 degrees)."""
    import cv2

    h, w = gray.shape
    turn = cv2.getRotationMatrix2D((w / 2 - 0.5, h / 2 - 0.5), -angle, 1.0)
    inside = cv2.warpAffine(np.ones((h, w), np.float32), turn, (w, h), flags=cv2.INTER_LINEAR, borderValue=0)
    content = cv2.erode((inside > 0.99).astype(np.float32), np.ones((3, 3), np.uint8))  # edge pixels are blends
    g = gray.astype(np.float32)
    total = cv2.boxFilter(g * content, -1, (window, window), normalize=False, borderType=cv2.BORDER_REFLECT)
    count = cv2.boxFilter(content, -1, (window, window), normalize=False, borderType=cv2.BORDER_REFLECT)
    return np.where(content > 0, g, total / np.maximum(count, 1e-3)).astype(np.float32)


def query_variants(gray: np.ndarray, original: tuple[int, int] | None = None,
                   rotations: tuple[float, ...] = QUERY_ROTATIONS, probe_radius: int | None = None,
                   select: bool = True, wedge_radius: int | None = None) -> list[Variant]:
    """What a case image is also looked up as: its border-removed pictures (trusted like PDQ) and probes of it
    rotated back by a few degrees. `original` is (height, width) of the image the thumbnail `gray` shows (None:
    a large image).

    The corners are read first (`rotation_reading`, on the whole picture): wedges agreeing on an angle are a
    rotation on the picture's own canvas, and then the wedges are all its "border" — the probes of the whole
    picture at that angle are looked up (trusted at `wedge_radius`: the geometry was read, not guessed) and
    no border removal (which would peel the wedges' edge lines and turn the wrong box). Otherwise the borders
    are removed and the corners of the first border-removed box are read: wedges there give their probes of
    that box (`wedge_radius`), unclear corners every probe of the grid (`probe_radius`: twelve guesses, each
    one more chance of a chance match, trusted closer). Zoom-out probes were measured and dropped: a crop
    cannot be undone from the query side (the margin PDQ needs is gone)."""
    probe_radius = PROBE_RADIUS if probe_radius is None else probe_radius
    wedge_radius = WEDGE_RADIUS if wedge_radius is None else wedge_radius
    blurs: dict[tuple[float, float], np.ndarray] = {}
    if select:
        kind, chosen, angle = rotation_reading(gray, None, rotations)
        if kind == "rotated":
            hashes, q = Sampler(fill_wedges(gray, angle), None, original).hashes_and_quality(chosen)
            return [Variant(f"rotate{degrees:+g}", pdq, q, wedge_radius)
                    for degrees, pdq in zip(chosen, hashes, strict=True)]
    out: list[Variant] = []
    found = trims(gray)
    for name, trimmed in found:
        pdq, q = Sampler(gray, trimmed, original, blurs=blurs).pdq(with_quality=True)
        out.append(Variant(name, pdq, q, TRIM_RADIUS))
    prefix = found[0][0] + "+" if found else ""
    if not select:
        kind, chosen = "unclear", rotations
    elif found:
        kind, chosen, _ = rotation_reading(gray, found[0][1], rotations)
    if not chosen:
        return out  # an upright picture: no probes (and no blur to make)
    sampler = Sampler(gray, found[0][1] if found else None, original, blurs=blurs)
    hashes, first_quality = sampler.hashes_and_quality(chosen)
    q = out[0].quality if out else first_quality  # the picture's quality, seen through its first probe
    radius = wedge_radius if kind == "rotated" else probe_radius
    for degrees, pdq in zip(chosen, hashes, strict=True):
        out.append(Variant(f"{prefix}rotate{degrees:+g}", pdq, q, radius))
    return out


Picture = tuple[str | bytes | None, tuple[int, int] | None]  # a thumbnail's path or bytes; the image's size
PROCESSES_FROM = 1500  # pictures: from here on `query_variants_many` hashes in worker processes


def oriented(size: tuple[int, int] | None, gray: np.ndarray) -> tuple[int, int] | None:
    """(height, width) of the image a thumbnail shows: its stored pixels' `size`, turned when the thumbnail was
    turned upright (EXIF orientation); None when unknown (the variants then assume a large image)."""
    if not size or not size[0] or not size[1]:
        return None
    height, width = size
    if (width > height) != (gray.shape[1] > gray.shape[0]) and width != height:
        width, height = height, width
    return int(height), int(width)


def load_picture(picture: Picture) -> tuple[np.ndarray | None, tuple[int, int] | None]:
    """A thumbnail's luma (None when it cannot be read) and the size of the image it shows."""
    source, size = picture
    if source is None:
        return None, None
    if isinstance(source, bytes):
        import cv2

        gray = cv2.imdecode(np.frombuffer(source, np.uint8), cv2.IMREAD_GRAYSCALE) if source else None
    else:
        gray = gray_of_file(source)
    return (gray, oriented(size, gray)) if gray is not None else (None, None)


def _variants_of(pictures: Sequence[Picture]) -> list[list[Variant] | None]:
    import cv2

    cv2.setNumThreads(1)  # the warps are tiny: handing them to OpenCV's threads costs more than running them
    out: list[list[Variant] | None] = []
    for picture in pictures:
        gray, original = load_picture(picture)
        out.append(None if gray is None else query_variants(gray, original))
    return out


_POOL: list[Any] = []  # one pool of worker processes per process, started on first use, reused
_POOL_EXIT: list[bool] = []


def _pool(workers: int) -> Any:
    import atexit
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if _POOL and _POOL[0][0] == workers:
        return _POOL[0][1]
    if _POOL:
        _POOL.pop()[1].shutdown()
    import multiprocessing.forkserver

    from winnow.processes import ONE_THREAD, environment

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["numpy", "cv2", "winnow.signals.neardup"])  # imported once, in the server
    with environment(ONE_THREAD):  # one BLAS thread per worker (`winnow.processes`)
        multiprocessing.forkserver.ensure_running()
    pool = ProcessPoolExecutor(workers, mp_context=context)
    if not _POOL_EXIT:
        atexit.register(lambda: _POOL and _POOL.pop()[1].shutdown())
        _POOL_EXIT.append(True)
    _POOL.append((workers, pool))
    return pool


def query_variants_many(pictures: Sequence[Picture], workers: int | None = None,
                        chunk: int = 256) -> list[list[Variant] | None]:
    """`query_variants` of many thumbnails (None for one that cannot be read), in order. From PROCESSES_FROM
    pictures on, chunks of them are read and hashed in a worker process per core (measured: threads gain
    ~1.1x, the work being many small NumPy calls that hold the GIL). The processes come from a fork server,
    never a fork of this process (which may run threads: the review app, a Dask client); they start once
    (~0.5 s) and serve every later batch of the process."""
    workers = workers or os.cpu_count() or 1
    if workers <= 1 or len(pictures) < max(PROCESSES_FROM, 2 * chunk):
        import cv2

        before = cv2.getNumThreads()
        try:
            return _variants_of(pictures)
        finally:
            cv2.setNumThreads(before)
    parts = [pictures[i:i + chunk] for i in range(0, len(pictures), chunk)]
    done = list(_pool(workers).map(_variants_of, parts))
    return [v for part in done for v in part]


def store_variants(gray: np.ndarray, original: tuple[int, int] | None = None,
                   rotations: tuple[float, ...] = STORE_ROTATIONS, crops: tuple[float, ...] = STORE_CROPS,
                   radius: int = STORE_RADIUS) -> list[Variant]:
    """What a reference image (whose pixels winnow has) is also stored as: its border-removed picture, centre
    crops on a 1 % grid and small rotations on a 1 degree grid (black corners, as editors rotate). PDQ moves
    ~20 bits for 1 % per side of crop or 1 degree of rotation, so the grids are that fine."""
    out: list[Variant] = []
    blurs: dict[tuple[float, float], np.ndarray] = {}
    sampler = Sampler(gray, None, original, blurs=blurs)
    q = sampler.pdq(with_quality=True)[1]
    for name, box in trims(gray)[:1]:  # the reference shown in bars: matched by the query's border removal too
        out.append(Variant(name, *Sampler(gray, box, original, blurs=blurs).pdq(with_quality=True), TRIM_RADIUS))
    # crops and rotations of the picture as it is (its own flat edges, a sky or a dark ground, are part of it)
    for share in crops:
        out.append(Variant(f"crop{share:g}", Sampler(gray, None, original, crop=share, blurs=blurs).pdq()[0], q,
                           radius))
    for degrees, pdq in zip(rotations, sampler.hashes(rotations, fill="black"), strict=True):
        out.append(Variant(f"rotate{degrees:+g}", pdq, q, radius))
    return out
