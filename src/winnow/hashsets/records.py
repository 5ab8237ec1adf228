"""HashRecord: one known hash from an exchange format, validated and normalised at the boundary."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from winnow.hashes import _HEX, HASH_TYPES, HEX_LENGTHS, BadValue, normalise  # noqa: F401 (the names formats use)
from winnow.problems import Problem


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


Issue = Problem  # the name before one vocabulary (winnow/problems.py), kept for scripts that import it
