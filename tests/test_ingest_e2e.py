"""End to end through the CLI on a generated collection."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from conftest import invoke, invoke_json, rows
from winnow.store.case import Case


def _find(collection: dict[str, Any], **facts: Any) -> list[dict[str, Any]]:
    return [f for f in collection["files"] if all(f.get(k) == v for k, v in facts.items())]


def test_summary_is_one_json_document_with_totals(ingested: tuple[Case, dict[str, Any]],
                                                  collection: dict[str, Any]) -> None:
    case, summary = ingested
    totals = summary["case_totals"]
    on_disk = sum(1 for p in Path(collection["root"]).rglob("*") if p.is_file())
    assert summary["this_run"]["source_files"] == on_disk
    assert totals["items"] > on_disk  # archive members are items too
    assert totals["archives"] == 5  # seized.zip, old.tar.gz inside it, backup.tar.xz, single gz, broken.zip
    assert totals["images"] >= 14 + 4 and totals["pdq_hashes"] == totals["thumbnails"]
    assert totals["with_gps"] >= 1 and totals["extension_mismatches"] >= 1


def test_duplicates_share_one_content_row(ingested: tuple[Case, dict[str, Any]], collection: dict[str, Any]) -> None:
    case, _ = ingested
    first = collection["files"][0]["path"]
    copies = [first] + [f["path"] for f in collection["files"] if f["kind"] in ("duplicate", "renamed")]
    shas = {r[0] for r in rows(case, f"SELECT sha256 FROM instances WHERE chain IN ({','.join('?' * len(copies))})",
                                *copies)}
    assert len(shas) == 1
    assert rows(case, "SELECT COUNT(*) FROM content WHERE sha256=?", *shas)[0][0] == 1
    assert rows(case, "SELECT COUNT(*) FROM images WHERE sha256=?", *shas)[0][0] == 1
    expected = hashlib.sha256(Path(first).read_bytes()).hexdigest()
    assert shas == {expected}
    renamed = _find(collection, kind="renamed")[0]["path"]
    assert rows(case, "SELECT detected_type, extension_mismatch FROM instances WHERE chain=?", renamed) == [("jpg", 1)]


def test_provenance_chains_through_nested_archives(ingested: tuple[Case, dict[str, Any]],
                                                   collection: dict[str, Any]) -> None:
    case, _ = ingested
    root = collection["root"]
    nested = [f["path"] for f in collection["files"] if f["path"].startswith("seized.zip!/photos/old.tar.gz")]
    assert len(nested) == 2
    for suffix in nested:
        chain = f"{root}/Archives/{suffix}"
        found = rows(case, "SELECT depth, status, parent, time_source FROM instances WHERE chain=?", chain)
        assert found == [(2, "ok", f"{root}/Archives/seized.zip!/photos/old.tar.gz", "tar-header-utc")]
    statuses = dict(rows(case, "SELECT chain, status FROM instances WHERE status IN ('archive', 'expanding')"))
    assert set(statuses.values()) == {"archive"}
    single = rows(case, "SELECT name FROM instances WHERE parent=?", f"{root}/Archives/single_photo.jpg.gz")
    assert single == [("single_photo.jpg",)]


def test_image_facts_heic_and_thumbnails(ingested: tuple[Case, dict[str, Any]], collection: dict[str, Any]) -> None:
    case, _ = ingested
    heic = _find(collection, format="HEIF")[0]["path"]
    found = rows(case, "SELECT im.format, im.pdq, im.thumbnail FROM instances i JOIN images im USING(sha256) "
                       "WHERE i.chain=?", heic)
    assert found and found[0][0] == "HEIF" and len(found[0][1]) == 64
    assert (case.root / found[0][2]).is_file()
    cams = rows(case, "SELECT make, model, datetime_original FROM images WHERE make IS NOT NULL")
    assert cams and all(m and mo and dt for m, mo, dt in cams)


def test_rerun_is_idempotent(ingested: tuple[Case, dict[str, Any]], collection: dict[str, Any]) -> None:
    case, _ = ingested
    before = rows(case, "SELECT COUNT(*) FROM instances")[0][0], rows(case, "SELECT COUNT(*) FROM warnings")[0][0]
    summary = invoke_json("ingest", collection["root"], "--case", case.root)
    assert summary["this_run"]["items_written"] == 0 and summary["this_run"]["source_files"] == 0
    after = rows(case, "SELECT COUNT(*) FROM instances")[0][0], rows(case, "SELECT COUNT(*) FROM warnings")[0][0]
    assert before == after


def test_runs_record_versions_and_settings(ingested: tuple[Case, dict[str, Any]]) -> None:
    case, _ = ingested
    versions, settings, status = rows(case, "SELECT versions, settings, status FROM runs ORDER BY id LIMIT 1")[0]
    v = json.loads(versions)
    assert {"winnow", "pillow", "pdqhash", "numpy", "python", "sqlite"} <= set(v) and v["pdqhash"] != "absent"
    assert json.loads(settings)["pdq_size"] == 256 and status == "completed"


def test_audit_and_warnings_commands(ingested: tuple[Case, dict[str, Any]]) -> None:
    case, _ = ingested
    audit = invoke_json("audit", "verify", "--case", case.root)
    assert audit["ok"] and audit["rows"] >= 2
    commands = [r["command"] for r in invoke_json("audit", "show", "--case", case.root)]
    assert commands[:2] == ["case create", "ingest"]
    listed = invoke_json("warnings", "--case", case.root)
    codes = {w["code"] for w in listed["warnings"]}
    assert {"image_corrupt", "archive_corrupt", "empty_file"} <= codes
    text = invoke("warnings", "--case", case.root, "--code", "empty_file").output
    assert "empty.txt" in text


def test_evidence_is_unchanged(tmp_path: Path) -> None:
    from winnow.sample.collection import generate

    root = tmp_path / "evidence"
    generate(root, seed=8, images=5, max_megapixels=1)
    old = 1_500_000_000
    for p in root.rglob("*"):
        os.utime(p, (old, old + 7), follow_symlinks=False)

    def snapshot() -> dict[str, tuple[str, int, int]]:
        return {str(p): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns, p.stat().st_atime_ns)
                for p in sorted(root.rglob("*")) if p.is_file()}

    before = snapshot()
    names_before = sorted(str(p) for p in root.rglob("*"))
    invoke("case", "create", tmp_path / "case", "--name", "n", "--examiner", "e")
    invoke("ingest", root, "--case", tmp_path / "case")
    # stat first (reading the bytes again below would itself touch atime)
    assert sorted(str(p) for p in root.rglob("*")) == names_before
    after_stat = {str(p): (p.stat().st_mtime_ns, p.stat().st_atime_ns) for p in root.rglob("*") if p.is_file()}
    assert all(after_stat[k] == (v[1], v[2]) for k, v in before.items())
    assert {k: v[0] for k, v in snapshot().items()} == {k: v[0] for k, v in before.items()}
    assert not list((tmp_path / "case" / "tmp").iterdir())
