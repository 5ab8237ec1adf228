"""Line-based formats: md5sum/sha1sum/sha256sum output (GNU and BSD styles), bare hash-per-line lists,
ThreatExchange/HMA local files (`pdq <hex>`, `md5 <hex>`) and PDQ hex lists."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from winnow.hashsets.records import BadValue, HashRecord, guess_type, normalise
from winnow.problems import Problem

_BSD = re.compile(r"^(MD5|SHA1|SHA256|SHA-1|SHA-256)\s*\((.*)\)\s*=\s*([0-9A-Fa-f]+)$")
_PYTX_TYPES = {"pdq": "pdq", "md5": "md5", "sha1": "sha1", "sha256": "sha256", "photodna": "photodna",
               "video_md5": "md5"}


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    with path.open("r", encoding="utf-8-sig", errors="replace", newline="") as f:
        for number, line in enumerate(f, 1):
            text = line.strip()
            if text and not text.startswith("#"):
                yield number, text


def read_hashlist(path: Path, hash_type: str | None = None) -> Iterator[HashRecord | Problem]:
    """`<hex>  name`, `<hex> *name`, `MD5 (name) = <hex>` or a bare `<hex>` per line."""
    for number, text in _lines(path):
        where = f"line {number}"
        bsd = _BSD.match(text)
        if bsd:
            kind = bsd.group(1).lower().replace("-", "")
            value, name = bsd.group(3), bsd.group(2)
        else:
            parts = text.split(None, 1)
            value = parts[0]
            name = parts[1].lstrip("*") if len(parts) > 1 else None
            kind = hash_type or guess_type(value) or ""
        if not kind:
            yield Problem(where, f"not a hash: {text[:70]!r}")
            continue
        try:
            yield HashRecord(hash_type=kind, value=normalise(kind, value),
                             extra={"file_name": name} if name else {})
        except BadValue as exc:
            yield Problem(where, str(exc))


def read_pytx(path: Path) -> Iterator[HashRecord | Problem]:
    """ThreatExchange / HMA local signal files: `<signal type> <value> [anything]` per line."""
    for number, text in _lines(path):
        parts = text.split()
        kind = _PYTX_TYPES.get(parts[0].lower()) if len(parts) >= 2 else None
        if kind is None:
            yield Problem(f"line {number}", f"expected '<type> <value>' with type in {sorted(_PYTX_TYPES)}: "
                                          f"{text[:70]!r}")
            continue
        try:
            yield HashRecord(hash_type=kind, value=normalise(kind, parts[1]),
                             extra={"note": " ".join(parts[2:])} if len(parts) > 2 else {})
        except BadValue as exc:
            yield Problem(f"line {number}", str(exc))


def read_pdq_list(path: Path) -> Iterator[HashRecord | Problem]:
    """One PDQ hex per line, optionally followed by `,quality` or other columns."""
    for number, text in _lines(path):
        value = re.split(r"[\s,;]+", text)[0]
        try:
            yield HashRecord(hash_type="pdq", value=normalise("pdq", value))
        except BadValue as exc:
            yield Problem(f"line {number}", str(exc))
