"""A multi-GB file is streamed: the hashes are right and worker memory stays flat."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SIZE = 2**31 + 100 * 2**20  # past 2 GiB, to catch 32-bit offsets
ZEROS = {"md5": "83799a64d0ab6370def91246d4873a64", "sha1": "6b66680669119aa66c1d0c838143348b3bfd5644",
         "sha256": "988f3dc430b740ea29c7780ed566cdda001a299585e7f410c3956a40e368c38f"}


def test_multi_gigabyte_file(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    with open(corpus / "disk.img", "wb") as f:  # sparse: costs no disk space
        f.truncate(SIZE)
    case = tmp_path / "case"
    winnow = [sys.executable, "-m", "winnow.cli"]
    subprocess.run([*winnow, "case", "create", str(case), "--name", "n", "--examiner", "e"], check=True)
    done = subprocess.run([*winnow, "ingest", str(corpus), "--case", str(case), "--workers", "1", "--json"],
                          capture_output=True, timeout=600)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["this_run"]["peak_rss_mb"]["largest_worker"] < 300
    import sqlite3

    conn = sqlite3.connect(case / "case.sqlite")
    row = conn.execute("SELECT md5, sha1, sha256, size FROM content").fetchone()
    conn.close()
    assert row == (ZEROS["md5"], ZEROS["sha1"], ZEROS["sha256"], SIZE)
