"""Listing a file system through pytsk3 with what a folder walk cannot see: deleted entries (name or metadata
unallocated), orphan files (TSK's $OrphanFiles), MACB times and the blocks each file occupies. dfvfs is not used
here because its TSK listing skips unallocated entries. A directory met twice (a loop in a damaged or crafted
tree) is recorded once and not entered again."""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from winnow.timeutil import from_epoch

_NAME_UNALLOC = 0x02
_META_UNALLOC = 0x02
_NONRES = 0x02  # TSK_FS_ATTR_NONRES
_COMP, _ENC = 0x10, 0x20  # TSK_FS_ATTR_COMP, TSK_FS_ATTR_ENC
_RUN_SPARSE_OR_FILLER = 0x01 | 0x02
_TYPE_REG, _TYPE_DIR, _TYPE_LNK, _TYPE_VIRT, _TYPE_VIRT_DIR = 1, 2, 5, 10, 11


@dataclass
class Entry:
    path: str  # inside the file system, starting with "/"
    name_raw: bytes | None  # when the stored name was not valid UTF-8
    inode: int | None
    kind: str  # file | dir | symlink | special
    size: int
    deleted: bool
    orphan: bool
    reused: bool  # a deleted name whose metadata now belongs to another (allocated) file
    times: dict[str, str | None] = field(default_factory=dict)  # mtime, atime, ctime, crtime
    runs: list[tuple[int, int]] = field(default_factory=list)  # (first block, blocks) of the data
    plain: bool = False  # one non-resident, uncompressed, unencrypted, unsparse attribute: readable by its runs


@dataclass
class Listing:
    fs_type: str
    block_size: int
    block_count: int
    entries: list[Entry]
    allocated: list[tuple[int, int]]  # merged [start, end) block intervals owned by allocated entries
    warnings: list[tuple[str, str, str]]  # (path, code, message)

    def overlap(self, runs: list[tuple[int, int]]) -> int:
        """Blocks of `runs` that allocated entries own now (a deleted file's content partly overwritten)."""
        starts = [a for a, _ in self.allocated]
        total = 0
        for first, count in runs:
            end = first + count
            i = max(0, bisect.bisect_right(starts, first) - 1)
            while i < len(self.allocated) and self.allocated[i][0] < end:
                a, b = self.allocated[i]
                total += max(0, min(b, end) - max(a, first))
                i += 1
        return total

    def unallocated(self) -> Iterator[tuple[int, int]]:
        """[start, end) block intervals no allocated entry owns."""
        at = 0
        for a, b in self.allocated:
            if a > at:
                yield at, min(a, self.block_count)
            at = max(at, b)
        if at < self.block_count:
            yield at, self.block_count


def _name(raw: bytes) -> tuple[str, bytes | None]:
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError:
        return raw.decode("utf-8", "backslashreplace"), raw


def _time(meta: Any, name: str) -> str | None:
    seconds = getattr(meta, name, 0) or 0
    if not seconds:
        return None
    nano = getattr(meta, f"{name}_nano", 0) or 0
    return from_epoch(seconds + nano / 1e9)


def data_runs(f: Any) -> list[tuple[int, int]]:
    return data_layout(f)[0]


def data_layout(f: Any) -> tuple[list[tuple[int, int]], bool]:
    """Blocks of the file's non-resident attribute(s) (sparse and filler runs are not on disk), and whether
    they are one plain attribute laid out in order (then its bytes can be read straight from the medium)."""
    runs: list[tuple[int, int]] = []
    attrs = 0
    plain = True
    try:
        for attr in f:
            flags = int(attr.info.flags)
            if not flags & _NONRES:
                continue
            attrs += 1
            if flags & (_COMP | _ENC):
                plain = False
            expect = 0
            for run in attr:
                if int(run.flags) & _RUN_SPARSE_OR_FILLER or int(run.len) <= 0:
                    plain = False
                    continue
                if int(run.offset) != expect:
                    plain = False
                expect = int(run.offset) + int(run.len)
                runs.append((int(run.addr), int(run.len)))
    except OSError:
        return runs, False
    return runs, plain and attrs == 1


