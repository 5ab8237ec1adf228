"""Facebook Messenger and Instagram exports (`message_1.json`, `message_2.json`, ... per thread folder): files
hold the newest messages first, across files too (message_1 is the newest), so a thread is read in reverse;
the exports write UTF-8 bytes as latin-1 code points (mojibake), repaired here with the raw kept. Times are
`timestamp_ms` (UTC)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from winnow.chats.model import Event, Message, Problem, Thread, clean, from_unix


def fix(text: str) -> str:
    """Repair the exports' mojibake (UTF-8 bytes read as latin-1); text that is not mojibake is left alone."""
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def _number(path: Path) -> int:
    match = re.search(r"message_(\d+)\.json$", path.name)
    return int(match.group(1)) if match else 0


def thread_files(folder: Path) -> dict[Path, list[Path]]:
    """Thread folders and their message_N.json files (newest first, as exported)."""
    found: dict[Path, list[Path]] = {}
    for file in sorted(folder.rglob("message_*.json")):
        found.setdefault(file.parent, []).append(file)
    return {k: sorted(v, key=_number) for k, v in found.items()}


def parse_thread(files: list[Path], root: Path) -> Iterator[Event]:
    header: dict[str, Any] = {}
    loaded = []
    for file in files:
        try:
            data = json.loads(file.read_bytes())
        except (ValueError, OSError) as exc:
            yield Problem(str(file.relative_to(root)), f"unreadable JSON ({exc}); file skipped")
            continue
        header = header or data
        loaded.append((file, data.get("messages") or []))
    if not loaded:
        return
    app = "instagram" if "instagram" in str(files[0]).lower() or any(
        "instagram" in str(p.get("uri", "")) for _, msgs in loaded for m in msgs for p in m.get("photos", []) or []) \
        else "facebook"
    key = f"{app}:{files[0].parent.name}"
    participants = [fix(str(p.get("name", ""))) for p in header.get("participants", []) or []]
    yield Thread(key, fix(str(header.get("title") or files[0].parent.name)), app, participants=participants,
                 kind="group" if len(participants) > 2 else "chat")
    seq = 0
    for file, messages in reversed(loaded):  # oldest file last in the export: read it first
        for index in range(len(messages) - 1, -1, -1):
            item = messages[index]
            position = f"{file.relative_to(root)} messages[{index}]"
            raw_text = str(item.get("content") or "")
            text = fix(raw_text)
            attachments = [str(x.get("uri")) for k in ("photos", "videos", "audio_files", "files", "gifs")
                           for x in item.get(k) or [] if isinstance(x, dict) and x.get("uri")]
            kind = "media" if attachments and not text else "message"
            if item.get("type") == "Call" or "call_duration" in item:
                kind = "call"
                text = f"{text} (call, {item.get('call_duration', 0)} s)".strip()
            share = item.get("share") or {}
            if isinstance(share, dict) and share.get("link"):
                text = f"{text} {share['link']}".strip()
            moment = None
            if item.get("timestamp_ms") is not None:
                moment = from_unix(int(item["timestamp_ms"]) / 1000)
            else:
                yield Problem(position, "no timestamp_ms; message kept without time")
            sender = fix(str(item.get("sender_name") or "")) or None
            yield Message(key, seq, sender, moment, str(item.get("timestamp_ms", "")), "unix time (timestamp_ms)",
                          clean(text), raw_text, position, json.dumps(item, ensure_ascii=False), kind=kind,
                          attachments=attachments, deleted=bool(item.get("is_unsent")))
            seq += 1


def parse(folder: Path) -> Iterator[Event]:
    root = folder if folder.is_dir() else folder.parent
    groups = thread_files(root) if folder.is_dir() else \
        {folder.parent: sorted(folder.parent.glob("message_*.json"), key=_number)}
    for _, files in groups.items():
        yield from parse_thread(files, root)
