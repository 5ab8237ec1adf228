"""Walking sources in the runner: yields a FileTask for every regular file not yet done, and finished Records
for what needs no worker (symlinks, FIFOs, sockets, devices). Symlinks are recorded, never followed."""

from __future__ import annotations

import dataclasses
import errno
import os
import stat
import zipfile
from collections.abc import Iterator
from typing import Any

from winnow.evidence.names import display_name
from winnow.messages import FileTask, MemberRangeTask, Record, SplitArchive, Warn
from winnow.pipeline.disk_plan import plan_image, probe, segment_record
from winnow.settings import Settings
from winnow.store import resume
from winnow.store.db import Connection
from winnow.timeutil import from_epoch

_SPECIAL = {stat.S_IFIFO: "FIFO", stat.S_IFSOCK: "socket", stat.S_IFCHR: "character device",
            stat.S_IFBLK: "block device"}


class SourceError(Exception):
    """A source named on the command line cannot be used at all."""


def source_kind(path: str) -> str:
    try:
        st = os.lstat(path)
    except OSError as exc:
        raise SourceError(f"source {path!r} cannot be read: {exc.strerror or exc}") from exc
    if stat.S_ISDIR(st.st_mode):
        return "folder"
    if stat.S_ISREG(st.st_mode):
        return "file"
    if stat.S_ISLNK(st.st_mode):
        return "symlink"
    return "special"



