"""Processing one file of a source, and every archive member inside it: read each byte once through the
hashes, sniff the type, analyse images, open containers (within their limits), and report everything as
Records. Nothing here writes the store; nothing is ever extracted by member name."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
import traceback
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from winnow.evidence import archives
from winnow.evidence.containers import opener_for
from winnow.evidence.limits import Budget, CountingReader, GuardedReader, LimitExceeded
from winnow.evidence.names import display_name, extension, member_chain, suspicious_member
from winnow.evidence.opener import open_evidence
from winnow.evidence.sniff import sniff
from winnow.messages import Expanded, FileTask, MemberRangeTask, Record, Warn
from winnow.settings import Settings
from winnow.signals.base import Job, Signal
from winnow.signals.crypto import MultiHash
from winnow.signals.registry import SIGNALS, signals_for

Emit = Callable[[Any], None]
SNIFF_BYTES = 64 * 1024


def _read_head(stream: IO[bytes], want: int) -> bytes:
    parts: list[bytes] = []
    got = 0
    while got < want:
        chunk = stream.read(want - got)
        if not chunk:
            break
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


class Processor:
    def __init__(self, settings: Settings, thumbs: Path | None, tmp: Path, emit: Emit,
                 known_signals: Callable[[str, tuple[str, ...]], set[str]],
                 done_under: Callable[[str], dict[str, str]],
                 signals: tuple[Signal, ...] | None = None) -> None:
        self.settings = settings
        self.thumbs = thumbs
        self.tmp = tmp
        self.emit = emit
        self.known_signals = known_signals
        self.done_under = done_under
        self._analysed: set[str] = set()
        self.registry = signals if signals is not None else SIGNALS

    def signals_for(self, kind: str | None) -> tuple[Signal, ...]:
        return signals_for(kind, self.registry)

    # ------------------------------------------------------------------ entry point: a file on disk
    def disk_file(self, task: FileTask) -> None:
        rec = Record(chain=task.chain, parent=task.parent, name=task.name, name_raw=task.name_raw, depth=0,
                     source_id=task.source_id, size=task.size, mtime=task.mtime, atime=task.atime,
                     ctime=task.ctime, time_source="filesystem", extension=extension(task.name))
        if task.name_raw is not None:
            rec.warn("walk", "non_utf8_name", "file name is not valid UTF-8; shown with escapes, raw bytes kept")
        try:
            fd = open_evidence(task.path)
        except OSError as exc:
            rec.status = "error"
            rec.warn("read", "unreadable", f"cannot open: {exc.strerror or exc}")
            self.emit(rec)
            return
        done = self.done_under(task.chain) if task.resume else {}
        try:
            with os.fdopen(fd, "rb", buffering=0) as f:
                self._consume(rec, f, disk_path=task.path, budget=None, done=done, expand=task.expand)
        except Exception as exc:  # a tool fault on one hostile file must not stop the run
            self._internal_error(rec, exc)

    def _internal_error(self, rec: Record, exc: BaseException) -> None:
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        if rec.status == "expanding":
            self.emit(Warn(rec.chain, "internal", "internal_error", detail))
        else:
            rec.status = "error"
            rec.content = None
            rec.rows.clear()
            rec.sightings.clear()
            rec.warn("internal", "internal_error", detail)
            self.emit(rec)

    # ------------------------------------------------------------------ the one read
    def _consume(self, rec: Record, stream: Any, *, disk_path: str | None, budget: Budget | None,
                 done: dict[str, str], expand: bool = True) -> None:
        s = self.settings
        hasher = MultiHash()
        spool: IO[bytes] | None = None
        try:
            head = _read_head(stream, SNIFF_BYTES)
            detected = sniff(head)
            rec.detected_type = detected.type
            rec.extension_mismatch = detected.type is not None and not detected.accepts(rec.extension)
            container = detected.container
            if container and rec.depth + 1 > s.archive_depth:
                rec.warn("walk", "archive_depth_limit",
                         f"archive nested deeper than archive_depth={s.archive_depth}: hashed, not opened")
                container = None
            buffer: bytearray | None = None
            signals = self.signals_for(detected.kind)
            if any(signal.reads == "bytes" for signal in signals):  # held in memory, up to image_max_bytes
                if rec.size is not None and rec.size > s.image_max_bytes:
                    rec.warn(detected.kind or "", f"{detected.kind}_too_large",
                             f"{rec.size} bytes > image_max_bytes; not decoded")
                else:
                    buffer = bytearray()
            streamed = any(signal.reads == "stream" for signal in signals)
            if (container or streamed) and disk_path is None:
                spool = tempfile.TemporaryFile(dir=self.tmp)  # unlinked at once: never left behind
            chunk = head
            while chunk:
                hasher.update(chunk)
                if buffer is not None:
                    buffer += chunk
                    if len(buffer) > s.image_max_bytes:
                        rec.warn(detected.kind or "", f"{detected.kind}_too_large",
                                 f"more than {s.image_max_bytes} bytes; not decoded")
                        buffer = None
                if spool is not None:
                    spool.write(chunk)
                chunk = stream.read(s.chunk_bytes)
        except LimitExceeded as exc:
            rec.status = "skipped"
            rec.warn("read", exc.code, str(exc))
            self._close(spool)
            self.emit(rec)
            return
        except archives.READ_ERRORS as exc:
            self._read_failed(rec, exc, spool)
            return
        if getattr(stream, "crc_mismatch", False):
            rec.warn("read", "crc_mismatch", "stored CRC-32 does not match the bytes (hashes are of the bytes read)")
        digests = hasher.hexdigests()
        if disk_path is not None and rec.size is not None and hasher.size != rec.size:
            rec.warn("read", "size_changed", f"file system said {rec.size} bytes, read {hasher.size}")
        rec.size = hasher.size
        rec.content = {**digests, "size": hasher.size, "mime": detected.mime, "kind": detected.kind}
        if hasher.size == 0:
            rec.warn("read", "empty_file", "zero-byte file")
        if signals:
            self._signals(rec, detected.kind or "", bytes(buffer) if buffer is not None else None, disk_path, spool)
        if not container:
            self._close(spool)
            self.emit(rec)
            return
        rec.status = "expanding"
        self.emit(rec)
        if not expand:  # its members are read in ranges by MemberRangeTasks; the runner marks it done
            self._close(spool)
            return
        try:
            self._expand(rec, container, disk_path, spool, head, budget, done)
        finally:
            self._close(spool)
        self.emit(Expanded(rec.chain))

    def _read_failed(self, rec: Record, exc: BaseException, spool: IO[bytes] | None) -> None:
        rec.status = "error"
        rec.content = None
        code = "truncated" if isinstance(exc, EOFError) or "end of" in str(exc).lower() else "read_error"
        rec.warn("read", code, f"{type(exc).__name__}: {exc}")
        self._close(spool)
        self.emit(rec)

    @staticmethod
    def _close(spool: IO[bytes] | None) -> None:
        if spool is not None:
            with contextlib.suppress(OSError):
                spool.close()

    def _signals(self, rec: Record, kind: str, data: bytes | None, disk_path: str | None,
                 spool: IO[bytes] | None) -> None:
        """Run the registered signals of this content kind, once per content: each in order, skipping those
        whose table already has the content (a re-run, a duplicate), each told what the earlier ones found."""
        assert rec.content is not None
        sha = rec.content["sha256"]
        if sha in self._analysed:
            return
        signals = self.signals_for(kind)
        known = self.known_signals(sha, tuple(s.table for s in signals))

        @contextlib.contextmanager
        def open_stream() -> Iterator[IO[bytes]]:
            if spool is not None:
                spool.seek(0)
                yield spool
                return
            assert disk_path is not None
            with os.fdopen(open_evidence(disk_path), "rb") as f:
                yield f

        job = Job(sha, kind, rec.detected_type, self.settings, self.thumbs, data=data,
                  open=open_stream if spool is not None or disk_path is not None else None)
        for signal in signals:
            if signal.table in known or (signal.reads == "bytes" and data is None) or (
                    signal.reads == "stream" and job.open is None):
                continue
            try:
                result = signal.compute(job)
                if result is None:
                    continue
                out = signal.output(sha, result.values)  # even when empty (a corrupt image): its row marks it done
                undeclared = [(r.table, r.columns) for r in out.rows if signal.tables.get(r.table) != r.columns]
                if undeclared:
                    raise ValueError(f"rows for undeclared tables or columns {undeclared}")
            except Exception as exc:  # one signal's fault: the content, its hashes and the other signals stay
                if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
                    raise  # the case's own disk is full: a fault of the case, not of this file
                detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
                rec.warn(signal.name, "signal_failed", f"{detail} (the other signals are kept; a re-run computes "
                                                       "this one again)")
                continue
            for code, message in result.warnings:
                rec.warn(result.stage or signal.name, code, message)
            job.found[signal.name] = result.values
            rec.rows.extend(out.rows)
            rec.sightings.extend(out.sightings)
        self._analysed.add(sha)
        if len(self._analysed) > 100_000:
            self._analysed.clear()

    def member_range(self, task: MemberRangeTask) -> None:
        """Members [start, end) of a top-level ZIP: named, checked and read exactly as a sequential pass would
        (duplicate-name suffixes count over the members before the range too)."""
        done = self.done_under(task.chain)
        parent = Record(chain=task.chain, parent="", name="", depth=0, source_id=task.source_id)
        budget = Budget(task.budget_bytes, self.settings.archive_max_members)
        seen: Counter[str] = Counter()
        try:
            with os.fdopen(open_evidence(task.path), "rb") as source, zipfile.ZipFile(source) as zf:
                for i, member in enumerate(archives.zip_members(zf)):
                    if i >= task.end:
                        break
                    if i < task.start:
                        if member.kind != "dir":
                            seen[self._shown(member)[0]] += 1
                        continue
                    self._member(parent, member, budget, done, seen, declared=True)
        except LimitExceeded as exc:
            self.emit(Warn(task.chain, "walk", exc.code, str(exc)))
        except archives.OPEN_ERRORS as exc:
            self.emit(Warn(task.chain, "walk", "archive_corrupt", f"{type(exc).__name__}: {exc}"))

    # ------------------------------------------------------------------ containers
    def _expand(self, rec: Record, container: str, disk_path: str | None, spool: IO[bytes] | None,
                head: bytes, budget: Budget | None, done: dict[str, str]) -> None:
        s = self.settings
        budget = budget or Budget(s.archive_max_total_bytes, s.archive_max_members)
        seen: Counter[str] = Counter()
        with contextlib.ExitStack() as stack:
            if spool is not None:
                spool.seek(0)
                source: IO[bytes] = spool
            else:
                assert disk_path is not None
                source = stack.enter_context(os.fdopen(open_evidence(disk_path), "rb"))
            try:
                listing = opener_for(container, source).open(source, stack, outer_name=rec.name,
                                                             container=container, head=head)
                for member in listing.members:
                    self._member(rec, member, budget, done, seen, declared=listing.declared,
                                 compressed=listing.compressed)
            except LimitExceeded as exc:
                self.emit(Warn(rec.chain, "walk", exc.code, str(exc)))
            except archives.ArchiveError as exc:
                self.emit(Warn(rec.chain, "walk", "archive_corrupt", str(exc)))
            except archives.READ_ERRORS as exc:
                self.emit(Warn(rec.chain, "walk", "archive_corrupt", f"{type(exc).__name__}: {exc}"))

    @staticmethod
    def _shown(member: archives.Member) -> tuple[str, bytes | None]:
        """The name shown for a member, and its raw bytes when they are not UTF-8."""
        if member.raw_name is not None:  # zip name without the UTF-8 flag: UTF-8 if it decodes, else CP437
            try:
                return member.raw_name.decode("utf-8"), None
            except UnicodeDecodeError:
                return member.name, member.raw_name
        return display_name(member.name)

    def _member(self, parent: Record, member: archives.Member, budget: Budget, done: dict[str, str],
                seen: Counter[str], *, declared: bool, compressed: CountingReader | None = None) -> None:
        if member.kind == "dir":
            return
        budget.member()
        s = self.settings
        shown, raw = self._shown(member)
        seen[shown] += 1
        chain = member_chain(parent.chain, shown)
        if seen[shown] > 1:
            chain = f"{chain}#{seen[shown]}"
        if chain in done and done[chain] != "expanding":
            return
        rec = Record(chain=chain, parent=parent.chain, name=shown, name_raw=raw, depth=parent.depth + 1,
                     source_id=parent.source_id, size=member.size, mtime=member.mtime,
                     time_source=member.time_source, extension=extension(shown), link_target=member.link_target)
        if seen[shown] > 1:
            rec.warn("walk", "duplicate_member_name", f"name occurs {seen[shown]} times in the archive")
        if raw is not None:
            rec.warn("walk", "non_utf8_name", "member name is not valid UTF-8; shown decoded, raw bytes kept")
        unsafe = suspicious_member(member.name)
        if unsafe:
            rec.warn("walk", "unsafe_member_name", f"{unsafe}; recorded, never extracted by name")
        if member.kind in ("symlink", "hardlink"):
            rec.status = member.kind
            self.emit(rec)
            return
        if member.kind == "special":
            rec.status = "special"
            rec.warn("walk", "special_member", "device, FIFO or other special member: no content")
            self.emit(rec)
            return
        if member.encrypted:
            rec.status = "encrypted"
            rec.warn("read", "encrypted_member", "encrypted member: content not read (password needed)")
            self.emit(rec)
            return
        if declared and member.size is not None:
            ratio_base = max(1, member.compressed_size or 0) if member.compressed_size is not None else None
            if (ratio_base is not None and member.size > s.archive_ratio_floor_bytes
                    and member.size > s.archive_max_ratio * ratio_base):
                rec.status = "skipped"
                rec.warn("read", "compression_bomb", f"declares {member.size} bytes from {ratio_base} compressed "
                         f"(ratio > {s.archive_max_ratio}); not read")
                self.emit(rec)
                return
            if member.size > budget.remaining():
                rec.status = "skipped"
                rec.warn("read", "archive_total_limit", f"member of {member.size} bytes would pass the archive "
                         f"budget of {budget.max_total_bytes} bytes; not read")
                self.emit(rec)
                return
        try:
            assert member.opener is not None
            stream = member.opener()
        except archives.OPEN_ERRORS as exc:
            rec.status = "error"
            rec.warn("read", "member_unreadable", f"{type(exc).__name__}: {exc}")
            self.emit(rec)
            return
        guarded = GuardedReader(stream, budget, declared=member.size if declared else None, compressed=compressed,
                                max_ratio=s.archive_max_ratio, ratio_floor=s.archive_ratio_floor_bytes,
                                expected_crc=member.crc)
        try:
            self._consume(rec, guarded, disk_path=None, budget=budget, done=done)
        except (OSError, MemoryError) as exc:
            if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
                raise  # the case's own disk is full: a fault of the case, not of this member
            self._internal_error(rec, exc)
