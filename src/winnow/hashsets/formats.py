"""Hash-set exchange formats: each is one `HashSetFormat` (a name, a description, `sniff(head) -> confidence`, the
options its reader takes, `read`), `REGISTRY` is the explicit tuple of the built-ins, and `detect` asks every
registered sniffer and takes the most confident (as plaso's parser manager does) — by content, never by file name.
The confidences keep the specific signatures (SQLite magic, a VICS object, NSRL's header) above the generic ones
(one hash per line); `csv` is never sniffed (it needs `--map`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from winnow.hashsets import tabular, text_formats, vics, video_formats
from winnow.hashsets.records import HashRecord
from winnow.problems import Problem
from winnow.sniffing import Head, best

__all__ = ["Head", "HashSetFormat", "Format", "REGISTRY", "FORMATS", "detect", "reader"]

Reader = Callable[..., Iterator[HashRecord | Problem]]
HEAD_BYTES = 4096


class HashSetFormat(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def description(self) -> str: ...

    @property
    def options(self) -> frozenset[str]:
        """The keyword options `read` accepts (scheme, hash_type, mapping, delimiter)."""
        ...

    @property
    def default_kind(self) -> str:
        """alert | ignorable: what a set in this format is unless the import says otherwise."""
        ...

    def sniff(self, head: Head) -> float:
        """0 when the head cannot be this format, up to 1 for a certain signature."""
        ...

    def read(self, path: Path, **options: Any) -> Iterator[HashRecord | Problem]: ...


@dataclass(frozen=True)
class Format:
    """A format declared by its reader and a sniffing predicate with its confidence."""

    name: str
    description: str
    reader: Reader
    matches: Callable[[Head], bool]
    confidence: float
    options: frozenset[str] = frozenset()
    default_kind: str = "alert"

    def sniff(self, head: Head) -> float:
        return self.confidence if self.matches(head) else 0.0

    def read(self, path: Path, **options: Any) -> Iterator[HashRecord | Problem]:
        return self.reader(path, **options)


def _vics(h: Head) -> bool:
    return h.text.startswith("{") and '"frames"' not in h.text and '"features"' not in h.text


def _vpdq_json(h: Head) -> bool:
    return h.text.startswith("[") or (h.text.startswith("{") and ('"frames"' in h.text or '"features"' in h.text))


def _hashlist(h: Head) -> bool:
    return bool(re.match(r"^(MD5|SHA1|SHA256|SHA-1|SHA-256)\s*\(", h.first)
                or re.match(r"^[0-9a-fA-F]{32,64}(\s|$)", h.first))


REGISTRY: tuple[HashSetFormat, ...] = (
    Format("vics", "VICS / Project VIC JSON 1.3 or 2.0", vics.read, _vics, 0.95, frozenset({"scheme"})),
    Format("icse", "Interpol ICSE CSV (;-separated)", tabular.read_icse,
           lambda h: ";" in h.first and "md5" in h.lowered and ("sha1" in h.lowered or "photodna" in h.lowered),
           0.85),
    Format("nsrl-rds", "NSRL RDSv3 SQLite", tabular.read_nsrl_rds,
           lambda h: h.raw.startswith(b"SQLite format 3\x00"), 1.0, default_kind="ignorable"),
    Format("nsrl-legacy", "NSRL legacy NSRLFile.txt", tabular.read_nsrl_legacy,
           lambda h: h.lowered.startswith("sha-1,md5"), 0.9, default_kind="ignorable"),
    Format("hashlist", "md5sum/sha1sum/sha256sum output or one hash per line", text_formats.read_hashlist,
           _hashlist, 0.5, frozenset({"hash_type"})),
    Format("pytx", "ThreatExchange / HMA local file: '<type> <value>' lines", text_formats.read_pytx,
           lambda h: bool(re.match(r"^(pdq|md5|sha1|sha256|photodna|video_md5)\s+[0-9a-fA-F]", h.first)), 0.6),
    Format("pdq-list", "one PDQ hex per line", text_formats.read_pdq_list, lambda h: False, 0.0),
    Format("csv", "any CSV with --map TYPE=COLUMN", tabular.read_mapped_csv, lambda h: False, 0.0,
           frozenset({"mapping", "delimiter", "scheme"})),
    Format("vpdq", "Meta vPDQ text: frame,quality,pdq,timestamp lines (one video)", video_formats.read_text,
           lambda h: bool(re.match(r"^\d+,\d+(\.\d+)?,[0-9a-fA-F]{64},[\d.]+$", h.first)), 0.8),
    Format("vpdq-json", "vPDQ JSON: frames of one video, or videos with frames", video_formats.read_json,
           _vpdq_json, 0.7),
)
FORMATS: dict[str, HashSetFormat] = {f.name: f for f in REGISTRY}
DEFAULT_KIND = {f.name: f.default_kind for f in REGISTRY if f.default_kind != "alert"}


def detect(path: Path, registry: tuple[HashSetFormat, ...] = REGISTRY) -> str:
    """The name of the registered format whose sniffer is most confident about the file's first 4 KiB."""
    with path.open("rb") as f:
        head = Head.of(f.read(HEAD_BYTES), path.name)
    found = best(head, registry)
    if found is None:
        names = ", ".join(f.name for f in registry)
        raise ValueError(f"cannot tell the format of {path.name}; pass --format ({names})")
    return found


def reader(format_name: str, path: Path, **options: Any) -> Iterator[HashRecord | Problem]:
    if format_name not in FORMATS:
        raise ValueError(f"unknown format {format_name!r} ({', '.join(FORMATS)})")
    fmt = FORMATS[format_name]
    return fmt.read(path, **{k: v for k, v in options.items() if k in fmt.options and v is not None})
