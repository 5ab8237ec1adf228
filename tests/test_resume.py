"""Resumable: interrupt a run (Ctrl-C, then kill -9 of the runner) and re-run; the case ends identical to an
uninterrupted run — same rows, no duplicates, nothing half-written."""

from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest

from conftest import db_args
from winnow.sample import photos
from winnow.store.case import Case
from winnow.store.db import StoreError

WINNOW = [sys.executable, "-m", "winnow.cli"]


def _jpeg(seed: int) -> bytes:
    return photos.encode(photos.photo(seed, (320, 240)), "JPEG", quality=85)


def _corpus(root: Path) -> None:
    for i in range(90):
        target = root / f"folder{i % 3}" / f"img_{i:03d}.jpg"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(_jpeg(i))
    inner = io.BytesIO()
    with tarfile.open(fileobj=inner, mode="w:gz") as tf:
        for i in range(40):
            data = _jpeg(1000 + i)
            info = tarfile.TarInfo(f"inner/p{i:03d}.jpg")
            info.size, info.mtime = len(data), 1_600_000_000
            tf.addfile(info, io.BytesIO(data))
    with zipfile.ZipFile(root / "big.zip", "w") as zf:
        for i in range(150):
            zf.writestr(f"z/{i:03d}.jpg", _jpeg(2000 + i))
        zf.writestr("z/nested.tar.gz", inner.getvalue())
        zf.writestr("z/dup.jpg", _jpeg(3))  # same bytes as a loose file
    (root / "empty.txt").write_bytes(b"")


