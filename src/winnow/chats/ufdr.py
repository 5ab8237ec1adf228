"""Cellebrite UFDR reports: `report.xml` (or the `.ufdr` zip holding it), streamed. Each `Chat` model becomes a
thread (its Source application, participants as `Party` models with identifiers), each `InstantMessage` a message
(TimeStamp with its offset, Body, From party, Attachments, deleted_state); the chat's source node information
(source_index, extractionId, decoding confidence) is kept in the thread notes and every raw record as XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from winnow.chats.model import Event, Message, Problem, Thread, clean, to_utc

NAMESPACE = "http://pa.cellebrite.com/report/2.0"
ET.register_namespace("", NAMESPACE)  # raw records serialised as in the report, without ns0: prefixes


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: ET.Element, tag: str, name: str | None = None) -> list[ET.Element]:
    return [c for c in element if _local(c.tag) == tag and (name is None or c.get("name") == name)]


def _field(model: ET.Element, name: str) -> str:
    for field in _children(model, "field", name):
        for value in field:
            if _local(value.tag) == "value" and value.text:
                return value.text.strip()
    return ""


def _party(model: ET.Element | None) -> tuple[str, str]:
    if model is None:
        return "", ""
    return _field(model, "Identifier"), _field(model, "Name")


def _models(element: ET.Element, container: str, name: str) -> list[ET.Element]:
    out: list[ET.Element] = []
    for holder in _children(element, container, name):
        out.extend(m for m in holder if _local(m.tag) == "model")
    return out


def _open(path: Path) -> tuple[IO[bytes], Any]:
    if zipfile.is_zipfile(path):
        archive = zipfile.ZipFile(path)
        member = next((n for n in archive.namelist() if n.rsplit("/", 1)[-1] == "report.xml"), None)
        if member is None:
            archive.close()
            raise ValueError(f"{path} holds no report.xml")
        return archive.open(member), archive
    return path.open("rb"), None


def parse(path: Path) -> Iterator[Event]:
    handle, archive = _open(path)
    chats = 0
    try:
        for _, element in ET.iterparse(handle, events=("end",)):
            if _local(element.tag) != "model" or element.get("type") != "Chat":
                continue
            yield from _chat(element, chats)
            chats += 1
            element.clear()
    except ET.ParseError as exc:
        yield Problem(f"line {exc.position[0]}, column {exc.position[1]}", f"broken XML, reading stopped: {exc}")
    finally:
        handle.close()
        if archive is not None:
            archive.close()


def _chat(chat: ET.Element, index: int) -> Iterator[Event]:
    app = _field(chat, "Source") or "unknown"
    key = f"ufdr:{chat.get('id') or index}"
    participants = []
    entities = []
    for party in _models(chat, "multiModelField", "Participants"):
        identifier, name = _party(party)
        participants.append(f"{name} ({identifier})" if name and identifier else name or identifier)
        if identifier:
            entities.append(("account", identifier))
    notes = {k: str(chat.get(k)) for k in ("source_index", "extractionId", "decoding_confidence", "deleted_state")
             if chat.get(k) is not None}
    yield Thread(key, _field(chat, "Name") or _field(chat, "Id") or key, f"ufdr:{app.lower()}", participants,
                 kind="group" if len(participants) > 2 else "chat", notes=notes)
    messages = _models(chat, "multiModelField", "Messages")
    stamped = []
    for position, message in enumerate(messages):
        original = _field(message, "TimeStamp")
        moment = None
        problem = None
        if original:
            try:
                parsed = datetime.fromisoformat(original.replace("Z", "+00:00"))
                moment = to_utc(parsed) if parsed.tzinfo else parsed
            except ValueError:
                problem = f"impossible TimeStamp {original!r}; message kept without time"
        stamped.append((moment or datetime.max, position, message, moment, original, problem))
    stamped.sort(key=lambda s: (s[0], s[1]))
    for seq, (_, position, message, moment, original, problem) in enumerate(stamped):
        where = f"Chat {chat.get('id')} InstantMessage {message.get('id') or position}"
        if problem:
            yield Problem(where, problem)
        from_model = next(iter(_models(message, "modelField", "From")), None)
        identifier, name = _party(from_model)
        body = _field(message, "Body")
        attachments = [_field(a, "Filename") or _field(a, "URL") for a in _models(message, "multiModelField",
                                                                                   "Attachments")]
        attachments = [a for a in attachments if a]
        sender = f"{name} ({identifier})" if name and identifier else name or identifier or None
        yield Message(key, seq, sender, moment, original, "offset in source" if original and
                      ("+" in original[10:] or original.endswith("Z") or "-" in original[19:]) else
                      "assumed UTC (no offset)", clean(body), body, where,
                      ET.tostring(message, encoding="unicode")[:20000],
                      kind="media" if attachments and not body else "message", attachments=attachments,
                      deleted=(message.get("deleted_state") or "").lower() == "deleted",
                      entities=([("account", identifier)] if identifier else []) + (entities if seq == 0 else []))
