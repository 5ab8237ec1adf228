"""Raw images: a dd/img/iso file, or a split set .001/.002... (read as one medium). Recognised by a partition
table, a bare file system or an encrypted-volume header in the first bytes, never by the name alone."""

from __future__ import annotations

import os
import re
import struct

from winnow.evidence.disk.media import FileMedia, MediaError, Opened

_SPLIT = re.compile(r"^(.*\.)(\d{3})$")


def _mbr_plausible(head: bytes) -> bool:
    if len(head) < 512 or head[510:512] != b"\x55\xaa":
        return False
    used = 0
    for i in range(4):
        entry = head[446 + 16 * i: 462 + 16 * i]
        if entry[0] not in (0x00, 0x80):
            return False
        ptype = entry[4]
        start, length = struct.unpack_from("<II", entry, 8)
        if ptype:
            if length == 0 or start == 0:
                return False
            used += 1
    return used > 0


def file_system_magic(block: bytes) -> str | None:
    """A file system or encrypted volume recognised by its own first bytes (offsets from the volume start)."""
    if block[3:11] == b"-FVE-FS-":
        return "bitlocker"
    if block[:6] in (b"LUKS\xba\xbe", b"SKUL\xba\xbe"):
        return "luks"
    if block[3:11] == b"NTFS    ":
        return "ntfs"
    if block[3:11] == b"EXFAT   ":
        return "exfat"
    if len(block) >= 512 and block[510:512] == b"\x55\xaa" and (block[54:59] == b"FAT12" or block[54:59] == b"FAT16"
                                                               or block[82:87] == b"FAT32"):
        return "fat"
    if len(block) >= 1082 and block[1080:1082] == b"\x53\xef":
        return "ext"
    if len(block) >= 1026 and block[1024:1026] in (b"H+", b"HX"):
        return "hfs+"
    if len(block) >= 32774 and block[32769:32774] == b"CD001":
        return "iso9660"
    if len(block) >= 36 and block[32:36] == b"NXSB":
        return "apfs"
    return None


def is_raw_disk(head: bytes) -> bool:
    if len(head) >= 520 and head[512:520] == b"EFI PART":
        return True
    if file_system_magic(head) is not None:
        return True
    return _mbr_plausible(head)


def split_set(path: str) -> list[str]:
    """path.001 → [path.001, path.002, ...] while the next one exists."""
    m = _SPLIT.match(path)
    if not m or m.group(2) != "001":
        return [path]
    stem = m.group(1)
    out = [path]
    n = 2
    while os.path.isfile(f"{stem}{n:03d}"):
        out.append(f"{stem}{n:03d}")
        n += 1
    return out


class RawOpener:
    name = "raw"

    def sniff(self, head: bytes, tail: bytes) -> bool:
        return is_raw_disk(head)

    def open(self, path: str) -> Opened:
        segments = split_set(path)
        try:
            media = FileMedia(segments)
        except OSError as exc:
            raise MediaError(f"cannot open: {exc.strerror or exc}") from exc
        fmt = "split-raw" if len(segments) > 1 else ("iso" if file_system_magic(media.read(0, 65536)) == "iso9660"
                                                      else "raw")
        return Opened(media=media, format=fmt, segments=segments)
