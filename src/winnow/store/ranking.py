"""The stored payments ranking in the case store: one row per ranked party (score, rules, countries and the full
explanation as JSON), the network edges with the ones drawn in the picture, and the communities. Written in one
transaction by `payments/stored.py`; the review app reads it with indexed, paged queries instead of scoring the
payment records on every request. `case_settings['payments_ranking']` says which state of the payment records
the stored ranking belongs to."""

from __future__ import annotations

import json
from typing import Any

from winnow.store import db
from winnow.store.db import Connection

STATE_KEY = "payments_ranking"


def replace(conn: Connection, parties: list[tuple[Any, ...]], nodes: list[tuple[Any, ...]],
            edges: list[tuple[Any, ...]], communities: list[tuple[Any, ...]], state: dict[str, Any]) -> None:
    """Swap in a new ranking: the old one is removed and the new one written in one transaction."""
    with db.write(conn):
        for table in ("ranked_parties", "ranked_nodes", "ranked_edges", "ranked_communities"):
            conn.execute(f"DELETE FROM {table}")
        conn.executemany("INSERT INTO ranked_parties (role, entity, party, rank, score, flagged, rules, countries, "
                         "names, payments, total_eur, detail, community) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", parties)
        conn.executemany("INSERT INTO ranked_nodes (entity, role, party, score, flagged, community, x, y) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", nodes)
        conn.executemany("INSERT INTO ranked_edges (s, r, transactions, total_eur, evidence, pictured) "
                         "VALUES (?, ?, ?, ?, ?, ?)", edges)
        conn.executemany("INSERT INTO ranked_communities (community, members, flagged, top_score, parties) "
                         "VALUES (?, ?, ?, ?, ?)", communities)
        conn.execute(db.upsert("case_settings", ("key", "value"), ("key",)), (STATE_KEY, json.dumps(state)))


def state(conn: Connection) -> dict[str, Any] | None:
    row = conn.execute("SELECT value FROM case_settings WHERE key = ?", (STATE_KEY,)).fetchone()
    return json.loads(row[0]) if row else None


def set_state(conn: Connection, value: dict[str, Any]) -> None:
    conn.execute(db.upsert("case_settings", ("key", "value"), ("key",)), (STATE_KEY, json.dumps(value)))


def _where(role: str, rule: str | None, country: str | None, min_score: float | None,
           flagged: bool) -> tuple[str, list[Any]]:
    clauses: list[str] = ["role = ?"]
    params: list[Any] = [role]
    if rule:
        clauses.append(db.contains("rules"))
        params.append(f",{rule},")
    if country:
        clauses.append(db.contains("countries"))
        params.append(f",{country},")
    if min_score is not None:
        clauses.append("score >= ?")
        params.append(min_score)
    if flagged:
        clauses.append("flagged = 1")
    return " AND ".join(clauses), params


def parties(conn: Connection, role: str, rule: str | None = None, country: str | None = None,
            min_score: float | None = None, flagged: bool = False, offset: int = 0,
            limit: int = 50) -> tuple[list[dict[str, Any]], int]:
    """One page of ranked parties of a role (best first) matching the filters, and how many match in all."""
    where, params = _where(role, rule, country, min_score, flagged)
    total = int(conn.execute(f"SELECT count(*) FROM ranked_parties WHERE {where}", params).fetchone()[0])
    rows = conn.execute(f"SELECT role, entity, detail, community FROM ranked_parties WHERE {where} "
                        "ORDER BY rank LIMIT ? OFFSET ?", (*params, limit, offset)).fetchall()
    return [json.loads(r["detail"]) | {"role": r["role"], "community": r["community"]} for r in rows], total


def party(conn: Connection, role: str, entity: str) -> dict[str, Any] | None:
    row = conn.execute("SELECT role, detail, community, rank FROM ranked_parties WHERE role = ? AND entity = ?",
                       (role, entity)).fetchone()
    if row is None:
        return None
    return json.loads(row["detail"]) | {"role": row["role"], "community": row["community"], "rank": row["rank"]}


def counterparties(conn: Connection, role: str, entity: str, limit: int = 50) -> list[dict[str, Any]]:
    """Who this party paid (a sender) or was paid by (a receiver), with the ranked ones' scores."""
    mine, other, other_role = ("s", "r", "receiver") if role == "sender" else ("r", "s", "sender")
    rows = conn.execute(
        f"SELECT e.{other} AS entity, e.transactions, e.total_eur, e.evidence, p.party, p.score, p.flagged "
        f"FROM ranked_edges e LEFT JOIN ranked_parties p ON p.role = ? AND p.entity = e.{other} "
        f"WHERE e.{mine} = ? ORDER BY e.total_eur DESC LIMIT ?", (other_role, entity, limit)).fetchall()
    return [dict(r) | {"role": other_role} for r in rows]


def facets(conn: Connection) -> dict[str, list[str]]:
    """The rules and countries present in the stored ranking (the filter menus)."""
    rules: set[str] = set()
    countries: set[str] = set()
    for rules_text, countries_text in conn.execute("SELECT DISTINCT rules, countries FROM ranked_parties"):
        rules.update(x for x in rules_text.split(",") if x)
        countries.update(x for x in countries_text.split(",") if x)
    return {"rules": sorted(rules, key=lambda r: (len(r), r)), "countries": sorted(countries)}


def picture(conn: Connection) -> dict[str, Any]:
    """The drawn part of the network: nodes with their stored layout and the edges among them."""
    nodes = [dict(r) for r in conn.execute(
        "SELECT role, entity, party, score, flagged, community, x, y FROM ranked_nodes ORDER BY score DESC, entity")]
    edges = [dict(r) for r in conn.execute(
        "SELECT s, r, transactions, total_eur FROM ranked_edges WHERE pictured = 1 ORDER BY s, r")]
    return {"nodes": nodes, "edges": edges}


def communities(conn: Connection, limit: int = 50) -> list[dict[str, Any]]:
    rows = conn.execute("SELECT * FROM ranked_communities ORDER BY flagged DESC, members DESC, community LIMIT ?",
                        (limit,)).fetchall()
    return [dict(r) | {"parties": json.loads(r["parties"])} for r in rows]
