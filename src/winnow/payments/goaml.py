"""goAML report XML (UNODC): each `transaction`, with its sender from `t_from_my_client`/`t_from` and receiver from
`t_to_my_client`/`t_to` (person, account or entity: names, phones, accounts, IBANs, country, address). Read as a
stream. Nationality, birth date and the like are present in goAML but never read: no rule may use them."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from winnow.payments.camt import _find, _local, _text


def _side(node: ET.Element | None, prefix: str) -> dict[str, Any]:
    """from_person / from_account / from_entity (or to_*) of one side."""
    if node is None:
        return {}
    person = _find(node, f"{prefix}_person")
    account = _find(node, f"{prefix}_account")
    entity = _find(node, f"{prefix}_entity")
    signatory = _find(account, "signatory/t_person") if account is not None else None
    who = person if person is not None else signatory
    name = None
    if who is not None:
        name = " ".join(filter(None, [_text(who, "first_name"), _text(who, "middle_name"), _text(who, "last_name")]))
    if not name:
        name = _text(entity, "name") or _text(account, "t_entity/name") or _text(account, "institution_name")
    phone = None
    for holder in (who, entity):
        for phones in [p for p in (holder if holder is not None else []) if _local(p.tag) == "phones"]:
            for item in phones:
                phone = phone or _text(item, "tph_number")
    address = None
    for holder in (who, entity):
        addresses = _find(holder, "addresses") if holder is not None else None
        for item in addresses if addresses is not None else []:
            address = address or " ".join(filter(None, [_text(item, "address"), _text(item, "city")])) or None
    return {"name": name or None, "phone": phone, "account": _text(account, "account"),
            "iban": _text(account, "iban"), "country": _text(node, f"{prefix}_country"), "address": address}


def _time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def read(path: Path) -> Iterator[tuple[str, dict[str, Any] | str]]:
    currency = "EUR"
    number = 0
    for _event, node in ET.iterparse(str(path), events=("end",)):
        name = _local(node.tag)
        if name == "currency_code_local" and node.text:
            currency = node.text.strip().upper()
        if name != "transaction":
            continue
        number += 1
        where = f"transaction {number}"
        sender = _find(node, "t_from_my_client") or _find(node, "t_from")
        receiver = _find(node, "t_to_my_client") or _find(node, "t_to")
        moment = _time(_text(node, "date_transaction"))
        if moment is None:
            yield "error", f"{where}: missing or impossible date_transaction {_text(node, 'date_transaction')!r}"
            node.clear()
            continue
        amount = _text(node, "amount_local")
        code = currency
        foreign = _find(sender, "from_foreign_currency") if sender is not None else None
        if foreign is not None and _text(foreign, "foreign_amount"):
            amount, code = _text(foreign, "foreign_amount"), (_text(foreign, "foreign_currency_code") or code)
        fields: dict[str, Any] = {"txn_id": _text(node, "transactionnumber"), "time": moment, "amount": amount or "",
                                  "currency": code, "reference": _text(node, "transaction_description"),
                                  "agent": _text(node, "transaction_location"), "channel": "bank",
                                  "position": where}
        fields.update({f"sender_{k}": v for k, v in _side(sender, "from").items()})
        fields.update({f"receiver_{k}": v for k, v in _side(receiver, "to").items()})
        yield "row", fields
        node.clear()
