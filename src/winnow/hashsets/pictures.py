"""`winnow hashset build FOLDER --name N`: a library set made from a folder of reference pictures.

An agency's own reference material is kept as pictures, not only as hash lists. A set built from them holds,
per picture, the records any set holds (its MD5, SHA-1, SHA-256 and PDQ, with the category given), and what
near-duplicate matching needs when it has the reference's pixels (`winnow match --robust`, `docs/neardup.md`):
the picture's 256-px thumbnail (decoded the way ingest decodes: `signals.image.analyse`), its size and PDQ
quality, and its stored variants (`signals.neardup.store_variants`: centre crops on a 1 % grid, rotations on a 1
degree grid, the border-removed picture), whose hashes go into the set's `.variants.npy`. A case image that
reaches a picture only through a stored variant is confirmed by SIFT + RANSAC and the pixel check on the two
thumbnails (`match.verify`), as `winnow triage --robust` confirms the case's items against each other.

A file that is not a picture winnow decodes (a text file, a truncated JPEG, a picture too large to decode) is a
stored problem of the set, never an error: the build goes on with the others. The same picture twice (same
SHA-256) is kept once; the second is a problem row naming the first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from winnow.hashsets.records import HashRecord
from winnow.problems import Problem

FORMAT = "pictures"


@dataclass
class Built:
    """What the records pass collected beside the records: the picture rows and their variants."""
    pictures: list[tuple[Any, ...]] = field(default_factory=list)
    variants: list[tuple[Any, ...]] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    manifest: list[str] = field(default_factory=list)  # "relative path sha256" lines: the source's identity

    @property
    def source_sha256(self) -> str:
        return hashlib.sha256("\n".join(sorted(self.manifest)).encode()).hexdigest()


def picture_files(folder: Path) -> list[Path]:
    """The files under `folder` in a stable order (hidden files and folders left out)."""
    return sorted(p for p in folder.rglob("*")
                  if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts))


def records(folder: Path, thumbs: Path, built: Built, category: str | None = None) -> Iterator[HashRecord | Problem]:
    """The set's records, one picture at a time; the pictures' thumbnails are written under `thumbs` and their
    rows and variants collected in `built`."""
    import cv2

    from winnow.settings import Settings
    from winnow.signals import neardup
    from winnow.signals.image import analyse

    settings = Settings()
    seen: dict[str, str] = {}
    before = cv2.getNumThreads()
    cv2.setNumThreads(1)
    try:
        for path in picture_files(folder):
            where = path.relative_to(folder).as_posix()
            try:
                if path.stat().st_size > settings.image_max_bytes:
                    yield Problem(where, f"larger than {settings.image_max_bytes:,} bytes: not decoded")
                    continue
                data = path.read_bytes()
            except OSError as exc:
                yield Problem(where, f"cannot be read: {exc.strerror or exc}")
                continue
            sha256 = hashlib.sha256(data).hexdigest()
            built.manifest.append(f"{where} {sha256}")
            if sha256 in seen:
                yield Problem(where, f"the same picture as {seen[sha256]}: kept once")
                continue
            found = analyse(data, sha256=sha256, thumbs=thumbs, max_pixels=settings.image_max_pixels,
                            pdq_size=settings.pdq_size, thumbnail_size=settings.thumbnail_size,
                            thumbnail_quality=settings.thumbnail_quality)
            values = found.values
            if not values.get("pdq") or not values.get("thumbnail"):
                why = "; ".join(f"{code}: {message}" for code, message in found.warnings) or "no picture in it"
                yield Problem(where, f"not a picture winnow can decode ({why})")
                continue
            seen[sha256] = where
            thumbnail = f"{sha256[:2]}/{sha256}.jpg"
            gray = neardup.gray_of_file(thumbs / thumbnail)
            if gray is None:
                yield Problem(where, "its thumbnail could not be read back")
                continue
            size = (int(values["height"]), int(values["width"]))
            for v in neardup.store_variants(gray, neardup.oriented(size, gray)):
                built.variants.append((len(built.variants), sha256, v.name, v.radius))
                built.codes.append(v.pdq)
            built.pictures.append((sha256, values["pdq"], int(values["pdq_quality"]), size[1], size[0], thumbnail,
                                   where))
            extra = {"source": where}
            for hash_type, value in (("md5", hashlib.md5(data).hexdigest()), ("sha1", hashlib.sha1(data).hexdigest()),
                                     ("sha256", sha256), ("pdq", values["pdq"])):
                yield HashRecord(hash_type, value, category=category, category_raw=category, media_id=where,
                                 extra=dict(extra))
    finally:
        cv2.setNumThreads(before)


def variant_codes(built: Built) -> np.ndarray:
    if not built.codes:
        return np.zeros((0, 32), dtype=np.uint8)
    return np.frombuffer(bytes.fromhex("".join(built.codes)), dtype=np.uint8).reshape(-1, 32).copy()
