"""Guards for reading archives: a budget per top-level archive (bytes, members) and a reader that stops a
member as soon as it grows past what it declared or past a plausible compression ratio."""

from __future__ import annotations

import zlib
from typing import IO, Any


class LimitExceeded(Exception):
    """A compression bomb or an archive past its budget: the member is not read further."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class Budget:
    """Shared by an archive and every archive nested in it."""

    def __init__(self, max_total_bytes: int, max_members: int) -> None:
        self.max_total_bytes = max_total_bytes
        self.max_members = max_members
        self.total_bytes = 0
        self.members = 0

    def member(self) -> None:
        self.members += 1
        if self.members > self.max_members:
            raise LimitExceeded("archive_member_limit", f"more than {self.max_members} members; rest not read")

    def remaining(self) -> int:
        return max(0, self.max_total_bytes - self.total_bytes)

    def consume(self, n: int) -> None:
        self.total_bytes += n
        if self.total_bytes > self.max_total_bytes:
            raise LimitExceeded("archive_total_limit",
                                f"archive expands past {self.max_total_bytes} bytes; member not read further")


class CountingReader:
    """Counts bytes read from the underlying (compressed) stream."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.count = 0

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n)
        self.count += len(data)
        return data

    def readable(self) -> bool:
        return True

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)


class GuardedReader:
    """Reads a member's decompressed bytes, enforcing: the declared size (zip), the compression ratio against
    the compressed bytes consumed so far (streams without a declared size), and the archive budget."""

    def __init__(self, stream: IO[bytes], budget: Budget, *, declared: int | None = None,
                 compressed: CountingReader | None = None, max_ratio: int = 200, ratio_floor: int = 64 << 20,
                 expected_crc: int | None = None) -> None:
        self.stream = stream
        self.expected_crc = expected_crc
        self.crc = 0
        self.crc_mismatch = False
        self.budget = budget
        self.declared = declared
        self.compressed = compressed
        self.max_ratio = max_ratio
        self.ratio_floor = ratio_floor
        self.count = 0

    def read(self, n: int = -1) -> bytes:
        data = self.stream.read(n)
        self.count += len(data)
        if self.expected_crc is not None:
            if data:
                self.crc = zlib.crc32(data, self.crc)
            elif (self.crc & 0xFFFFFFFF) != self.expected_crc:
                self.crc_mismatch = True
        if self.declared is not None and self.count > self.declared:
            raise LimitExceeded("member_size_mismatch",
                                f"member yields more than its declared {self.declared} bytes; not read further")
        if (self.compressed is not None and self.count > self.ratio_floor
                and self.count > self.max_ratio * max(1, self.compressed.count)):
            raise LimitExceeded("compression_bomb",
                                f"expands more than {self.max_ratio}x ({self.count} bytes from "
                                f"{self.compressed.count}); not read further")
        self.budget.consume(len(data))
        return data

    def readable(self) -> bool:
        return True
