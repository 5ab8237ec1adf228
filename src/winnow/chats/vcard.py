"""Contact cards (vCard 2.1/3.0/4.0 `.vcf`) shared in chats, e.g. the files a zipped WhatsApp export carries:
each card becomes a `contact` message whose phones and e-mails are identifiers the source marks."""

from __future__ import annotations

import re
from collections.abc import Iterator

from winnow.chats.model import Event, Message, Thread

KEY = "whatsapp:contact-cards"


def cards(text: str) -> list[dict[str, list[str]]]:
    """Names, phones and e-mails of each card (folded lines joined, parameters dropped)."""
    unfolded = re.sub(r"\r?\n[ \t]", "", text)
    out = []
    for block in re.findall(r"BEGIN:VCARD(.*?)END:VCARD", unfolded, re.S | re.I):
        card: dict[str, list[str]] = {"name": [], "tel": [], "email": []}
        for line in block.splitlines():
            field, _, value = line.partition(":")
            name = field.split(";")[0].upper()
            if name == "FN" and value:
                card["name"].append(value.strip())
            elif name == "TEL" and value:
                card["tel"].append(value.strip().removeprefix("tel:"))
            elif name == "EMAIL" and value:
                card["email"].append(value.strip())
            elif name == "ITEM1.TEL" or (name.endswith(".TEL") and value):
                card["tel"].append(value.strip())
        out.append(card)
    return out


def events(files: list[tuple[str, str]]) -> Iterator[Event]:
    """Events for (member name, text) pairs of .vcf files."""
    if not files:
        return
    yield Thread(KEY, "Contact cards", "whatsapp", kind="contacts")
    seq = 0
    for member, text in files:
        for index, card in enumerate(cards(text)):
            summary = " ".join(card["name"] + card["tel"] + card["email"])
            yield Message(KEY, seq, None, None, "", "no time in a contact card", summary, summary,
                          f"{member} card {index + 1}", text[:20000], kind="contact",
                          entities=[("phone", t) for t in card["tel"]] + [("email", e) for e in card["email"]])
            seq += 1
