"""ISO 20022 bank statements: camt.053 (BkToCstmrStmt/Stmt) and camt.054 (BkToCstmrDbtCdtNtfctn/Ntfctn), read
as a stream (iterparse; each entry freed once read). Every entry detail (TxDtls, or the entry itself when it has
none) is one transaction; the statement account is the sender of debits and the receiver of credits, the related
party (RltdPties Dbtr/Cdtr) the other side; the reference is RmtInf/Ustrd."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _find(node: ET.Element | None, path: str) -> ET.Element | None:
    """Namespace-agnostic path lookup: 'A/B/C'."""
    for part in path.split("/"):
        if node is None:
            return None
        node = next((child for child in node if _local(child.tag) == part), None)
    return node


def _text(node: ET.Element | None, path: str) -> str | None:
    found = _find(node, path)
    return found.text.strip() if found is not None and found.text and found.text.strip() else None


def _time(entry: ET.Element) -> datetime | None:
    for path in ("BookgDt/DtTm", "ValDt/DtTm", "BookgDt/Dt", "ValDt/Dt"):
        value = _text(entry, path)
        if value:
            try:
                moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                continue
            if moment.tzinfo is None:
                return moment
            return moment.astimezone(UTC).replace(tzinfo=None)
    return None


def _party(node: ET.Element | None, role: str) -> dict[str, Any]:
    """Dbtr/Cdtr (or their ultimate parties) and accounts from RltdPties."""
    party = _find(node, role) or _find(node, f"{role}/Pty")
    account = _find(node, f"{role}Acct")
    return {"name": _text(party, "Nm"), "iban": _text(account, "Id/IBAN"),
            "account": _text(account, "Id/Othr/Id"), "country": _text(party, "PstlAdr/Ctry"),
            "address": " ".join(filter(None, [_text(party, "PstlAdr/StrtNm"), _text(party, "PstlAdr/TwnNm")])) or None}


def read(path: Path) -> Iterator[tuple[str, dict[str, Any] | str]]:
    """Yields ('row', fields) per transaction or ('error', message) per bad entry, with the entry's position."""
    owner: dict[str, Any] = {}
    number = 0
    for _event, node in ET.iterparse(str(path), events=("end",)):
        name = _local(node.tag)
        if name == "Acct":  # the statement's own account (Stmt/Acct, Ntfctn/Acct), read before its entries
            owner = {"iban": _text(node, "Id/IBAN"), "account": _text(node, "Id/Othr/Id"),
                     "name": _text(node, "Ownr/Nm"), "country": _text(node, "Ownr/PstlAdr/Ctry")}
        if name != "Ntry":
            continue
        number += 1
        where = f"entry {number}"
        try:
            yield from _entry(node, owner, where)
        except (ValueError, TypeError) as exc:
            yield "error", f"{where}: {exc}"
        node.clear()


def _entry(entry: ET.Element, owner: dict[str, Any], where: str) -> Iterator[tuple[str, dict[str, Any] | str]]:
    direction = _text(entry, "CdtDbtInd")
    if direction not in ("DBIT", "CRDT"):
        raise ValueError(f"CdtDbtInd is {direction!r}, not DBIT or CRDT")
    moment = _time(entry)
    if moment is None:
        raise ValueError("no booking or value date")
    details = [d for d in (_find(entry, "NtryDtls") or []) if _local(d.tag) == "TxDtls"] or [entry]
    for k, detail in enumerate(details, 1):
        amount_node = _find(detail, "AmtDtls/TxAmt/Amt") or _find(detail, "Amt") or _find(entry, "Amt")
        if amount_node is None or not amount_node.text:
            yield "error", f"{where}, detail {k}: no amount"
            continue
        related = _find(detail, "RltdPties")
        other = _party(related, "Cdtr" if direction == "DBIT" else "Dbtr")
        sender, receiver = (owner, other) if direction == "DBIT" else (other, owner)
        yield "row", {
            "txn_id": (_text(detail, "Refs/EndToEndId") or _text(detail, "Refs/AcctSvcrRef")
                       or _text(entry, "AcctSvcrRef")),
            "time": moment, "amount": amount_node.text.strip(), "currency": amount_node.get("Ccy", ""),
            "reference": " ".join(u.text.strip() for u in (_find(detail, "RmtInf") or []) if _local(u.tag) == "Ustrd"
                                  and u.text) or None,
            "channel": "bank",
            **{f"sender_{k2}": v for k2, v in sender.items()}, **{f"receiver_{k2}": v for k2, v in receiver.items()},
            "position": f"{where}, detail {k}"}
