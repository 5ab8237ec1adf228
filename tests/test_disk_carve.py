"""The carver on crafted media: each format walked to its exact end, candidates only at sector boundaries,
broken or truncated structures not carved."""

from __future__ import annotations

import io
import zipfile

from winnow.evidence.disk.carve import carve
from winnow.sample import disks


def _media(parts: list[tuple[int, bytes]], size: int) -> bytes:
    data = bytearray(size)
    for offset, blob in parts:
        data[offset:offset + len(blob)] = blob
    return bytes(data)


def test_each_format_is_carved_to_its_exact_end() -> None:
    jpeg, png = disks.jpeg(1), disks.png(2)
    gif = disks.photos.encode(disks.photos.photo(3, (40, 30)), "GIF")
    webp = disks.photos.encode(disks.photos.photo(4, (40, 30)), "WEBP")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.txt", "benign")
        zf.writestr("b.jpg", jpeg)  # a JPEG inside is part of the ZIP, not carved again
    blobs = [jpeg, png, gif, webp, buf.getvalue()]
    parts, at = [], 4096
    for blob in blobs:
        parts.append((at, blob))
        at += len(blob) + 3 * 512 - len(blob) % 512
    parts.append((at, jpeg[:len(jpeg) // 2]))  # truncated: no end marker before the next one... nor after
    media = _media(parts, at + 64 * 1024)
    found = list(carve(lambda o, n: media[o:o + n], [(0, len(media))], (0, len(media)), len(media), 1 << 30))
    assert [(c.offset, c.length, c.type) for c in found] == [
        (o, len(b), t) for (o, b), t in zip(parts[:5], ("jpg", "png", "gif", "webp", "zip"), strict=True)]


def test_only_free_space_inside_the_owned_range_is_scanned() -> None:
    jpeg = disks.jpeg(5)
    media = _media([(0, jpeg), (1 << 20, jpeg), (2 << 20, jpeg)], 3 << 20)
    read = lambda o, n: media[o:o + n]  # noqa: E731
    # the first copy is in allocated space, the third outside this unit's range
    found = list(carve(read, [(512 * 1024, 3 << 20)], (0, 2 << 20), len(media), 1 << 30))
    assert [c.offset for c in found] == [1 << 20]
    unaligned = _media([(100, jpeg)], 1 << 20)
    assert list(carve(lambda o, n: unaligned[o:o + n], [(0, 1 << 20)], (0, 1 << 20), 1 << 20, 1 << 30)) == []
