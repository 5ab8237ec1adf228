"""Telegram Desktop JSON exports (`result.json`): the full export (chats, left chats, contacts, sessions with their
IP addresses) and the single-chat export, streamed with ijson so a huge file keeps memory flat. Times come from
`date_unixtime` (exact UTC) when present, else from `date` (the exporting machine's local time, read as UTC and
said so). Text arrays are flattened; `text_entities` (phone, email, mention, bank_card, link, ...) are kept as
identifiers the source itself marks. Calls (`phone_call` service messages) keep their duration."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from winnow.chats.model import Event, Message, Problem, Thread, clean, from_unix

CHAT_PREFIXES = ("chats.list.item", "left_chats.list.item", "")
ENTITY_KINDS = {"phone": "phone", "email": "email", "mention": "handle", "mention_name": "handle",
                "bank_card": "bank_card", "link": "url", "text_link": "url", "cashtag": "cashtag"}


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(part if isinstance(part, str) else str(part.get("text", "")) for part in value)
    return ""


def _entities(item: dict[str, Any]) -> list[tuple[str, str]]:
    found = []
    parts = item.get("text_entities")
    if parts is None and isinstance(item.get("text"), list):
        parts = [p for p in item["text"] if isinstance(p, dict)]
    for part in parts or []:
        if not isinstance(part, dict):
            continue
        kind = ENTITY_KINDS.get(str(part.get("type")))
        value = part.get("href") if part.get("type") == "text_link" else part.get("text")
        if kind and value:
            found.append((kind, str(value)))
    return found


def _time(item: dict[str, Any]) -> tuple[datetime | None, str, str]:
    original = str(item.get("date", ""))
    if item.get("date_unixtime") not in (None, ""):
        return from_unix(float(item["date_unixtime"])), original, "unix time (date_unixtime)"
    if original:
        return datetime.fromisoformat(original), original, "assumed UTC (no date_unixtime; local time of the export)"
    return None, original, "no time in the record"


def _plain(obj: Any) -> Any:
    """ijson's Decimals as JSON numbers again (for the raw record)."""
    return json.loads(json.dumps(obj, default=float))


def _message(chat_key: str, seq: int, item: dict[str, Any], position: str) -> Message:
    moment, original, resolution = _time(item)
    text = _text(item.get("text"))
    kind = "message"
    sender = item.get("from") or item.get("actor")
    attachments = [str(item[k]) for k in ("photo", "file") if item.get(k)]
    if item.get("type") == "service":
        action = str(item.get("action", "service"))
        kind = "call" if "call" in action else "system"
        detail = f"{action}" + (f", {item['duration_seconds']} s" if item.get("duration_seconds") is not None else "") \
            + (f", {item['discard_reason']}" if item.get("discard_reason") else "")
        text = f"{detail}{': ' + text if text else ''}"
    elif attachments:
        kind = "media" if not text else "message"
    card = item.get("contact_information")
    entities = _entities(item)
    if isinstance(card, dict):  # a shared contact card
        name = " ".join(str(card.get(k, "")) for k in ("first_name", "last_name")).strip()
        phone = str(card.get("phone_number", ""))
        text = f"{text} [contact card: {name} {phone}]".strip()
        kind = "contact"
        if phone:
            entities.append(("phone", phone))
    return Message(chat_key, seq, str(sender) if sender else None, moment, original, resolution, clean(text), text,
                   position, json.dumps(_plain(item), ensure_ascii=False), kind=kind, attachments=attachments,
                   entities=entities)


def _contact(seq: int, item: dict[str, Any], position: str) -> Message:
    name = " ".join(str(item.get(k, "")) for k in ("first_name", "last_name")).strip()
    phone = str(item.get("phone_number", ""))
    moment, original, resolution = _time(item)
    return Message("telegram:contacts", seq, None, moment, original, resolution, f"{name} {phone}".strip(),
                   f"{name} {phone}".strip(), position, json.dumps(_plain(item), ensure_ascii=False), kind="contact",
                   entities=[("phone", phone)] if phone else [])


