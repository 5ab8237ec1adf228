"""Exports of the case's categorized media: VICS 2.0 JSON (importable by winnow and VICS tools) and CSV."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from winnow.hashsets.categories import code_of, scheme_of
from winnow.store import exports
from winnow.store.case import Case

CONTEXT = "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/{scheme}/$metadata#Media"


def categorized(case: Case) -> list[dict[str, Any]]:
    """Contents with a category from an alert match (exact before near, then by set name)."""
    conn = case.connect(readonly=True)
    try:
        rows = exports.alert_matches(conn)
        best: dict[str, dict[str, Any]] = {}
        for r in rows:
            best.setdefault(r["sha256"], dict(r))
        for sha, item in best.items():
            item["files"] = [dict(f) for f in exports.files_of(conn, sha)]
        return [best[k] for k in sorted(best)]
    finally:
        conn.close()


def vics(case: Case, target: Path, scheme: str = "US") -> int:
    scheme = scheme_of(scheme)
    media = []
    for n, item in enumerate(categorized(case), 1):
        code = code_of(scheme, item["category"]) if item["category"] else item["category_raw"]
        entry: dict[str, Any] = {
            "MediaID": n,
            "Category": int(code) if code is not None and str(code).isdigit() else code,
            "MD5": item["md5"].upper(),
            "SHA1": item["sha1"].upper(),
            "MediaSize": item["size"],
            "Series": item["series"],
            "VictimIdentified": _bool(item["victim_identified"]),
            "OffenderIdentified": _bool(item["offender_identified"]),
            "IsDistributed": _bool(item["is_distributed"]),
            "Comments": f"winnow: matched set {item['set_name']!r} at distance {item['distance']}",
            "MediaFiles": [{"FileName": f["name"], "FilePath": f["chain"], "Written": f["mtime"],
                            "Accessed": f["atime"], "Created": f["ctime"]} for f in item["files"]],
            "AlternativeHashes": [{"HashName": "SHA256", "HashValue": item["sha256"]}]
            + ([{"HashName": "PDQ", "HashValue": item["pdq"]}] if item["pdq"] else []),
        }
        media.append(entry)
    document = {"@odata.context": CONTEXT.format(scheme=scheme), "value": media}
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(document, indent=1, ensure_ascii=False), encoding="utf-8")
    return len(media)


def _bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


def csv_export(case: Case, target: Path) -> int:
    """One row per occurrence of every content in the triage (or every content when triage has not run)."""
    conn = case.connect(readonly=True)
    try:
        rows = exports.occurrences_with_triage(conn)
    finally:
        conn.close()
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["path", "size", "mtime", "md5", "sha1", "sha256", "kind", "pdq", "state", "category",
                         "series", "best_distance", "stack", "queue_rank"])
        writer.writerows(tuple(r) for r in rows)
    return len(rows)
