"""The one way winnow opens evidence: read-only, without following a symbolic link, without updating the access
time (where the process may), without blocking on a FIFO. Ingest, disk images and `winnow calls --rescan` all read
through here, so "evidence is read-only" is one function to check, and a test checks bytes and times after a run."""

from __future__ import annotations

import errno
import os
from typing import IO


def open_evidence(path: str) -> int:
    """A read-only file descriptor for an evidence file."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    noatime = getattr(os, "O_NOATIME", 0)
    try:
        return os.open(path, flags | noatime)
    except OSError as exc:
        if noatime and exc.errno == errno.EPERM:  # O_NOATIME needs ownership; fall back
            return os.open(path, flags)
        raise


def open_stream(path: str, buffering: int = -1) -> IO[bytes]:
    """The same, as a binary file object."""
    return os.fdopen(open_evidence(path), "rb", buffering=buffering)


def read_evidence(path: str, limit: int | None = None) -> bytes:
    """The bytes of a (small) evidence file; `limit` refuses anything larger (ValueError), never a partial read."""
    with open_stream(path) as f:
        data = f.read() if limit is None else f.read(limit + 1)
    if limit is not None and len(data) > limit:
        raise ValueError(f"{path}: larger than {limit} bytes")
    return data
