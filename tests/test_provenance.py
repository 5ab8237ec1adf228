"""Typed provenance: a chain is layers (kind, name, offset), never a string searched for '!'. A file on disk whose
name or folder holds '!' (`Wow!.mp4`, `Downloads!/`) is still a file on disk: the review app plays it and
`winnow calls --rescan` reads it; archive members stay unplayable and are counted, as before."""

from __future__ import annotations

import json
import os
import sqlite3
import zipfile
from pathlib import Path

import pytest

from conftest import invoke
from winnow.store.case import Case


def test_bang_in_a_file_or_folder_name_is_not_an_archive_member(tmp_path: Path) -> None:
    from winnow.pipeline.rescan import rescan
    from winnow.sample import calls as sample
    from winnow.store.review import media_path

    media = tmp_path / "media"
    sample.call_video(media / "Downloads!" / "Wow!.mp4", 4, style=3, seconds=4)
    with zipfile.ZipFile(media / "inner.zip", "w") as zf:  # a real member with the same bytes: still not playable
        zf.write(media / "Downloads!" / "Wow!.mp4", "copy.mp4")
    before = {p: (p.read_bytes(), os.stat(p).st_mtime_ns) for p in media.rglob("*") if p.is_file()}
    case_dir = tmp_path / "case"
    invoke("case", "create", case_dir, "--name", "bang", "--examiner", "e")
    invoke("ingest", media, "--case", case_dir, "--workers", "1")
    on_disk = str(media / "Downloads!" / "Wow!.mp4")
    conn = sqlite3.connect(case_dir / "case.sqlite")
    sha = conn.execute("SELECT sha256 FROM instances WHERE chain = ?", (on_disk,)).fetchone()[0]
    assert media_path(conn, sha) == on_disk  # the string test ('!' in chain) found none
    conn.execute("DELETE FROM calls")  # as a case ingested before the detector existed
    conn.commit()
    conn.close()
    done = rescan(Case(case_dir))
    assert done == {"videos": 1, "images": 0, "archive_members": 0, "unreadable": 0}
    conn = sqlite3.connect(case_dir / "case.sqlite")
    assert conn.execute("SELECT status FROM runs ORDER BY id DESC LIMIT 1").fetchone()[0] == "completed"
    conn.close()
    assert {p: (p.read_bytes(), os.stat(p).st_mtime_ns) for p in media.rglob("*") if p.is_file()} == before


def test_chain_layers_render_the_stored_form() -> None:
    from winnow.evidence.provenance import Chain, Layer

    folder = Chain.file("/ev/Downloads!/seized.zip")
    member = folder.member("photos/old.tar.gz").member("img_001.jpg")
    assert member.text == "/ev/Downloads!/seized.zip!/photos/old.tar.gz!/img_001.jpg"
    assert [layer.kind for layer in member.layers] == ["file", "member", "member"]
    assert folder.on_disk and not member.on_disk and member.parent == folder.member("photos/old.tar.gz")
    disk = Chain.file("/evidence/disk.E01").partition(2)
    assert disk.entry("/Users/x/photos.zip").member("a.jpg").text == "/evidence/disk.E01!p2!/Users/x/photos.zip!/a.jpg"
    assert disk.carved(0x1F3A000, 48213).text == "/evidence/disk.E01!p2!$unallocated@0x1f3a000+48213"
    outside = Chain.file("/evidence/disk.E01").carved(0xD10000, 11966)
    assert outside.text == "/evidence/disk.E01!$unallocated@0xd10000+11966"
    assert disk.carved(16, 4).layers[-1] == Layer("carved", "$unallocated", 16, 4)
    assert Chain.file("/evidence/usb.dd").entry("/DCIM/100/a.jpg").text == "/evidence/usb.dd!/DCIM/100/a.jpg"
    assert json.loads(member.to_json()) == [["file", "/ev/Downloads!/seized.zip", None, None],
                                            ["member", "photos/old.tar.gz", None, None],
                                            ["member", "img_001.jpg", None, None]]
    assert Chain.from_json(member.to_json()) == member
    with pytest.raises(ValueError):
        Chain(())
    with pytest.raises(ValueError):
        Chain((Layer("member", "a"),))
