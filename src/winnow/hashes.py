"""Hash values at the boundary: lower-case hex of the right length (PhotoDNA: 144 bytes, kept as hex). Shared by
hash-set formats (hashsets/) and signal parsers (signals/vpdq.py), so it sits below both."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from pathlib import Path
from typing import Any

HEX_LENGTHS = {"md5": 32, "sha1": 40, "sha256": 64, "pdq": 64}
HASH_TYPES = (*HEX_LENGTHS, "photodna")
_HEX = re.compile(r"^[0-9a-f]+$")


class BadValue(ValueError):
    """A value that cannot be a hash of the stated type."""


def normalise(hash_type: str, value: Any) -> str:
    """Lower-case hex of the right length (PhotoDNA: base64 or hex of 144 bytes, kept as hex)."""
    if value is None:
        raise BadValue(f"missing {hash_type}")
    text = str(value).strip()
    if hash_type == "photodna":
        raw: bytes
        try:
            raw = bytes.fromhex(text) if re.fullmatch(r"[0-9a-fA-F]{288}", text) else base64.b64decode(text,
                                                                                                     validate=True)
        except (binascii.Error, ValueError) as exc:
            raise BadValue(f"PhotoDNA is neither hex nor base64: {text[:20]!r}") from exc
        if len(raw) != 144:
            raise BadValue(f"PhotoDNA must be 144 bytes, got {len(raw)}")
        return raw.hex()
    expected = HEX_LENGTHS.get(hash_type)
    if expected is None:
        raise BadValue(f"unknown hash type {hash_type!r}")
    lowered = text.lower()
    if lowered.startswith("0x"):
        lowered = lowered[2:]
    if len(lowered) != expected:
        raise BadValue(f"{hash_type} must be {expected} hex digits, got {len(lowered)}: {text[:70]!r}")
    if not _HEX.match(lowered):
        raise BadValue(f"{hash_type} is not hexadecimal: {text[:70]!r}")
    return lowered


def file_sha256(path: Path) -> str:
    """SHA-256 of a whole file (source files of imports: hash sets, payment exports)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
