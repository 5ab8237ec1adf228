"""One model for every chat source. A parser is a generator of events — `Thread` (before its messages),
`Message`, and `Problem` (a malformed record with its position: stored as a warning, never dropped silently) — so
huge exports stream with flat memory."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from winnow.problems import Problem

# direction and isolation marks that exports insert around names and attachment lines
INVISIBLE = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
ODD_SPACES = re.compile("[\u202f\u00a0\u2007]")


@dataclass
class Thread:
    key: str  # unique within the source
    title: str
    app: str  # whatsapp, telegram, skype, facebook, instagram, ufdr:<app>, csv
    participants: list[str] = field(default_factory=list)
    kind: str = "chat"  # chat, group, contacts, sessions
    notes: dict[str, str] = field(default_factory=dict)  # how the source was read (date order, zone, ...)


@dataclass
class Message:
    thread_key: str
    seq: int  # order within the thread (0, 1, ...)
    sender: str | None
    time_utc: datetime | None  # naive UTC
    time_original: str  # the time as written in the source
    tz_resolution: str  # how the zone was resolved, e.g. "unix time", "offset in source", "--tz Europe/Paris"
    text: str  # cleaned (invisible marks stripped, HTML unescaped, mojibake repaired)
    text_raw: str  # as in the source
    position: str  # "line 12", "chats[2].messages[40]", ...
    raw: str  # the raw record (lines, JSON or XML)
    kind: str = "message"  # message, call, system, media, contact, session
    attachments: list[str] = field(default_factory=list)
    deleted: bool = False
    # identifiers the source itself marks (Telegram text_entities, UFDR party ids): (kind, text)
    entities: list[tuple[str, str]] = field(default_factory=list)




Event = Thread | Message | Problem


def clean(text: str) -> str:
    """Invisible direction marks removed, odd spaces made plain (the raw text is kept beside it)."""
    return ODD_SPACES.sub(" ", INVISIBLE.sub("", text))


def from_unix(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)


def to_utc(moment: datetime) -> datetime:
    """An aware datetime as naive UTC."""
    return moment.astimezone(UTC).replace(tzinfo=None)
