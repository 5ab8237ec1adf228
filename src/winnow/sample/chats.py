"""Benign synthetic chat exports in each real format, for tests and benchmarks: a buyer and a seller arrange an
order, agree a price and a payment channel, and exchange phone numbers, wallet numbers, transfer control numbers,
handles and addresses — the identifiers winnow extracts — among small talk. Every format quirk the parsers handle
is produced on request (12/24-hour clocks, day/month order, continuation lines, attachments, omitted media,
direction marks, mojibake, reverse file order, deleted messages, broken records)."""

from __future__ import annotations

import html
import json
import random
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

SMALL_TALK = ["hello", "how are you", "ok", "good morning", "thanks", "see you later", "are you there?",
              "yes", "no problem", "what time is it there", "sorry, busy today", "ok noted", "haha", "sure",
              "I will check", "wait", "done", "later tonight?", "fine", "talk tomorrow"]


@dataclass
class Line:
    sender: str
    time: datetime  # naive, the chat's local time
    text: str
    attachment: str | None = None
    kind: str = "message"  # message, call, deleted


@dataclass
class Scenario:
    buyer: str
    buyer_phone: str
    seller: str
    seller_phone: str  # E.164
    seller_local: str  # as written in the chat (national form)
    mtcn: str
    amount_eur: int
    order_time: datetime
    lines: list[Line]


def conversation(seed: int = 1, messages: int = 40, start: datetime | None = None) -> Scenario:
    r = random.Random(seed)
    start = start or datetime(2025, 3, 14, 9, 0)
    mobile = f"917{r.randrange(10**7):07d}"
    seller_phone = f"+63{mobile}"
    seller_local = f"0{mobile[:3]} {mobile[3:6]} {mobile[6:]}"
    buyer_phone = f"+336{r.randrange(10**8):08d}"
    mtcn = f"{r.randrange(10**10):010d}"
    amount = r.choice([15, 20, 25, 30, 40, 50])
    buyer, seller = "Sam Buyer", "Rosa Seller"
    key_lines = [
        (buyer, f"hi, is the order still available? my number is {buyer_phone[:3]} {buyer_phone[3:4]} "
                f"{buyer_phone[4:6]} {buyer_phone[6:8]} {buyer_phone[8:10]} {buyer_phone[10:]}"),
        (seller, f"yes. price is {amount} EUR"),
        (seller, f"send by western union or gcash {seller_local}"),
        (buyer, f"sent {amount} eur, MTCN {mtcn[:3]}-{mtcn[3:6]}-{mtcn[6:]}"),
        (seller, "received, thanks. add me on telegram https://t.me/rosa_seller_ph"),
    ]
    lines: list[Line] = []
    moment = start
    key_at = sorted(r.sample(range(2, max(3, messages - 1)), min(len(key_lines), max(1, messages - 3))))
    k = 0
    for i in range(messages):
        moment += timedelta(minutes=r.randint(1, 180))
        if k < len(key_lines) and i == key_at[k]:
            sender, text = key_lines[k]
            k += 1
            lines.append(Line(sender, moment, text))
            continue
        sender = buyer if r.random() < 0.5 else seller
        roll = r.random()
        if roll < 0.06:
            lines.append(Line(sender, moment, "", attachment=f"IMG-{moment:%Y%m%d}-WA{i:04d}.jpg"))
        elif roll < 0.09:
            lines.append(Line(sender, moment, f"{r.choice(SMALL_TALK)}\nand also\n{r.choice(SMALL_TALK)}"))
        elif roll < 0.11:
            lines.append(Line(sender, moment, "", kind="call"))
        else:
            lines.append(Line(sender, moment, r.choice(SMALL_TALK)))
    order_time = next(line.time for line in lines if "order" in line.text)
    return Scenario(buyer, buyer_phone, seller, seller_phone, seller_local, mtcn, amount, order_time, lines)


def _wa_time(moment: datetime, style: str, order: str, sep: str) -> str:
    day, month, year = f"{moment.day:02d}", f"{moment.month:02d}", f"{moment.year % 100:02d}"
    date = sep.join((day, month, year) if order == "dmy" else (month, day, year))
    if style.endswith("12"):
        clock = moment.strftime("%I:%M").lstrip("0") + ("\u202fPM" if moment.hour >= 12 else "\u202fAM")
        if style.startswith("ios"):
            clock = moment.strftime("%I:%M:%S").lstrip("0") + (" PM" if moment.hour >= 12 else " AM")
    else:
        clock = moment.strftime("%H:%M:%S" if style.startswith("ios") else "%H:%M")
    return f"[{date}, {clock}]" if style.startswith("ios") else f"{date}, {clock} -"


