"""Chat export formats: each is one `ChatFormat` (a name, a description, `sniff(head) -> confidence`, the options
its reader takes, `read(path, options) -> events`); `REGISTRY` is the explicit tuple of the built-ins, and the
importer's `detect` takes the most confident sniffer (`winnow.sniffing`, shared with hash sets and payments).
Confidences keep a specific signature (a Skype export's keys, a UFDR's report.xml) above a generic one (any .txt
may be a WhatsApp chat)."""

from __future__ import annotations

import fnmatch
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any

from winnow.chats.model import Event
from winnow.sniffing import Head

HEAD_BYTES = 65536  # JSON exports name their keys near the start, but after a header of participants


@dataclass(frozen=True)
class ChatFormat:
    name: str
    description: str
    sniffer: Callable[[Head], float]
    reader: Callable[[Path, dict[str, Any]], Iterator[Event]]
    options: frozenset[str] = frozenset()

    def sniff(self, head: Head) -> float:
        return self.sniffer(head)

    def read(self, path: Path, options: dict[str, Any]) -> Iterator[Event]:
        return self.reader(path, {k: v for k, v in options.items() if k in self.options})


def _inside(head: Head, pattern: str) -> bool:
    return any(fnmatch.fnmatch(n, pattern) for n in head.names)


def _json(head: Head) -> str:
    """The head's text when it is JSON: by its content (an object or array), whatever the file is called."""
    return head.text if head.suffix() == ".json" or head.text.startswith(("{", "[")) else ""


# a WhatsApp export's first line: "12/01/2025, 10:00 - ..." (Android) or "[12/01/2025, 10:00:00] ..." (iOS),
# with any date order or separator, and the invisible mark some exports start with
_WHATSAPP_LINE = re.compile(r"^\u200e?\[?\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4},? \d{1,2}[:.]\d{2}")


def _sniff_facebook(h: Head) -> float:
    if h.is_dir and _inside(h, "message_*.json"):
        return 0.95
    text = _json(h)
    return 0.9 if '"sender_name"' in text or ('"participants"' in text and '"timestamp_ms"' in text) else 0.0


def _sniff_telegram(h: Head) -> float:
    if h.is_dir and "result.json" in h.names:
        return 0.94
    text = _json(h)
    return 0.8 if '"date_unixtime"' in text or '"chats"' in text or ('"messages"' in text and '"type"' in text) else 0.0


def _sniff_skype(h: Head) -> float:
    if h.is_dir and "messages.json" in h.names:
        return 0.93
    text = _json(h)
    return 0.95 if '"conversations"' in text and any(k in text for k in ('"MessageList"', '"exportDate"',
                                                                        '"userId"')) else 0.0


def _sniff_ufdr(h: Head) -> float:
    if h.suffix() == ".ufdr":
        return 1.0
    if "report.xml" in h.names:
        return 0.92 if h.is_dir else 0.97
    return 0.6 if h.suffix() == ".xml" else 0.0


def _sniff_whatsapp(h: Head) -> float:
    if h.is_dir:
        return 0.91 if "_chat.txt" in h.names else 0.0
    if h.suffix() == ".zip":
        return 0.8 if _inside(h, "*.txt") else 0.0
    if _WHATSAPP_LINE.match(h.first) and h.suffix() != ".csv":
        return 0.9  # its own line format, whatever the file is called
    return 0.5 if h.suffix() == ".txt" and not _json(h) else 0.0


def _whatsapp_opener(path: Path) -> tuple[Callable[[], Iterator[str]], str]:
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as archive:
            texts = [n for n in archive.namelist() if n.endswith(".txt")]
        member = next((n for n in texts if n.rsplit("/", 1)[-1] == "_chat.txt"), texts[0])

        def lines() -> Iterator[str]:
            with zipfile.ZipFile(path) as archive, archive.open(member) as raw:
                yield from io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")

        return lines, path.stem

    def plain() -> Iterator[str]:
        with path.open(encoding="utf-8-sig", errors="replace", newline="") as f:
            yield from f

    return plain, path.stem


def _vcards(path: Path) -> list[tuple[str, str]]:
    """The contact cards (.vcf) beside a WhatsApp chat: in its zip, or in its folder."""
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as archive:
            return [(n, archive.read(n).decode("utf-8", "replace")) for n in archive.namelist()
                    if n.lower().endswith(".vcf")]
    return [(p.name, p.read_text(encoding="utf-8", errors="replace")) for p in sorted(path.parent.glob("*.vcf"))]


def _whatsapp(path: Path, options: dict[str, Any]) -> Iterator[Event]:
    from winnow.chats import vcard, whatsapp

    if path.is_dir():
        path = next(path.rglob("_chat.txt"))
    opener, name = _whatsapp_opener(path)
    return chain(whatsapp.parse(opener, name, options.get("dayfirst"), options.get("tz")),
                 vcard.events(_vcards(path)))


def _telegram(path: Path, options: dict[str, Any]) -> Iterator[Event]:
    from winnow.chats import telegram

    return telegram.parse(next(path.rglob("result.json")) if path.is_dir() else path)


def _skype(path: Path, options: dict[str, Any]) -> Iterator[Event]:
    from winnow.chats import skype

    return skype.parse(next(path.rglob("messages.json")) if path.is_dir() else path)


def _facebook(path: Path, options: dict[str, Any]) -> Iterator[Event]:
    from winnow.chats import facebook

    return facebook.parse(path)


def _ufdr(path: Path, options: dict[str, Any]) -> Iterator[Event]:
    from winnow.chats import ufdr

    return ufdr.parse(next(path.rglob("report.xml")) if path.is_dir() else path)


def _csv(path: Path, options: dict[str, Any]) -> Iterator[Event]:
    from winnow.chats import csvchat

    if not options.get("mapping"):
        raise ValueError("a CSV chat export needs --mapping FILE.yaml (columns: thread, sender, time, text)")
    return csvchat.parse(path, csvchat.load_mapping(Path(options["mapping"])))


REGISTRY: tuple[ChatFormat, ...] = (
    ChatFormat("whatsapp", "WhatsApp 'Export chat' text (Android or iOS), alone, zipped or in a folder",
               _sniff_whatsapp, _whatsapp, frozenset({"dayfirst", "tz"})),
    ChatFormat("telegram", "Telegram Desktop result.json", _sniff_telegram, _telegram),
    ChatFormat("skype", "Skype messages.json export", _sniff_skype, _skype),
    ChatFormat("facebook", "Facebook / Instagram message_N.json", _sniff_facebook, _facebook),
    ChatFormat("ufdr", "Cellebrite UFDR (report.xml, .ufdr)", _sniff_ufdr, _ufdr),
    ChatFormat("csv", "any CSV with --mapping FILE.yaml", lambda h: 0.3 if h.suffix() == ".csv" else 0.0, _csv,
               frozenset({"mapping"})),
)
FORMATS: dict[str, ChatFormat] = {f.name: f for f in REGISTRY}
