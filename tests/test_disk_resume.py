"""kill -9 of the runner in the middle of a disk image, then the same command again: the case ends identical to
an uninterrupted run (work units done are not redone, none is lost, carved copies folded once)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from test_resume import _dump
from winnow.sample.disks import standard_disk

WINNOW = [sys.executable, "-m", "winnow.cli"]


def _units(case: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{case / 'case.sqlite'}?mode=ro", uri=True, timeout=5)
        try:
            return int(conn.execute("SELECT COUNT(*) FROM disk_units").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return 0


def test_killed_disk_ingest_resumes_to_the_same_case(tmp_path: Path) -> None:
    raw, _ = standard_disk(tmp_path / "build", seed=9)
    ev = tmp_path / "ev"
    ev.mkdir()
    raw.rename(ev / "disk.raw")
    reference, resumed = tmp_path / "reference", tmp_path / "resumed"
    for case in (reference, resumed):
        subprocess.run([*WINNOW, "case", "create", str(case), "--name", "r", "--examiner", "e"], check=True,
                       capture_output=True)
    args = ["--workers", "2", "--verify-image", "--set", "disk_carve_unit_bytes=1048576", "--set", "batch_size=2",
            "--set", "batch_seconds=0.05"]
    done = subprocess.run([*WINNOW, "ingest", str(ev), "--case", str(reference), *args], capture_output=True)
    assert done.returncode == 0, done.stderr
    total_units = _units(reference)
    assert total_units == 1 + 2 * 4 + (1 + 4 + 8 + 2)  # verify, 4 files units per file system, 1 MiB carve ranges
    proc = subprocess.Popen([*WINNOW, "ingest", str(ev), "--case", str(resumed), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={**os.environ, "WINNOW_FAULT_SLOW_SECONDS": "0.3"})
    start = time.monotonic()
    while _units(resumed) < 4:
        assert proc.poll() is None and time.monotonic() - start < 120
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    assert 4 <= _units(resumed) < total_units
    conn = sqlite3.connect(resumed / "case.sqlite")
    assert conn.execute("SELECT status FROM instances WHERE chain = ?", (str(ev / "disk.raw"),)).fetchone() == (
        "expanding",)
    conn.close()
    again = subprocess.run([*WINNOW, "ingest", str(ev), "--case", str(resumed), *args], capture_output=True)
    assert again.returncode == 0, again.stderr
    assert _units(resumed) == total_units
    assert _dump(resumed, ev) == _dump(reference, ev)
    for case in (reference, resumed):
        conn = sqlite3.connect(case / "case.sqlite")
        extra = [sorted(conn.execute(f"SELECT {cols} FROM {table}").fetchall(), key=repr) for table, cols in (
            ("fs_entries", "chain, image, volume, inode, deleted, orphan, carved, carve_offset, duplicate_of, mtime"),
            ("disk_images", "chain, format, computed_md5, verification"), ("volumes", "chain, slot, fs_type"))]
        conn.close()
        if case == reference:
            expected = extra
    assert extra == expected
