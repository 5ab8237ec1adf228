"""WhatsApp "Export chat" text, Android (`31/12/2021, 23:59 - Name: text`) and iOS (`[31/12/2021, 23:59:59] Name:
text`) forms, 12/24-hour clocks and locale variants (`.`/`-` date separators, `a. m.`), continuation lines,
attachment lines (`<attached: ...>`, `... (file attached)`) and omitted media, plain or zipped (`_chat.txt`).

Day/month order is inferred when the data decides it (a first number above 12 means day-first; a second above 12,
month-first); otherwise it comes from the caller (`--dayfirst`/`--monthfirst`) or is assumed day-first, and the
choice and its reason are recorded. Exports carry no time zone: times are read in the zone given (`--tz`) or
assumed UTC, and each message says which."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

from winnow.chats.model import Event, Message, Problem, Thread, clean, to_utc

HEADER = re.compile(
    r"^\[?(?P<date>\d{1,4}[./-]\d{1,2}[./-]\d{1,4})\.?,? (?P<time>\d{1,2}[:.]\d{2}(?:[:.]\d{2})?"
    r"(?: ?(?P<ampm>[AaPp])\.? ?[Mm]\.?)?)(?:\] | [-–] )(?P<rest>.*)$")
ATTACHED = re.compile(r"^<attached: (?P<file>[^>]+)>$|^(?P<file2>\S+\.\w{2,5}) \(file attached\)", re.IGNORECASE)
OMITTED = re.compile(r"^(?:<Media omitted>|<M[ée]dias? omis>|(?:image|video|audio|sticker|GIF|document|Contact card)"
                     r" omitted|<Media tidak disertakan>)$", re.IGNORECASE)
NAME_SEP = ": "


@functools.lru_cache(maxsize=4096)  # exports repeat each day's date many times
def _parts(date: str) -> tuple[int, int, int]:
    a, b, c = (int(x) for x in re.split(r"[./-]", date))
    return a, b, c


def decide_order(dates: Iterable[str], preference: str | None) -> tuple[str, str]:
    """('ymd' | 'dmy' | 'mdy', reason) from every date string of the export."""
    first_big = second_big = False
    year_first = False
    for date in dates:
        a, b, _ = _parts(date)
        if a > 31:
            year_first = True
        elif a > 12:
            first_big = True
        elif b > 12:
            second_big = True
    if year_first:
        return "ymd", "year first in the export"
    if first_big and not second_big:
        return "dmy", "inferred: a first number above 12"
    if second_big and not first_big:
        return "mdy", "inferred: a second number above 12"
    wanted = {"dayfirst": "dmy", "monthfirst": "mdy"}.get(preference or "")
    if first_big and second_big:
        chosen = wanted or "dmy"
        return chosen, f"inconsistent dates in the export; {'given' if wanted else 'assumed'} {chosen}"
    if wanted:
        return wanted, f"given ({preference}): no date decides"
    return "dmy", "assumed day-first: no date decides (use --monthfirst if wrong)"


def _moment(date: str, time: str, ampm: str | None, order: str) -> datetime:
    a, b, c = _parts(date)
    year, month, day = (a, b, c) if order == "ymd" else (c, b, a) if order == "dmy" else (c, a, b)
    if year < 100:
        year += 2000
    pieces = [int(x) for x in re.split(r"[:.]", time.split(" ")[0].rstrip("AaPpMm. "))[:3]]
    hour, minute, second = (pieces + [0])[:3]
    if ampm:
        if not 1 <= hour <= 12:
            raise ValueError(f"hour {hour} with AM/PM")
        hour = hour % 12 + (12 if ampm.lower() == "p" else 0)
    return datetime(year, month, day, hour, minute, second)


def parse(open_lines: Callable[[], Iterator[str]], name: str, dayfirst: str | None = None,
          tz: str | None = None) -> Iterator[Event]:
    """Events of one export; `open_lines` opens the text afresh (it is read twice: dates, then messages)."""
    dates = []
    for line in open_lines():
        match = HEADER.match(clean(line.rstrip("\r\n")))
        if match:
            dates.append(match["date"])
    order, reason = decide_order(dates, dayfirst)
    zone = ZoneInfo(tz) if tz else None
    resolution = f"zone {tz} (--tz)" if tz else "assumed UTC (the export has no zone; give --tz)"
    title = re.sub(r"^WhatsApp Chat (?:with|-) |\.txt$|\.zip$", "", name).strip() or name
    thread = Thread(key="whatsapp", title=title, app="whatsapp", kind="chat",
                    notes={"date_order": order, "date_order_reason": reason, "time_zone": resolution})
    yield thread
    if "assumed" in reason or "inconsistent" in reason:
        yield Problem("export", f"date order {order}: {reason}")
    senders: dict[str, None] = {}
    current: Message | None = None
    seq = 0
    for number, line in enumerate(open_lines(), 1):
        raw_line = line.rstrip("\r\n")
        text_line = clean(raw_line)
        match = HEADER.match(text_line)
        if not match:
            if current is None:
                if text_line.strip():
                    yield Problem(f"line {number}", "text before the first message (kept as a system message)")
                    yield Message(thread.key, seq, None, None, "", resolution, text_line, raw_line,
                                  f"line {number}", raw_line, kind="system")
                    seq += 1
                continue
            current.text += "\n" + text_line
            current.text_raw += "\n" + raw_line
            current.raw += "\n" + raw_line
            continue
        if current is not None:
            yield current
        rest = match["rest"]
        sender, sep, body = rest.partition(NAME_SEP)
        kind = "message"
        if not sep:
            sender, body, kind = "", rest, "system"
        raw_body = raw_line[raw_line.find(body) if body and body in raw_line else len(raw_line):]
        attachments = []
        attached = ATTACHED.match(body.strip())
        if attached:
            attachments.append(attached["file"] or attached["file2"])
            kind = "media"
        elif OMITTED.match(body.strip()):
            attachments.append("(omitted)")
            kind = "media"
        moment = None
        try:
            local = _moment(match["date"], match["time"], match["ampm"], order)
            moment = to_utc(local.replace(tzinfo=zone)) if zone else local
        except ValueError as exc:
            yield Problem(f"line {number}", f"impossible date/time {match['date']} {match['time']}: {exc}")
        if sender:
            senders.setdefault(sender.strip())
        current = Message(thread.key, seq, sender.strip() or None, moment, f"{match['date']} {match['time']}",
                          resolution, body, raw_body, f"line {number}", raw_line, kind=kind, attachments=attachments)
        seq += 1
    if current is not None:
        yield current
    thread.participants = list(senders)
    thread.kind = "group" if len(senders) > 2 else "chat"
    yield thread
