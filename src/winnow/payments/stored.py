"""The payments ranking stored in the case, so the review app never scores per request. `winnow payments score`
writes it; the app reads it when it belongs to the current state of the payment records and otherwise scores once,
stores, and reads (a cache keyed on the records' state).

The state is a digest of what the ranking depends on: the imported files (their SHA-256s), the number of
transactions and of evidence identifiers (rule R10's input). Computing it opens the DuckDB store, so each stored
ranking also keeps the size and modification time of `payments.duckdb` and its WAL: while they are unchanged the
state is not recomputed (a request costs a `stat`), and when they changed but the digest did not (DuckDB
checkpoints rewrite the file) the recorded file state is refreshed. The network picture is the neighbourhood of the
best-ranked parties (at most `PICTURE_NODES`), laid out once here (networkx spring layout, seeded)."""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path
from typing import Any

from winnow.store import ranking
from winnow.store.case import Case
from winnow.timeutil import utc_now

PICTURE_NODES = 240
PICTURE_SEEDS = 60
COMMUNITY_PARTIES_SHOWN = 12
_LOCK = threading.Lock()


def _files(case: Case) -> list[list[int]]:
    out = []
    for name in ("payments.duckdb", "payments.duckdb.wal"):
        path = case.root / name
        out.append([path.stat().st_size, path.stat().st_mtime_ns] if path.exists() else [])
    return out


def records_state(case: Case) -> dict[str, Any]:
    """What the ranking depends on, as a digest, with the transaction count (0 when nothing was imported)."""
    if not (case.root / "payments.duckdb").exists():
        return {"digest": "", "transactions": 0}
    from winnow.payments.store import connect

    conn = connect(case)
    try:
        files = [r[0] for r in conn.execute("SELECT file_sha256 FROM imports ORDER BY file_sha256").fetchall()]
        transactions = int(conn.execute("SELECT count(*) FROM transactions").fetchone()[0])
        evidence = int(conn.execute("SELECT count(*) FROM evidence_identifiers").fetchone()[0])
    finally:
        conn.close()
    digest = hashlib.sha256(json.dumps([files, transactions, evidence]).encode()).hexdigest()
    return {"digest": digest, "transactions": transactions}


def _rows(result: dict[str, Any], graph: Any, groups: list[set[str]]) -> tuple[list[Any], list[Any], list[Any],
                                                                            list[Any]]:
    import networkx as nx

    community = {node: n for n, members in enumerate(groups, 1) for node in members}
    parties = []
    for key, role in (("senders", "sender"), ("receivers", "receiver")):
        for rank, p in enumerate(result[key]):
            parties.append((role, p["entity"], p["party"], rank, p["score"], int(p["flagged"]),
                            "," + ",".join(p["rules"]) + ",", "," + ",".join(p.get("countries", [])) + ",",
                            "; ".join(p.get("names", [])), int(p.get("payments", 0)), float(p.get("total_eur", 0.0)),
                            json.dumps(p, ensure_ascii=False), community.get(p["entity"])))
    best = sorted((n for n, d in graph.nodes(data=True) if d.get("score") is not None),
                  key=lambda n: (-graph.nodes[n]["score"], n))[:PICTURE_SEEDS]
    chosen: dict[str, None] = dict.fromkeys(best)
    for node in best:
        for other in sorted(set(graph.successors(node)) | set(graph.predecessors(node))):
            if len(chosen) >= PICTURE_NODES:
                break
            chosen.setdefault(other)
    sub = graph.subgraph(chosen)
    layout = nx.spring_layout(sub, seed=1, iterations=60) if len(sub) else {}
    nodes = []
    for node, (x, y) in sorted(layout.items()):
        data = graph.nodes[node]
        nodes.append((node, data.get("role", "sender"), node.split(":", 1)[1] if ":" in node else node,
                      float(data.get("score", 0.0)), int(bool(data.get("flagged", False))), community.get(node),
                      round(float(x), 4), round(float(y), 4)))
    edges = [(s, r, d["transactions"], d["total_eur"], d["evidence"], int(s in chosen and r in chosen))
             for s, r, d in graph.edges(data=True)]
    summary = []
    for n, members in enumerate(groups, 1):
        scored = sorted(members, key=lambda m: (-graph.nodes[m].get("score", 0.0), m))
        summary.append((n, len(members), sum(bool(graph.nodes[m].get("flagged")) for m in members),
                        float(graph.nodes[scored[0]].get("score", 0.0)),
                        json.dumps([{"entity": m, "role": graph.nodes[m].get("role", "sender"),
                                     "score": graph.nodes[m].get("score", 0.0),
                                     "flagged": bool(graph.nodes[m].get("flagged", False))}
                                    for m in scored[:COMMUNITY_PARTIES_SHOWN]])))
    return parties, nodes, edges, summary


