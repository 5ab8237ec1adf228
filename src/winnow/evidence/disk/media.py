"""The image layer: a `Media` is the byte range a disk image stands for (the acquired medium), whatever its
container format. Each format is one `MediaOpener` in one module; `OPENERS` (evidence/disk/formats.py) is the
explicit registry, tried in order on the first and last bytes of a file (never on its name)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any, Protocol


class MediaError(Exception):
    """The image cannot be opened at all (corrupt header, missing or truncated segment)."""


class Media(Protocol):
    size: int

    def read(self, offset: int, n: int) -> bytes: ...

    def close(self) -> None: ...


@dataclass
class Opened:
    media: Media
    format: str  # ewf | ex01 | raw | split-raw | vmdk | vhd | vhdx | qcow2
    segments: list[str]
    stored_hashes: dict[str, str] = field(default_factory=dict)  # e.g. {"md5": ..., "sha1": ...} from an E01
    details: dict[str, Any] = field(default_factory=dict)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (code, message)


class MediaOpener(Protocol):
    name: str

    def sniff(self, head: bytes, tail: bytes) -> bool:
        """Does this file (its first 64 KiB and last 512 bytes) hold this format?"""
        ...

    def open(self, path: str) -> Opened: ...


def evidence_file(path: str) -> IO[bytes]:
    """A read-only, unbuffered file object (no link following, no access-time update) for the libyal bindings,
    so they never open evidence files themselves."""
    from winnow.evidence.opener import open_evidence

    return os.fdopen(open_evidence(path), "rb", buffering=0)


class FileMedia:
    """Raw bytes of one or more files laid end to end (a dd image, or a split .001/.002... set)."""

    def __init__(self, paths: list[str]) -> None:
        from winnow.evidence.opener import open_evidence

        self.fds: list[int] = []
        self.starts: list[int] = []
        total = 0
        try:
            for p in paths:
                fd = open_evidence(p)
                self.fds.append(fd)
                self.starts.append(total)
                total += os.fstat(fd).st_size
        except OSError:
            self.close()
            raise
        self.size = total

    def read(self, offset: int, n: int) -> bytes:
        n = max(0, min(n, self.size - offset))
        parts: list[bytes] = []
        i = len(self.starts) - 1
        while i > 0 and self.starts[i] > offset:
            i -= 1
        while n > 0 and i < len(self.fds):
            local = offset - self.starts[i]
            end = self.starts[i + 1] if i + 1 < len(self.starts) else self.size
            want = min(n, end - offset)
            data = os.pread(self.fds[i], want, local)
            if len(data) < want:
                raise OSError(f"short read at image offset {offset} (segment {i + 1} truncated?)")
            parts.append(data)
            offset += want
            n -= want
            i += 1
        return b"".join(parts)

    def close(self) -> None:
        for fd in self.fds:
            try:
                os.close(fd)
            except OSError:
                pass
        self.fds = []


class HandleMedia:
    """A libyal handle (pyewf, pyvmdk, pyvhdi, pyqcow) over file objects winnow opened read-only."""

    def __init__(self, handle: Any, files: list[IO[bytes]]) -> None:
        self.handle = handle
        self.files = files
        self.size = int(handle.get_media_size())

    def read(self, offset: int, n: int) -> bytes:
        n = max(0, min(n, self.size - offset))
        if n == 0:
            return b""
        try:
            data: bytes = self.handle.read_buffer_at_offset(n, offset)
        except (RuntimeError, ValueError) as exc:  # libyal read errors: corrupt chunk, missing data
            raise OSError(f"read error at image offset {offset}: {exc}") from exc
        return data

    def close(self) -> None:
        try:
            self.handle.close()
        except OSError:
            pass
        for f in self.files:
            f.close()


def opened_handle(make: Callable[[], Any], paths: list[str], multi: bool = False,
                  extents: bool = False) -> HandleMedia:
    """Open a libyal handle on our own read-only file objects; any failure becomes a MediaError."""
    files: list[IO[bytes]] = []
    try:
        files = [evidence_file(p) for p in paths]
        handle = make()
        if multi:
            handle.open_file_objects(files)
        else:
            handle.open_file_object(files[0])
        if extents:  # a monolithic VMDK is its own extent file
            files.append(evidence_file(paths[0]))
            handle.open_extent_data_files_as_file_objects(files[-1:])
        return HandleMedia(handle, files)
    except (OSError, ValueError, TypeError, RuntimeError) as exc:
        for f in files:
            f.close()
        raise MediaError(f"{type(exc).__name__}: {exc}") from exc


def read_probe(path: str, head_bytes: int = 64 * 1024) -> tuple[bytes, bytes]:
    """The first 64 KiB and the last 512 bytes of a file (the VHD footer lives at the end)."""
    f = evidence_file(path)
    try:
        size = os.fstat(f.fileno()).st_size
        head = os.pread(f.fileno(), head_bytes, 0)
        tail = os.pread(f.fileno(), 512, max(0, size - 512)) if size >= 512 else b""
    finally:
        f.close()
    return head, tail