def whatsapp(scenario: Scenario, out: Path, style: str = "android24", order: str = "dmy", sep: str = "/",
             zipped: bool = False, broken_line: bool = False) -> Path:
    """An "Export chat" text (android24, android12, ios24, ios12), optionally zipped as `_chat.txt`."""
    rows = [f"{_wa_time(scenario.lines[0].time, style, order, sep)} "
            "Messages and calls are end-to-end encrypted. No one outside of this chat can read them."]
    for line in scenario.lines:
        stamp = _wa_time(line.time, style, order, sep)
        if line.kind == "call":
            body = "\u200eMissed voice call" if style.startswith("ios") else "Missed voice call"
        elif line.attachment:
            body = (f"\u200e<attached: {line.attachment}>" if style.startswith("ios")
                    else f"{line.attachment} (file attached)")
        else:
            body = line.text
        rows.append(f"{stamp} {line.sender}: {body}")
    if broken_line:
        rows.insert(5, "31/02/25, 10:00 - Rosa Seller: a message on a day that does not exist")
    text = "\n".join(rows) + "\n"
    out.parent.mkdir(parents=True, exist_ok=True)
    if zipped:
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("_chat.txt", text)
            archive.writestr("IMG-20250314-WA0001.jpg", b"not really a photo")
            archive.writestr("Rosa Seller.vcf", "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Rosa Seller\r\n"
                             f"TEL;type=CELL;waid={scenario.seller_phone[1:]}:{scenario.seller_phone}\r\n"
                             "EMAIL:rosa.seller@example.org\r\nEND:VCARD\r\n")
        return out
    out.write_text(text, encoding="utf-8")
    return out


def _unix(moment: datetime, offset_hours: int = 1) -> int:
    """The chat's local time (UTC+offset) as unix seconds."""
    return int((moment - timedelta(hours=offset_hours)).replace(tzinfo=UTC).timestamp())


def telegram(scenario: Scenario, out: Path, full: bool = True) -> Path:
    """A Telegram Desktop `result.json`: the full export (chats, contacts, sessions) or a single chat."""
    messages = []
    for i, line in enumerate(scenario.lines):
        item: dict[str, object] = {"id": i + 1, "type": "message", "date": line.time.isoformat(),
                                   "date_unixtime": str(_unix(line.time)), "from": line.sender,
                                   "from_id": f"user{abs(hash(line.sender)) % 10**9}"}
        if line.kind == "call":
            item.update(type="service", actor=line.sender, action="phone_call", duration_seconds=300,
                        discard_reason="hangup")
            item["text"] = ""
        elif line.attachment:
            item.update(photo=f"photos/{line.attachment}", text="")
        elif "t.me" in line.text:
            head, _, link = line.text.partition("https://")
            item["text"] = [head, {"type": "link", "text": "https://" + link}]
        else:
            item["text"] = line.text
        if i == 5 and line.kind == "message" and not line.attachment:
            item["contact_information"] = {"first_name": "Maria", "last_name": "Helper",
                                           "phone_number": "+639181112222"}
        text = item.get("text")
        item["text_entities"] = ([{"type": "plain", "text": p} if isinstance(p, str) else p for p in text]
                                 if isinstance(text, list) else [{"type": "plain", "text": text}] if text else [])
        if scenario.seller_local in line.text:
            item["text_entities"] = [{"type": "plain", "text": line.text.split(scenario.seller_local)[0]},
                                     {"type": "phone", "text": scenario.seller_local}]
        messages.append(item)
    chat = {"name": scenario.seller, "type": "personal_chat", "id": 4242, "messages": messages}
    document: dict[str, object] = chat
    if full:
        document = {"about": "Telegram export", "chats": {"about": "", "list": [
            chat, {"name": "Saved Messages", "type": "saved_messages", "id": 1, "messages": []}]},
            "contacts": {"about": "", "list": [{"first_name": "Rosa", "last_name": "Seller",
                                                "phone_number": scenario.seller_phone, "date": "2025-03-01T10:00:00",
                                                "date_unixtime": "1740823200"}]},
            "sessions": {"about": "", "list": [{"last_active": "2025-03-20T21:00:00", "last_ip": "203.0.113.7",
                                                "last_country": "France", "application_name": "Telegram Desktop",
                                                "device_model": "Desktop", "platform": "Linux"}]}}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return out


