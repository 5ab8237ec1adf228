"""Bad disk images: truncated and missing E01 segments, a corrupt partition table, a directory loop, a file
named like an image that is not one. Each is a warning with its position; the run goes on, nothing else lost."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from conftest import rows
from test_disk_images import ingest, listed
from winnow.sample import disks
from winnow.sample.disks import Manifest, standard_disk
from winnow.store.case import create_case


@pytest.fixture(scope="module")
def disk(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Manifest]:
    return standard_disk(tmp_path_factory.mktemp("bad") / "build", seed=7)


def test_bad_images_are_warnings_and_the_run_goes_on(disk: tuple[Path, Manifest], tmp_path: Path) -> None:
    raw, m = disk
    ev = tmp_path / "evidence"
    for sub in ("missing", "truncated"):
        (ev / sub).mkdir(parents=True)
        subprocess.run(["ewfacquire", "-u", "-q", "-t", str(ev / sub / "set"), "-c", "none", "-S", "1048576",
                        str(raw)], check=True, capture_output=True)
    (ev / "missing" / "set.E03").unlink()
    last = sorted((ev / "truncated").iterdir())[-1]
    os.truncate(last, last.stat().st_size // 2)
    # a partition table whose second entry points past the end of the image
    table = bytearray(raw.read_bytes())
    struct.pack_into("<I", table, 446 + 16 + 8, 10_000_000)
    (ev / "badtable.raw").write_bytes(bytes(table))
    # an ext4 file system with a directory linked into its own subtree
    work = tmp_path / "w"
    work.mkdir()
    loop = ev / "loop.img"
    disks.ext4(loop, 4, {"a/b/photo.jpg": disks.jpeg(901)}, {}, work)
    subprocess.run([disks.tool("debugfs"), "-w", "-R", "ln /a /a/b/back", str(loop)], check=True, capture_output=True)
    (ev / "fake.E01").write_bytes(os.urandom(100_000))
    (ev / "photo.jpg").write_bytes(disks.jpeg(902))
    case = create_case(tmp_path / "case", name="bad", examiner="t")
    summary = ingest(case, ev)
    codes = summary["case_totals"]["warnings_by_code"]
    warned = {(c.rsplit("/", 1)[-1] if "!" not in c else c[len(str(ev)) + 1:], code): msg
              for c, code, msg in rows(case, "SELECT chain, code, message FROM warnings")}
    # missing segment: named, and what comes before the gap is still read
    assert warned[("set.E01", "image_segment_missing")] == \
        "segment set.E03 of the set is missing"
    assert "missing segment file" in warned[("set.E01", "image_unreadable")]
    # its later segments are not taken for images of their own
    assert rows(case, "SELECT COUNT(*) FROM instances WHERE status = 'image'") == [(2,)]
    # truncated segment: an error with the position, not a crash
    truncated = [msg for (c, code), msg in warned.items() if c.startswith(("set.E01", "truncated/"))
                 and code in ("image_unreadable", "image_read_error", "read_error")]
    assert truncated
    # corrupt partition table: the bad entry is named with its offset; the good partition is still listed
    assert "starts at offset 5120000000" in warned[("badtable.raw", "partition_out_of_bounds")]
    assert ("badtable.raw", "partition_table_corrupt") in warned
    found = listed(case, ev / "badtable.raw")
    assert found["p1!/Pictures/a0.jpg"][0] == m.allocated["p1!/Pictures/a0.jpg"]
    # the directory loop is listed once, with a warning at its place
    assert "inode" in warned[("loop.img!/a/b/back", "directory_loop")]
    assert rows(case, "SELECT sha256 FROM instances WHERE chain = ?", f"{loop}!/a/b/photo.jpg") == [
        (disks.sha(disks.jpeg(901)),)]
    # not an image: a warning, and the file is still hashed as a plain file
    assert "no image format" in warned[("fake.E01", "not_an_image")]
    assert rows(case, "SELECT status, sha256 IS NOT NULL FROM instances WHERE chain = ?", str(ev / "fake.E01")) == [
        ("ok", 1)]
    assert rows(case, "SELECT status FROM instances WHERE chain = ?", str(ev / "photo.jpg")) == [("ok",)]
    assert not codes.get("internal_error") and not codes.get("worker_crashed")
    shutil.rmtree(ev)
