"""Names as investigators see them: file names that are not valid UTF-8 are shown with escapes and kept raw;
archive member names that would escape an extraction folder are flagged (winnow never extracts by name)."""

from __future__ import annotations

import os
import re

from winnow.evidence.provenance import Layer

SEPARATOR = "!/"
_DRIVE = re.compile(r"^[A-Za-z]:")


def display_name(name: str) -> tuple[str, bytes | None]:
    """Return (printable UTF-8 name, raw bytes when the name was not valid UTF-8)."""
    raw = os.fsencode(name)
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError:
        return raw.decode("utf-8", "backslashreplace"), raw


def member_chain(parent_chain: str, member: str) -> str:
    """The stored chain of an archive member (evidence/provenance.py renders every layer kind)."""
    return parent_chain + Layer("member", member).render()


def suspicious_member(name: str) -> str | None:
    """Why a member name would escape an extraction folder (zip-slip), or None."""
    if name.startswith(("/", "\\")):
        return "absolute member name"
    if _DRIVE.match(name):
        return "member name with a drive letter"
    parts = re.split(r"[\\/]+", name)
    if ".." in parts:
        return "member name climbs out of the archive ('..')"
    return None


def extension(name: str) -> str:
    base = name.rsplit("/", 1)[-1]
    if "." not in base.strip("."):
        return ""
    return base.rsplit(".", 1)[-1].lower()
