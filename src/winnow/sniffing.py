"""One format detector for every import (hash sets, chats, payments), built from the registered formats' sniffers
as plaso's parser manager does: each format says how sure it is (`sniff(head) -> 0..1`) from what a `Head` shows
— the first bytes as bytes and text, the file's name, and, for a folder or a ZIP, the names inside — and `best`
takes the most confident. Formats are judged by content first; a name is a hint a sniffer may weigh, never the
only word when the content says otherwise."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class Head:
    """What a sniffer sees: the first bytes, as bytes and as text (BOM and leading space removed), the first line
    in lower case without quotes, the file's name in lower case, and the base names inside a folder or a ZIP."""

    raw: bytes
    text: str
    first: str
    lowered: str
    name: str = ""
    names: tuple[str, ...] = ()
    is_dir: bool = False

    @classmethod
    def of(cls, raw: bytes, name: str = "", names: tuple[str, ...] = (), is_dir: bool = False) -> Head:
        text = raw.decode("utf-8-sig", errors="replace").lstrip()
        first = text.splitlines()[0] if text else ""
        return cls(raw, text, first, first.lower().replace('"', ""), name.lower(), names, is_dir)

    @classmethod
    def read(cls, path: Path, nbytes: int = 4096) -> Head:
        """The head of a file (and the member names of a ZIP), or the file names of a folder (recursively)."""
        if path.is_dir():
            return cls.of(b"", path.name, tuple(sorted(p.name for p in path.rglob("*") if p.is_file())), True)
        with path.open("rb") as f:
            raw = f.read(nbytes)
        names: tuple[str, ...] = ()
        if raw.startswith(b"PK\x03\x04"):
            try:
                with zipfile.ZipFile(path) as archive:
                    names = tuple(n.rsplit("/", 1)[-1] for n in archive.namelist())
            except (zipfile.BadZipFile, OSError):
                names = ()
        return cls.of(raw, path.name, names)

    def suffix(self) -> str:
        return "." + self.name.rsplit(".", 1)[-1] if "." in self.name else ""


class Sniffer(Protocol):
    @property
    def name(self) -> str: ...

    def sniff(self, head: Head) -> float:
        """0 when the head cannot be this format, up to 1 for a certain signature."""
        ...


def best(head: Head, registry: tuple[Sniffer, ...]) -> str | None:
    """The name of the most confident sniffer (the first registered on a tie), or None when none is."""
    found, confidence = None, 0.0
    for fmt in registry:
        sure = fmt.sniff(head)
        if sure > confidence:
            found, confidence = fmt.name, sure
    return found
