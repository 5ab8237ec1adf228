"""Every exchange format with realistic generated files: BOM, large sets streamed, malformed rows."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import invoke, invoke_json
from winnow.hashsets.formats import detect
from winnow.hashsets.library import ImportFailed, Library
from winnow.hashsets.records import BadValue, normalise

MD5 = [hashlib.md5(str(i).encode()).hexdigest() for i in range(10)]
SHA1 = [hashlib.sha1(str(i).encode()).hexdigest() for i in range(10)]
PDQ = [hashlib.sha256(f"pdq{i}".encode()).hexdigest() for i in range(10)]
PHOTODNA = base64.b64encode(bytes(range(144))).decode()


def _records(lib: Library, name: str) -> list[dict]:  # type: ignore[type-arg]
    info = lib.get(name)
    conn = sqlite3.connect(info.path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM records ORDER BY rowid")]
    finally:
        conn.close()


def _vics(media: list[dict], context: str, bom: bool = False) -> bytes:  # type: ignore[type-arg]
    key = "odata.metadata" if "1.3" in context else "@odata.context"
    data = json.dumps({key: context, "value": media}).encode()
    return (b"\xef\xbb\xbf" if bom else b"") + data


def test_vics_20_us_hashset_shape_with_bom(tmp_path: Path) -> None:
    media = [{"MediaID": 1, "Category": 1, "MD5": MD5[0].upper(), "SHA1": SHA1[0].upper(), "Series": "S1",
              "VictimIdentified": True, "OffenderIdentified": False, "IsDistributed": True, "Tags": "a, b",
              "Comments": "c", "MediaFiles": [{"FileName": "x.jpg"}], "PhotoDNA": PHOTODNA,
              "AlternativeHashes": [{"HashName": "PDQ", "HashValue": PDQ[0]}]},
             {"MediaID": 2, "Category": 3, "MD5": MD5[1]}]
    path = tmp_path / "set.json"
    path.write_bytes(_vics(media, "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Media",
                           bom=True))
    assert detect(path) == "vics"
    lib = Library(tmp_path / "lib")
    result = lib.import_file(path, "v")
    assert result.counts == {"md5": 2, "sha1": 1, "photodna": 1, "pdq": 1} and result.issues == 0
    rows = _records(lib, "v")
    first = [r for r in rows if r["value"] == MD5[0]][0]
    assert first["category"] == "1 CAM" and first["series"] == "S1" and first["victim_identified"] == 1
    assert first["offender_identified"] == 0 and json.loads(first["tags"]) == ["a", "b"]
    assert json.loads(first["extra"])["MediaFiles"] == [{"FileName": "x.jpg"}]
    assert [r["category"] for r in rows if r["value"] == MD5[1]] == ["3 CGI/animation"]
    assert any(r["hash_type"] == "photodna" and r["value"] == bytes(range(144)).hex() for r in rows)
    assert lib.get("v").pdq_path.exists()


def test_vics_13_case_shape_and_uk_scheme(tmp_path: Path) -> None:
    cases = [{"CaseID": 7, "Media": [{"MediaID": 1, "Category": 2, "MD5": MD5[2]},
                                     {"MediaID": 2, "Category": 9, "SHA1": SHA1[3]}]}]
    path = tmp_path / "case.json"
    path.write_bytes(_vics(cases, "http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml/$metadata#Cases"))
    lib = Library(tmp_path / "lib")
    result = lib.import_file(path, "old")
    assert result.counts == {"md5": 1, "sha1": 1} and result.issues == 1
    assert "unknown US category code '9'" in result.first_issues[0].message
    rows = _records(lib, "old")
    assert rows[0]["category"] == "2 exploitive / age difficult"
    assert rows[1]["category"] is None and rows[1]["category_raw"] == "9"  # kept raw
    uk = tmp_path / "uk.json"
    uk.write_bytes(_vics([{"MediaID": 1, "Category": "B", "MD5": MD5[4]}],
                         "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/UK/$metadata#Media"))
    lib.import_file(uk, "uk")
    assert _records(lib, "uk")[0]["category"] == "B"


def test_broken_json_keeps_good_rows_or_aborts_when_strict(tmp_path: Path) -> None:
    media = [{"MediaID": i, "Category": 1, "MD5": MD5[i]} for i in range(5)]
    data = _vics(media, "http://x/2.0.xml/US/$metadata#Media")
    path = tmp_path / "broken.json"
    path.write_bytes(data[: data.index(MD5[3].encode()) + 5])
    lib = Library(tmp_path / "lib")
    result = lib.import_file(path, "b")
    assert result.counts == {"md5": 3} and result.issues == 1 and "byte" in result.first_issues[0].position
    good = tmp_path / "good.json"
    good.write_bytes(data)
    lib.import_file(good, "strict-target")
    with pytest.raises(ImportFailed, match="--strict"):
        lib.import_file(path, "strict-target", strict=True)
    assert lib.get("strict-target").counts == {"md5": 5}  # the old set is untouched
    assert len(list((tmp_path / "lib" / "sets").glob("*.partial"))) == 0


def test_icse_csv_with_bad_rows(tmp_path: Path) -> None:
    path = tmp_path / "icse.csv"
    path.write_text("MD5;SHA1;PhotoDNA;Image ID;Is distributed;Victim identified;Offender identified;Series name;"
                    "Notes\n"
                    f"{MD5[0]};{SHA1[0]};;IMG-1;1;0;1;Lantern;n1\n"
                    f"NOTHEX{MD5[1][6:]};;;IMG-2;0;0;0;;\n"
                    f"{MD5[2]};;{PHOTODNA};IMG-3;yes;no;no;Beacon;\n", encoding="utf-8")
    assert detect(path) == "icse"
    lib = Library(tmp_path / "lib")
    result = lib.import_file(path, "icse")
    assert result.counts == {"md5": 2, "sha1": 1, "photodna": 1}
    assert result.issues == 1 and result.first_issues[0].position == "line 3"
    rows = _records(lib, "icse")
    assert rows[0]["series"] == "Lantern" and rows[0]["is_distributed"] == 1 and rows[0]["offender_identified"] == 1
    assert rows[0]["media_id"] == "IMG-1" and json.loads(rows[0]["extra"]) == {"Notes": "n1"}


def test_nsrl_rds_and_legacy_are_ignorable(tmp_path: Path) -> None:
    rds = tmp_path / "RDS.db"
    conn = sqlite3.connect(rds)
    conn.execute("CREATE TABLE FILE (sha256 TEXT, sha1 TEXT, md5 TEXT, crc32 TEXT, file_name TEXT, file_size INT, "
                 "package_id INT)")
    conn.executemany("INSERT INTO FILE VALUES (?,?,?,?,?,?,?)",
                     [(hashlib.sha256(str(i).encode()).hexdigest().upper(), SHA1[i].upper(), MD5[i].upper(), "0",
                       f"f{i}", i, 1) for i in range(4)] + [("bad", "bad", "bad", "0", "x", 0, 1)])
    conn.commit()
    conn.close()
    legacy = tmp_path / "NSRLFile.txt"
    legacy.write_text('"SHA-1","MD5","CRC32","FileName","FileSize","ProductCode","OpSystemCode","SpecialCode"\n'
                      f'"{SHA1[5].upper()}","{MD5[5].upper()}","0","a.dll",1,1,"WIN",""\n')
    assert detect(rds) == "nsrl-rds" and detect(legacy) == "nsrl-legacy"
    lib = Library(tmp_path / "lib")
    r1 = lib.import_file(rds, "rds")
    r2 = lib.import_file(legacy, "legacy")
    assert r1.kind == r2.kind == "ignorable"
    assert r1.counts == {"md5": 4, "sha1": 4, "sha256": 4} and r1.issues == 3
    assert r2.counts == {"md5": 1, "sha1": 1}


def test_hash_lists_pytx_pdq_and_mapped_csv(tmp_path: Path) -> None:
    gnu = tmp_path / "sums.txt"
    gnu.write_text(f"{MD5[0]}  photo one.jpg\n{SHA1[1]} *binary.jpg\nMD5 (bsd.jpg) = {MD5[2]}\n# comment\n"
                   f"{MD5[3][:-1]}  short.jpg\n{PDQ[4]}\n")
    assert detect(gnu) == "hashlist"
    pytx = tmp_path / "signals.txt"
    pytx.write_text(f"pdq {PDQ[0]}\nmd5 {MD5[5]} note\npdq nothex\n")
    assert detect(pytx) == "pytx"
    pdqs = tmp_path / "pdq.txt"
    pdqs.write_text(f"{PDQ[1]},100\n{PDQ[2]}\n")
    mapped = tmp_path / "export.csv"
    mapped.write_text(f"Hash|Cat|Set\n{MD5[6]}|1|S\n{MD5[7]}|7|S\n", encoding="utf-8")
    lib = Library(tmp_path / "lib")
    r = lib.import_file(gnu, "gnu")
    assert r.counts == {"md5": 2, "sha1": 1, "sha256": 1} and r.issues == 1
    assert json.loads(_records(lib, "gnu")[0]["extra"]) == {"file_name": "photo one.jpg"}
    r = lib.import_file(pytx, "pytx")
    assert r.counts == {"pdq": 1, "md5": 1} and r.issues == 1
    r = lib.import_file(pdqs, "pdqs", format_name="pdq-list")
    assert r.counts == {"pdq": 2}
    r = lib.import_file(mapped, "mapped", format_name="csv", mapping={"md5": "Hash", "category": "Cat",
                                                                       "series": "Set"}, delimiter="|")
    assert r.counts == {"md5": 2} and r.issues == 1  # category 7 unknown in US: kept raw, reported
    assert _records(lib, "mapped")[0]["category"] == "1 CAM"


def test_large_list_is_streamed_and_reimport_replaces(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    with path.open("w") as f:
        for i in range(200_000):
            f.write(hashlib.md5(i.to_bytes(4, "little")).hexdigest() + "\n")
    lib = Library(tmp_path / "lib")
    first = lib.import_file(path, "big")
    assert first.counts == {"md5": 200_000} and first.version == 1
    old_file = lib.get("big").path
    path.write_text(MD5[0] + "\n")
    second = lib.import_file(path, "big")
    assert second.replaced and second.version == 2 and lib.get("big").counts == {"md5": 1}
    assert not old_file.exists() and len(list((tmp_path / "lib" / "sets").iterdir())) == 1


def test_cli_import_list_show_remove(tmp_path: Path) -> None:
    path = tmp_path / "sums.txt"
    path.write_text(f"{MD5[0]}  a\nzz  b\n")
    lib = tmp_path / "lib"
    result = invoke_json("hashset", "import", path, "--name", "s", "--library", lib)
    assert result["records"] == 1 and result["issues"] == 1
    assert invoke_json("hashset", "list", "--library", lib)[0]["name"] == "s"
    assert invoke_json("hashset", "show", "s", "--library", lib)["first_issues"][0]["position"] == "line 2"
    invoke("hashset", "import", path, "--name", "t", "--library", lib, "--strict", expect=1)
    unknown = tmp_path / "weird.bin"
    unknown.write_bytes(b"\x00\x01 nothing known")
    assert "pass --format" in invoke("hashset", "import", unknown, "--name", "u", "--library", lib, expect=1).output
    invoke("hashset", "remove", "s", "--library", lib)
    assert invoke_json("hashset", "list", "--library", lib) == []


@given(st.sampled_from(["md5", "sha1", "sha256", "pdq"]), st.data())
def test_normalise_accepts_any_case_and_rejects_bad_lengths(kind: str, data: st.DataObject) -> None:
    length = {"md5": 32, "sha1": 40, "sha256": 64, "pdq": 64}[kind]
    value = data.draw(st.text(alphabet="0123456789abcdefABCDEF", min_size=length, max_size=length))
    assert normalise(kind, f"  {value} ") == value.lower()
    wrong = data.draw(st.text(alphabet="0123456789abcdef", min_size=1, max_size=70).filter(lambda v: len(v) != length))
    with pytest.raises(BadValue):
        normalise(kind, wrong)
    with pytest.raises(BadValue):
        normalise(kind, value[:-1] + "g")


def test_a_bad_request_is_refused_in_one_line_and_writes_no_set(tmp_path: Path) -> None:
    lib = Library(tmp_path / "lib")
    listed = tmp_path / "list.txt"
    listed.write_text("d41d8cd98f00b204e9800998ecf8427e\n")
    pictures = tmp_path / "pictures"
    pictures.mkdir()
    refusals = [
        (lambda: lib.import_file(listed, " "), "a hash set needs a name (--name)"),
        (lambda: lib.build_from_folder(pictures, ""), "a hash set needs a name (--name)"),
        (lambda: lib.import_file(listed, "x", kind="nope"), "kind must be one of"),
        (lambda: lib.build_from_folder(pictures, "x", kind="nope"), "kind must be one of"),
        (lambda: lib.import_file(listed, "x", max_distance=65), "max distance must be between 0 and 64"),
        (lambda: lib.build_from_folder(pictures, "x", max_distance=-1), "max distance must be between 0 and 64"),
    ]
    for call, message in refusals:
        with pytest.raises(ImportFailed, match=re.escape(message)):
            call()
    assert lib.sets() == []
    assert sorted(p.name for p in (tmp_path / "lib" / "sets").iterdir()) == []
