"""Disk images built here with Debian's tools (mkfs.fat/mtools, mkfs.ext4/debugfs, sfdisk, ewfacquire): every
file's SHA-256 against the bytes written in, the deleted flag, carved items at their exact offsets, E01
verification, and the image files' bytes and timestamps unchanged."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from conftest import invoke, invoke_json, rows
from winnow.sample.disks import Manifest, missing_tools, standard_disk
from winnow.store.case import Case, create_case

OLD = 1_500_000_000


@pytest.fixture(scope="module")
def disk(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Manifest]:
    assert not missing_tools(), f"make test installs these Debian tools: {missing_tools()}"
    work = tmp_path_factory.mktemp("disk")
    path, manifest = standard_disk(work / "build", seed=3)
    evidence = work / "evidence"
    evidence.mkdir()
    raw = evidence / "disk.raw"
    path.rename(raw)
    os.utime(raw, (OLD, OLD + 7))  # atime before mtime: a read that touched atime would show
    return raw, manifest


def snapshot(paths: list[Path], reset: bool = False) -> dict[str, tuple[str, int, int]]:
    """Bytes and times; `reset` puts atime before mtime after hashing, so that any later read would show."""
    hashes = {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths} if reset else {}
    if reset:
        for p in paths:
            os.utime(p, (OLD, OLD + 7))
    stats = {str(p): (p.stat().st_mtime_ns, p.stat().st_atime_ns) for p in paths}  # stat before reading
    if not reset:
        hashes = {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}
    return {str(p): (hashes[str(p)], *stats[str(p)]) for p in paths}


def ingest(case: Case, *sources: Path, extra: tuple[str, ...] = ()) -> dict[str, Any]:
    return invoke_json("ingest", *sources, "--case", case.root, "--workers", "2", *extra)  # type: ignore[no-any-return]


def listed(case: Case, image: Path) -> dict[str, tuple[Any, ...]]:
    """chain (after the image) -> (sha256, deleted, carved, inode, status)"""
    out = {}
    for chain, sha, deleted, carved, inode, status in rows(
            case, "SELECT i.chain, i.sha256, e.deleted, e.carved, e.inode, i.status FROM instances i "
                  "JOIN fs_entries e ON e.chain = i.chain WHERE e.image = ?", str(image)):
        out[chain[len(str(image)) + 1:]] = (sha, deleted, carved, inode, status)
    return out


def check_manifest(case: Case, image: Path, m: Manifest) -> None:
    found = listed(case, image)
    for step, sha in m.allocated.items():
        assert found[step][:3] == (sha, 0, 0), step
        assert found[step][3] is not None  # inode / MFT entry recorded
    for step, sha in m.deleted.items():  # FAT keeps a deleted name without its first letter
        hits = [k for k, v in found.items() if v[1] == 1 and k.startswith(step.split("!")[0])
                and k.endswith(step.rsplit("/", 1)[1][1:])]
        assert len(hits) == 1, (step, sorted(found))
        assert found[hits[0]][0] == sha and found[hits[0]][4] == "ok"
    carved = {k: v for k, v in found.items() if v[2] == 1}
    expected = {(f"{slot}!" if slot else "") + f"$unallocated@0x{off:x}+{length}": sha
                for slot, off, length, sha in m.planted}
    assert {k: v[0] for k, v in carved.items()} == expected
    assert len(found) == len(m.allocated) + len(m.deleted) + len(m.planted)
    # the deleted files were carved too, and folded into the listed (deleted) file by SHA-256
    folded = rows(case, "SELECT duplicate_of FROM fs_entries WHERE duplicate_of IS NOT NULL AND image = ?", str(image))
    assert len(folded) == len(m.deleted)


def test_raw_image_partitions_deleted_and_carved(disk: tuple[Path, Manifest], tmp_path: Path) -> None:
    raw, m = disk
    before = snapshot([raw], reset=True)
    case = create_case(tmp_path / "case", name="disk", examiner="t")
    summary = ingest(case, raw)
    assert snapshot([raw]) == before
    assert not list((case.root / "tmp").iterdir())
    check_manifest(case, raw, m)
    [image] = summary["case_totals"]["disk_images"]
    assert (image["format"], image["volume_system"], image["verification"]) == ("raw", "mbr", "not_checked")
    assert [(v["slot"], v["start"], v["fs_type"]) for v in image["volumes"]] == [
        ("unpartitioned", 0, None), ("p1", 1 << 20, "fat16"), ("p2", 5 << 20, "ext4"),
        ("unpartitioned", 13 << 20, None)]
    assert (image["files"], image["deleted"], image["carved"], image["carved_duplicates"]) == (9, 2, 3, 2)
    assert rows(case, "SELECT status FROM instances WHERE chain = ?", str(raw)) == [("image",)]
    # MACB times and where the partition starts
    [(offset, mtime, crtime, source)] = rows(
        case, "SELECT e.partition_offset, e.mtime, e.crtime, i.time_source FROM fs_entries e JOIN instances i "
              "ON i.chain = e.chain WHERE e.chain = ?", f"{raw}!p2!/home/user/Pictures/b0.jpg")
    assert offset == 5 << 20 and mtime.endswith("Z") and crtime.endswith("Z") and source.startswith("ext4")
    # images inside the image get their signals like any file; the carved MP4 is a video
    assert rows(case, "SELECT COUNT(*) FROM images")[0][0] == 10
    assert rows(case, "SELECT COUNT(*) FROM videos")[0][0] == 1
    assert rows(case, "SELECT code FROM warnings") == []
    again = ingest(case, raw)  # a finished image is not read again
    assert again["this_run"]["items_written"] == 0


def test_e01_segment_set_is_verified_and_matches_the_raw_image(disk: tuple[Path, Manifest], tmp_path: Path) -> None:
    raw, m = disk
    folder = tmp_path / "e01"
    folder.mkdir()
    shutil.copy(raw, folder / "disk.raw")
    subprocess.run(["ewfacquire", "-u", "-q", "-t", str(folder / "disk"), "-c", "none", "-d", "sha1", "-S",
                    "1048576", str(folder / "disk.raw")], check=True, capture_output=True)
    (folder / "disk.raw").unlink()
    segments = sorted(folder.iterdir())
    assert len(segments) > 1 and segments[0].name == "disk.E01"
    before = snapshot(segments, reset=True)
    case = create_case(tmp_path / "case", name="disk", examiner="t")
    summary = ingest(case, folder)
    assert snapshot(segments) == before
    image = folder / "disk.E01"
    check_manifest(case, image, m)
    [info] = summary["case_totals"]["disk_images"]
    md5 = hashlib.md5(raw.read_bytes()).hexdigest()
    assert (info["format"], info["verification"], info["stored_md5"], info["computed_md5"]) == (
        "ewf", "verified", md5, md5)
    assert info["stored_sha1"] == hashlib.sha1(raw.read_bytes()).hexdigest()
    statuses = dict(rows(case, "SELECT chain, status FROM instances WHERE depth = 0"))
    assert statuses.pop(str(image)) == "image"
    assert set(statuses.values()) == {"segment"} and len(statuses) == len(segments) - 1


def test_altered_e01_is_a_loud_warning(disk: tuple[Path, Manifest], tmp_path: Path) -> None:
    raw, _ = disk
    subprocess.run(["ewfacquire", "-u", "-q", "-t", str(tmp_path / "disk"), "-c", "none", str(raw)], check=True,
                   capture_output=True)
    e01 = tmp_path / "disk.E01"
    data = bytearray(e01.read_bytes())
    at = data.find(b"\xff\xd8\xff") + 3000  # inside a photo's bytes: the stored MD5 no longer fits
    data[at] ^= 0xFF
    e01.write_bytes(bytes(data))
    case = create_case(tmp_path / "case", name="disk", examiner="t")
    invoke("case", "info", "--case", case.root)
    out = invoke("ingest", e01, "--case", case.root, "--workers", "2").output
    assert "WARNING" in out and "MISMATCH" in out
    [(code, message)] = rows(case, "SELECT code, message FROM warnings WHERE code = 'image_hash_mismatch'")[:1]
    assert "MD5 stored in the image is" in message
    assert rows(case, "SELECT verification FROM disk_images") == [("mismatch",)]
    from winnow.web import report

    html = Path(report.write(case)["html"]).read_text()
    assert "MISMATCH: the medium does not match the hashes stored at acquisition" in html
