"""MD5, SHA-1 and SHA-256 in one read: every chunk feeds all three (hashlib releases the GIL)."""

from __future__ import annotations

import hashlib


class MultiHash:
    __slots__ = ("_md5", "_sha1", "_sha256", "size")

    def __init__(self) -> None:
        self._md5 = hashlib.md5(usedforsecurity=False)
        self._sha1 = hashlib.sha1(usedforsecurity=False)
        self._sha256 = hashlib.sha256()
        self.size = 0

    def update(self, chunk: bytes | bytearray | memoryview) -> None:
        self._md5.update(chunk)
        self._sha1.update(chunk)
        self._sha256.update(chunk)
        self.size += len(chunk)

    def hexdigests(self) -> dict[str, str]:
        return {"md5": self._md5.hexdigest(), "sha1": self._sha1.hexdigest(), "sha256": self._sha256.hexdigest()}


