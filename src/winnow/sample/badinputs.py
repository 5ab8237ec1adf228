"""A corpus of hostile and broken inputs, each paired with the warning code winnow must store for it. Used by
the tests (and handy for checking a deployment). Everything is generated; nothing is harmful to open."""

from __future__ import annotations

import gzip
import io
import os
import struct
import tarfile
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from winnow.sample import photos

BOMB_BYTES = 80 * 1024 * 1024  # above the default ratio floor (64 MiB): compresses ~1000x


@dataclass(frozen=True)
class Bad:
    kind: str
    path: str  # relative to the corpus root (chain suffix for members)
    code: str  # the warning code expected on that item (or on its archive)


def _jpeg(seed: int = 5, size: tuple[int, int] = (640, 480)) -> bytes:
    return photos.encode(photos.photo(seed, size), "JPEG", quality=85)


def _zip(entries: list[tuple[str, bytes]], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w", compression=method) as zf:
        warnings.simplefilter("ignore")  # duplicate names are the point of one sample
        for name, data in entries:
            zf.writestr(name, data)
    return buffer.getvalue()


def _encrypted_zip() -> bytes:
    """A stored member whose headers carry the 'encrypted' flag (zipfile cannot write real encryption)."""
    data = bytearray(_zip([("secret.jpg", b"\x00" * 64)], method=zipfile.ZIP_STORED))
    for sig, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(sig)
        flags = struct.unpack_from("<H", data, at + offset)[0]
        struct.pack_into("<H", data, at + offset, flags | 0x1)
    return bytes(data)


def _unsupported_method_zip() -> bytes:
    """A member claiming compression method 99 (AES), which nothing here can decompress."""
    data = bytearray(_zip([("strong.jpg", b"abc" * 10)], method=zipfile.ZIP_STORED))
    for sig, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        at = data.find(sig)
        struct.pack_into("<H", data, at + offset, 99)
    return bytes(data)


def _crc_zip() -> bytes:
    payload = b"hello winnow " * 100
    data = bytearray(_zip([("note.txt", payload)], method=zipfile.ZIP_STORED))
    at = data.find(payload)
    data[at + 3] ^= 0xFF  # flip a byte of the stored data: the CRC no longer matches
    return bytes(data)


def _cp437_zip() -> bytes:
    """A member name stored as raw Latin-1 bytes without the UTF-8 flag (not valid UTF-8)."""
    data = bytearray(_zip([("caf_.txt", b"menu")], method=zipfile.ZIP_STORED))
    for sig in (b"PK\x03\x04", b"PK\x01\x02"):
        at = data.find(sig)
        name_at = data.find(b"caf_.txt", at)
        data[name_at + 3] = 0xE9
    return bytes(data)


def _nested_zip(depth: int) -> bytes:
    data = b"innermost\n"
    name = "core.txt"
    for level in range(depth):
        data = _zip([(name, data)])
        name = f"level{depth - level}.zip"
    return data


def _tar(members: list[tarfile.TarInfo], payloads: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tf:
        for info in members:
            tf.addfile(info, io.BytesIO(payloads[info.name]) if info.name in payloads else None)
    return buffer.getvalue()


def _special_tar() -> bytes:
    link = tarfile.TarInfo("pics/link.jpg")
    link.type, link.linkname = tarfile.SYMTYPE, "../../outside.jpg"
    dev = tarfile.TarInfo("dev/tty0")
    dev.type = tarfile.CHRTYPE
    body = b"plain member"
    plain = tarfile.TarInfo("pics/plain.txt")
    plain.size = len(body)
    return _tar([link, dev, plain], {"pics/plain.txt": body})


def _png_bomb() -> bytes:
    """A tiny PNG whose header declares 40000 x 40000 pixels."""
    raw = b"\x89PNG\r\n\x1a\n"
    ihdr = struct.pack(">IIBBBBB", 40000, 40000, 8, 2, 0, 0, 0)
    chunk = lambda kind, body: struct.pack(">I", len(body)) + kind + body + struct.pack(  # noqa: E731
        ">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    return raw + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + chunk(b"IEND", b"")


def _corrupt_exif_jpeg() -> bytes:
    jpeg = _jpeg(9)
    app1_body = b"Exif\x00\x00II*\x00" + struct.pack("<I", 8) + struct.pack("<H", 300) + b"\xff" * 60
    app1 = b"\xff\xe1" + struct.pack(">H", len(app1_body) + 2) + app1_body
    return jpeg[:2] + app1 + jpeg[2:]


def _corrupt_png() -> bytes:
    buffer = io.BytesIO()
    photos.photo(11, (320, 240)).save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    at = data.find(b"IDAT") + 40
    data[at:at + 64] = os.urandom(64)
    return bytes(data)


def generate(root: Path, *, with_bombs: bool = True) -> list[Bad]:
    """Write the corpus under root; return what each file must produce."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    bad: list[Bad] = []

    def put(rel: str, data: bytes, kind: str, code: str, member: str | None = None) -> None:
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        bad.append(Bad(kind, rel + (f"!/{member}" if member else ""), code))

    jpeg = _jpeg()
    put("images/truncated.jpg", jpeg[: len(jpeg) // 2], "truncated image", "image_corrupt")
    put("images/garbage.jpg", b"\xff\xd8\xff\xe0" + os.urandom(3000), "garbage with a JPEG header", "image_corrupt")
    put("images/corrupt.png", _corrupt_png(), "corrupt PNG data", "image_corrupt")
    put("images/bomb.png", _png_bomb(), "image decompression bomb", "image_bomb")
    put("images/bad_exif.jpg", _corrupt_exif_jpeg(), "corrupt EXIF block", "exif_corrupt")
    put("images/holiday.txt", jpeg, "image with a wrong extension", "extension_mismatch")
    put("misc/empty.bin", b"", "zero-byte file", "empty_file")
    put("archives/truncated.zip", _zip([("a.jpg", jpeg)])[:-30], "zip without its central directory",
        "archive_corrupt")
    put("archives/encrypted.zip", _encrypted_zip(), "encrypted member", "encrypted_member", "secret.jpg")
    put("archives/method99.zip", _unsupported_method_zip(), "unsupported compression", "member_unreadable",
        "strong.jpg")
    put("archives/crc.zip", _crc_zip(), "checksum mismatch", "crc_mismatch", "note.txt")
    put("archives/slip.zip", _zip([("../../evil.txt", b"x"), ("ok.txt", b"y")]), "zip-slip member name",
        "unsafe_member_name", "../../evil.txt")
    put("archives/absolute.zip", _zip([("/etc/evil.conf", b"x")]), "absolute member name", "unsafe_member_name",
        "/etc/evil.conf")
    put("archives/dupes.zip", _zip([("same.txt", b"1"), ("same.txt", b"2")]), "duplicate member names",
        "duplicate_member_name", "same.txt#2")
    put("archives/cp437.zip", _cp437_zip(), "non-UTF-8 member name", "non_utf8_name", "caf\u0398.txt")
    put("archives/deep.zip", _nested_zip(8), "archive nested past the depth limit", "archive_depth_limit")
    full_tgz = io.BytesIO()
    with tarfile.open(fileobj=full_tgz, mode="w:gz") as tf:
        for i in range(3):
            data = _jpeg(20 + i, (320, 240))
            info = tarfile.TarInfo(f"p{i}.jpg")
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    put("archives/truncated.tar.gz", full_tgz.getvalue()[: len(full_tgz.getvalue()) // 2], "truncated tar.gz",
        "archive_corrupt")
    put("archives/special.tar", _special_tar(), "device member in a tar", "special_member", "dev/tty0")
    put("archives/corrupt.gz", b"\x1f\x8b\x08\x00" + b"\x00" * 6 + os.urandom(200), "corrupt gzip stream",
        "read_error", "corrupt")
    if with_bombs:
        put("bombs/zipbomb.zip", _zip([("zeros.bin", b"\x00" * BOMB_BYTES)]), "zip bomb (ratio)",
            "compression_bomb", "zeros.bin")
        put("bombs/gzbomb.bin.gz", gzip.compress(b"\x00" * BOMB_BYTES, compresslevel=9, mtime=0),
            "gzip bomb (ratio, no declared size)", "compression_bomb", "gzbomb.bin")
    # file-system oddities
    (root / "links").mkdir(exist_ok=True)
    os.symlink("does/not/exist.jpg", root / "links" / "broken.jpg")
    bad.append(Bad("broken symlink", "links/broken.jpg", "symlink_broken"))
    os.symlink("loop_b", root / "links" / "loop_a")
    os.symlink("loop_a", root / "links" / "loop_b")
    bad.append(Bad("looping symlink", "links/loop_a", "symlink_loop"))
    os.mkfifo(root / "links" / "pipe")
    bad.append(Bad("FIFO special file", "links/pipe", "special_file"))
    raw_name = os.fsdecode(b"images/caf\xe9.jpg")
    (root / raw_name).write_bytes(_jpeg(7, (200, 150)))
    bad.append(Bad("non-UTF-8 file name", "images/caf\\xe9.jpg", "non_utf8_name"))
    return bad

