"""Benign sample hash sets for a generated collection, in the exchange formats (VICS 2.0 US, ICSE CSV, NSRL
legacy, ThreatExchange/HMA lines): some originals become 'known', so that exact and near-duplicate matches,
known-good files and unknown items all occur. The images are synthetic abstract pictures; the category codes are
labels for the demo only."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from winnow.signals.image import pdq_of


def _hashes(path: Path) -> dict[str, str]:
    data = path.read_bytes()
    return {"md5": hashlib.md5(data).hexdigest(), "sha1": hashlib.sha1(data).hexdigest(),
            "sha256": hashlib.sha256(data).hexdigest()}


def _pdq(path: Path) -> str:
    from PIL import Image

    from winnow.signals.image import register_formats

    register_formats()
    with Image.open(path) as im:
        im.load()
        return pdq_of(im)[0]


def generate(manifest: dict[str, Any], out: Path) -> dict[str, str]:
    out.mkdir(parents=True, exist_ok=True)
    files = manifest["files"]
    originals = [f for f in files if f["kind"] == "original" and f.get("format") == "JPEG"]
    variant_groups = {f["group"] for f in files if f["kind"] == "variant"}
    known = originals[: max(2, len(originals) // 3)]
    media = []
    for n, f in enumerate(known, 1):
        h = _hashes(Path(f["path"]))
        entry: dict[str, Any] = {"MediaID": n, "Category": (n % 3) + 1, "MD5": h["md5"].upper(),
                                 "SHA1": h["sha1"].upper(), "Series": f"Series {chr(65 + n % 2)}",
                                 "VictimIdentified": n % 2 == 0, "OffenderIdentified": False, "IsDistributed": True,
                                 "AlternativeHashes": [{"HashName": "PDQ", "HashValue": _pdq(Path(f["path"]))}]}
        media.append(entry)
    # PDQ only for originals whose near-duplicate variants are in the collection (near matches, no exact)
    for f in originals:
        if f["group"] in variant_groups and f not in known:
            media.append({"MediaID": len(media) + 1, "Category": 2, "Series": "Series N",
                          "AlternativeHashes": [{"HashName": "PDQ", "HashValue": _pdq(Path(f["path"]))}]})
    paths = {"vics": out / "known_us.json"}
    paths["vics"].write_text(json.dumps({
        "@odata.context": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Media",
        "value": media}, indent=1), encoding="utf-8")
    notes = next((f for f in files if f["kind"] == "text"), None)
    paths["nsrl"] = out / "NSRLFile.txt"
    lines = ['"SHA-1","MD5","CRC32","FileName","FileSize","ProductCode","OpSystemCode","SpecialCode"']
    if notes:
        h = _hashes(Path(notes["path"]))
        lines.append(f'"{h["sha1"].upper()}","{h["md5"].upper()}","00000000","notes.txt",26,1,"WIN",""')
    paths["nsrl"].write_text("\n".join(lines) + "\n", encoding="utf-8")
    paths["icse"] = out / "icse.csv"
    rows = ["MD5;SHA1;PhotoDNA;Image ID;Is distributed;Victim identified;Offender identified;Series name"]
    for f in originals[len(known): len(known) + 2]:
        h = _hashes(Path(f["path"]))
        rows.append(f"{h['md5']};{h['sha1']};;IMG-{f['group']};1;0;0;Series I")
    paths["icse"].write_text("\n".join(rows) + "\n", encoding="utf-8")
    return {k: str(v) for k, v in paths.items()}
