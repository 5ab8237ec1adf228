"""Chats from any CSV through a column mapping (YAML): `columns` names the CSV columns for thread, sender, time,
text and attachment (only time and text are required); `time_format` (strptime) and `time_zone` (the zone the
times are written in; UTC when absent) say how to read times; `delimiter` defaults to a comma."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from winnow.chats.model import Event, Message, Problem, Thread, clean, to_utc

FIELDS = ("thread", "sender", "time", "text", "attachment")


def load_mapping(path: Path) -> dict[str, Any]:
    import yaml

    mapping = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(mapping, dict) or not isinstance(mapping.get("columns"), dict):
        raise ValueError(f"{path}: a chat mapping needs a 'columns' section naming thread, sender, time, text")
    for required in ("time", "text"):
        if not mapping["columns"].get(required):
            raise ValueError(f"{path}: the mapping names no column for {required!r}")
    return mapping


def parse(path: Path, mapping: dict[str, Any]) -> Iterator[Event]:
    columns = mapping["columns"]
    time_format = mapping.get("time_format")
    zone_name = mapping.get("time_zone")
    zone = ZoneInfo(zone_name) if zone_name else None
    resolution = f"zone {zone_name} (mapping)" if zone_name else "UTC (mapping gives no zone)"
    seen: dict[str, int] = {}
    with path.open(newline="", encoding="utf-8-sig", errors="replace") as f:
        reader = csv.DictReader(f, delimiter=mapping.get("delimiter", ","))
        missing = [c for k, c in columns.items() if c and k in FIELDS and c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: the mapping names columns the file lacks: {', '.join(missing)}")
        for raw in reader:
            position = f"line {reader.line_num}"
            values = {k: (raw.get(columns[k]) or "").strip() if columns.get(k) else "" for k in FIELDS}
            thread = values["thread"] or path.stem
            key = f"csv:{thread}"
            if key not in seen:
                seen[key] = 0
                yield Thread(key, thread, str(mapping.get("app", "csv")))
            moment = None
            try:
                local = datetime.strptime(values["time"], time_format) if time_format else \
                    datetime.fromisoformat(values["time"])
                moment = to_utc(local.replace(tzinfo=zone)) if zone and local.tzinfo is None else \
                    to_utc(local) if local.tzinfo else local
            except ValueError:
                yield Problem(position, f"impossible time {values['time']!r}; message kept without time")
            yield Message(key, seen[key], values["sender"] or None, moment, values["time"], resolution,
                          clean(values["text"]), values["text"], position, ",".join(raw.get(c) or "" for c in raw),
                          kind="media" if values["attachment"] and not values["text"] else "message",
                          attachments=[values["attachment"]] if values["attachment"] else [])
            seen[key] += 1
