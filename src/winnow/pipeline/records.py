"""What workers send to the writer: one Record per item occurrence, plus a few small messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Record:
    chain: str
    parent: str
    name: str
    depth: int
    source_id: int
    status: str = "ok"  # ok | expanding | archive | error | skipped | encrypted | symlink | hardlink | special
    name_raw: bytes | None = None
    size: int | None = None
    mtime: str | None = None
    atime: str | None = None
    ctime: str | None = None
    time_source: str | None = None
    extension: str = ""
    detected_type: str | None = None
    extension_mismatch: bool = False
    link_target: str | None = None
    content: dict[str, Any] | None = None
    image: dict[str, Any] | None = None
    video: dict[str, Any] | None = None
    warnings: list[tuple[str, str, str]] = field(default_factory=list)

    def warn(self, stage: str, code: str, message: str) -> None:
        self.warnings.append((stage, code, message))


@dataclass(frozen=True)
class Expanded:
    """All members of an archive were written: its status goes from 'expanding' to 'archive'."""

    chain: str


@dataclass(frozen=True)
class Warn:
    """A warning about something that has no record of its own (a folder, an archive already sent)."""

    chain: str
    stage: str
    code: str
    message: str


@dataclass(frozen=True)
class FileTask:
    task_id: int
    path: str  # file-system path (str with surrogate escapes when not UTF-8)
    chain: str
    parent: str
    name: str
    name_raw: bytes | None
    source_id: int
    size: int
    mtime: str | None
    atime: str | None
    ctime: str | None
    resume: bool = False
    expand: bool = True  # False: a ZIP whose members are read by MemberRangeTasks (in parallel)


@dataclass(frozen=True)
class SplitArchive:
    """Planner to runner: these tasks together read one archive; when all have ended, it is 'archive'."""

    chain: str
    task_ids: tuple[int, ...]


@dataclass(frozen=True)
class MemberRangeTask:
    """Members [start, end) of a large top-level ZIP on disk, read by any worker: big archives use every core."""

    task_id: int
    path: str
    chain: str
    source_id: int
    start: int
    end: int
    budget_bytes: int
    size: int = 0  # bytes counted for progress: none (the archive's own task counts them)
