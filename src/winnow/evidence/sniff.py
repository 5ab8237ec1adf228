"""Content type from the bytes, never from the name. Containers are recognised by their own magic numbers
(so a renamed archive is still opened); everything else through `filetype`."""

from __future__ import annotations

from dataclasses import dataclass

import filetype

# extensions that are accepted for a detected type (the key is filetype's extension)
_ALIASES: dict[str, frozenset[str]] = {
    "jpg": frozenset({"jpg", "jpeg", "jpe", "jfif"}),
    "tif": frozenset({"tif", "tiff"}),
    "heic": frozenset({"heic", "heif", "hif"}),
    "gz": frozenset({"gz", "gzip", "tgz"}),
    "bz2": frozenset({"bz2", "tbz", "tbz2"}),
    "xz": frozenset({"xz", "txz"}),
    "mp4": frozenset({"mp4", "m4v", "m4a"}),
    "mov": frozenset({"mov", "qt"}),
    "mpg": frozenset({"mpg", "mpeg"}),
    "ts": frozenset({"ts", "mts", "m2ts"}),
    "3gp": frozenset({"3gp", "3gpp"}),
    "wmv": frozenset({"wmv", "asf"}),
    "zip": frozenset({"zip", "zipx"}),
    "docx": frozenset({"docx", "zip"}),
    "xlsx": frozenset({"xlsx", "zip"}),
    "pptx": frozenset({"pptx", "zip"}),
}


@dataclass(frozen=True)
class Detected:
    type: str | None  # canonical extension of the detected type, e.g. "jpg"
    mime: str | None
    kind: str  # image | video | audio | archive | document | empty | other
    container: str | None  # zip | tar | gz | bz2 | xz | None

    def accepts(self, ext: str) -> bool:
        if self.type is None:
            return True
        return ext in _ALIASES.get(self.type, frozenset({self.type}))


def is_tar_header(block: bytes) -> bool:
    """A POSIX/GNU tar header (ustar magic) or an old v7 header with a valid checksum."""
    if len(block) < 512:
        return False
    if block[257:262] == b"ustar":
        return True
    field = block[148:156].replace(b"\x00", b" ").strip()
    if not field or any(c not in b"01234567" for c in field):
        return False
    stored = int(field, 8)
    computed = sum(block[:148]) + 8 * 32 + sum(block[156:512])
    return stored == computed and block[0] != 0


def container_of(head: bytes) -> str | None:
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"):
        return "zip"
    if head[:2] == b"\x1f\x8b":
        return "gz"
    if head[:3] == b"BZh":
        return "bz2"
    if head[:6] == b"\xfd7zXZ\x00":
        return "xz"
    if is_tar_header(head[:512]):
        return "tar"
    return None


def sniff(head: bytes) -> Detected:
    if not head:
        return Detected(None, None, "empty", None)
    container = container_of(head)
    guess = filetype.guess(head)
    if guess is None and len(head) > 376 and head[0] == head[188] == head[376] == 0x47:
        return Detected("ts", "video/mp2t", "video", None)  # MPEG transport stream: sync byte every 188 bytes
    if guess is not None:
        mime = guess.mime
        ext = guess.extension
        if container:
            kind = "archive"
        elif mime.startswith("image/"):
            kind = "image"
        elif mime.startswith("video/"):
            kind = "video"
        elif mime.startswith("audio/"):
            kind = "audio"
        elif mime.startswith("application/") and ext in {"pdf", "docx", "xlsx", "pptx", "odt", "ods", "odp",
                                                           "epub", "rtf", "doc", "xls", "ppt"}:
            kind = "document"
        else:
            kind = "other"
        return Detected(ext, mime, kind, container)
    if container == "tar":
        return Detected("tar", "application/x-tar", "archive", "tar")
    if container:
        return Detected(container, None, "archive", container)
    return Detected(None, None, "other", None)
