"""`winnow chats import FILE|FOLDER --case PATH`: detect the export's format, parse it into the one chat model,
scan every message (and sender name) for identifiers, and store threads, messages, problems, identifiers and
sightings in the case store. Idempotent: a source with the same SHA-256 (a folder: the hash of its files' hashes)
is imported once. Nothing is dropped silently: a malformed record is a stored problem with its position, and the
message is kept with what could be read."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from winnow.chats.formats import FORMATS, HEAD_BYTES, REGISTRY, ChatFormat
from winnow.chats.model import Event, Message, Thread
from winnow.hashes import file_sha256
from winnow.identifiers.extract import Found, extract, from_entity
from winnow.problems import SHOWN, Problem
from winnow.sniffing import Head, best
from winnow.store import chats as chat_store
from winnow.store.case import Case
from winnow.store.db import Connection, write
from winnow.store.identifiers import intern

BATCH = 20_000


@dataclass
class ChatImport:
    source: str
    format: str
    sha256: str
    threads: int = 0
    messages: int = 0
    identifiers: int = 0
    sightings: int = 0
    problems: int = 0
    already_imported: bool = False
    first_problems: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__ | {"first_problems": [p.as_dict() for p in self.first_problems]}


def detect(path: Path, registry: tuple[ChatFormat, ...] | None = None) -> str:
    """The registered chat format most confident about the file (its head, name and, for a ZIP or a folder,
    the names inside)."""
    registry = registry or REGISTRY
    found = best(Head.read(path, HEAD_BYTES), registry)
    if found is None:
        raise ValueError(f"{path}: no known chat export (WhatsApp .txt or .zip, Telegram result.json, Skype "
                         "messages.json, Facebook/Instagram message_N.json, UFDR report.xml or .ufdr, CSV with "
                         f"--mapping); give --format ({', '.join(f.name for f in registry)})")
    return found


def source_sha256(path: Path) -> str:
    if path.is_file():
        return file_sha256(path)
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(f"{file.relative_to(path).as_posix()}\0{file_sha256(file)}\n".encode())
    return digest.hexdigest()


def events(path: Path, fmt: str, options: dict[str, Any]) -> Iterator[Event]:
    if fmt not in FORMATS:
        raise ValueError(f"unknown chat format {fmt!r} ({', '.join(FORMATS)})")
    return FORMATS[fmt].read(path, options)


class _Writer:
    """Batched inserts of messages and sightings; identifiers interned through a dictionary."""

    def __init__(self, conn: Connection, source_id: int, regions: tuple[str, ...]) -> None:
        self.conn = conn
        self.source_id = source_id
        self.regions = regions
        self.threads: dict[str, int] = {}
        self.ids: dict[tuple[str, str], int] = {}
        self.messages: list[tuple[Any, ...]] = []
        self.sightings: list[tuple[Any, ...]] = []
        self.next_message = chat_store.next_message_id(conn)
        self.message_count = 0
        self.sighting_count = 0

    def thread(self, thread: Thread) -> None:
        values = (thread.title, thread.app, thread.kind, json.dumps(thread.participants, ensure_ascii=False),
                  json.dumps(thread.notes, ensure_ascii=False))
        if thread.key in self.threads:
            chat_store.update_thread(self.conn, self.threads[thread.key], values)
            return
        self.threads[thread.key] = chat_store.add_thread(self.conn, self.source_id, thread.key, values)

    def message(self, m: Message) -> None:
        if m.thread_key not in self.threads:
            self.thread(Thread(m.thread_key, m.thread_key, "unknown"))
        mid = self.next_message
        self.next_message += 1
        time = m.time_utc.isoformat(sep=" ") if m.time_utc else None
        self.messages.append((mid, self.threads[m.thread_key], m.seq, m.sender, time, m.time_original,
                              m.tz_resolution, m.kind, m.text, m.text_raw,
                              json.dumps(m.attachments, ensure_ascii=False) if m.attachments else "[]",
                              int(m.deleted), m.position, m.raw))
        found: list[tuple[Found, str]] = [(f, m.text) for f in extract(m.text, self.regions)]
        if m.sender:
            found += [(f, m.sender) for f in extract(m.sender, self.regions) if f.kind in ("phone", "email", "handle")]
        for kind, text in m.entities:
            entity = from_entity(kind, text, self.regions)
            if entity:
                found.append((entity, text))
        seen = set()
        for item, text in found:
            key = (item.kind, item.value, item.raw)
            if key in seen:
                continue
            seen.add(key)
            context = text[max(0, item.start - 40):item.end + 40] if text is m.text else text[:120]
            self.sightings.append((intern(self.conn, item.kind, item.value, self.ids), "chat", str(mid), item.raw,
                                   item.confidence, item.note, time, context))
        if len(self.messages) >= BATCH:
            self.flush()

    def flush(self) -> None:
        self.sighting_count += chat_store.add_messages(self.conn, self.messages, self.sightings)
        self.message_count += len(self.messages)
        self.messages, self.sightings = [], []


def import_chats(case: Case, path: Path, fmt: str | None = None, *, dayfirst: str | None = None,
                 tz: str | None = None, regions: tuple[str, ...] = (), mapping: Path | None = None) -> ChatImport:
    path = Path(path)
    if not path.exists():
        raise ValueError(f"{path} does not exist")
    if tz:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {tz!r} (use an IANA name such as Europe/Paris)") from exc
    try:
        fmt = fmt or detect(path)
        sha = source_sha256(path)
    except (OSError, zipfile.BadZipFile, UnicodeError) as exc:
        raise ValueError(f"{path}: cannot read it ({type(exc).__name__}: {exc}); nothing was imported") from exc
    result = ChatImport(str(path.absolute()), fmt, sha)
    options = {"dayfirst": dayfirst, "tz": tz, "regions": list(regions), "mapping": str(mapping) if mapping else None}
    conn = case.connect()
    try:
        if chat_store.source_imported(conn, sha):
            result.already_imported = True
            return result
        stream = events(path, fmt, options)
        with write(conn):
            source_id = chat_store.add_source(conn, sha, result.source, fmt, options)
            writer = _Writer(conn, source_id, tuple(r.upper() for r in regions))
            problems = []
            try:
                for event in stream:
                    if isinstance(event, Message):
                        writer.message(event)
                    elif isinstance(event, Thread):
                        writer.thread(event)
                    elif isinstance(event, Problem):
                        problems.append((source_id, event.position, event.message))
            except (OSError, zipfile.BadZipFile, UnicodeError, KeyError, TypeError, AttributeError) as exc:
                # a reader met a shape it does not know: nothing of this source is stored, and the user is told
                raise ValueError(f"{path}: cannot read this {fmt} export ({type(exc).__name__}: {exc}); "
                                 "nothing was imported") from exc
            writer.flush()
            chat_store.finish_source(conn, source_id, problems, len(writer.threads), writer.message_count)
            result.threads = len(writer.threads)
            result.messages = writer.message_count
            result.sightings = writer.sighting_count
            result.identifiers = len(writer.ids)
            result.problems = len(problems)
            result.first_problems = [Problem(p, m) for _, p, m in problems[:SHOWN]]
    finally:
        conn.close()
    return result
