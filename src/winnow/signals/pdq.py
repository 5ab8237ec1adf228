"""PDQ (Meta's perceptual hash), computed the way Meta's reference computes it, but only where it is needed.

Meta's C++ blurs the whole luma image with a tent filter (two passes of clipped box filters along rows and
columns, `jaroszFilterFloat`) and then keeps 64x64 samples (`decimateFloat`). Both steps are linear and
separable, so the 64x64 result is `Rh @ luma @ Rw.T`, where `Rh` (64 x rows) and `Rw` (64 x cols) are the box
filters composed and sampled at the decimation points. Each row of `R` is non-zero over about 1/32 of the image,
so the blur costs one pass over the image instead of eight; the rest (quality metric, 16x16 DCT, median
threshold, bit order) follows `pdqhashing.cpp` step by step. Because the operator is explicit, it can also be
moved onto the grid of a JPEG decoded at reduced scale (see `operator`). Tests check bit agreement with
`pdqhash` (Meta's C++ through its Python binding) on many sizes; `benchmarks/pdq.py` measures the speed-up.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from PIL import Image

DIM = 64
MIN_HASHABLE_DIM = 5
MIN_QUALITY = 50  # quality below which a PDQ is not trusted (Meta's rule): not matched by hash


def window_size(old: int, new: int = DIM) -> int:
    """computeJaroszFilterWindowSize: half the block size, rounded up (two passes make a full block)."""
    return (old + 2 * new - 1) // (2 * new)


def _box_bounds(n: int, full: int) -> tuple[np.ndarray, np.ndarray]:
    """Inclusive [lo, hi] of box1DFloat's window for every output index (clipped at the edges)."""
    half = (full + 2) // 2
    o = np.arange(n)
    lo = np.maximum(0, o - (full - half))
    hi = np.minimum(n - 1, o + half - 1)
    return lo, hi


@lru_cache(maxsize=64)
def tent_matrix(n: int) -> np.ndarray:
    """The (64 x n) operator: two clipped box passes composed, sampled at decimateFloat's points."""
    full = window_size(n)
    lo, hi = _box_bounds(n, full)
    counts = (hi - lo + 1).astype(np.float64)
    picks = ((np.arange(DIM) + 0.5) * n / DIM).astype(np.int64)
    matrix = np.zeros((DIM, n), dtype=np.float64)
    for i, p in enumerate(picks):
        # the second pass at p averages first-pass outputs k in [lo[p], hi[p]]; each averages x[lo[k]..hi[k]]
        diff = np.zeros(n + 1)
        ks = np.arange(lo[p], hi[p] + 1)
        np.add.at(diff, lo[ks], 1.0 / (counts[p] * counts[ks]))
        np.add.at(diff, hi[ks] + 1, -1.0 / (counts[p] * counts[ks]))
        matrix[i] = np.cumsum(diff[:-1])
    return matrix