def store(case: Case, ruleset_path: Path | None = None, seeds: list[str] | None = None,
          result: dict[str, Any] | None = None) -> dict[str, Any]:
    """Score (unless `result` is given), build the network and communities, and store all of it in the case."""
    from winnow.payments.network import build, communities
    from winnow.payments.scoring import score

    with _LOCK:
        before = records_state(case)
        result = result or score(case, ruleset_path, seeds)
        graph = build(case, result=result)
        groups = communities(graph)
        parties, nodes, edges, summary = _rows(result, graph, groups)
        state = {"digest": before["digest"], "files": _files(case), "transactions": result["transactions"],
                 "flag_score": result["flag_score"], "weights": result["weights"],
                 "ruleset": str(ruleset_path) if ruleset_path else "shipped default", "seeds": list(seeds or []),
                 "scored_utc": utc_now(), "senders": len(result["senders"]), "receivers": len(result["receivers"]),
                 "communities": len(groups), "pictured": len(nodes)}
        conn = case.connect()
        try:
            ranking.replace(conn, parties, nodes, edges, summary, state)
        finally:
            conn.close()
    return state


class Busy(Exception):
    """The payment records are locked by another process (an import or scoring run) and no ranking is stored."""


def current(case: Case) -> dict[str, Any] | None:
    """The stored ranking's state when it belongs to the payment records as they are now, scoring and storing
    first when it does not; None when the case holds no payment records. While another process writes the records
    (DuckDB allows one writer), the stored ranking is returned marked `busy`, or `Busy` raised when there is none."""
    import duckdb

    conn = case.connect()
    try:
        stored = ranking.state(conn)
        files = _files(case)
        if stored is not None and stored.get("files") == files:
            return stored if stored["transactions"] else None
        try:
            now = records_state(case)
        except duckdb.IOException as exc:
            if stored is None:
                raise Busy("the payment records are being written by another process: try again shortly") from exc
            return stored | {"busy": True} if stored["transactions"] else None
        if stored is not None and stored.get("digest") == now["digest"]:
            stored["files"] = _files(case)  # the same records in a rewritten file
            ranking.set_state(conn, stored)
            return stored if stored["transactions"] else None
    finally:
        conn.close()
    if not now["transactions"]:
        return None
    return store(case)


EVIDENCE_COLUMNS = ("txn_id", "time_utc", "amount", "currency", "amount_eur", "channel", "reference", "sender_name_raw",
                    "sender_phone", "sender_country", "receiver_name_raw", "receiver_phone", "receiver_country",
                    "source_file", "source_row")


def evidence_rows(case: Case, txn_ids: list[str]) -> list[dict[str, Any]]:
    """The transactions behind a reason, as recorded (names as written, reference, source file and row)."""
    if not txn_ids or not (case.root / "payments.duckdb").exists():
        return []
    from winnow.payments.store import connect

    conn = connect(case)
    try:
        rows = conn.execute(f"SELECT {', '.join(EVIDENCE_COLUMNS)} FROM transactions WHERE txn_id IN "
                            "(SELECT unnest($1::VARCHAR[])) ORDER BY time_utc, txn_id", [txn_ids]).fetchall()
    finally:
        conn.close()
    return [dict(zip(EVIDENCE_COLUMNS, r, strict=True)) | {"time_utc": r[1].isoformat(sep=" ") if r[1] else ""}
            for r in rows]
