"""The payment network: parties (entities) linked by who paid whom, its two projections (buyers sharing
facilitators; facilitators sharing buyers), communities (networkx Louvain, seeded), and exports to GraphML and CSV.
Scores and flags from the ranking are node attributes, so the picture shows why a party matters."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from winnow.payments.rules import register_entities
from winnow.payments.scoring import score
from winnow.payments.store import connect
from winnow.store.case import Case


def build(case: Case, high_risk_only: bool = True, result: dict[str, Any] | None = None) -> Any:
    """A directed graph sender → receiver with count, total EUR and up to 20 transaction ids per edge (`result`: a
    ranking already computed, so the graph does not score again)."""
    import networkx as nx

    result = result or score(case)
    conn = connect(case)
    try:
        register_entities(conn)
        where = ""
        if high_risk_only:
            from winnow.payments.rules import load_ruleset

            countries = ", ".join(repr(c) for c in load_ruleset().get("high_risk_countries", []))
            where = f"WHERE receiver_country IN ({countries})"
        rows = conn.execute(f"SELECT s, r, count(*), sum(amount_eur), list(txn_id ORDER BY time_utc)[1:20] "
                            f"FROM keyed {where} GROUP BY s, r").fetchall()
    finally:
        conn.close()
    graph = nx.DiGraph()
    for s, r, count, total, ids in rows:
        graph.add_node(s, role="sender")
        graph.add_node(r, role="receiver")
        graph.add_edge(s, r, transactions=int(count), total_eur=round(float(total or 0), 2),
                       evidence=" ".join(i for i in ids if i))
    for key in ("senders", "receivers"):
        for party in result[key]:
            if party["entity"] in graph:
                graph.nodes[party["entity"]].update(score=party["score"], flagged=party["flagged"],
                                                    rules=",".join(party["rules"]))
    return graph


def projections(graph: Any) -> tuple[Any, Any]:
    """(buyers linked by shared facilitators, facilitators linked by shared buyers), weighted by shared count."""
    from networkx.algorithms import bipartite

    undirected = graph.to_undirected()
    senders = {n for n, d in graph.nodes(data=True) if graph.out_degree(n) > 0}
    receivers = {n for n in graph.nodes if graph.in_degree(n) > 0}
    return (bipartite.weighted_projected_graph(undirected, senders - receivers),
            bipartite.weighted_projected_graph(undirected, receivers - senders))


def communities(graph: Any, seed: int = 1) -> list[set[str]]:
    import networkx as nx

    undirected = graph.to_undirected()
    found = nx.algorithms.community.louvain_communities(undirected, seed=seed) if len(undirected) else []
    return sorted((set(c) for c in found if len(c) > 1), key=lambda c: (-len(c), sorted(c)[0]))


def export(case: Case, out: Path) -> dict[str, Any]:
    import networkx as nx

    graph = build(case)
    buyers, facilitators = projections(graph)
    groups = communities(graph)
    for n, members in enumerate(groups, 1):
        for node in members:
            graph.nodes[node]["community"] = n
    out.mkdir(parents=True, exist_ok=True)
    nx.write_graphml(graph, out / "network.graphml")
    nx.write_graphml(buyers, out / "buyers_sharing_facilitators.graphml")
    nx.write_graphml(facilitators, out / "facilitators_sharing_buyers.graphml")
    with (out / "edges.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["sender", "receiver", "transactions", "total_eur", "evidence"])
        for s, r, data in graph.edges(data=True):
            writer.writerow([s, r, data["transactions"], data["total_eur"], data["evidence"]])
    with (out / "communities.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["community", "party", "role", "score", "flagged"])
        for n, members in enumerate(groups, 1):
            for node in sorted(members):
                data = graph.nodes[node]
                writer.writerow([n, node, data.get("role"), data.get("score", 0), data.get("flagged", False)])
    return {"folder": str(out), "parties": graph.number_of_nodes(), "links": graph.number_of_edges(),
            "communities": len(groups), "buyer_links": buyers.number_of_edges(),
            "facilitator_links": facilitators.number_of_edges()}
