"""Payments: the ranked parties with each indicator's explanation (filters: role, rule, country, minimum score,
flagged only), a party with the evidence rows behind each reason and its counterparties, the network picture and
communities, and a party's timeline (order -> payment -> recording) with a link to each source. Everything is read
from the ranking stored in the case (`payments/stored.py`): a page never scores the payment records, except once
after they changed. Every role may look; nothing here changes the case."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from winnow.payments import stored
from winnow.store import ranking
from winnow.web.context import User, web

router = APIRouter()
PAGE = 50
ROLES = {"sender": "Possible buyers (senders)", "receiver": "Possible facilitators (receivers)"}


def _state(request: Request) -> dict[str, Any] | None:
    try:
        return stored.current(web(request).case)
    except stored.Busy as exc:
        raise HTTPException(503, str(exc)) from exc


def _role(role: str) -> str:
    if role not in ROLES:
        raise HTTPException(404, "role is sender or receiver")
    return role


@router.get("/payments", response_class=HTMLResponse)
def payments_page(request: Request, who: User, role: str = "sender", rule: str = "", country: str = "",
                  min_score: str = "", flagged: str = "", offset: int = 0) -> Any:
    site = web(request)
    state = _state(request)
    role = _role(role)
    offset = max(0, offset)
    try:
        floor = float(min_score) if min_score.strip() else None
    except ValueError:
        raise HTTPException(400, "min_score is a number") from None
    rows: list[dict[str, Any]] = []
    total = 0
    facets: dict[str, list[str]] = {"rules": [], "countries": []}
    if state:
        with site.db() as conn:
            facets = ranking.facets(conn)
            rows, total = ranking.parties(conn, role, rule.strip().upper() or None,
                                          country.strip().upper() or None, floor, bool(flagged), offset, PAGE)
    filters = {"role": role, "rule": rule.strip().upper(), "country": country.strip().upper(),
               "min_score": min_score.strip(), "flagged": "1" if flagged else ""}
    return site.page(request, "payments.html", who, state=state, rows=rows, total=total, offset=offset, page=PAGE,
                     filters=filters, facets=facets, roles=ROLES)


@router.get("/payments/party/{role}/{entity:path}", response_class=HTMLResponse)
def party_page(request: Request, role: str, entity: str, who: User) -> Any:
    site = web(request)
    state = _state(request)
    role = _role(role)
    with site.db() as conn:
        found = ranking.party(conn, role, entity) if state else None
        if found is None:
            raise HTTPException(404, "this party is not in the ranking")
        others = ranking.counterparties(conn, role, entity)
    wanted = sorted({t for r in found["reasons"] for t in r["evidence"]})
    rows = {r["txn_id"]: r for r in stored.evidence_rows(site.case, wanted)}
    for reason in found["reasons"]:
        reason["rows"] = [rows[t] for t in reason["evidence"] if t in rows]
    return site.page(request, "party.html", who, party=found, counterparties=others, state=state,
                     timeline_party=_timeline_key(found))


def _timeline_key(party: dict[str, Any]) -> str:
    """The identifier a party's timeline follows: its phone when it has one (chats name phones), else its key."""
    phones = party.get("phones") or []
    return str(phones[0]) if phones else str(party["party"])


@router.get("/payments/network", response_class=HTMLResponse)
def network_page(request: Request, who: User) -> Any:
    site = web(request)
    state = _state(request)
    with site.db() as conn:
        groups = ranking.communities(conn) if state else []
    return site.page(request, "network.html", who, state=state, communities=groups)


@router.get("/payments/network.json")
def network_data(request: Request, who: User) -> Any:
    """The drawn part of the network with its stored layout (the page's script fetches it from this server)."""
    site = web(request)
    if not _state(request):
        return {"nodes": [], "edges": []}
    with site.db() as conn:
        return ranking.picture(conn)


@router.get("/payments/transaction/{txn_id}", response_class=HTMLResponse)
def transaction_page(request: Request, txn_id: str, who: User) -> Any:
    site = web(request)
    rows = stored.evidence_rows(site.case, [txn_id[:200]])
    if not rows:
        raise HTTPException(404, "no such transaction")
    return site.page(request, "transaction.html", who, row=rows[0])


@router.get("/timeline", response_class=HTMLResponse)
def timeline_page(request: Request, who: User, party: str = "") -> Any:
    """A party's messages, payments and recordings in time order with the order -> payment -> recording
    sequences flagged (identifiers/timeline.py), each event linked to its source."""
    from winnow.linking.timeline import timeline

    site = web(request)
    party = party.strip()[:200]
    result = timeline(site.case, party) if party else None
    return site.page(request, "timeline.html", who, party=party, result=result)
