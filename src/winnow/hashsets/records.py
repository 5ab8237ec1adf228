"""HashRecord: one known hash from an exchange format, validated and normalised at the boundary."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
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


def guess_type(value: str) -> str | None:
    """md5/sha1/sha256 from a bare hex value's length (64 hex digits are SHA-256 unless told PDQ)."""
    text = value.strip().lower()
    if not _HEX.match(text or "x"):
        return None
    return {32: "md5", 40: "sha1", 64: "sha256"}.get(len(text))


@dataclass
class HashRecord:
    hash_type: str
    value: str
    category: str | None = None  # normalised label of the set's scheme (e.g. "1", "A", "non-pertinent")
    category_raw: str | None = None  # as found in the file
    series: str | None = None
    victim_identified: bool | None = None
    offender_identified: bool | None = None
    is_distributed: bool | None = None
    tags: list[str] | None = None
    comments: str | None = None
    media_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Issue:
    """A bad row or element: where (line, record, byte) and why."""

    position: str
    message: str


def truthy(value: Any) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "y", "t"):
        return True
    if text in ("0", "false", "no", "n", "f"):
        return False
    return None
