"""What workers send to the writer: one Record per item occurrence, plus a few small messages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

NAME = re.compile(r"[a-z_][a-z0-9_]*")  # a table or column name the store may be given


@dataclass(frozen=True)
class Rows:
    """Rows a signal fills in one table (`table`, `columns` as the signal declares them; each row one tuple).
    The writer adds the run's id (`run_id`) to each row and inserts them as they come, skipping rows already there:
    a re-run writes nothing twice."""

    table: str
    columns: tuple[str, ...]
    values: tuple[tuple[Any, ...], ...]

    def __post_init__(self) -> None:
        bad = [n for n in (self.table, *self.columns) if not NAME.fullmatch(n)]
        if bad:
            raise ValueError(f"not a table or column name: {bad}")


@dataclass(frozen=True)
class Sighting:
    """An identifier a signal read (a phone number on a screen): it joins the case's identifiers."""

    kind: str
    value: str
    origin: str
    ref: str
    raw: str
    confidence: float
    note: str
    context: str


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
    rows: list[Rows] = field(default_factory=list)  # what the signals computed for its content, as store rows
    sightings: list[Sighting] = field(default_factory=list)
    disk: dict[str, Any] | None = None  # file-system facts of an item inside a disk image (fs_entries row)
    warnings: list[tuple[str, str, str]] = field(default_factory=list)

    def warn(self, stage: str, code: str, message: str) -> None:
        self.warnings.append((stage, code, message))


@dataclass(frozen=True)
class Expanded:
    """All members of an archive (or all work units of a disk image) were written: its status goes from
    'expanding' to 'archive' (or 'image')."""

    chain: str
    status: str = "archive"


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
    status: str = "archive"  # the status the container gets when every task has ended


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


@dataclass(frozen=True)
class DiskUnitTask:
    """One work unit of a disk image, run by any worker (so every core works on one image):
    `verify` (hash the whole medium), `files` (entries k, k+n, k+2n... of one file system) or `carve` (the
    unallocated space of a volume between two byte offsets)."""

    task_id: int
    path: str  # the image file (its first segment)
    chain: str  # the image's chain
    source_id: int
    unit: str  # stable name, recorded in disk_units when done
    kind: str  # verify | files | carve
    volume_chain: str = ""
    volume_slot: str = ""
    volume_start: int = 0
    volume_length: int = 0
    fs_type: str | None = None
    k: int = 0
    n: int = 1
    start: int = 0  # carve: byte range inside the volume
    end: int = 0
    size: int = 0  # progress travels in Progress messages instead

    def describe(self) -> str:
        return f"disk image work unit {self.unit}"


@dataclass(frozen=True)
class Progress:
    """Worker to runner: bytes of evidence read by a long work unit (keeps the progress bar and the hang
    detector informed)."""

    nbytes: int


@dataclass(frozen=True)
class DiskImageRow:
    chain: str
    format: str
    segments: tuple[str, ...]
    media_size: int
    stored_md5: str | None
    stored_sha1: str | None
    volume_system: str
    verification: str  # pending | not_checked | verified | mismatch | computed | failed
    details: str  # JSON


@dataclass(frozen=True)
class VolumeRow:
    image: str
    chain: str
    slot: str
    start: int
    length: int
    description: str
    fs_type: str | None
    encryption: str | None
    status: str


@dataclass(frozen=True)
class ImageHashes:
    chain: str
    md5: str | None
    sha1: str | None
    sha256: str | None
    verification: str
    bytes_read: int


@dataclass(frozen=True)
class UnitDone:
    image: str
    unit: str
