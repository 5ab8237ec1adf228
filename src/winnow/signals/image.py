"""Image signals from the bytes of one image: size, PDQ hash and quality, EXIF, a thumbnail.

The fast path: JPEGs are decoded at reduced scale (`Image.draft`, DCT scaling by 1/2, 1/4 or 1/8) to no less
than `pdq_size` on each side; PDQ (with the original's filter geometry), EXIF and the thumbnail all come from
that one decode. Decoding and PDQ are where the time goes.
`benchmarks/ingest.py` and a test check that it stays faithful to `pdqhash` on the full decode."""

from __future__ import annotations

import io
import json
import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from struct import error as struct_error
from typing import TYPE_CHECKING, Any, Literal

from winnow.messages import Rows
from winnow.signals.base import Job, Output, Result

if TYPE_CHECKING:  # imported where used: the registry (and the ingest runner) must not load numpy and Pillow
    import numpy as np
    from PIL import Image

_HEIF_READY = False


def register_formats() -> None:
    """HEIC/HEIF through pillow-heif (phones); done once per process, not at import."""
    global _HEIF_READY
    if _HEIF_READY:
        return
    try:
        import pillow_heif

        pillow_heif.register_heif_opener()
    except ImportError:  # optional at run time: HEIC then becomes an 'unsupported image' warning
        pass
    _HEIF_READY = True


@dataclass
class ImageResult:
    values: dict[str, Any] = field(default_factory=dict)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (code, message)


def pdq_of(image: Image.Image, original_size: tuple[int, int] | None = None) -> tuple[str, int]:
    """PDQ hex and quality of a decoded image. Never resampled first: resampling before PDQ moves 6-18 bits
    (measured). A JPEG decoded at 1/2, 1/4 or 1/8 scale (`draft`) is hashed with the original's filter moved
    onto the reduced grid (`signals.pdq.operator`), which stays within 2 bits of the full decode."""
    from winnow.signals.pdq import pdq_hash

    return pdq_hash(image, original_size)


def bits_to_hex(bits: np.ndarray) -> str:
    """pdqhash returns 256 bits, most significant first as Meta's hex form expects."""
    import numpy as np

    packed = np.packbits(np.asarray(bits, dtype=np.uint8))
    return packed.tobytes().hex()


def pdq_full(data: bytes) -> tuple[str, int]:
    """Reference path: full-resolution decode, Meta's C++ through `pdqhash.compute` (what the fast path must
    match)."""
    import numpy as np
    import pdqhash
    from PIL import Image

    with Image.open(io.BytesIO(data)) as im:
        rgb = im.convert("RGB")
    bits, quality = pdqhash.compute(np.asarray(rgb))
    return bits_to_hex(bits), int(quality)


def thumbnail_path(root: Path, sha256: str) -> Path:
    return root / sha256[:2] / f"{sha256}.jpg"


def _orient(orientation: Any) -> tuple[Image.Transpose, ...]:
    """The transposes that show an image of this EXIF orientation upright."""
    from PIL import Image

    return {2: (Image.Transpose.FLIP_LEFT_RIGHT,), 3: (Image.Transpose.ROTATE_180,),
            4: (Image.Transpose.FLIP_TOP_BOTTOM,), 5: (Image.Transpose.TRANSPOSE,),
            6: (Image.Transpose.ROTATE_270,), 7: (Image.Transpose.TRANSVERSE,),
            8: (Image.Transpose.ROTATE_90,)}.get(orientation if isinstance(orientation, int) else 1, ())


_MADE: set[Path] = set()  # thumbnail folders this process has made or found


def _write_thumbnail(image: Image.Image, target: Path, size: int, quality: int, orientation: Any) -> None:
    """Thumbnails are shown upright (EXIF orientation applied); hashes are of the stored pixels."""
    from PIL import Image

    scale = min(1.0, size / max(image.size))
    target_size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    try:  # a new image: no copy
        thumb = image.resize(target_size, Image.Resampling.BILINEAR, reducing_gap=2.0)
    except ValueError:  # Image.reduce refuses some modes (16-bit grayscale): the plain resize takes them
        thumb = image.resize(target_size, Image.Resampling.BILINEAR)
    for op in _orient(orientation):
        thumb = thumb.transpose(op)
    if thumb.mode != "RGB":
        thumb = thumb.convert("RGB")
    if target.parent not in _MADE:  # 256 folders: a mkdir a file costs 0.2 ms on some file systems (measured)
        target.parent.mkdir(parents=True, exist_ok=True)
        if len(_MADE) < 4096:
            _MADE.add(target.parent)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        thumb.save(tmp, "JPEG", quality=quality)
        os.replace(tmp, target)  # atomic: a killed worker never leaves half a thumbnail
    except FileNotFoundError:  # the folder went away since this process made it
        target.parent.mkdir(parents=True, exist_ok=True)
        thumb.save(tmp, "JPEG", quality=quality)
        os.replace(tmp, target)


_DECODE_ERRORS: tuple[type[BaseException], ...] = (OSError, ValueError, SyntaxError, EOFError, IndexError, KeyError,
                                                   TypeError, ZeroDivisionError, RuntimeError, MemoryError,
                                                   AttributeError, struct_error)


