"""Skype exports (`messages.json`): conversations with their MessageList; content is HTML-escaped (unescaped,
tags removed, the raw kept); call events (`Event/Call`, a `partlist` with durations) become call messages. Times
are `originalarrivaltime` (UTC, ISO 8601 with Z). The file is streamed one conversation at a time."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from winnow.chats.model import Event, Message, Problem, Thread, clean, to_utc

TAG = re.compile(r"<[^>]+>")


def _call(content: str) -> str:
    kind = re.search(r'<partlist[^>]*type="(\w+)"', content)
    durations = re.findall(r"<duration>(\d+)</duration>", content)
    names = re.findall(r"<name>([^<]*)</name>", content)
    text = f"call {kind.group(1) if kind else 'event'}"
    if durations:
        text += f", {max(int(d) for d in durations)} s"
    if names:
        text += f" ({', '.join(html.unescape(n) for n in names)})"
    return text


def _text(content: str) -> str:
    text = re.sub(r"<(?:br|p|/p)\s*/?>", "\n", content)
    return html.unescape(TAG.sub("", text))


def parse(path: Path) -> Iterator[Event]:
    import ijson

    with path.open("rb") as f:
        try:
            for index, conversation in enumerate(ijson.items(f, "conversations.item")):
                key = f"skype:{conversation.get('id', index)}"
                yield Thread(key, str(conversation.get("displayName") or conversation.get("id") or key), "skype",
                             kind="group" if str(conversation.get("id", "")).startswith("19:") else "chat")
                items = conversation.get("MessageList") or []
                # exports list messages newest first; keep the conversation's order by time
                items = sorted(items, key=lambda m: str(m.get("originalarrivaltime", "")))
                for seq, item in enumerate(items):
                    position = f"conversations[{index}].MessageList (id {item.get('id')})"
                    raw = json.dumps(item, ensure_ascii=False, default=float)
                    content = str(item.get("content") or "")
                    kind = "message"
                    mtype = str(item.get("messagetype", ""))
                    if mtype.startswith("Event/Call"):
                        text, kind = _call(content), "call"
                    elif mtype.startswith(("RichText/Media", "RichText/UriObject")):
                        text, kind = _text(content), "media"
                    elif mtype.startswith("ThreadActivity"):
                        text, kind = _text(content), "system"
                    else:
                        text = _text(content)
                    original = str(item.get("originalarrivaltime", ""))
                    moment = None
                    try:
                        moment = to_utc(datetime.fromisoformat(original.replace("Z", "+00:00")))
                    except ValueError:
                        yield Problem(position, f"impossible time {original!r}; message kept without time")
                    sender = item.get("displayName") or item.get("from")
                    yield Message(key, seq, str(sender) if sender else None, moment, original, "UTC in source",
                                  clean(text), content, position, raw, kind=kind)
        except (ijson.JSONError, ValueError) as exc:
            yield Problem(f"byte ~{f.tell()}", f"broken JSON, reading stopped: {exc}")
