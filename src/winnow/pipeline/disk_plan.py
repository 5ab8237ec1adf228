"""Planning a disk image in the runner: recognise it from its bytes, open it read-only, find its volumes and
file systems (a few sectors read), record the image and its volumes, and deal the reading out as work units
(verify, files k/n of each file system, carving ranges) that any worker can take. Units already done in an
earlier run (disk_units) are not planned again: a killed run resumes where it was."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

from winnow.evidence.disk.formats import detect
from winnow.evidence.disk.media import MediaError, MediaOpener, Opened, read_probe
from winnow.evidence.names import extension
from winnow.evidence.sniff import sniff
from winnow.messages import (
    DiskImageRow,
    DiskUnitTask,
    Expanded,
    FileTask,
    Record,
    SplitArchive,
    VolumeRow,
    Warn,
)
from winnow.settings import Settings
from winnow.store import disk as disk_store
from winnow.store.db import Connection

MIN_IMAGE_BYTES = 32 * 1024
_STRONG = (b"EVF", b"KDMV", b"COWD", b"QFI\xfb", b"vhdxfile", b"conectix")
IMAGE_EXTENSIONS = frozenset({"e01", "ex01", "dd", "raw", "img", "001", "vmdk", "vhd", "vhdx", "qcow2", "qcow",
                              "iso", "image", "bin"})


def probe(path: str, size: int) -> tuple[MediaOpener | None, str | None]:
    """(the opener for this file, None), or (None, a warning when it is named like an image and is not one)."""
    named = extension(path) in IMAGE_EXTENSIONS
    if size < MIN_IMAGE_BYTES:
        return None, ("named like a disk image but too small to be one; read as a plain file" if named and size
                      else None)
    try:
        head, tail = read_probe(path, 4096)
        found = sniff(head)
        if found.type is not None and not head.startswith(_STRONG):  # a photo, a ZIP...: no need to read more
            opener = None
        else:
            head, tail = read_probe(path)
            found = sniff(head)
            opener = detect(head, tail)
    except OSError:
        return None, None  # the plain-file path reports the open error
    if opener is not None and opener.name == "raw" and found.type is not None:
        opener = None  # a JPEG, ZIP... whose first sector happens to end in 55 AA is not a disk
    if opener is not None and opener.name == "ewf" and ewf_segment_number(head) > 1:
        return None, (f"EWF segment {ewf_segment_number(head)} whose set was not opened from its first segment "
                      "(missing or unreadable): hashed as a plain file")
    if opener is None and named:
        return None, "named like a disk image but no image format, partition table or file system was " \
                     "recognised in its first bytes; read as a plain file"
    return opener, None


def ewf_segment_number(head: bytes) -> int:
    """The segment number an EWF file stores in its own header (1 for the first segment of a set)."""
    if head[:3] == b"EVF" and head[3:4] != b"2" and len(head) >= 11:
        return int.from_bytes(head[9:11], "little")
    if head[:4] == b"EVF2" and len(head) >= 16:
        return int.from_bytes(head[12:16], "little")
    return 1


def plan_image(task: FileTask, opener: MediaOpener, store: Connection, settings: Settings,
               next_id: Any, claim: Any) -> Iterator[Any]:
    """Everything the runner yields for one image file: records, rows and work units."""
    from winnow.evidence.disk.tsk import discover

    rec = Record(chain=task.chain, parent=task.parent, name=task.name, name_raw=task.name_raw, depth=0,
                 source_id=task.source_id, size=task.size, mtime=task.mtime, atime=task.atime, ctime=task.ctime,
                 time_source="filesystem", extension=extension(task.name))
    try:
        opened: Opened = opener.open(task.path)
    except MediaError as exc:
        rec.status = "error"
        rec.detected_type = opener.name
        rec.warn("walk", "image_unreadable", f"{opener.name} image cannot be opened: {exc}")
        yield rec
        return
    try:
        rec.detected_type = opened.format
        for code, message in opened.warnings:
            rec.warn("walk", code, message)
        for seg in opened.segments[1:]:
            claim(seg, task.chain)
        try:
            layout = discover(opened.media, task.chain)
        except (OSError, RuntimeError) as exc:
            rec.status = "error"
            rec.warn("walk", "image_unreadable", f"cannot read the image's first sectors: {exc}")
            yield rec
            return
        verify = settings.disk_verify == "always" or (settings.disk_verify == "auto" and bool(opened.stored_hashes))
        rec.status = "expanding"
        yield rec
        for chain, code, message in layout.warnings:
            yield Warn(chain, "walk", code, message)
        yield DiskImageRow(chain=task.chain, format=opened.format, segments=tuple(opened.segments),
                           media_size=opened.media.size, stored_md5=opened.stored_hashes.get("md5"),
                           stored_sha1=opened.stored_hashes.get("sha1"), volume_system=layout.volume_system,
                           verification="pending" if verify else "not_checked",
                           details=json.dumps(opened.details, sort_keys=True, default=str))
        for v in layout.volumes:
            yield VolumeRow(image=task.chain, chain=v.chain, slot=v.slot, start=v.start, length=v.length,
                            description=v.description, fs_type=v.fs_type, encryption=v.encryption, status=v.status)
        done = disk_store.units_done(store, task.chain)
        units = list(_units(task, layout.volumes, settings, verify, opened.media.size))
        todo = [u for u in units if u[0] not in done]
        if not todo:
            yield Expanded(task.chain, "image")
            return
        ids = tuple(next_id() for _ in todo)
        yield SplitArchive(task.chain, ids, "image")
        for task_id, (unit, fields) in zip(ids, todo, strict=True):
            yield DiskUnitTask(task_id=task_id, path=task.path, chain=task.chain, source_id=task.source_id,
                               unit=unit, **fields)
    finally:
        opened.media.close()


def _units(task: FileTask, volumes: list[Any], s: Settings, verify: bool,
           media_size: int) -> Iterator[tuple[str, dict[str, Any]]]:
    if verify:
        yield "verify", {"kind": "verify", "volume_length": media_size}
    for v in volumes:
        base = {"volume_chain": v.chain, "volume_slot": v.slot, "volume_start": v.start,
                "volume_length": v.length, "fs_type": v.fs_type}
        if v.status == "file_system":
            n = s.disk_file_units
            for k in range(n):
                yield f"files:{v.slot or 'fs'}@{v.start}:{k}/{n}", {**base, "kind": "files", "k": k, "n": n}
        if v.status == "encrypted" or not s.disk_carve:
            continue
        step = s.disk_carve_unit_bytes
        for a in range(0, v.length, step):
            b = min(v.length, a + step)
            yield f"carve:{v.slot or 'fs'}@{v.start}:{a}-{b}", {**base, "kind": "carve", "start": a, "end": b}


def segment_record(path: str, parent: str, name: str, st: os.stat_result, source_id: int, image: str) -> Record:
    """A later segment of an image set (E02, .002...): read as part of the image, recorded as such."""
    from winnow.timeutil import from_epoch

    return Record(chain=path, parent=parent, name=name, depth=0, source_id=source_id, size=st.st_size,
                  status="segment", link_target=image, time_source="filesystem", extension=extension(name),
                  mtime=from_epoch(st.st_mtime), atime=from_epoch(st.st_atime), ctime=from_epoch(st.st_ctime))