class Planner:
    def __init__(self, store: Connection, settings: Settings | None = None) -> None:
        self.store = store
        self.settings = settings or Settings()
        self.next_id = 0
        self.claimed: dict[str, str] = {}  # later segments of image sets already opened: chain -> image chain

    def _new_id(self) -> int:
        self.next_id += 1
        return self.next_id

    def _claim(self, path: str, image: str) -> None:
        self.claimed[display_name(path)[0]] = image

    def _done_in(self, parent: str) -> dict[str, str]:
        return resume.statuses_in(self.store, parent)

    def plan(self, path: str, source_id: int) -> Iterator[Any]:
        path = os.path.abspath(path)
        st = os.lstat(path)
        if stat.S_ISDIR(st.st_mode):
            yield from self._walk(path, source_id)
        else:
            parent = os.path.dirname(path)
            done = self._done_in(display_name(parent)[0])
            yield from self._entry(path, st, parent, done, source_id)

    def _walk(self, root: str, source_id: int) -> Iterator[Any]:
        stack = [root]
        while stack:
            folder = stack.pop()
            shown = display_name(folder)[0]
            try:
                with os.scandir(folder) as it:
                    entries = sorted(it, key=lambda e: os.fsencode(e.name))
            except OSError as exc:
                yield Warn(shown, "walk", "unreadable_folder", f"cannot list folder: {exc.strerror or exc}")
                continue
            done = self._done_in(shown)
            subfolders = []
            for entry in entries:
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError as exc:
                    yield Warn(display_name(entry.path)[0], "walk", "unreadable", f"cannot stat: {exc.strerror}")
                    continue
                if stat.S_ISDIR(st.st_mode):
                    subfolders.append(entry.path)
                else:
                    yield from self._entry(entry.path, st, folder, done, source_id)
            stack.extend(reversed(subfolders))

    def _entry(self, path: str, st: os.stat_result, parent: str, done: dict[str, str],
               source_id: int) -> Iterator[Any]:
        chain, raw = display_name(path)
        name_shown, name_raw = display_name(os.path.basename(path))
        status = done.get(chain)
        if status is not None and status != "expanding":
            return
        mtime, atime, ctime = from_epoch(st.st_mtime), from_epoch(st.st_atime), from_epoch(st.st_ctime)
        if stat.S_ISREG(st.st_mode):
            if chain in self.claimed:
                yield segment_record(chain, display_name(parent)[0], name_shown, st, source_id, self.claimed[chain])
                return
            self.next_id += 1
            task = FileTask(task_id=self.next_id, path=path, chain=chain, parent=display_name(parent)[0],
                            name=name_shown, name_raw=name_raw if raw is not None else None, source_id=source_id,
                            size=st.st_size, resume=status == "expanding", mtime=mtime, atime=atime, ctime=ctime)
            opener, note = probe(path, st.st_size)
            if note:
                yield Warn(chain, "walk", "not_an_image", note)
            if opener is not None:
                yield from plan_image(task, opener, self.store, self.settings, self._new_id, self._claim)
                return
            ranges = self._zip_ranges(path, st.st_size)
            if not ranges:
                yield task
                return
            first = self.next_id
            ids = tuple(range(first, first + len(ranges) + 1))
            self.next_id += len(ranges)
            yield SplitArchive(chain, ids)
            yield dataclasses.replace(task, expand=False)
            share = max(1, self.settings.archive_max_total_bytes // len(ranges))
            for k, (start, end) in enumerate(ranges):
                yield MemberRangeTask(task_id=first + 1 + k, path=path, chain=chain, source_id=source_id, start=start,
                                      end=end, budget_bytes=share)
            return
        rec = Record(chain=chain, parent=display_name(parent)[0], name=name_shown, name_raw=name_raw, depth=0,
                     source_id=source_id, size=st.st_size, time_source="filesystem", mtime=mtime, atime=atime,
                     ctime=ctime)
        if name_raw is not None:
            rec.warn("walk", "non_utf8_name", "file name is not valid UTF-8; shown with escapes, raw bytes kept")
        if stat.S_ISLNK(st.st_mode):
            rec.status = "symlink"
            try:
                rec.link_target = display_name(os.readlink(path))[0]
            except OSError as exc:
                rec.warn("walk", "symlink_unreadable", f"cannot read link: {exc.strerror}")
            try:
                os.stat(path)
            except OSError as exc:
                if exc.errno == errno.ELOOP:
                    rec.warn("walk", "symlink_loop", "symbolic link loops; recorded, not followed")
                else:
                    rec.warn("walk", "symlink_broken", "symbolic link points nowhere; recorded, not followed")
        else:
            rec.status = "special"
            kind = _SPECIAL.get(stat.S_IFMT(st.st_mode), "special file")
            rec.warn("walk", "special_file", f"{kind}: not read (no content to hash)")
        yield rec


    def _zip_ranges(self, path: str, size: int) -> list[tuple[int, int]]:
        """Member ranges for a large ZIP (read in parallel), or [] to read it in one task. Only well-formed
        archives within the limits are split; anything odd is left to the sequential path and its warnings."""
        per = self.settings.zip_split_members
        if per <= 0 or size < 1 << 20:
            return []
        from winnow.evidence.opener import open_evidence

        try:
            with os.fdopen(open_evidence(path), "rb") as f:
                if f.read(4) != b"PK\x03\x04":
                    return []
                f.seek(0)
                with zipfile.ZipFile(f) as zf:
                    infos = zf.infolist()
        except (OSError, zipfile.BadZipFile, ValueError, EOFError, NotImplementedError, RuntimeError):
            return []
        s = self.settings
        if (len(infos) <= per or len(infos) > s.archive_max_members
                or sum(i.file_size for i in infos) > s.archive_max_total_bytes):
            return []
        # every range re-reads the central directory: at most 32 ranges, however large the archive
        per = max(per, -(-len(infos) // 32))
        return [(start, min(start + per, len(infos))) for start in range(0, len(infos), per)]


def count_files(paths: list[str], totals: dict[str, int], stop: Any) -> None:
    """Background pre-count for the progress bar's ETA (regular files and their bytes)."""
    for root in paths:
        stack = [root]
        while stack and not stop.is_set():
            p = stack.pop()
            try:
                st = os.lstat(p)
            except OSError:
                continue
            if stat.S_ISREG(st.st_mode):
                totals["files"] += 1
                totals["bytes"] += st.st_size
            elif stat.S_ISDIR(st.st_mode):
                try:
                    with os.scandir(p) as it:
                        for e in it:
                            if e.is_dir(follow_symlinks=False):
                                stack.append(e.path)
                            elif e.is_file(follow_symlinks=False):
                                totals["files"] += 1
                                try:
                                    totals["bytes"] += e.stat(follow_symlinks=False).st_size
                                except OSError:
                                    pass
                except OSError:
                    continue
    totals["complete"] = 1
