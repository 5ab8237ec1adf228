"""Members of containers, described without extracting anything to disk: ZIP (incl. ZIP64), TAR (plain or
compressed, read as a stream), and single gzip/bzip2/xz files. Each member comes with a way to open its bytes."""

from __future__ import annotations

import bz2
import gzip
import lzma
import stat
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from winnow.evidence.sniff import is_tar_header
from winnow.timeutil import from_epoch


@dataclass
class Member:
    name: str  # as the archive spells it (decoded)
    raw_name: bytes | None  # when the stored name was not valid UTF-8
    kind: str  # file | dir | symlink | hardlink | special
    size: int | None
    compressed_size: int | None
    mtime: str | None
    time_source: str
    encrypted: bool = False
    crc: int | None = None  # the stored CRC-32 (zip), checked by the reader
    link_target: str | None = None
    opener: Callable[[], IO[bytes]] | None = None


class ArchiveError(Exception):
    """The container itself cannot be read (corrupt header, truncated stream)."""


# ------------------------------------------------------------------ zip

def _zip_mtime(info: zipfile.ZipInfo) -> tuple[str | None, str]:
    """UTC mtime from the extended-timestamp extra field (0x5455) if present, else the DOS local time."""
    extra = info.extra
    i = 0
    while i + 4 <= len(extra):
        tag, length = struct.unpack_from("<HH", extra, i)
        body = extra[i + 4:i + 4 + length]
        if tag == 0x5455 and len(body) >= 5 and body[0] & 1:
            return from_epoch(struct.unpack_from("<i", body, 1)[0]), "zip-extended-utc"
        i += 4 + length
    try:
        local = datetime(*info.date_time)
        return local.strftime("%Y-%m-%dT%H:%M:%S"), "zip-dos-local (no time zone)"
    except ValueError:
        return None, "zip-dos-invalid"


def _zip_raw_name(info: zipfile.ZipInfo) -> bytes | None:
    if info.flag_bits & 0x800:
        return None
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return None
    try:
        raw.decode("ascii")
        return None
    except UnicodeDecodeError:
        return raw


def zip_members(zf: zipfile.ZipFile) -> Iterator[Member]:
    for info in zf.infolist():
        mode = (info.external_attr >> 16) & 0xFFFF
        if info.is_dir():
            kind = "dir"
        elif mode and stat.S_ISLNK(mode):
            kind = "symlink"
        elif mode and not stat.S_ISREG(mode) and stat.S_IFMT(mode) != 0:
            kind = "special"
        else:
            kind = "file"
        mtime, source = _zip_mtime(info)
        member = Member(name=info.filename, raw_name=_zip_raw_name(info), kind=kind, size=info.file_size,
                        compressed_size=info.compress_size, mtime=mtime, time_source=source,
                        encrypted=bool(info.flag_bits & 0x1), crc=info.CRC)
        if kind == "symlink" and not member.encrypted and info.file_size <= 4096:
            try:
                member.link_target = zf.read(info).decode("utf-8", "backslashreplace")
            except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError, ValueError):
                member.link_target = None
        member.opener = _zip_opener(zf, info)
        yield member


