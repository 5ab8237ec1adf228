"""Bad input never crashes the run and loses nothing: each becomes a warning row tied to its item."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import invoke, invoke_json, rows
from winnow.messages import FileTask, Record
from winnow.pipeline.process import Processor
from winnow.sample.badinputs import generate
from winnow.settings import Settings
from winnow.store.case import Case


@pytest.fixture(scope="module")
def bad_case(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Case, list]:  # type: ignore[type-arg]
    base = tmp_path_factory.mktemp("bad")
    corpus = generate(base / "corpus")
    invoke("case", "create", base / "case", "--name", "bad", "--examiner", "e")
    tree_before = sorted(str(p) for p in base.rglob("*"))
    summary = invoke_json("ingest", base / "corpus", "--case", base / "case", "--workers", "2")
    assert summary["this_run"]["replaced_workers"] == 0
    tree_after = sorted(str(p) for p in base.rglob("*") if not str(p).startswith(str(base / "case")))
    assert tree_after == [p for p in tree_before if not p.startswith(str(base / "case"))]
    return base, Case(base / "case"), corpus


def test_corpus_has_at_least_twenty_kinds(bad_case) -> None:  # type: ignore[no-untyped-def]
    _, _, corpus = bad_case
    assert len({b.kind for b in corpus}) >= 20


def test_every_bad_input_has_its_warning(bad_case) -> None:  # type: ignore[no-untyped-def]
    base, case, corpus = bad_case
    root = str(base / "corpus")
    warnings = rows(case, "SELECT chain, code FROM warnings")
    mismatches = {r[0] for r in rows(case, "SELECT chain FROM instances WHERE extension_mismatch=1")}
    missing = []
    for bad in corpus:
        chain = f"{root}/{bad.path}"
        if bad.code == "extension_mismatch":
            ok = chain in mismatches
        else:
            ok = any(c == bad.code and (ch == chain or ch.startswith(chain + "!/")) for ch, c in warnings)
        if not ok:
            missing.append((bad.kind, chain, bad.code))
    assert not missing, f"no warning for: {missing}; stored: {warnings}"


def test_nothing_is_lost(bad_case) -> None:  # type: ignore[no-untyped-def]
    """Every file of the corpus has an instance row, whatever happened to it."""
    base, case, _ = bad_case
    chains = {r[0] for r in rows(case, "SELECT chain FROM instances")}
    for p in (base / "corpus").rglob("*"):
        if not p.is_dir() or p.is_symlink():
            shown = os.fsencode(str(p)).decode("utf-8", "backslashreplace")
            assert shown in chains, shown
    slip = [c for c in chains if c.endswith("slip.zip!/../../evil.txt")]
    assert len(slip) == 1 and not list(base.rglob("evil*"))
    assert not list((base / "case" / "tmp").iterdir())  # spooled nested archives left nothing behind


def test_bombs_are_stopped_early(bad_case) -> None:  # type: ignore[no-untyped-def]
    base, case, _ = bad_case
    statuses = dict(rows(case, "SELECT chain, status FROM instances WHERE chain LIKE '%bomb%!/%'"))
    assert statuses and set(statuses.values()) == {"skipped"}


def test_archive_total_budget(tmp_path: Path) -> None:
    import zipfile

    src = tmp_path / "src"
    src.mkdir()
    with zipfile.ZipFile(src / "big.zip", "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for i in range(4):
            zf.writestr(f"part{i}.bin", os.urandom(300_000))
    invoke("case", "create", tmp_path / "case", "--name", "n", "--examiner", "e")
    invoke("ingest", src, "--case", tmp_path / "case", "--set", "archive_max_total_bytes=700000",
           "--set", "archive_max_members=3")
    case = Case(tmp_path / "case")
    codes = [r[0] for r in rows(case, "SELECT code FROM warnings ORDER BY id")]
    assert "archive_total_limit" in codes and "archive_member_limit" in codes


def _processor(tmp_path: Path, sent: list) -> Processor:  # type: ignore[type-arg]
    return Processor(Settings(), None, tmp_path, sent.append, lambda s: False, lambda c: {})


def _task(path: Path) -> FileTask:
    return FileTask(task_id=1, path=str(path), chain=str(path), parent=str(path.parent), name=path.name,
                    name_raw=None, source_id=1, size=10, mtime=None, atime=None, ctime=None)


def test_unreadable_and_vanished_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list = []  # type: ignore[type-arg]
    _processor(tmp_path, sent).disk_file(_task(tmp_path / "vanished.jpg"))
    assert isinstance(sent[0], Record) and sent[0].status == "error" and sent[0].warnings[0][1] == "unreadable"

    target = tmp_path / "locked.jpg"
    target.write_bytes(b"x" * 10)

    def refuse(path: str) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("winnow.pipeline.process.open_evidence", refuse)
    sent.clear()
    _processor(tmp_path, sent).disk_file(_task(target))
    assert sent[0].status == "error" and "Permission denied" in sent[0].warnings[0][2]


def test_file_that_fails_mid_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An I/O error in the middle of a file (bad sector) is a warning for that file, not a crash."""
    target = tmp_path / "disk.bin"
    target.write_bytes(os.urandom(3 * 1024 * 1024))
    real = os.fdopen

    class Failing:
        def __init__(self, f):  # type: ignore[no-untyped-def]
            self.f, self.calls = f, 0

        def read(self, n: int = -1) -> bytes:
            self.calls += 1
            if self.calls > 2:
                raise OSError(5, "Input/output error")
            return self.f.read(n)

        def __enter__(self):  # type: ignore[no-untyped-def]
            return self

        def __exit__(self, *a):  # type: ignore[no-untyped-def]
            self.f.close()

    monkeypatch.setattr("winnow.pipeline.process.os.fdopen", lambda fd, *a, **k: Failing(real(fd, *a, **k)))
    sent: list = []  # type: ignore[type-arg]
    _processor(tmp_path, sent).disk_file(_task(target))
    assert sent[0].status == "error" and sent[0].warnings[0][1] == "read_error" and sent[0].content is None
