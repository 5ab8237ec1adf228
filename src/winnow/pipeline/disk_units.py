"""Running one disk-image work unit in a worker. The image is opened read-only once per worker process and kept
for the next unit of the same image; so is each file system's listing (a metadata pass), which every files and
carve unit of that file system needs (who owns which block, which entries are deleted)."""

from __future__ import annotations

import os
import time
from typing import Any

from winnow.evidence import archives
from winnow.evidence.disk import carve as carver
from winnow.evidence.disk.formats import detect
from winnow.evidence.disk.media import MediaError, Opened, read_probe
from winnow.evidence.disk.tsk import open_fs, tsk_image
from winnow.evidence.disk.walk import Entry, Listing, list_fs
from winnow.evidence.names import extension
from winnow.evidence.provenance import Layer
from winnow.messages import DiskUnitTask, ImageHashes, Progress, Record, UnitDone, Warn
from winnow.pipeline.process import Processor
from winnow.signals.crypto import MultiHash

_PROGRESS_EVERY = 32 << 20
_open: dict[str, tuple[Opened, Any]] = {}
_listings: dict[tuple[str, int], tuple[Any, Listing]] = {}


def _image(path: str) -> tuple[Opened, Any]:
    if path not in _open:
        for old, _ in _open.values():
            old.media.close()
        _open.clear()
        _listings.clear()
        head, tail = read_probe(path)
        opener = detect(head, tail)
        if opener is None:
            raise MediaError("the image is no longer recognised (changed since planning?)")
        opened = opener.open(path)
        _open[path] = (opened, tsk_image(opened.media))
    return _open[path]


def _listing(task: DiskUnitTask, img: Any) -> tuple[Any, Listing]:
    key = (task.path, task.volume_start)
    if key not in _listings:
        fs = open_fs(img, task.volume_start)
        _listings[key] = (fs, list_fs(fs, task.fs_type or "unknown"))
    return _listings[key]


class _Window:
    """`length` bytes from `start` through a positional reader (TSK's `read_random` for a file, deleted files
    too; the medium's `read` for a carved range), in the reads the processor asks for."""

    def __init__(self, read_at: Any, start: int, length: int, where: str) -> None:
        self.read_at, self.start, self.pos, self.end, self.where = read_at, start, start, start + length, where

    def read(self, n: int = -1) -> bytes:
        want = self.end - self.pos if n < 0 else min(n, self.end - self.pos)
        if want <= 0:
            return b""
        data: bytes = self.read_at(self.pos, want)
        if not data:
            raise OSError(f"no data at {self.where} offset {self.pos} of {self.end - self.start}")
        self.pos += len(data)
        return data

    def readable(self) -> bool:
        return True


class _RunStream:
    """A file's bytes read run by run from the medium (for plain, allocated files)."""

    def __init__(self, media: Any, base: int, block: int, runs: list[tuple[int, int]], size: int) -> None:
        self.media, self.base, self.block, self.size = media, base, block, size
        self.runs = list(runs)
        self.i = self.used = self.pos = 0

    def read(self, n: int = -1) -> bytes:
        if self.pos >= self.size or self.i >= len(self.runs):
            return b""
        addr, count = self.runs[self.i]
        left = count * self.block - self.used
        want = min(left, self.size - self.pos, n if n > 0 else left)
        data: bytes = self.media.read(self.base + addr * self.block + self.used, want)
        if len(data) < want:
            raise OSError(f"short read at file offset {self.pos}")
        self.used += want
        self.pos += want
        if self.used >= count * self.block:
            self.i, self.used = self.i + 1, 0
        return data

    def readable(self) -> bool:
        return True


def run_unit(p: Processor, task: DiskUnitTask) -> None:
    os.environ["TZ"] = "UTC"  # TSK turns FAT's zone-less clock times into epochs with mktime: keep them as read
    time.tzset()
    try:
        opened, img = _image(task.path)
        if task.kind == "verify":
            _verify(p, task, opened)
        elif task.kind == "files":
            _files(p, task, img)
        else:
            _carve(p, task, opened, img)
    except (MediaError, OSError, RuntimeError) as exc:
        p.emit(Warn(task.volume_chain or task.chain, "read", "image_read_error",
                    f"{task.describe()}: {type(exc).__name__}: {str(exc).strip()[:300]}"))
    p.emit(UnitDone(task.chain, task.unit))


def _verify(p: Processor, task: DiskUnitTask, opened: Opened) -> None:
    """The whole medium through MD5/SHA-1/SHA-256, checked against what the image stores."""
    media = opened.media
    hasher = MultiHash()
    chunk = max(1 << 20, p.settings.chunk_bytes) * 4
    pos = reported = 0
    try:
        while pos < media.size:
            data = media.read(pos, min(chunk, media.size - pos))
            if not data:
                raise OSError("no data")
            hasher.update(data)
            pos += len(data)
            if pos - reported >= _PROGRESS_EVERY:
                p.emit(Progress(pos - reported))
                reported = pos
    except (OSError, MediaError) as exc:
        p.emit(Progress(pos - reported))
        p.emit(Warn(task.chain, "read", "image_read_error",
                    f"the medium cannot be read at offset {pos} of {media.size}: {str(exc).strip()[:200]}; "
                    "hashes not computed"))
        p.emit(ImageHashes(task.chain, None, None, None, "failed", pos))
        return
    p.emit(Progress(pos - reported))
    digests = hasher.hexdigests()
    stored = opened.stored_hashes
    if not stored:
        status = "computed"
    else:
        bad = [k for k in ("md5", "sha1") if k in stored and stored[k] != digests[k]]
        status = "mismatch" if bad else "verified"
        for k in bad:
            p.emit(Warn(task.chain, "read", "image_hash_mismatch",
                        f"IMAGE INTEGRITY: the {k.upper()} stored in the image is {stored[k]}, the medium read now "
                        f"hashes to {digests[k]} ({pos} bytes): the image was altered or damaged after acquisition"))
    p.emit(ImageHashes(task.chain, digests["md5"], digests["sha1"], digests["sha256"], status, pos))


