"""Carving: files found by their own structure in space no allocated file owns. winnow's own carver, because
each format here can be walked to its exact end (JPEG markers, PNG chunks, GIF blocks, RIFF and ISO-BMFF sizes,
ZIP headers) so a carved item is the file's bytes, not a fixed-size guess; candidates start only at sector
boundaries (files begin at a block), which keeps the scan fast (numpy over 4 MiB windows) and false hits rare."""

from __future__ import annotations

import re
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

Reader = Callable[[int, int], bytes]
ALIGN = 512
_WINDOW = 4 << 20
_JPEG_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
_BMFF_BOXES = frozenset({b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"uuid", b"meta", b"pdin", b"moof",
                         b"mfra", b"sidx", b"styp", b"udta", b"junk", b"prfl", b"ssix", b"prft", b"emsg", b"pnot"})


@dataclass(frozen=True)
class Carved:
    offset: int  # from the start of the carved region's container (volume or image)
    length: int
    type: str  # jpg | png | gif | webp | mp4 | avi | zip


def _jpeg(read: Reader, at: int, limit: int) -> int | None:
    pos = at + 2
    seen_frame = seen_scan = False
    while pos < limit:
        head = read(pos, 4)
        if len(head) < 2 or head[0] != 0xFF:
            return None
        marker = head[1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xD9:
            return pos + 2 - at if seen_frame and seen_scan else None
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            pos += 2
            continue
        if len(head) < 4:
            return None
        length = struct.unpack(">H", head[2:4])[0]
        if length < 2:
            return None
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            seen_frame = True
        pos += 2 + length
        if marker == 0xDA:  # entropy-coded data up to the next real marker
            seen_scan = True
            while pos < limit:
                block = read(pos, 1 << 16)
                if not block:
                    return None
                m = _JPEG_MARKER.search(block)
                if m is None:
                    pos += len(block) - 1 if len(block) > 1 else 1
                    continue
                pos += m.start()
                break
    return None


def _png(read: Reader, at: int, limit: int) -> int | None:
    pos = at + 8
    first = True
    while pos + 12 <= limit:
        head = read(pos, 8)
        if len(head) < 8:
            return None
        length, ctype = struct.unpack(">I", head[:4])[0], head[4:8]
        if not ctype.isalpha() or (first and ctype != b"IHDR") or length > limit - pos:
            return None
        first = False
        pos += 12 + length
        if ctype == b"IEND":
            return pos - at
    return None


def _subblocks(read: Reader, pos: int, limit: int) -> int | None:
    while pos < limit:
        size = read(pos, 1)
        if not size:
            return None
        pos += 1 + size[0]
        if size[0] == 0:
            return pos
    return None


def _gif(read: Reader, at: int, limit: int) -> int | None:
    lsd = read(at + 6, 7)
    if len(lsd) < 7:
        return None
    pos = at + 13 + (3 << ((lsd[4] & 7) + 1) if lsd[4] & 0x80 else 0)
    images = 0
    while pos < limit:
        kind = read(pos, 1)
        if kind == b"\x3b":
            return pos + 1 - at if images else None
        if kind == b"\x21":
            end = _subblocks(read, pos + 2, limit)
        elif kind == b"\x2c":
            desc = read(pos + 1, 9)
            if len(desc) < 9:
                return None
            pos += 10 + (3 << ((desc[8] & 7) + 1) if desc[8] & 0x80 else 0)
            end = _subblocks(read, pos + 1, limit)  # after the LZW minimum code size
            images += 1
        else:
            return None
        if end is None:
            return None
        pos = end
    return None


def _riff(read: Reader, at: int, limit: int, form: bytes) -> int | None:
    head = read(at, 12)
    if len(head) < 12 or head[8:12] != form:
        return None
    size = struct.unpack("<I", head[4:8])[0]
    if size < 12 or at + 8 + size > limit:
        return None
    length = 8 + size + (size & 1)
    if form == b"AVI ":  # OpenDML: RIFF 'AVIX' extensions follow the first RIFF
        while True:
            more = read(at + length, 12)
            if len(more) < 12 or more[:4] != b"RIFF" or more[8:12] != b"AVIX":
                break
            extra = struct.unpack("<I", more[4:8])[0]
            length += 8 + extra + (extra & 1)
    return min(length, limit - at)


def _bmff(read: Reader, at: int, limit: int) -> int | None:
    pos = at
    seen: set[bytes] = set()
    while pos + 8 <= limit:
        head = read(pos, 16)
        if len(head) < 8 or head[4:8] not in _BMFF_BOXES:
            break
        size = struct.unpack(">I", head[:4])[0]
        if size == 1:
            if len(head) < 16:
                break
            size = struct.unpack(">Q", head[8:16])[0]
        if size < 8 or pos + size > limit:
            break
        seen.add(head[4:8])
        pos += size
    if b"moov" in seen and (b"mdat" in seen or b"moof" in seen):
        return pos - at
    return None


def _zip(read: Reader, at: int, limit: int) -> int | None:
    pos = at
    members = 0
    while pos + 4 <= limit:
        sig = read(pos, 4)
        if sig == b"PK\x03\x04":
            head = read(pos, 30)
            if len(head) < 30:
                return None
            flags, csize, nlen, xlen = struct.unpack_from("<H", head, 6)[0], *struct.unpack_from("<I", head, 18), \
                *struct.unpack_from("<HH", head, 26)
            if flags & 0x08 or csize == 0xFFFFFFFF:  # sizes in a data descriptor / ZIP64: not walked
                return None
            pos += 30 + nlen + xlen + csize
            members += 1
        elif sig == b"PK\x01\x02":
            head = read(pos, 46)
            if len(head) < 46:
                return None
            nlen, xlen, clen = struct.unpack_from("<HHH", head, 28)
            pos += 46 + nlen + xlen + clen
        elif sig == b"PK\x05\x06":
            head = read(pos, 22)
            if len(head) < 22 or not members:
                return None
            return pos + 22 + struct.unpack_from("<H", head, 20)[0] - at
        else:
            return None
    return None


def _match(head: bytes) -> tuple[str, Callable[[Reader, int, int], int | None]] | None:
    if head[:3] == b"\xff\xd8\xff":
        return "jpg", _jpeg
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return "png", _png
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif", _gif
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp", lambda r, a, lim: _riff(r, a, lim, b"WEBP")
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "avi", lambda r, a, lim: _riff(r, a, lim, b"AVI ")
    if head[4:8] == b"ftyp":
        return "mp4", _bmff
    if head[:4] == b"PK\x03\x04":
        return "zip", _zip
    return None


_FIRST = np.array([0xFFD8FF00, 0x89504E47, 0x47494638, 0x52494646, 0x504B0304], dtype=np.uint32)


def _candidates(window: bytes) -> np.ndarray:
    """Sector offsets in the window whose first bytes start a carvable format."""
    whole = len(window) - len(window) % ALIGN
    if whole <= 0:
        return np.zeros(0, dtype=np.int64)
    words = np.frombuffer(window, dtype=">u4", count=whole // 4).reshape(-1, ALIGN // 4)
    first, second = words[:, 0], words[:, 1]
    hits = (np.isin(first, _FIRST[1:]) | ((first & 0xFFFFFF00) == _FIRST[0]) | (second == 0x66747970))
    return np.nonzero(hits)[0].astype(np.int64) * ALIGN


def carve(read: Reader, intervals: list[tuple[int, int]], owned: tuple[int, int], limit: int,
          max_bytes: int) -> Iterator[Carved]:
    """Items starting inside `owned` [start, end) and inside the free `intervals` (byte ranges of one region,
    whose size is `limit`); each item may run on past them (files are carved as contiguous)."""
    skip_to = 0
    for a, b in intervals:
        a, b = max(a, owned[0]), min(b, owned[1])
        a += -a % ALIGN
        at = a
        while at < b:
            window = read(at, min(_WINDOW, b - at))
            if not window:
                break
            for rel in _candidates(window):
                start = at + int(rel)
                if start < skip_to or start >= b:
                    continue
                head = window[rel:rel + 16] if rel + 16 <= len(window) else read(start, 16)
                found = _match(head)
                if found is None:
                    continue
                kind, walker = found
                try:
                    length = walker(read, start, min(limit, start + max_bytes))
                except (OSError, struct.error):
                    length = None
                if length:
                    yield Carved(start, length, kind)
                    skip_to = start + length
            at += len(window)
