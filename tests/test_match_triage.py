"""Matching, triage, export and lookup end to end through the CLI on a generated collection and sample sets."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from conftest import ENGINES, db_args, invoke, invoke_json
from winnow.match.hamming import brute_force, to_codes
from winnow.store.case import Case


@pytest.fixture(scope="module", params=ENGINES)
def world(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> dict[str, Any]:
    """A matched world on SQLite and on PostgreSQL (every test of this module runs on both)."""
    base = tmp_path_factory.mktemp("match")
    manifest = invoke_json("sample-data", base / "evidence", "--seed", "6", "--images", "18", "--max-megapixels", "2",
                           "--hashsets", base / "sets")
    case, lib = base / "case", base / "lib"
    invoke("case", "create", case, "--name", "m", "--examiner", "e", *db_args(request.param, request))
    invoke("ingest", base / "evidence", "--case", case)
    for name, key in (("known", "vics"), ("nsrl", "nsrl"), ("icse", "icse")):
        invoke("hashset", "import", manifest["hashsets"][key], "--name", name, "--library", lib)
    return {"base": base, "case": case, "lib": lib, "manifest": manifest}


def _q(case: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    conn = Case(case).connect()
    try:
        return [tuple(r) for r in conn.execute(sql, args)]
    finally:
        conn.close()


def _matches(case: Path) -> list[tuple[Any, ...]]:
    return sorted(_q(case, "SELECT sha256, set_name, hash_type, matched_value, distance, transform, category "
                           "FROM matches"))


def test_exact_and_near_matches_equal_brute_force(world: dict[str, Any]) -> None:
    case, lib = world["case"], world["lib"]
    summary = invoke_json("match", "--case", case, "--library", lib)
    by_set = {s["set"]: s for s in summary["sets"]}
    assert by_set["known"]["exact_matches"] >= 2 and by_set["known"]["pdq_matches"] >= 3
    assert by_set["nsrl"]["exact_matches"] == 2 and by_set["icse"]["exact_matches"] >= 2
    # PDQ matches are exactly the brute-force pairs within 31 (quality >= 50)
    images = _q(case, "SELECT sha256, pdq FROM images WHERE pdq IS NOT NULL AND pdq_quality >= 50")
    from winnow.hashsets.library import Library

    codes = np.load(Library(lib).get("known").pdq_path)
    expected = {(images[qi][0], codes[row].tobytes().hex())
                for qi, row in brute_force(codes, to_codes([p for _, p in images]), 31)}
    got = {(sha, value) for sha, s, t, value, _, _, _ in _matches(case) if s == "known" and t == "pdq"}
    assert got == expected and got


def test_match_is_idempotent_and_incremental(world: dict[str, Any]) -> None:
    case, lib = world["case"], world["lib"]
    invoke("match", "--case", case, "--library", lib)
    before = _matches(case)
    again = invoke_json("match", "--case", case, "--library", lib)
    assert _matches(case) == before
    assert {s["mode"] for s in again["sets"]} == {"incremental"} and {s["new_contents"] for s in again["sets"]} == {0}
    # a set added later is matched on its own
    extra = world["base"] / "later.txt"
    sha = _q(case, "SELECT sha256 FROM content WHERE kind='image' ORDER BY sha256 LIMIT 1")[0][0]
    extra.write_text(sha + "\n")
    invoke("hashset", "import", extra, "--name", "later", "--library", lib)
    third = invoke_json("match", "--case", case, "--library", lib)
    modes = {s["set"]: s["mode"] for s in third["sets"]}
    assert modes["later"] == "full" and modes["known"] == "incremental"
    assert set(_matches(case)) - set(before) == {(sha, "later", "sha256", sha, 0, "exact", None)}
    invoke("hashset", "remove", "later", "--library", lib)
    invoke("match", "--case", case, "--library", lib)
    assert _matches(case) == before


def test_dihedral_finds_the_mirrored_copy(world: dict[str, Any]) -> None:
    case, lib = world["case"], world["lib"]
    mirrored = [f for f in world["manifest"]["files"] if f.get("variant") == "mirrored"]
    assert mirrored
    path = mirrored[0]["path"]
    sha = _q(case, "SELECT sha256 FROM instances WHERE chain=?", path)[0][0]
    # a set that knows the original's PDQ
    original = [f for f in world["manifest"]["files"] if f["kind"] == "original" and f["group"] == mirrored[0]["group"]]
    pdq = _q(case, "SELECT im.pdq FROM instances i JOIN images im USING(sha256) WHERE i.chain=?",
             original[0]["path"])[0][0]
    signal = world["base"] / "mirror.txt"
    signal.write_text(f"pdq {pdq}\n")
    invoke("hashset", "import", signal, "--name", "mirror", "--library", lib)
    invoke("match", "--case", case, "--library", lib, "--sets", "mirror")
    assert not _q(case, "SELECT 1 FROM matches WHERE sha256=? AND set_name='mirror'", sha)
    invoke("match", "--case", case, "--library", lib, "--sets", "mirror", "--dihedral")
    transforms = {r[0] for r in _q(case, "SELECT transform FROM matches WHERE sha256=? AND set_name='mirror'", sha)}
    assert transforms and transforms <= {"flipx", "flipy"}
    invoke("hashset", "remove", "mirror", "--library", lib)
    invoke("match", "--case", case, "--library", lib)


def test_triage_states_stacks_and_queue(world: dict[str, Any]) -> None:
    case, lib = world["case"], world["lib"]
    invoke("match", "--case", case, "--library", lib)
    # a near-miss: a set PDQ 40 bits from an unknown image
    unknown = _q(case, "SELECT im.sha256, im.pdq FROM images im WHERE pdq_quality >= 50 AND sha256 NOT IN "
                       "(SELECT sha256 FROM matches) ORDER BY sha256")
    target_sha, target_pdq = unknown[-1]
    flipped = int(target_pdq, 16) ^ int("1" * 40 + "0" * 216, 2)
    near = world["base"] / "near.txt"
    near.write_text(f"{flipped:064x}\n")
    invoke("hashset", "import", near, "--name", "near", "--library", lib, "--format", "pdq-list")
    queue_csv = world["base"] / "queue.csv"
    summary = invoke_json("triage", "--case", case, "--library", lib, "--queue", queue_csv)
    states = summary["by_state"]
    assert states["alert"] >= 2 and states["alert-near"] >= 1 and states["ignorable"] == 1 and states["unknown"] > 5
    assert summary["stacks"] >= 3
    rows = _q(case, "SELECT queue_rank, state, stack_id, reasons, sha256 FROM triage WHERE queue_rank IS NOT NULL "
                    "ORDER BY queue_rank")
    order = [r[1] for r in rows]
    assert order == sorted(order, key=["unknown", "alert-near", "alert"].index)  # unknown first
    reasons = {r[4]: json.loads(r[3]) for r in rows}
    assert any("near miss: PDQ distance 40" in x for x in reasons[target_sha])
    assert any(any("alert items" in x for x in rs) for rs in reasons.values())
    # no non-media content and no ignorable content in the queue
    kinds = {r[0] for r in _q(case, "SELECT c.kind FROM triage t JOIN content c USING(sha256) "
                                    "WHERE t.queue_rank IS NOT NULL")}
    assert "image" in kinds and kinds <= {"image", "video"}
    # within one stack, among items of the same state and tier, the representative is queued first
    def tier(why: list[str]) -> int:
        if any("alert items" in x or "stack with alert" in x for x in why):
            return 0
        return 1 if any("near miss" in x for x in why) else 2

    groups: dict[tuple[int, str, int], list[tuple[int, bool]]] = {}
    for rank, state, stack_id, why, _ in rows:
        if stack_id is not None:
            reasons_here = json.loads(why)
            groups.setdefault((stack_id, state, tier(reasons_here)), []).append(
                (rank, any("representative" in x for x in reasons_here)))
    checked = 0
    for members in groups.values():
        if any(rep for _, rep in members) and len(members) > 1:
            assert min(members)[1], members  # the lowest rank is the representative
            checked += 1
    assert checked >= 1
    lines = queue_csv.read_text().splitlines()
    assert len(lines) == len(rows) + 1 and lines[0].startswith("rank,state,sha256")
    invoke("hashset", "remove", "near", "--library", lib)


def test_vics_export_round_trip_and_csv(world: dict[str, Any]) -> None:
    case, lib, base = world["case"], world["lib"], world["base"]
    invoke("match", "--case", case, "--library", lib)
    out = base / "export.json"
    assert invoke_json("export", "vics", "--case", case, "--out", out)["media"] >= 3
    invoke("hashset", "import", out, "--name", "roundtrip", "--library", lib)
    conn = Case(case).connect()
    expected = {}
    for sha, md5, sha1, category, series in conn.execute(
            "SELECT m.sha256, c.md5, c.sha1, m.category, m.series FROM matches m JOIN content c USING(sha256) "
            "WHERE m.set_kind='alert' AND m.category IS NOT NULL ORDER BY m.sha256, m.distance, m.set_name"):
        expected.setdefault(sha, (md5, sha1, category, series))
    conn.close()
    from winnow.hashsets.library import Library

    info = Library(lib).get("roundtrip")
    rconn = sqlite3.connect(info.path)
    got: dict[str, dict[str, Any]] = {}
    for kind, value, category, series in rconn.execute("SELECT hash_type, value, category, series FROM records"):
        got.setdefault(kind, {})[value] = (category, series)
    rconn.close()
    for sha, (md5, sha1, category, series) in expected.items():
        assert got["md5"][md5] == got["sha1"][sha1] == got["sha256"][sha] == (category, series)
    invoke("hashset", "remove", "roundtrip", "--library", lib)
    csv_out = base / "export.csv"
    n = invoke_json("export", "csv", "--case", case, "--out", csv_out)["rows"]
    assert n == _q(case, "SELECT COUNT(*) FROM instances WHERE sha256 IS NOT NULL")[0][0]
    commands = [r["command"] for r in invoke_json("audit", "show", "--case", case)]
    assert "export vics" in commands and "match" in commands and invoke_json("audit", "verify", "--case", case)["ok"]


def test_lookup_without_a_case(world: dict[str, Any]) -> None:
    lib = world["lib"]
    known = [f for f in world["manifest"]["files"] if f["kind"] == "original" and f.get("format") == "JPEG"][0]
    result = invoke_json("lookup", known["path"], "--library", lib)
    assert {m["set"] for m in result["matches"]} >= {"known"}
    assert any(m["hash_type"] == "md5" and m["distance"] == 0 for m in result["matches"])
    assert any(m["hash_type"] == "pdq" for m in result["matches"])
    md5 = result["query"]["md5"]
    by_hash = invoke_json("lookup", md5.upper(), "--library", lib)
    assert by_hash["matches"] and by_hash["matches"][0]["set"] == "known"
    none = invoke_json("lookup", "0" * 32, "--library", lib)
    assert none["matches"] == []
    assert "neither a file" in invoke("lookup", "not-a-hash", "--library", lib, expect=1).output


def test_lookup_follows_a_link_the_examiner_names(world: dict[str, Any], tmp_path: Path) -> None:
    """`winnow lookup LINK` reads the file the link points to (the evidence opener itself never follows links)."""
    lib = world["lib"]
    known = [f for f in world["manifest"]["files"] if f["kind"] == "original" and f.get("format") == "JPEG"][0]
    link = tmp_path / "query.jpg"
    link.symlink_to(known["path"])
    direct = invoke_json("lookup", known["path"], "--library", lib)
    via_link = invoke_json("lookup", link, "--library", lib)
    assert via_link["query"] == direct["query"] | {"file": str(link)} and via_link["matches"] == direct["matches"]