def _disk_facts(task: DiskUnitTask, **more: Any) -> dict[str, Any]:
    return {"image": task.chain, "volume": task.volume_chain, "fs_type": task.fs_type,
            "partition_offset": task.volume_start, **more}


def _files(p: Processor, task: DiskUnitTask, img: Any) -> None:
    fs, listing = _listing(task, img)
    media = _open[task.path][0].media
    if task.k == 0:
        for path, code, message in listing.warnings:
            p.emit(Warn(task.volume_chain + Layer("entry", path).render(), "walk", code, message))
    done = p.done_under(task.volume_chain)
    source = f"{listing.fs_type} (file system in the image)"
    pending = 0
    for i, entry in enumerate(listing.entries):
        if i % task.n != task.k:
            continue
        chain = task.volume_chain + Layer("entry", entry.path).render()
        if chain in done and done[chain] != "expanding":
            continue
        name = entry.path.rsplit("/", 1)[-1]
        rec = Record(chain=chain, parent=task.volume_chain, name=name, name_raw=entry.name_raw, depth=1,
                     source_id=task.source_id, size=entry.size, mtime=entry.times.get("mtime"),
                     atime=entry.times.get("atime"), ctime=entry.times.get("ctime"), time_source=source,
                     extension=extension(name))
        rec.disk = _disk_facts(task, inode=entry.inode, deleted=entry.deleted, orphan=entry.orphan, **entry.times)
        if entry.name_raw is not None:
            rec.warn("walk", "non_utf8_name", "file name is not valid UTF-8; shown with escapes, raw bytes kept")
        _entry(p, rec, fs, entry, listing, media, task.volume_start)
        pending += entry.size
        if pending >= _PROGRESS_EVERY:
            p.emit(Progress(pending))
            pending = 0
    p.emit(Progress(pending))


def _entry(p: Processor, rec: Record, fs: Any, entry: Entry, listing: Listing, media: Any, base: int) -> None:
    if entry.kind in ("special", "symlink"):
        rec.status = entry.kind
        if entry.kind == "special":
            rec.warn("walk", "special_file", "device, FIFO or socket in the file system: no content")
        p.emit(rec)
        return
    if entry.deleted and (entry.inode is None or entry.reused):
        rec.status = "unrecoverable"
        rec.warn("read", "deleted_unrecoverable",
                 "deleted entry whose metadata " + ("now belongs to another file" if entry.reused else "is gone")
                 + f" (inode {entry.inode}): name and times recorded, content not recoverable")
        p.emit(rec)
        return
    if entry.deleted and entry.runs:
        lost = listing.overlap(entry.runs)
        if lost:
            total = sum(n for _, n in entry.runs)
            rec.warn("read", "deleted_overwritten",
                     f"{lost} of {total} blocks of this deleted file now belong to allocated files: the bytes "
                     "recovered are partly another file's")
    block = listing.block_size
    if entry.plain and not entry.deleted and sum(n for _, n in entry.runs) * block >= entry.size:
        # an allocated file laid out in plain runs: read straight from the medium (TSK's reads go block by block
        # through a Python callback); the bytes are the same, the test suite compares both routes' hashes
        stream: Any = _RunStream(media, base, block, entry.runs, entry.size)
        p._consume(rec, stream, disk_path=None, budget=None, done={})
        return
    try:
        f = fs.open_meta(inode=entry.inode)
    except OSError as exc:
        rec.status = "error"
        rec.warn("read", "read_error", f"cannot open inode {entry.inode}: {str(exc).strip()[:200]}")
        p.emit(rec)
        return
    try:
        p._consume(rec, _Window(f.read_random, 0, entry.size, "file"), disk_path=None, budget=None, done={})
    except archives.READ_ERRORS as exc:  # pragma: no cover - _consume turns read errors into warnings itself
        rec.status = "error"
        rec.warn("read", "read_error", str(exc))
        p.emit(rec)


def _carve(p: Processor, task: DiskUnitTask, opened: Opened, img: Any) -> None:
    media = opened.media
    base, length = task.volume_start, task.volume_length
    if task.volume_slot != "unpartitioned" and task.fs_type is not None:
        _, listing = _listing(task, img)
        bs = listing.block_size
        intervals = [(a * bs, min(length, b * bs)) for a, b in listing.unallocated()]
        shown_base = 0
    else:
        intervals = [(0, length)]
        shown_base = base if task.volume_slot == "unpartitioned" else 0

    def read(offset: int, n: int) -> bytes:
        n = min(n, length - offset)
        return media.read(base + offset, n) if n > 0 else b""

    s = p.settings
    scanned = sum(max(0, min(b, task.end) - max(a, task.start)) for a, b in intervals)
    for item in carver.carve(read, intervals, (task.start, task.end), length, s.carve_max_bytes):
        offset = shown_base + item.offset
        carved = Layer("carved", "$unallocated", offset, item.length)
        name = carved.render()[1:]
        chain = task.volume_chain + carved.render()
        rec = Record(chain=chain, parent=task.volume_chain, name=name, depth=1, source_id=task.source_id,
                     size=item.length, time_source="none (carved from unallocated space)", extension=item.type)
        rec.disk = _disk_facts(task, carved=True, carve_offset=base + item.offset, carve_length=item.length)
        window = _Window(media.read, base + item.offset, item.length, "image")
        p._consume(rec, window, disk_path=None, budget=None, done={})
    p.emit(Progress(scanned))
