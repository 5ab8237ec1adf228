"""Ingest on Dask (real LocalClusters on 127.0.0.1, real worker processes): the same case as the local pool, a
recomputed batch changes nothing, a worker killed with -9 or a client killed mid-run end with the same rows,
crashing and hanging files get their warning like with the local pool, and every bad setup (unreachable
scheduler, workers of another version, evidence not visible, TLS) is one line before anything is written."""

from __future__ import annotations

import datetime
import io
import logging
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

import psutil
import pytest
from distributed import Client, LocalCluster

from conftest import invoke, invoke_json
from winnow.messages import FileTask
from winnow.pipeline.batch import run_batch
from winnow.pipeline.ingest import worker_config
from winnow.pipeline.plan import Planner
from winnow.pipeline.worker import SLOW_ENV
from winnow.sample import photos
from winnow.settings import Settings
from winnow.store.case import create_case
from winnow.store.runs import register_source, start_run
from winnow.store.writer import Writer

WINNOW = [sys.executable, "-m", "winnow.cli"]


def _cluster(**options: Any) -> LocalCluster:
    """A LocalCluster on 127.0.0.1: worker processes of one thread, no dashboard, the scheduler's health routes on
    a free port (not 8787, which another cluster on this machine may hold)."""
    return LocalCluster(**{"threads_per_worker": 1, "processes": True, "host": "127.0.0.1", "dashboard_address": None,
                           "scheduler_kwargs": {"dashboard_address": "127.0.0.1:0"}, "silence_logs": logging.ERROR,
                           **options})


def _jpeg(seed: int) -> bytes:
    return photos.encode(photos.photo(seed, (160, 120)), "JPEG", quality=85)


def _corpus(root: Path, loose: int = 40) -> Path:
    for i in range(loose):
        target = root / f"folder{i % 3}" / f"img_{i:03d}.jpg"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(_jpeg(i))
    inner = io.BytesIO()
    with tarfile.open(fileobj=inner, mode="w:gz") as tf:
        for i in range(10):
            data = _jpeg(1000 + i)
            info = tarfile.TarInfo(f"inner/p{i:03d}.jpg")
            info.size, info.mtime = len(data), 1_600_000_000
            tf.addfile(info, io.BytesIO(data))
    with zipfile.ZipFile(root / "big.zip", "w") as zf:  # > 1 MB and > 64 members: read in parallel ranges
        for i in range(130):
            zf.writestr(f"z/{i:03d}.jpg", _jpeg(2000 + i) + bytes(8000))
        zf.writestr("z/nested.tar.gz", inner.getvalue())
        zf.writestr("z/dup.jpg", _jpeg(3))  # same bytes as a loose file
    (root / "empty.txt").write_bytes(b"")
    return root


def _dump(case: Path) -> dict[str, Any]:
    conn = sqlite3.connect(case / "case.sqlite")
    out: dict[str, Any] = {}
    for table, columns in (
        ("instances", "chain, parent, name, name_raw, depth, status, sha256, size, mtime, atime, ctime, time_source, "
                      "extension, detected_type, extension_mismatch, link_target"),
        ("content", "sha256, md5, sha1, size, mime, kind"),
        ("images", "sha256, format, width, height, mode, frames, pdq, pdq_quality, thumbnail, make, model, exif"),
        ("warnings", "chain, stage, code, message"),
    ):
        out[table] = sorted(conn.execute(f"SELECT {columns} FROM {table}").fetchall(), key=repr)
    conn.close()
    out["thumbnails"] = sorted(p.name for p in (case / "thumbnails").rglob("*.jpg"))
    return out


def _count(case: Path, table: str = "instances") -> int:
    try:
        conn = sqlite3.connect(f"file:{case / 'case.sqlite'}?mode=ro", uri=True, timeout=5)
        try:
            return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return 0


