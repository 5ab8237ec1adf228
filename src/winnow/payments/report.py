"""`winnow payments report`: one self-contained HTML file (no external asset: CSS inline, pictures as data URIs)
with the ranked parties and every rule's explanation and evidence, per-party timelines and amount histograms,
the network picture, the imports and the ruleset."""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from typing import Any

from winnow.payments.network import build
from winnow.payments.rules import load_ruleset, register_entities
from winnow.payments.scoring import score
from winnow.payments.store import connect
from winnow.store.case import Case

CSS = """body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top;font-size:13px}th{background:#f0f0f0}
.flag{color:#a00;font-weight:bold}h2{margin-top:2em}img{max-width:100%}.small{color:#666;font-size:12px}"""


def _png(figure: Any) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _party_charts(conn: Any, entity: str, role: str) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    key = "s" if role == "sender" else "r"
    rows = conn.execute(f"SELECT time_utc, amount_eur FROM keyed WHERE {key} = ? ORDER BY time_utc",
                        [entity]).fetchall()
    if not rows:
        return ""
    figure, (timeline, histogram) = plt.subplots(1, 2, figsize=(9, 2.4))
    timeline.plot([r[0] for r in rows], [r[1] for r in rows], "o", markersize=3)
    timeline.set_title("transfers over time (EUR)", fontsize=9)
    timeline.tick_params(labelsize=7)
    histogram.hist([r[1] for r in rows], bins=20)
    histogram.set_title("amounts (EUR)", fontsize=9)
    histogram.tick_params(labelsize=7)
    figure.autofmt_xdate()
    return f'<img alt="timeline and amounts of {html.escape(entity)}" src="{_png(figure)}">'


def _network_picture(case: Case) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import networkx as nx

    graph = build(case)
    flagged = [n for n, d in graph.nodes(data=True) if d.get("flagged")]
    if not flagged:
        return "<p>No flagged party: no network picture.</p>"
    keep = set(flagged)
    for node in flagged:
        keep.update(graph.successors(node))
        keep.update(graph.predecessors(node))
    sub = graph.subgraph(keep)
    figure = plt.figure(figsize=(9, 7))
    layout = nx.spring_layout(sub, seed=1)
    colours = ["#c00" if sub.nodes[n].get("flagged") else ("#48c" if sub.nodes[n].get("role") == "sender" else "#999")
               for n in sub.nodes]
    nx.draw_networkx(sub, layout, node_color=colours, node_size=40, with_labels=False, arrows=False, width=0.5)
    plt.axis("off")
    return (f'<img alt="payment network" src="{_png(figure)}"><p class="small">Red: flagged parties; blue: '
            "other senders; grey: other receivers. Links: transfers to high-risk countries.</p>")


def _table(parties: list[dict[str, Any]], top: int) -> str:
    rows = []
    for p in parties[:top]:
        reasons = "<br>".join(f"<b>{html.escape(r['rule'])}</b> (+{r['weight']}): {html.escape(r['explanation'])} "
                              f"<span class=small>[{r['evidence_count']} transactions: "
                              f"{html.escape(', '.join(r['evidence'][:8]))}{'…' if r['evidence_count'] > 8 else ''}]"
                              f"</span>" for r in p["reasons"])
        flag = '<span class="flag">flagged</span>' if p["flagged"] else ""
        linked = p.get("accounts_linked", [])
        also = (f"<br><span class=small>ranked as one with {len(linked) - 1} other account"
                f"{'s' if len(linked) > 2 else ''} (R19): "
                f"{html.escape(', '.join(a['party'] for a in linked if a['entity'] != p['entity']))}</span>"
                if linked else "")
        rows.append(f"<tr><td>{p['score']:.2f}</td><td>{html.escape(p['party'])}{also}<br><span class=small>"
                    f"{html.escape(', '.join(p['identifiers']))}</span></td><td>{_facts(p)}</td><td>{flag}</td>"
                    f"<td>{reasons}</td></tr>")
    return ("<table><tr><th>score</th><th>party (identifiers)</th><th>as recorded</th><th></th>"
            "<th>indicators and evidence</th></tr>" + "".join(rows) + "</table>")


def _facts(p: dict[str, Any]) -> str:
    """Names as recorded (display only), countries, first and last payment, count and total."""
    if "payments" not in p:
        return ""
    span = f"{(p['first_payment'] or '')[:10]} – {(p['last_payment'] or '')[:10]}"
    return (f"{html.escape('; '.join(p['names']))}<br><span class=small>{html.escape(', '.join(p['countries']))} · "
            f"{html.escape(span)} · {p['payments']} payments, {p['total_eur']:,.2f} EUR · "
            f"{p['counterparties']} counterparties</span>")


def write(case: Case, target: Path, top: int = 50, charts: int = 10) -> dict[str, Any]:
    result = score(case)
    ruleset = load_ruleset()
    conn = connect(case)
    try:
        register_entities(conn)
        imports = conn.execute("SELECT path, format, rows, errors, file_sha256, imported_utc FROM imports "
                               "ORDER BY imported_utc").fetchall()
        sections = [f"<h1>Payments report</h1><p>{result['transactions']:,} transactions; a party is flagged from a "
                    f"score of {result['flag_score']} with two or more indicators. Scores are leads for an "
                    "investigator, not findings; no demographic attribute is used.</p>"]
        sections.append("<h2>Possible buyers (senders)</h2>" + _table(result["senders"], top))
        sections.append("<h2>Possible facilitators (receivers)</h2>" + _table(result["receivers"], top))
        sections.append("<h2>Flagged parties: timelines and amounts</h2>")
        shown = 0
        for key, role in (("senders", "sender"), ("receivers", "receiver")):
            for p in result[key]:
                if p["flagged"] and shown < charts:
                    sections.append(f"<h3>{html.escape(p['party'])} ({role}, score {p['score']:.2f})</h3>"
                                    + _party_charts(conn, p["entity"], role))
                    shown += 1
    finally:
        conn.close()
    sections.append("<h2>Network</h2>" + _network_picture(case))
    rules = "".join(f"<tr><td>{html.escape(k)}</td><td>{v.get('weight', 1.0)}</td><td>"
                    f"{html.escape(', '.join(f'{a}={b}' for a, b in v.items() if a != 'weight'))}</td></tr>"
                    for k, v in ruleset["rules"].items())
    sections.append("<h2>Rules</h2><p>High-risk countries: "
                    f"{html.escape(', '.join(ruleset.get('high_risk_countries', [])))}</p>"
                    f"<table><tr><th>rule</th><th>weight</th><th>parameters</th></tr>{rules}</table>")
    sections.append("<h2>Imports</h2><table><tr><th>file</th><th>format</th><th>rows</th><th>bad rows</th>"
                    "<th>SHA-256</th><th>imported (UTC)</th></tr>" + "".join(
                        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in imports)
                    + "</table>")
    document = (f"<!doctype html><html><head><meta charset='utf-8'><title>Payments report</title><style>{CSS}"
                f"</style></head><body>{''.join(sections)}</body></html>")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(document, encoding="utf-8")
    return {"file": str(target), "senders": len(result["senders"]), "receivers": len(result["receivers"]),
            "charts": shown, "bytes": len(document)}