def skype(scenario: Scenario, out: Path) -> Path:
    items = []
    for i, line in enumerate(scenario.lines):
        when = (line.time - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        item = {"id": str(1000 + i), "displayName": line.sender, "originalarrivaltime": when,
                "messagetype": "RichText", "from": "8:live:" + line.sender.split()[0].lower(),
                "content": html.escape(line.text).replace("\n", "<br/>")}
        if line.kind == "call":
            item.update(messagetype="Event/Call", content='<partlist type="ended" alt=""><part identity="rosa">'
                                                          "<name>Rosa Seller</name><duration>312</duration></part>"
                                                          "</partlist>")
        elif line.attachment:
            item.update(messagetype="RichText/UriObject", content=f'<URIObject type="Picture.1">'
                                                                  f"{line.attachment}</URIObject>")
        items.append(item)
    items.reverse()  # exports list the newest first
    document = {"userId": "8:live:sam", "exportDate": "2025-04-01T10:00:00Z", "conversations": [
        {"id": "8:live:rosa", "displayName": scenario.seller, "MessageList": items}]}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return out


def _mojibake(text: str) -> str:
    return text.encode("utf-8").decode("latin-1")


def facebook(scenario: Scenario, folder: Path, per_file: int = 15, unsent: bool = True) -> Path:
    """A Messenger thread folder: message_1.json (newest) ... message_N.json (oldest), mojibake included."""
    thread = folder / "messages" / "inbox" / "rosaseller_123"
    thread.mkdir(parents=True, exist_ok=True)
    items = []
    for i, line in enumerate(scenario.lines):
        item: dict[str, object] = {"sender_name": _mojibake(line.sender), "timestamp_ms": _unix(line.time) * 1000,
                                   "is_geoblocked_for_viewer": False}
        if line.kind == "call":
            item.update(type="Call", call_duration=312, content=_mojibake("Rosa a appelé"))
        elif line.attachment:
            item["photos"] = [{"uri": f"messages/inbox/rosaseller_123/photos/{line.attachment}"}]
        else:
            item["content"] = _mojibake(line.text + (" café ☕" if i == 1 else ""))
        if unsent and i == 3:
            item["is_unsent"] = True
        items.append(item)
    items.reverse()
    chunks = [items[i:i + per_file] for i in range(0, len(items), per_file)]
    for number, chunk in enumerate(chunks, 1):
        document = {"participants": [{"name": _mojibake(scenario.seller)}, {"name": _mojibake(scenario.buyer)}],
                    "messages": chunk, "title": _mojibake(scenario.seller), "thread_path": "inbox/rosaseller_123"}
        (thread / f"message_{number}.json").write_text(json.dumps(document), encoding="utf-8")
    return folder


def ufdr(scenario: Scenario, out: Path, zipped: bool = False) -> Path:
    """A Cellebrite-style report.xml with one WhatsApp chat (a deleted message among them)."""
    ns = "http://pa.cellebrite.com/report/2.0"

    def field(name: str, value: str, kind: str = "String") -> str:
        return f'<field name="{name}" type="{kind}"><value type="{kind}">{html.escape(value)}</value></field>'

    def party(identifier: str, name: str) -> str:
        return f'<model type="Party">{field("Identifier", identifier)}{field("Name", name)}</model>'

    phones = {scenario.buyer: scenario.buyer_phone + "@s.whatsapp.net", scenario.seller: scenario.seller_phone}
    messages = []
    for i, line in enumerate(scenario.lines):
        stamp = line.time.strftime("%Y-%m-%dT%H:%M:%S.000+01:00")
        attach = (f'<multiModelField name="Attachments"><model type="Attachment">{field("Filename", line.attachment)}'
                  "</model></multiModelField>") if line.attachment else ""
        state = "Deleted" if i == 2 else "Intact"
        messages.append(f'<model type="InstantMessage" id="m{i}" deleted_state="{state}">'
                        f'{field("TimeStamp", stamp, "TimeStamp")}{field("Body", line.text)}'
                        f'<modelField name="From">{party(phones[line.sender], line.sender)}</modelField>{attach}'
                        "</model>")
    xml = (f'<?xml version="1.0" encoding="utf-8"?><project xmlns="{ns}" name="Report"><decodedData>'
           f'<modelType type="Chat"><model type="Chat" id="c1" deleted_state="Intact" source_index="3" '
           f'extractionId="0" decoding_confidence="High">{field("Source", "WhatsApp")}'
           f'{field("Name", scenario.seller)}<multiModelField name="Participants">'
           f'{party(phones[scenario.buyer], scenario.buyer)}{party(phones[scenario.seller], scenario.seller)}'
           f'</multiModelField><multiModelField name="Messages">{"".join(messages)}</multiModelField></model>'
           "</modelType></decodedData></project>")
    out.parent.mkdir(parents=True, exist_ok=True)
    if zipped:
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("report.xml", xml)
        return out
    out.write_text(xml, encoding="utf-8")
    return out


def csv_export(scenario: Scenario, out: Path) -> tuple[Path, Path]:
    """A CSV chat export and its column mapping."""
    import csv

    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["Conversation", "From", "Sent", "Body", "File"])
        for line in scenario.lines:
            writer.writerow(["rosa", line.sender, line.time.strftime("%d.%m.%Y %H:%M"), line.text,
                             line.attachment or ""])
    mapping = out.with_suffix(".yaml")
    mapping.write_text("columns: {thread: Conversation, sender: From, time: Sent, text: Body, attachment: File}\n"
                       "time_format: '%d.%m.%Y %H:%M'\ntime_zone: Europe/Paris\n", encoding="utf-8")
    return out, mapping