# formats decoded here; a file whose magic says one of these but that Pillow cannot parse is corrupt
DECODED = frozenset({"jpg", "png", "gif", "webp", "bmp", "tif", "heic"})


def analyse(data: bytes, *, sha256: str, thumbs: Path | None, max_pixels: int, pdq_size: int,
            thumbnail_size: int, thumbnail_quality: int, detected: str | None = None) -> ImageResult:
    """Decode once (reduced for JPEG), then EXIF, PDQ and thumbnail from that decode. Pillow reports corrupt
    data through many exception types; each becomes a warning for this item only."""
    from PIL import Image

    register_formats()
    result = ImageResult()
    Image.MAX_IMAGE_PIXELS = max_pixels
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            _analyse(data, sha256, thumbs, max_pixels, pdq_size, thumbnail_size, thumbnail_quality, result)
        except Image.DecompressionBombError as exc:
            result.warnings.append(("image_bomb", str(exc)))
        except _DECODE_ERRORS as exc:
            unknown = "cannot identify image file" in str(exc) and detected not in DECODED
            code = "image_unsupported" if unknown else "image_corrupt"
            result.warnings.append((code, f"{type(exc).__name__}: {exc}"))
    for w in caught:
        code = "exif_corrupt" if "exif" in str(w.message).lower() else "image_decoder_warning"
        result.warnings.append((code, f"{w.category.__name__}: {w.message}"))
    return result


def _analyse(data: bytes, sha256: str, thumbs: Path | None, max_pixels: int, pdq_size: int, thumbnail_size: int,
             thumbnail_quality: int, result: ImageResult) -> None:
    from PIL import Image

    from winnow.signals import neardup
    from winnow.signals.pdq import luma, pdq_dihedral

    with Image.open(io.BytesIO(data)) as im:
        result.values.update({"format": im.format, "width": im.width, "height": im.height, "mode": im.mode,
                              "frames": int(getattr(im, "n_frames", 1) or 1)})
        if im.width * im.height > max_pixels:
            result.warnings.append(("image_bomb", f"{im.width}x{im.height} exceeds {max_pixels} pixels; not decoded"))
            return
        original_size = im.size
        if im.format == "JPEG":
            im.draft("RGB", (pdq_size, pdq_size))
        try:
            im.load()
        finally:
            _exif(im, result)  # EXIF is often still readable from a truncated file
        gray = luma(im)
        hashes, result.values["pdq_quality"] = pdq_dihedral(im, original_size, gray)
        result.values["pdq"] = hashes[0]
        result.values["pdq_dihedral"] = "".join(hashes[1:])  # 7 x 64 hex: rotations and flips, for lookups
        borders = neardup.border_hashes(gray, original_size)  # letterboxes and borders, read on this decode
        if borders:
            result.values["pdq_borders"] = json.dumps([[v.name, v.pdq, v.quality] for v in borders])
        if thumbs is not None:
            target = thumbnail_path(thumbs, sha256)
            _write_thumbnail(im, target, thumbnail_size, thumbnail_quality, result.values.get("orientation"))
            result.values["thumbnail"] = str(target.relative_to(thumbs.parent))


def _exif(im: Image.Image, result: ImageResult) -> None:
    from winnow.signals import exif as exif_signal

    try:
        facts = exif_signal.extract(im)
    except Exception as exc:  # EXIF parsers fail in many ways on hostile data; the image is still usable
        result.warnings.append(("exif_corrupt", f"{type(exc).__name__}: {exc}"))
        facts = {}
    for key in ("make", "model", "software", "datetime_original", "orientation", "gps_lat", "gps_lon"):
        result.values[key] = facts.get(key)
    result.values["exif"] = facts.get("tags")


IMAGE_COLUMNS = ("format", "width", "height", "mode", "frames", "pdq", "pdq_quality", "thumbnail", "make",
                 "model", "software", "datetime_original", "orientation", "gps_lat", "gps_lon", "pdq_dihedral",
                 "pdq_borders")


class ImageSignal:
    """Size, PDQ (and its dihedral variants), EXIF and a thumbnail of an image: the `images` table."""

    name = "image"
    version = 1
    kinds: tuple[str, ...] = ("image",)
    reads: Literal["bytes", "stream", "found"] = "bytes"
    table = "images"
    tables: Mapping[str, tuple[str, ...]] = {"images": ("sha256", *IMAGE_COLUMNS, "exif")}

    def compute(self, job: Job) -> Result:
        assert job.data is not None
        s = job.settings
        found = analyse(job.data, sha256=job.sha256, thumbs=job.thumbs, max_pixels=s.image_max_pixels,
                        pdq_size=s.pdq_size, thumbnail_size=s.thumbnail_size,
                        thumbnail_quality=s.thumbnail_quality, detected=job.detected)
        return Result(found.values, found.warnings)

    def output(self, sha256: str, values: dict[str, Any]) -> Output:
        exif = values.get("exif")
        row = (sha256, *[values.get(k) for k in IMAGE_COLUMNS], json.dumps(exif, sort_keys=True) if exif else None)
        return Output([Rows(self.table, self.tables[self.table], (row,))])