def _merge(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(intervals):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def list_fs(fs: Any, fs_type: str) -> Listing:
    """Every entry of the file system in a fixed order (depth first, names sorted by their bytes)."""
    entries: list[Entry] = []
    warnings: list[tuple[str, str, str]] = []
    allocated: list[tuple[int, int]] = []
    visited: set[int] = set()
    root = int(fs.info.root_inum)
    visited.add(root)
    try:
        allocated.extend((a, a + n) for a, n in data_runs(fs.open_meta(inode=root)))
    except OSError:
        pass
    stack: list[tuple[Any, str, bool]] = [(fs.open_dir(inode=root), "/", False)]
    while stack:
        directory, prefix, in_orphans = stack.pop()
        try:
            children = sorted((e for e in directory if e.info.name.name not in (b".", b"..")),
                              key=lambda e: bytes(e.info.name.name))
        except OSError as exc:
            warnings.append((prefix, "directory_unreadable", f"cannot list {prefix!r}: {str(exc).strip()[:200]}"))
            continue
        subdirs: list[tuple[Any, str, bool]] = []
        for e in children:
            name, raw = _name(bytes(e.info.name.name))
            path = prefix + name
            meta = e.info.meta
            name_unalloc = bool(int(e.info.name.flags) & _NAME_UNALLOC)
            meta_unalloc = meta is not None and bool(int(meta.flags) & _META_UNALLOC)
            mtype = int(meta.type) if meta is not None else 0
            if name.endswith(" (Volume Label Entry)"):  # TSK shows a FAT volume label as an empty file
                continue
            if mtype == _TYPE_VIRT:  # TSK's own views ($MBR, $FAT1...): metadata, not files
                runs = data_runs(e)
                allocated.extend((a, a + n) for a, n in runs)
                continue
            orphan_dir = mtype == _TYPE_VIRT_DIR
            deleted = name_unalloc or meta_unalloc or in_orphans
            reused = name_unalloc and meta is not None and not meta_unalloc
            kind = {_TYPE_REG: "file", _TYPE_DIR: "dir", _TYPE_LNK: "symlink"}.get(mtype, "special")
            if meta is None:
                kind = "file"
            inode = int(meta.addr) if meta is not None else None
            if kind == "dir" or orphan_dir:
                if inode is not None and inode in visited:
                    if not deleted:
                        warnings.append((path, "directory_loop",
                                         f"directory {path!r} (inode {inode}) was already listed: a loop in the "
                                         "tree; not entered again"))
                    continue
                if inode is not None:
                    visited.add(inode)
                if not orphan_dir and not reused:
                    runs = data_runs(e)
                    if not deleted:
                        allocated.extend((a, a + n) for a, n in runs)
                try:
                    subdirs.append((e.as_directory(), path + "/", in_orphans or orphan_dir))
                except OSError as exc:
                    if not deleted:
                        warnings.append((path, "directory_unreadable",
                                         f"cannot open directory (inode {inode}): {str(exc).strip()[:200]}"))
                continue
            runs, plain = data_layout(e) if meta is not None and not reused else ([], False)
            if not deleted:
                allocated.extend((a, a + n) for a, n in runs)
            times = {t: _time(meta, t) for t in ("mtime", "atime", "ctime", "crtime")} if meta is not None else {}
            entries.append(Entry(path=path, name_raw=raw, inode=inode, kind=kind,
                                 size=int(meta.size) if meta is not None else 0, deleted=deleted,
                                 orphan=in_orphans, reused=reused, times=times, runs=runs,
                                 plain=plain and kind == "file"))
        stack.extend(reversed(subdirs))
    return Listing(fs_type=fs_type, block_size=int(fs.info.block_size), block_count=int(fs.info.block_count),
                   entries=entries, allocated=_merge(allocated), warnings=warnings)