def _session(seq: int, item: dict[str, Any], position: str) -> Message:
    ip = str(item.get("last_ip") or item.get("ip_address") or "")
    fields = ("application_name", "application_version", "device_model", "platform", "system_version",
              "last_country", "last_region")
    text = f"session ip {ip} " + " ".join(f"{k}={item[k]}" for k in fields if item.get(k))
    original = str(item.get("last_active", ""))
    moment = None
    if item.get("last_active_unixtime"):
        moment = from_unix(float(item["last_active_unixtime"]))
    elif original:
        moment = datetime.fromisoformat(original)
    return Message("telegram:sessions", seq, None, moment, original, "last active, as exported", text.strip(),
                   text.strip(), position, json.dumps(_plain(item), ensure_ascii=False), kind="session",
                   entities=[("ip", ip)] if ip else [])


def parse(path: Path) -> Iterator[Event]:
    import ijson
    from ijson.common import ObjectBuilder

    chat: dict[str, Any] = {}
    chat_count = -1
    announced: set[str] = set()
    counters: dict[str, int] = {}
    builder = None
    target = ""
    with path.open("rb") as f:
        try:
            for prefix, event, value in ijson.parse(f):
                if builder is not None:
                    builder.event(event, value)
                    if prefix == target and event == "end_map":
                        item = builder.value
                        builder = None
                        yield from _finish(item, target, chat, chat_count, announced, counters)
                    continue
                for base in CHAT_PREFIXES:
                    head = f"{base}." if base else ""
                    if event == "start_map" and prefix == base and base:
                        chat, chat_count = {}, chat_count + 1
                    elif prefix in (f"{head}name", f"{head}type", f"{head}id") and event in ("string", "number"):
                        chat[prefix.rsplit(".", 1)[-1]] = value
                    elif prefix == f"{head}messages.item" and event == "start_map":
                        builder, target = ObjectBuilder(), prefix
                        builder.event(event, value)
                if builder is None and event == "start_map" and prefix in ("contacts.list.item",
                                                                          "sessions.list.item"):
                    builder, target = ObjectBuilder(), prefix
                    builder.event(event, value)
        except (ijson.JSONError, ValueError) as exc:
            yield Problem(f"byte ~{f.tell()}", f"broken JSON, reading stopped: {exc}")


def _finish(item: dict[str, Any], target: str, chat: dict[str, Any], chat_count: int, announced: set[str],
            counters: dict[str, int]) -> Iterator[Event]:
    side_lists = {"contacts.list.item": ("contacts", _contact), "sessions.list.item": ("sessions", _session)}
    if target in side_lists:
        name, make = side_lists[target]
        key = f"telegram:{name}"
        if key not in announced:
            announced.add(key)
            yield Thread(key, name.title(), "telegram", kind=name)
        seq = counters[key] = counters.get(key, -1) + 1
        yield make(seq, item, f"{name}.list[{seq}]")
        return
    key = f"telegram:{chat.get('id', chat_count)}"
    if key not in announced:
        announced.add(key)
        kind = "group" if "group" in str(chat.get("type", "")) or "channel" in str(chat.get("type", "")) else "chat"
        yield Thread(key, str(chat.get("name") or chat.get("type") or key), "telegram", kind=kind,
                     notes={"type": str(chat.get("type", ""))})
    seq = counters[key] = counters.get(key, -1) + 1
    where = f"chats[{chat_count}]" if target.startswith("chats") else \
        f"left_chats[{chat_count}]" if target.startswith("left") else "chat"
    try:
        yield _message(key, seq, item, f"{where}.messages[{seq}] (id {item.get('id')})")
    except (ValueError, TypeError, OverflowError) as exc:
        yield Problem(f"{where}.messages[{seq}]", f"unreadable message ({exc}); raw kept")
        yield Message(key, seq, None, None, str(item.get("date", "")), "unreadable", "", "", f"{where}.messages[{seq}]",
                      json.dumps(_plain(item), ensure_ascii=False), kind="system")