def _new_case(path: Path) -> Path:
    create_case(path, name="d", examiner="e")
    return path


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The corpus ingested once by the local pool (2 workers): the rows every Dask run must end with."""
    root = tmp_path_factory.mktemp("dask")
    corpus = _corpus(root / "corpus")
    case = _new_case(root / "reference")
    invoke_json("ingest", corpus, "--case", case, "--workers", "2")
    return corpus, _dump(case)


@pytest.fixture
def cluster(monkeypatch: pytest.MonkeyPatch) -> Any:
    """A test-owned LocalCluster of 2 worker processes (each file slowed down, so a kill lands mid-run)."""
    monkeypatch.setenv(SLOW_ENV, "0.03")
    with _cluster(n_workers=2) as c, Client(c, set_as_default=False) as client:
        yield c, client


def _ingest(corpus: Path, case: Path, *extra: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen([*WINNOW, "ingest", str(corpus), "--case", str(case), "--workers", "2", "--executor",
                             "dask", "--json", *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, **(env or {})})


def _wait_rows(case: Path, n: int, proc: subprocess.Popen[bytes], limit: float = 120) -> None:
    start = time.monotonic()
    while _count(case) < n:
        assert proc.poll() is None, f"run ended before the interruption point: {proc.stderr.read()!r}"  # type: ignore[union-attr]
        assert time.monotonic() - start < limit
        time.sleep(0.02)


def test_dask_ingest_gives_the_same_case_as_the_local_pool(reference: tuple[Path, dict[str, Any]],
                                                           tmp_path: Path) -> None:
    corpus, expected = reference
    case = _new_case(tmp_path / "case")
    summary = invoke_json("ingest", corpus, "--case", case, "--workers", "2", "--executor", "dask")
    assert summary["this_run"]["source_files"] == 42  # 40 photos, the zip, the empty file
    assert summary["this_run"]["archives_read_in_parallel"] == 1
    assert _dump(case) == expected
    assert len(expected["images"]) == 40 + 130 + 10  # dup.jpg is a loose photo's bytes


def test_the_same_batch_computed_twice_changes_nothing(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(12):
        (corpus / f"p{i}.jpg").write_bytes(_jpeg(i))
    case = create_case(tmp_path / "case", name="d", examiner="e")
    settings = Settings()
    conn = case.connect()
    run_id = start_run(conn, "ingest", settings)
    source = register_source(conn, str(corpus), "folder", run_id)
    planner = Planner(case.connect(readonly=True), settings)
    tasks = [t for t in planner.plan(str(corpus), source) if isinstance(t, FileTask)]
    assert len(tasks) == 12
    config = worker_config(case, settings)
    with _cluster(n_workers=1) as cluster, Client(cluster, set_as_default=False) as client:
        # the second computation is a fresh worker's (a lost task recomputed elsewhere): nothing known to it
        futures = [client.submit(run_batch, tasks, {**config, "run": run}, 60.0, pure=False) for run in ("a", "b")]
        results = client.gather(futures)
    writer = Writer(conn, run_id)
    dumps = []
    for result in results:
        ended = [m for m in result["messages"] if m[0] == "end"]
        assert [m[1] for m in ended] == [t.task_id for t in tasks]
        records = [r for m in ended for r in m[2]]
        # both computed every signal
        assert [any(rows.table == "images" for rows in r.rows) for r in records] == [True] * 12
        for record in records:
            writer.add(record)
        assert writer.flush() == 12
        dumps.append(_dump(case.root))
    conn.close()
    assert dumps[0] == dumps[1]
    assert len(dumps[0]["instances"]) == len(dumps[0]["images"]) == len(dumps[0]["thumbnails"]) == 12


def test_a_worker_killed_mid_run_ends_with_the_same_rows(reference: tuple[Path, dict[str, Any]], tmp_path: Path,
                                                        cluster: Any) -> None:
    corpus, expected = reference
    c, client = cluster
    case = _new_case(tmp_path / "case")
    proc = _ingest(corpus, case, "--scheduler", c.scheduler_address, "--set", "batch_size=5", "--set",
                   "batch_seconds=0.05")
    _wait_rows(case, 15, proc)
    pids = client.run(os.getpid)
    victim = sorted(pids.values())[0]
    os.kill(victim, signal.SIGKILL)
    assert _count(case) < len(expected["instances"])  # the kill landed mid-run
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert _dump(case) == expected
    client.wait_for_workers(2, timeout=60)  # the nanny replaced the killed process
    assert victim not in client.run(os.getpid).values()


def test_the_client_killed_mid_run_then_rerun_ends_with_the_same_rows(reference: tuple[Path, dict[str, Any]],
                                                                      tmp_path: Path) -> None:
    corpus, expected = reference
    case = _new_case(tmp_path / "case")
    proc = _ingest(corpus, case, "--set", "batch_size=5", "--set", "batch_seconds=0.05", env={SLOW_ENV: "0.03"})
    _wait_rows(case, 15, proc)
    workers = psutil.Process(proc.pid).children(recursive=True)
    assert len(workers) >= 2  # its LocalCluster's worker processes
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    assert 0 < _count(case) < len(expected["instances"])
    gone, alive = psutil.wait_procs(workers, timeout=30)
    assert not alive, f"worker processes outlived their client: {alive}"
    proc = _ingest(corpus, case)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert _dump(case) == expected
    conn = sqlite3.connect(case / "case.sqlite")
    assert [r[0] for r in conn.execute("SELECT status FROM runs ORDER BY id")] == ["running", "completed"]
    conn.close()


@pytest.mark.parametrize("fault", ["crash", "hang"])
def test_crashing_or_hanging_file_gets_a_warning_and_the_run_goes_on(tmp_path: Path, fault: str) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(8):
        (corpus / f"ok_{i}.jpg").write_bytes(_jpeg(i))
    (corpus / f"{fault}_me.jpg").write_bytes(_jpeg(99))
    case = _new_case(tmp_path / "case")
    env = {"WINNOW_FAULT_CRASH_ON": "crash_me", "WINNOW_FAULT_HANG_ON": "hang_me"}
    proc = _ingest(corpus, case, "--set", "task_timeout=3", env=env)
    out, err = proc.communicate(timeout=180)
    assert proc.returncode == 0, err
    import json

    summary = json.loads(out)
    assert summary["this_run"]["replaced_workers"] == 1
    conn = sqlite3.connect(case / "case.sqlite")
    statuses = dict(conn.execute("SELECT name, status FROM instances").fetchall())
    codes = {r[0] for r in conn.execute("SELECT code FROM warnings WHERE chain LIKE ?", (f"%{fault}_me.jpg",))}
    conn.close()
    assert statuses.pop(f"{fault}_me.jpg") == "error"
    assert set(statuses.values()) == {"ok"} and len(statuses) == 8
    assert codes == {"worker_crashed" if fault == "crash" else "worker_timeout"}


def _nothing_written(case: Path) -> None:
    assert _count(case, "runs") == 0 and _count(case, "instances") == 0 and _count(case, "sources") == 0


def _one_line_error(result: Any, *needles: str) -> None:
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_an_unreachable_scheduler_is_one_line_and_nothing_is_written(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.jpg").write_bytes(_jpeg(1))
    case = _new_case(tmp_path / "case")
    import socket

    with socket.socket() as s:  # a port on which nobody listens
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    started = time.monotonic()
    result = invoke("ingest", corpus, "--case", case, "--executor", "dask", "--scheduler",
                    f"tcp://127.0.0.1:{port}", expect=1)
    assert time.monotonic() - started < 20
    _one_line_error(result, "cannot reach the Dask scheduler", f"tcp://127.0.0.1:{port}")
    _nothing_written(case)
    result = invoke("ingest", corpus, "--case", case, "--scheduler", f"tcp://127.0.0.1:{port}", expect=1)
    _one_line_error(result, "--executor dask")
    result = invoke("ingest", corpus, "--case", case, "--executor", "dask", "--scheduler",
                    f"tls://127.0.0.1:{port}", expect=1)
    _one_line_error(result, "--tls-ca")
    _nothing_written(case)


def test_workers_of_another_winnow_version_are_refused(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.jpg").write_bytes(_jpeg(1))
    case = _new_case(tmp_path / "case")
    preload = tmp_path / "other_version.py"  # the worker runs an older winnow
    preload.write_text("import winnow\nwinnow.__version__ = '0.0.9'\n")
    with _cluster(n_workers=1, preload=[str(preload)]) as c:
        result = invoke("ingest", corpus, "--case", case, "--executor", "dask", "--scheduler", c.scheduler_address,
                        expect=1)
    _one_line_error(result, "runs winnow 0.0.9", "this client winnow 0.1.0")
    _nothing_written(case)


def test_a_worker_that_cannot_see_the_evidence_is_refused(tmp_path: Path) -> None:
    corpus = tmp_path / "evidence" / "corpus"
    corpus.mkdir(parents=True)
    (corpus / "a.jpg").write_bytes(_jpeg(1))
    case = _new_case(tmp_path / "case")
    # a worker on a machine where the evidence share is not mounted: in its own mount namespace an empty file
    # system covers the evidence folder; where no mount namespace can be made (not root), the worker's process
    # is told by a preload that the folder does not exist, which is what the worker-side check then sees
    probe = subprocess.run(["unshare", "-m", "--propagation", "private", "true"], capture_output=True)
    hide = tmp_path / "hide_evidence.py"
    hide.write_text(f"import os\n_exists = getattr(os.path, 'real_exists', os.path.exists)\n"  # loaded twice
                    f"os.path.real_exists = _exists\n"
                    f"os.path.exists = lambda p: False if str(p).startswith({str(tmp_path / 'evidence')!r}) "
                    f"else _exists(p)\n")
    worker_cli = f"{sys.executable} -m distributed.cli.dask_worker"
    with _cluster(n_workers=0) as c, \
            Client(c, set_as_default=False) as client:
        if probe.returncode == 0:
            command = ["unshare", "-m", "--propagation", "private", "sh", "-c",
                       f"mount -t tmpfs none {tmp_path / 'evidence'} && exec {worker_cli} {c.scheduler_address} "
                       "--nthreads 1 --no-nanny --no-dashboard"]
        else:
            command = [*worker_cli.split(), c.scheduler_address, "--nthreads", "1", "--no-nanny", "--no-dashboard",
                       "--preload", str(hide)]
        worker = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            client.wait_for_workers(1, timeout=60)
            result = invoke("ingest", corpus, "--case", case, "--executor", "dask", "--scheduler",
                            c.scheduler_address, expect=1)
        finally:
            worker.terminate()
            worker.wait(timeout=30)
    _one_line_error(result, "cannot read the evidence path", str(corpus))
    _nothing_written(case)


def _certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A self-signed CA and one certificate it signs (for scheduler, workers and client alike)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "winnow test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    import ipaddress

    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "winnow")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(2).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return paths


def test_tls_scheduler_with_certificates(tmp_path: Path) -> None:
    from distributed.security import Security

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(5):
        (corpus / f"p{i}.jpg").write_bytes(_jpeg(i))
    ca, cert, key = _certificates(tmp_path)
    security = Security(tls_ca_file=str(ca), tls_client_cert=str(cert), tls_client_key=str(key),
                        tls_scheduler_cert=str(cert), tls_scheduler_key=str(key), tls_worker_cert=str(cert),
                        tls_worker_key=str(key), require_encryption=True)
    case = _new_case(tmp_path / "case")
    with _cluster(n_workers=1, security=security, protocol="tls://") as c:
        address = c.scheduler_address
        assert address.startswith("tls://127.0.0.1:")
        plain = invoke("ingest", corpus, "--case", case, "--executor", "dask", "--scheduler",
                       address.replace("tls://", "tcp://"), expect=1)
        _one_line_error(plain, "cannot reach the Dask scheduler")
        _nothing_written(case)
        summary = invoke_json("ingest", corpus, "--case", case, "--executor", "dask", "--scheduler", address,
                              "--tls-ca", ca, "--tls-cert", cert, "--tls-key", key)
    assert summary["this_run"]["source_files"] == 5
    assert _count(case) == 5 and _count(case, "images") == 5


def test_help_and_local_ingest_never_import_dask(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.jpg").write_bytes(_jpeg(1))
    case = _new_case(tmp_path / "case")
    for args in (["--help"], ["ingest", "--help"], ["ingest", str(corpus), "--case", str(case), "--workers", "1"]):
        done = subprocess.run([sys.executable, "-X", "importtime", "-m", "winnow.cli", *args], capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        modules = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time")}
        assert "click" in modules  # the import log was read
        assert not {"dask", "distributed"} & modules, args


def test_calls_rescan_on_dask_gives_the_scores_of_ingest(tmp_path: Path) -> None:
    import json

    from winnow.sample import calls as sample

    media = tmp_path / "media"
    sample.call_video(media / "call.mp4", 4, style=3, seconds=4)
    (media / "photo.jpg").write_bytes(_jpeg(7))
    case = _new_case(tmp_path / "case")
    invoke("ingest", media, "--case", case, "--workers", "1")
    before = {r["sha256"]: round(r["score"], 6) for r in invoke_json("calls", "--case", case)}
    assert len(before) == 2
    conn = sqlite3.connect(case / "case.sqlite")
    conn.execute("DELETE FROM calls")  # as a case ingested before the detector existed
    conn.commit()
    conn.close()
    result = invoke("calls", "--case", case, "--rescan", "--json", "--executor", "dask")
    after = {r["sha256"]: round(r["score"], 6) for r in json.loads(result.stdout)}
    assert after == before and "rescanned 1 videos and 1 images" in result.stderr


def test_match_accepts_the_executor_options_and_matches_in_this_process(tmp_path: Path) -> None:
    import hashlib
    import json

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    photos_bytes = [_jpeg(i) for i in range(3)]
    for i, data in enumerate(photos_bytes):
        (corpus / f"p{i}.jpg").write_bytes(data)
    case = _new_case(tmp_path / "case")
    invoke("ingest", corpus, "--case", case, "--workers", "1")
    known = tmp_path / "known.md5"
    known.write_text(f"{hashlib.md5(photos_bytes[1]).hexdigest()}  p1.jpg\n")
    library = tmp_path / "library"
    invoke("hashset", "import", known, "--name", "known", "--library", library)
    result = invoke("match", "--case", case, "--library", library, "--json", "--executor", "dask", "--scheduler",
                    "tcp://127.0.0.1:1")  # never contacted: matching is index lookups in this process
    assert "matching runs in this process" in result.stderr
    summary = json.loads(result.stdout)
    assert summary["matched_contents"] == 1 and summary["sets"][0]["exact_matches"] == 1


class _Tasks:
    """A job that hands out prepared tasks (only what the batching reads)."""

    def __init__(self, tasks: list[Any], remaining: int | None) -> None:
        self.tasks, self._remaining = list(tasks), remaining

    def next_task(self) -> Any:
        return self.tasks.pop(0) if self.tasks else None

    def remaining(self) -> int | None:
        return self._remaining


def test_batches_are_bounded_by_count_and_bytes_and_long_files_run_alone() -> None:
    from winnow.messages import MemberRangeTask
    from winnow.pipeline.executors import ExecutorOptions
    from winnow.pipeline.executors.dask import DaskExecutor

    def file(i: int, name: str, size: int) -> FileTask:
        return FileTask(i, f"/e/{name}", f"/e/{name}", "/e", name, None, 1, size, None, None, None)

    executor = DaskExecutor(ExecutorOptions("dask"), Settings())
    executor.threads = 2
    photos = [file(i, f"p{i}.jpg", 200_000) for i in range(150)]
    job = _Tasks(photos, remaining=None)  # the pre-count has not finished: full batches
    assert [len(executor._next_batch(job)) for _ in range(3)] == [64, 64, 22]
    job = _Tasks(photos, remaining=150)  # 150 // (3 x 2 threads) = 25 a batch
    assert [len(executor._next_batch(job)) for _ in range(6)] == [25, 25, 25, 25, 25, 25]
    big = [file(i, f"b{i}.jpg", 9 * 1024 * 1024) for i in range(10)]  # 64 MB reached after 8 files
    assert [len(executor._next_batch(_Tasks(big, None))) for _ in range(1)] == [8]
    mixed = [photos[0], photos[1], file(900, "clip.MP4", 5_000_000), photos[2],
             MemberRangeTask(task_id=901, path="/e/a.zip", chain="/e/a.zip", source_id=1, start=0, end=64,
                             budget_bytes=1), file(902, "huge.bin", 20 * 1024 * 1024), photos[3]]
    job = _Tasks(mixed, None)
    batches = [[t.task_id for t in executor._next_batch(job)] for _ in range(6)]
    assert batches == [[0, 1], [900], [2], [901], [902], [3]]


def test_local_cluster_workers_are_forks_of_the_forkserver_with_this_process_environment(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The LocalCluster's workers, and the replacement of one killed with -9, are forks of the forkserver that
    `prepare` started; each has the environment of this process when the cluster started (a variable set after
    the forkserver started too), one BLAS thread, and no Dask MALLOC_TRIM_THRESHOLD_."""
    import inspect

    import distributed.utils

    from winnow.pipeline.executors import ExecutorOptions, make_executor

    assert "_forkserver_preload_set" in inspect.getsource(distributed.utils.get_mp_context)  # the flag we set
    case = create_case(tmp_path / "case", name="f", examiner="e")
    settings = Settings(workers=2)
    first = make_executor(ExecutorOptions(name="dask"), settings)  # starts the forkserver (if not yet running)
    first.close()
    monkeypatch.setenv("WINNOW_TEST_LATE", "set after the forkserver started")
    executor: Any = make_executor(ExecutorOptions(name="dask"), settings)
    try:
        executor.start([str(tmp_path)], worker_config(case, settings))
        client = executor.client

        def facts() -> tuple[int, int, str | None, str | None, str | None]:
            return (os.getpid(), os.getppid(), os.environ.get("WINNOW_TEST_LATE"),
                    os.environ.get("OPENBLAS_NUM_THREADS"), os.environ.get("MALLOC_TRIM_THRESHOLD_"))

        before = client.run(facts)
        assert len(before) == 2
        forkservers = {ppid for _, ppid, _, _, _ in before.values()}
        assert len(forkservers) == 1 and forkservers != {os.getpid()}
        assert "forkserver" in " ".join(psutil.Process(forkservers.pop()).cmdline())
        assert {v[2:] for v in before.values()} == {("set after the forkserver started", "1", None)}
        victim = next(iter(before.values()))[0]
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            time.sleep(0.2)
            try:
                now = client.run(facts)
            except Exception:  # the scheduler is still removing the dead worker
                continue
            if len(now) == 2 and victim not in {v[0] for v in now.values()}:
                break
        else:
            raise AssertionError("the killed worker was not replaced within 60 s")
        assert {v[1] for v in now.values()} == {v[1] for v in before.values()}  # the replacement: a fork too
        assert {v[2:] for v in now.values()} == {("set after the forkserver started", "1", None)}
    finally:
        executor.close()