def reduction_factor(original: int, reduced: int) -> int:
    """The DCT scaling JPEG applied (1, 2, 4 or 8): reduced == ceil(original / factor)."""
    for factor in (1, 2, 4, 8):
        if -(-original // factor) == reduced:
            return factor
    return 0


@lru_cache(maxsize=64)
def operator(original: int, reduced: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The tent operator of the *original* dimension, moved onto the grid of a DCT-reduced decode.

    Pixel m of a decode at 1/f scale is (close to) the mean of original pixels [m*f, (m+1)*f), so
    `R_orig @ x_orig` ~= `R_reduced @ x_reduced` with R_reduced[:, m] = sum of R_orig[:, m*f:(m+1)*f]. This keeps
    the original's sample points and window sizes, which running PDQ on the small decode would not (that costs
    4-20 bits; this stays within 2, see tests and benchmarks/ingest.py).

    Returns (dense 64 x reduced, starts, lengths, table) with the sparse row form used for the big multiply."""
    factor = reduction_factor(original, reduced) if original != reduced else 1
    if factor == 1 or factor == 0:
        dense = tent_matrix(reduced)
    else:
        padded = np.pad(tent_matrix(original), ((0, 0), (0, reduced * factor - original)))
        dense = padded.reshape(DIM, reduced, factor).sum(axis=2)
    starts = np.empty(DIM, dtype=np.int64)
    lengths = np.empty(DIM, dtype=np.int64)
    spans = []
    for i in range(DIM):
        nz = np.nonzero(dense[i])[0]
        starts[i], lengths[i] = nz[0], nz[-1] - nz[0] + 1
        spans.append(dense[i, nz[0]: nz[-1] + 1])
    table = np.zeros((DIM, int(lengths.max())), dtype=np.float32)
    for i, span in enumerate(spans):
        table[i, : len(span)] = span
    return dense.astype(np.float32), starts, lengths, table


def _dct_matrix() -> np.ndarray:
    i = np.arange(1, 17)[:, None]
    j = np.arange(DIM)[None, :]
    return (np.sqrt(2.0 / DIM) * np.cos((np.pi / 2.0 / DIM) * i * (2 * j + 1))).astype(np.float32)


DCT = _dct_matrix()


def luma(image: Image.Image) -> np.ndarray:
    """Float luma 0.299 R + 0.587 G + 0.114 B (Pillow's RGB->F conversion, in C)."""
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    return np.asarray(image.convert("F"), dtype=np.float32)


def downsample(gray: np.ndarray, original: tuple[int, int] | None = None) -> np.ndarray:
    """The 64x64 blurred and decimated luma (what `jaroszFilterFloat` + `decimateFloat` leave); `original`
    is (rows, cols) of the full-resolution image when `gray` comes from a DCT-reduced decode."""
    rows, cols = gray.shape
    orig_rows, orig_cols = original or (rows, cols)
    if orig_rows == DIM and orig_cols == DIM and rows == DIM and cols == DIM:
        return gray.astype(np.float32)
    partial, col_dense = _rows_blurred(gray, original)
    return partial @ col_dense.T


def _rows_blurred(gray: np.ndarray, original: tuple[int, int] | None) -> tuple[np.ndarray, np.ndarray]:
    """The row half of the separable blur (64 x cols) and the column operator (64 x cols) still to apply. The
    row half is the costly one (one pass over the image); a left-right mirror only reverses its columns."""
    rows, cols = gray.shape
    orig_rows, orig_cols = original or (rows, cols)
    _, starts, lengths, table = operator(orig_rows, rows)
    col_dense = operator(orig_cols, cols)[0]
    partial = np.empty((DIM, cols), dtype=np.float32)
    for i in range(DIM):
        s, n = starts[i], lengths[i]
        partial[i] = table[i, :n] @ gray[s: s + n]
    return partial, col_dense


def quality(block: np.ndarray) -> int:
    """pdqImageDomainQualityMetric: the count of significant gradients, scaled to 0..100."""
    b = block.astype(np.float32)
    dv = np.trunc((b[:-1, :] - b[1:, :]) * 100 / 255).astype(np.int64)
    dh = np.trunc((b[:, :-1] - b[:, 1:]) * 100 / 255).astype(np.int64)
    total = int(np.abs(dv).sum() + np.abs(dh).sum())
    return min(100, total // 90)


DIHEDRAL = ("original", "rotate90", "rotate180", "rotate270", "flipx", "flipy", "flipplus1", "flipminus1")
FLIPY = DIHEDRAL.index("flipy")
_I = np.arange(16)[:, None]
_J = np.arange(16)[None, :]


def dihedral(a: np.ndarray) -> list[np.ndarray]:
    """The 16x16 DCT of the 8 rotations/flips of an image, from the original's (Meta's dct16OriginalTo*)."""
    odd_i, odd_j, odd_ij = _I % 2 == 1, _J % 2 == 1, (_I + _J) % 2 == 1
    return [a, np.where(odd_j, a, -a).T, np.where(odd_ij, -a, a), np.where(odd_i, a, -a).T,
            np.where(odd_i, a, -a), np.where(odd_j, a, -a), a.T, np.where(odd_ij, -a, a).T]


def bits_hex(coefficients: np.ndarray) -> str:
    flat = coefficients.ravel()
    median = np.sort(flat)[127]  # torben(): the lower median of 256 values
    bits = flat > median  # bit k = i*16 + j
    # Hash256 prints words w[15]..w[0], most significant bit first: bit 255 first
    return np.packbits(bits[::-1].astype(np.uint8)).tobytes().hex()


def coefficients_from_luma(gray: np.ndarray, original: tuple[int, int] | None = None) -> tuple[np.ndarray, int]:
    rows, cols = original or gray.shape
    if rows < MIN_HASHABLE_DIM or cols < MIN_HASHABLE_DIM:
        return np.zeros((16, 16), dtype=np.float32), 0
    block = downsample(gray, original)
    return DCT @ block @ DCT.T, quality(block)


def hash_from_luma(gray: np.ndarray, original: tuple[int, int] | None = None) -> tuple[str, int]:
    coefficients, q = coefficients_from_luma(gray, original)
    if q == 0 and not coefficients.any():
        return "0" * 64, 0
    return bits_hex(coefficients), q


def _original(image: Image.Image, original_size: tuple[int, int] | None) -> tuple[int, int] | None:
    if original_size and original_size != image.size:
        w, h = original_size
        if reduction_factor(w, image.width) and reduction_factor(h, image.height):
            return (h, w)
    return None


def pdq_hash(image: Image.Image, original_size: tuple[int, int] | None = None) -> tuple[str, int]:
    """PDQ hex (Meta's 64-hex-digit form) and quality (0..100) of a decoded image. `original_size` (width,
    height) is the full resolution when `image` is a DCT-reduced JPEG decode (`Image.draft`)."""
    return hash_from_luma(luma(image), _original(image, original_size))


def pdq_dihedral(image: Image.Image, original_size: tuple[int, int] | None = None,
                 gray: np.ndarray | None = None) -> tuple[list[str], int]:
    """The 8 PDQ hashes (order of DIHEDRAL) from one decode, and the quality.

    Seven come from the original's DCT (Meta's dct16OriginalTo*); the left-right mirror (`flipy`, the one
    re-shared copies use) is hashed from the mirrored pixels instead: PDQ's box filter is not symmetric, so the
    DCT-domain flip is up to 82 bits from the PDQ of a mirrored photograph of fine texture (brick, grass, a text
    page), where hashing the mirrored pixels is 0-2 bits off (`benchmarks/neardup_diag.py`). `gray`: the
    image's `luma`, when the caller has it already."""
    gray, original = luma(image) if gray is None else gray, _original(image, original_size)
    rows, cols = original or gray.shape
    if rows < MIN_HASHABLE_DIM or cols < MIN_HASHABLE_DIM:
        return ["0" * 64] * 8, 0
    if gray.shape == (DIM, DIM) and (rows, cols) == (DIM, DIM):
        block, mirrored = gray, np.ascontiguousarray(gray[:, ::-1])
    else:  # the mirror's row half is the original's, columns reversed: one pass over the image, not two
        partial, col_dense = _rows_blurred(gray, original)
        block, mirrored = partial @ col_dense.T, np.ascontiguousarray(partial[:, ::-1]) @ col_dense.T
    coefficients, q = DCT @ block @ DCT.T, quality(block)
    if q == 0 and not coefficients.any():
        return ["0" * 64] * 8, 0
    hashes = [bits_hex(c) for c in dihedral(coefficients)]
    hashes[FLIPY] = bits_hex(DCT @ mirrored @ DCT.T)
    return hashes, q
