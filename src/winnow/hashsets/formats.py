"""The format registry and auto-detection (by content, never by file name alone)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from winnow.hashsets import tabular, text_formats, vics, video_formats
from winnow.hashsets.records import HashRecord, Issue

Reader = Callable[..., Iterator[HashRecord | Issue]]

FORMATS: dict[str, tuple[Reader, str]] = {
    "vics": (vics.read, "VICS / Project VIC JSON 1.3 or 2.0"),
    "icse": (tabular.read_icse, "Interpol ICSE CSV (;-separated)"),
    "nsrl-rds": (tabular.read_nsrl_rds, "NSRL RDSv3 SQLite"),
    "nsrl-legacy": (tabular.read_nsrl_legacy, "NSRL legacy NSRLFile.txt"),
    "hashlist": (text_formats.read_hashlist, "md5sum/sha1sum/sha256sum output or one hash per line"),
    "pytx": (text_formats.read_pytx, "ThreatExchange / HMA local file: '<type> <value>' lines"),
    "pdq-list": (text_formats.read_pdq_list, "one PDQ hex per line"),
    "csv": (tabular.read_mapped_csv, "any CSV with --map TYPE=COLUMN"),
    "vpdq": (video_formats.read_text, "Meta vPDQ text: frame,quality,pdq,timestamp lines (one video)"),
    "vpdq-json": (video_formats.read_json, "vPDQ JSON: frames of one video, or videos with frames"),
}
DEFAULT_KIND = {"nsrl-rds": "ignorable", "nsrl-legacy": "ignorable"}


def detect(path: Path) -> str:
    with path.open("rb") as f:
        head = f.read(4096)
    if head.startswith(b"SQLite format 3\x00"):
        return "nsrl-rds"
    text = head.decode("utf-8-sig", errors="replace").lstrip()
    if text.startswith("{") and '"frames"' not in text and '"features"' not in text:
        return "vics"
    first = text.splitlines()[0] if text else ""
    lowered = first.lower().replace('"', "")
    if lowered.startswith("sha-1,md5"):
        return "nsrl-legacy"
    if ";" in first and "md5" in lowered and ("sha1" in lowered or "photodna" in lowered):
        return "icse"
    if re.match(r"^\d+,\d+(\.\d+)?,[0-9a-fA-F]{64},[\d.]+$", first):
        return "vpdq"
    if text.startswith("[") or (text.startswith("{") and ('"frames"' in text or '"features"' in text)):
        return "vpdq-json"
    if re.match(r"^(pdq|md5|sha1|sha256|photodna|video_md5)\s+[0-9a-fA-F]", first):
        return "pytx"
    if re.match(r"^(MD5|SHA1|SHA256|SHA-1|SHA-256)\s*\(", first) or re.match(r"^[0-9a-fA-F]{32,64}(\s|$)", first):
        return "hashlist"
    raise ValueError(f"cannot tell the format of {path.name}; pass --format ({', '.join(FORMATS)})")


def reader(format_name: str, path: Path, **options: Any) -> Iterator[HashRecord | Issue]:
    if format_name not in FORMATS:
        raise ValueError(f"unknown format {format_name!r} ({', '.join(FORMATS)})")
    function = FORMATS[format_name][0]
    accepted = {"vics": {"scheme"}, "hashlist": {"hash_type"}, "csv": {"mapping", "delimiter", "scheme"}}
    return function(path, **{k: v for k, v in options.items() if k in accepted.get(format_name, set()) and
                             v is not None})
