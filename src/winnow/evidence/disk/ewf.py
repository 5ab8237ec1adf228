"""EnCase images (E01 and its segment set E02..., Ex01) through libewf-python. The stored MD5/SHA-1 of the
acquired medium are read from the image so that the verify work unit can check them."""

from __future__ import annotations

import os
import re

from winnow.evidence.disk.media import MediaError, Opened, opened_handle

_E01 = b"EVF\x09\x0d\x0a\xff\x00"
_EX01 = b"EVF2\x0d\x0a\x81\x00"
_SUFFIX = re.compile(r"^(.*\.)([EeSs])(x?)(\d\d|[A-Za-z]{2})$")


def segment_name(path: str, number: int) -> str | None:
    """The file name of segment `number` (1-based) of the set that `path` (the first segment) starts:
    .E01-.E99, then .EAA-.EZZ, .FAA... (libewf's scheme; Ex01 sets likewise)."""
    m = _SUFFIX.match(path)
    if not m:
        return None
    stem, letter, x, _ = m.groups()
    if number <= 99:
        return f"{stem}{letter}{x}{number:02d}"
    k = number - 100
    first = ord(letter.upper()) + k // 676
    if first > ord("Z"):
        return None
    tail = chr(first) + x + chr(ord("A") + (k // 26) % 26) + chr(ord("A") + k % 26)
    return stem + (tail if letter.isupper() else tail.lower().replace(x.lower(), x, 1))


def segment_set(path: str) -> tuple[list[str], list[str]]:
    """The segments present in order, and the names of segments missing before a later one that exists."""
    present: list[str] = []
    missing: list[str] = []
    gap: list[str] = []
    number = 1
    misses = 0
    while misses < 3:
        name = segment_name(path, number)
        if name is None:
            break
        if os.path.isfile(name):
            if gap:
                missing.extend(gap)
                gap = []
            present.append(name)
            misses = 0
        else:
            gap.append(name)
            misses += 1
        number += 1
    if not present:
        present = [path]
    return present, missing


def segment_number(path: str, name: str) -> int:
    for number in range(1, 100 + 26 * 26 * 21):
        if segment_name(path, number) == name:
            return number
    return 1 << 30


class EwfOpener:
    name = "ewf"

    def sniff(self, head: bytes, tail: bytes) -> bool:
        return head.startswith((_E01, _EX01))

    def open(self, path: str) -> Opened:
        import pyewf

        segments, missing = segment_set(path)
        warnings = [("image_segment_missing", f"segment {os.path.basename(m)} of the set is missing")
                    for m in missing]
        if missing:  # libewf needs an unbroken set: read what comes before the first gap
            first_gap = segment_number(path, missing[0])
            segments = [s for s in segments if segment_number(path, s) < first_gap]
        try:
            media = opened_handle(pyewf.handle, segments, multi=True)
        except MediaError as exc:
            detail = "; ".join(m for _, m in warnings)
            raise MediaError(f"libewf cannot open the segment set ({len(segments)} segment(s)"
                             f"{'; ' + detail if detail else ''}): {exc}") from exc
        handle = media.handle
        hashes: dict[str, str] = {}
        for key in ("MD5", "SHA1"):
            try:
                value = handle.get_hash_value(key)
            except (OSError, KeyError):
                value = None
            if value:
                hashes[key.lower()] = str(value).lower()
        details: dict[str, object] = {"bytes_per_sector": handle.get_bytes_per_sector()}
        for key in ("case_number", "evidence_number", "examiner_name", "description", "acquiry_date",
                    "acquiry_software", "acquiry_software_version", "notes"):
            try:
                value = handle.get_header_value(key)
            except (OSError, KeyError):
                value = None
            if value:
                details[key] = str(value)
        fmt = "ex01" if _is_ex01(segments[0]) else "ewf"
        return Opened(media=media, format=fmt, segments=segments, stored_hashes=hashes, details=details,
                      warnings=warnings)


def _is_ex01(path: str) -> bool:
    from winnow.evidence.disk.media import evidence_file

    f = evidence_file(path)
    try:
        return f.read(8) == _EX01
    finally:
        f.close()