def _zip_opener(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Callable[[], IO[bytes]]:
    def open_member() -> IO[bytes]:
        stream = zf.open(info)
        # zipfile raises on a CRC mismatch *instead of* returning the last chunk; winnow checks the CRC itself
        # (GuardedReader) so every byte is hashed and the mismatch becomes a warning
        stream._expected_crc = None  # type: ignore[attr-defined]
        return stream

    return open_member


# ------------------------------------------------------------------ tar

def tar_members(fileobj: IO[bytes]) -> Iterator[Member]:
    """Stream members of a (possibly compressed) tar; one pass, no seeking back."""
    try:
        tf = tarfile.open(fileobj=fileobj, mode="r|*", errorlevel=1)
    except (tarfile.TarError, OSError, EOFError, lzma.LZMAError, ValueError) as exc:
        raise ArchiveError(f"not a readable tar: {exc}") from exc
    iterator = iter(tf)
    while True:
        try:
            info = next(iterator)
        except StopIteration:
            return
        except (tarfile.TarError, OSError, EOFError, lzma.LZMAError, ValueError, struct.error) as exc:
            raise ArchiveError(f"tar stream broken after {tf.offset} bytes: {exc}") from exc
        raw = None
        try:
            info.name.encode("utf-8")
        except UnicodeEncodeError:
            raw = info.name.encode("utf-8", "surrogateescape")
        if info.isdir():
            kind = "dir"
        elif info.issym():
            kind = "symlink"
        elif info.islnk():
            kind = "hardlink"
        elif info.isreg():
            kind = "file"
        else:
            kind = "special"
        member = Member(name=info.name, raw_name=raw, kind=kind, size=info.size if kind == "file" else None,
                        compressed_size=None, mtime=from_epoch(info.mtime), time_source="tar-header-utc",
                        link_target=info.linkname or None)
        if kind == "file":
            member.opener = _tar_opener(tf, info)
        yield member


def _tar_opener(tf: tarfile.TarFile, info: tarfile.TarInfo) -> Callable[[], IO[bytes]]:
    def open_member() -> IO[bytes]:
        stream = tf.extractfile(info)
        if stream is None:
            raise ArchiveError("tar member has no data")
        return stream

    return open_member


# ------------------------------------------------------------------ single compressed streams

_DECOMPRESSORS: dict[str, Callable[[Any], Any]] = {
    "gz": lambda f: gzip.GzipFile(fileobj=f, mode="rb"),
    "bz2": lambda f: bz2.BZ2File(f, mode="rb"),
    "xz": lambda f: lzma.LZMAFile(f, mode="rb"),
}
DECOMPRESSION_ERRORS: tuple[type[BaseException], ...] = (OSError, EOFError, lzma.LZMAError, ValueError,
                                                         zipfile.BadZipFile, tarfile.TarError, struct.error,
                                                         zlib.error)
READ_ERRORS: tuple[type[BaseException], ...] = (*DECOMPRESSION_ERRORS, RuntimeError, NotImplementedError)
OPEN_ERRORS: tuple[type[BaseException], ...] = (ArchiveError, *READ_ERRORS)


def decompressor(kind: str, raw: Any) -> Any:
    return _DECOMPRESSORS[kind](raw)


def wraps_tar(kind: str, raw: IO[bytes]) -> bool:
    """Peek: does this compressed stream hold a tar? (the caller reopens the stream afterwards)"""
    try:
        block = decompressor(kind, raw).read(512)
    except DECOMPRESSION_ERRORS:
        return False
    return is_tar_header(block)


def gzip_original_name(head: bytes) -> str | None:
    """The FNAME field of a gzip header, if the compressor stored it."""
    if len(head) < 10 or head[:2] != b"\x1f\x8b" or not head[3] & 0x08:
        return None
    i = 10
    if head[3] & 0x04:
        if len(head) < 12:
            return None
        i += 2 + struct.unpack_from("<H", head, 10)[0]
    end = head.find(b"\x00", i)
    if end < 0:
        return None
    name = head[i:end].decode("latin-1").replace("\\", "/").rsplit("/", 1)[-1]
    return name or None


def single_member_name(outer_name: str, kind: str, head: bytes) -> str:
    if kind == "gz":
        stored = gzip_original_name(head)
        if stored:
            return stored
    base = outer_name.rsplit("/", 1)[-1]
    for suffix in (".gz", ".gzip", ".bz2", ".xz", ".tgz", ".tbz2", ".txz"):
        if base.lower().endswith(suffix):
            stem = base[: -len(suffix)]
            if suffix.startswith(".t"):
                stem += ".tar"
            return stem or "content"
    return base + ".decompressed" if base else "content"