def _run(case: Path, corpus: Path, *extra: str, slow: float = 0.0) -> subprocess.Popen[bytes]:
    env = {**os.environ, "WINNOW_FAULT_SLOW_SECONDS": str(slow)}
    # a shell without job control starts background jobs with SIGINT ignored (CI may); give the run a normal
    # Ctrl-C, as a terminal would
    return subprocess.Popen([*WINNOW, "ingest", str(corpus), "--case", str(case), "--workers", "2", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def _count(case: Path, where: str = "1=1") -> int:
    try:
        conn = Case(case).connect(readonly=True)
        try:
            return int(conn.execute(f"SELECT COUNT(*) FROM instances WHERE {where}").fetchone()[0])
        finally:
            conn.close()
    except (sqlite3.OperationalError, StoreError):
        return 0


def _wait_for(case: Path, where: str, n: int, proc: subprocess.Popen[bytes], limit: float = 120) -> None:
    start = time.monotonic()
    while _count(case, where) < n:
        assert proc.poll() is None, f"run ended before the interruption point: {proc.stderr.read()!r}"  # type: ignore[union-attr]
        assert time.monotonic() - start < limit
        time.sleep(0.02)


def _dump(case: Path, corpus: Path) -> dict[str, Any]:
    conn = Case(case).connect(readonly=True)
    out: dict[str, Any] = {}
    for table, columns in (
        ("instances", "chain, parent, name, name_raw, depth, status, sha256, size, mtime, atime, ctime, time_source, "
                      "extension, detected_type, extension_mismatch, link_target"),
        ("content", "sha256, md5, sha1, size, mime, kind"),
        ("images", "sha256, format, width, height, mode, frames, pdq, pdq_quality, thumbnail, make, model, exif"),
        ("warnings", "chain, stage, code, message"),
    ):
        out[table] = sorted((tuple(r) for r in conn.execute(f"SELECT {columns} FROM {table}")), key=repr)
    conn.close()
    out["thumbnails"] = sorted(p.name for p in (case / "thumbnails").rglob("*.jpg"))
    return out


@pytest.mark.engines
def test_interrupted_runs_resume_to_the_same_case(tmp_path: Path, engine: str, request: pytest.FixtureRequest) -> None:
    """The reference run is on SQLite; the interrupted and resumed case on `engine` (PostgreSQL too)."""
    corpus = tmp_path / "corpus"
    _corpus(corpus)
    reference, resumed = tmp_path / "reference", tmp_path / "resumed"
    for case, extra in ((reference, []), (resumed, db_args(engine, request))):
        subprocess.run([*WINNOW, "case", "create", str(case), "--name", "r", "--examiner", "e", *extra], check=True,
                       capture_output=True)
    done = subprocess.run([*WINNOW, "ingest", str(corpus), "--case", str(reference), "--workers", "2"],
                          capture_output=True)
    assert done.returncode == 0, done.stderr
    total = _count(reference)

    small_batches = ("--set", "batch_size=5", "--set", "batch_seconds=0.05")
    # 1. Ctrl-C in the middle of the loose files
    proc = _run(resumed, corpus, *small_batches, slow=0.03)  # slowed down: the signals land mid-run
    _wait_for(resumed, "chain NOT LIKE '%big.zip%'", 20, proc)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and b"run the same command again to resume" in err
    assert 0 < _count(resumed) < total
    # 2. kill -9 of the runner in the middle of the zip (its workers die with it)
    before = _count(resumed)
    proc = _run(resumed, corpus, *small_batches, slow=0.03)
    _wait_for(resumed, "1=1", before + 15, proc)  # this run has written rows of its own
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    partial = _count(resumed)
    assert partial < total
    # 3. run to the end
    proc = _run(resumed, corpus)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert _dump(resumed, corpus) == _dump(reference, corpus)
    conn = Case(resumed).connect()
    assert [r[0] for r in conn.execute("SELECT status FROM runs ORDER BY id")] == ["interrupted", "running",
                                                                                   "completed"]
    conn.close()
    assert not list((resumed / "tmp").iterdir())


@pytest.mark.parametrize("fault", ["crash", "hang"])
def test_crashing_or_hanging_worker_is_replaced(tmp_path: Path, fault: str) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(8):
        (corpus / f"ok_{i}.jpg").write_bytes(_jpeg(i))
    (corpus / f"{fault}_me.jpg").write_bytes(_jpeg(99))
    case = tmp_path / "case"
    subprocess.run([*WINNOW, "case", "create", str(case), "--name", "r", "--examiner", "e"], check=True,
                   capture_output=True)
    env = {**os.environ, "WINNOW_FAULT_CRASH_ON": "crash_me", "WINNOW_FAULT_HANG_ON": "hang_me"}
    done = subprocess.run([*WINNOW, "ingest", str(corpus), "--case", str(case), "--workers", "2", "--json",
                           "--set", "task_timeout=3"], capture_output=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    import json

    summary = json.loads(done.stdout)
    assert summary["this_run"]["replaced_workers"] == 1
    conn = sqlite3.connect(case / "case.sqlite")
    statuses = dict(conn.execute("SELECT name, status FROM instances").fetchall())
    codes = {r[0] for r in conn.execute("SELECT code FROM warnings WHERE chain LIKE ?", (f"%{fault}_me.jpg",))}
    conn.close()
    assert statuses.pop(f"{fault}_me.jpg") == "error"
    assert set(statuses.values()) == {"ok"} and len(statuses) == 8
    assert codes == {"worker_crashed" if fault == "crash" else "worker_timeout"}


def test_archive_cut_midway_is_completed_on_rerun(tmp_path: Path) -> None:
    """The state a kill leaves inside an archive (status 'expanding', some members written) is finished by the
    next run without duplicates; nested archives in the same state are re-entered too."""
    corpus = tmp_path / "corpus"
    _corpus(corpus)
    case = tmp_path / "case"
    winnow = [*WINNOW, "ingest", str(corpus), "--case", str(case), "--workers", "2"]
    subprocess.run([*WINNOW, "case", "create", str(case), "--name", "r", "--examiner", "e"], check=True,
                   capture_output=True)
    subprocess.run(winnow, check=True, capture_output=True)
    reference = _dump(case, corpus)
    conn = sqlite3.connect(case / "case.sqlite")
    zip_chain = str(corpus / "big.zip")
    conn.execute("UPDATE instances SET status='expanding' WHERE chain=? OR chain LIKE ?",
                 (zip_chain, "%nested.tar.gz"))
    removed = conn.execute("DELETE FROM instances WHERE chain LIKE ? AND (name LIKE '%5.jpg' OR name LIKE 'p01%')",
                           (zip_chain + "!/%",)).rowcount
    conn.commit()
    conn.close()
    assert removed > 10
    subprocess.run(winnow, check=True, capture_output=True)
    assert _dump(case, corpus) == reference


def test_memory_cap_turns_a_ballooning_decode_into_a_warning(tmp_path: Path) -> None:
    """A decode that would need gigabytes fails on its file under the worker's address-space cap."""
    from winnow.sample.badinputs import _png_bomb

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "huge.png").write_bytes(_png_bomb())  # declares 40000 x 40000 pixels
    (corpus / "fine.jpg").write_bytes(_jpeg(1))
    case = tmp_path / "case"
    subprocess.run([*WINNOW, "case", "create", str(case), "--name", "r", "--examiner", "e"], check=True,
                   capture_output=True)
    done = subprocess.run([*WINNOW, "ingest", str(corpus), "--case", str(case), "--workers", "1", "--json",
                           "--set", "image_max_pixels=2000000000", "--set", "worker_memory_mb=1500"],
                          capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    conn = sqlite3.connect(case / "case.sqlite")
    codes = {r[0] for r in conn.execute("SELECT code FROM warnings WHERE chain LIKE '%huge.png'")}
    fine = conn.execute("SELECT status FROM instances WHERE chain LIKE '%fine.jpg'").fetchone()[0]
    conn.close()
    assert codes & {"image_corrupt", "worker_crashed", "image_bomb"} and fine == "ok"


def test_workers_that_cannot_start_stop_the_run_with_a_message(tmp_path: Path) -> None:
    """Not an endless respawn loop: after three workers die before any file, the run stops and says why."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.jpg").write_bytes(_jpeg(1))
    case = tmp_path / "case"
    subprocess.run([*WINNOW, "case", "create", str(case), "--name", "r", "--examiner", "e"], check=True,
                   capture_output=True)
    env = {**os.environ, "WINNOW_FAULT_DIE_AT_START": "1"}
    done = subprocess.run([*WINNOW, "ingest", str(corpus), "--case", str(case)], capture_output=True, text=True,
                          timeout=120, env=env)
    assert done.returncode == 1 and "worker processes die" in done.stderr and "Traceback" not in done.stderr
    conn = sqlite3.connect(case / "case.sqlite")
    assert conn.execute("SELECT status FROM runs").fetchone()[0] == "failed"
    conn.close()


def test_large_zip_read_in_parallel_ranges_gives_the_same_case(tmp_path: Path) -> None:
    """A big top-level ZIP is read by all workers in member ranges; the case equals a sequential read, also after
    a kill in the middle."""
    corpus = tmp_path / "corpus"
    _corpus(corpus)
    assert (corpus / "big.zip").stat().st_size > 1 << 20
    cases = {name: tmp_path / name for name in ("sequential", "ranges", "killed")}
    for case in cases.values():
        subprocess.run([*WINNOW, "case", "create", str(case), "--name", "r", "--examiner", "e"], check=True,
                       capture_output=True)
    run = [*WINNOW, "ingest", str(corpus), "--workers", "2", "--json"]
    subprocess.run([*run, "--case", str(cases["sequential"]), "--set", "zip_split_members=0"], check=True,
                   capture_output=True)
    out = subprocess.run([*run, "--case", str(cases["ranges"]), "--set", "zip_split_members=40"], check=True,
                         capture_output=True)
    summary = json.loads(out.stdout)
    assert summary["this_run"]["archives_read_in_parallel"] == 1
    assert summary["case_totals"]["items_by_status"].get("expanding", 0) == 0
    assert _dump(cases["ranges"], corpus) == _dump(cases["sequential"], corpus)
    proc = _run(cases["killed"], corpus, "--set", "zip_split_members=40", "--set", "batch_size=5", slow=0.05)
    _wait_for(cases["killed"], "chain LIKE '%big.zip!/%'", 30, proc)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    subprocess.run([*run, "--case", str(cases["killed"]), "--set", "zip_split_members=40"], check=True,
                   capture_output=True)
    assert _dump(cases["killed"], corpus) == _dump(cases["sequential"], corpus)
