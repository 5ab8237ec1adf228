"""`winnow calls` (videos ranked as likely recordings of live video calls, with reasons) and `winnow leads`
(identifiers read on their screens)."""

from __future__ import annotations

import json

import click
from rich.console import Console
from rich.table import Table

from winnow.cli.common import case_option, friendly, json_option, load_case, print_json


@click.command("calls")
@case_option
@click.option("--min-score", type=click.FloatRange(0, 1), default=0.0, show_default=True)
@click.option("--top", type=click.IntRange(min=1), default=50, show_default=True)
@click.option("--rescan", is_flag=True, help="First score the videos and images that have no score yet (a case "
              "ingested before the detector), reading them from the evidence on disk.")
@json_option
@friendly
def calls(case_path: str | None, min_score: float, top: int, rescan: bool, as_json: bool) -> None:
    """Videos (and screenshot-like images) ranked by their call-recording score (0-1), with the reasons."""
    from winnow.calls.detector import FLAG

    case = load_case(case_path)
    if rescan:
        from winnow.pipeline.rescan import rescan as run_rescan

        done = run_rescan(case)
        click.echo(f"rescanned {done['videos']} videos and {done['images']} images; {done['archive_members']} "
                   f"archive members need a re-ingest of their archive; {done['unreadable']} unreadable", err=True)
    conn = case.connect(readonly=True)
    try:
        rows = conn.execute(
            "SELECT c.sha256, c.score, c.cheap_score, c.reasons, c.ocr_frames, c.cpu_seconds, "
            "CASE WHEN v.sha256 IS NOT NULL THEN 'video' ELSE 'image' END AS kind, "
            "coalesce(v.width, g.width) AS width, coalesce(v.height, g.height) AS height, v.duration, "
            "(SELECT min(chain) FROM instances i WHERE i.sha256 = c.sha256) AS chain, "
            "(SELECT count(*) FROM leads l WHERE l.sha256 = c.sha256) AS leads FROM calls c "
            "LEFT JOIN videos v ON v.sha256 = c.sha256 LEFT JOIN images g ON g.sha256 = c.sha256 "
            "WHERE c.score >= ? ORDER BY c.score DESC, c.sha256 LIMIT ?",
            (min_score, top if not as_json else 1_000_000)).fetchall()
    finally:
        conn.close()
    found = [{"sha256": r["sha256"], "kind": r["kind"], "path": r["chain"], "score": r["score"],
              "flagged": r["score"] >= FLAG,
              "cheap_score": r["cheap_score"],
              "size": f"{r['width']}x{r['height']}", "duration": r["duration"], "ocr_frames": r["ocr_frames"],
              "leads": r["leads"], "reasons": json.loads(r["reasons"])} for r in rows]
    if as_json:
        print_json(found)
        return
    table = Table(title=f"videos by call-recording score ({len(found)} shown)")
    for column in ("score", "video", "size", "leads", "why"):
        table.add_column(column, overflow="fold")
    for item in found:
        why = "; ".join(f"{r['signal']} {r['points']:+.1f}: {r['evidence']}" for r in item["reasons"]
                        if r["points"])[:400]
        table.add_row(f"{item['score']:.2f}", item["path"] or item["sha256"][:16], item["size"], str(item["leads"]),
                      why)
    Console().print(table)


@click.command("leads")
@case_option
@click.option("--kind", help="Only this kind (phone, handle, email, url, time, ...).")
@json_option
@friendly
def leads(case_path: str | None, kind: str | None, as_json: bool) -> None:
    """Identifiers read on the screens of likely call recordings, with the frame time and a crop of the text."""
    case = load_case(case_path)
    conn = case.connect(readonly=True)
    try:
        rows = conn.execute(
            "SELECT l.*, c.score, (SELECT min(chain) FROM instances i WHERE i.sha256 = l.sha256) AS chain "
            "FROM leads l LEFT JOIN calls c ON c.sha256 = l.sha256 " + ("WHERE l.kind = ? " if kind else "")
            + "ORDER BY c.score DESC, l.sha256, l.seconds", (kind,) if kind else ()).fetchall()
    finally:
        conn.close()
    found = [{"video": r["chain"], "sha256": r["sha256"], "call_score": r["score"], "seconds": r["seconds"],
              "kind": r["kind"], "value": r["value"], "raw": r["raw"], "confidence": r["confidence"],
              "text": r["text"], "box": json.loads(r["box"]), "crop": str(case.root / r["crop"]) if r["crop"] else None}
             for r in rows]
    if as_json:
        print_json(found)
        return
    table = Table(title=f"{len(found)} leads read on screen")
    for column in ("kind", "value", "at", "video", "text"):
        table.add_column(column, overflow="fold")
    for item in found:
        table.add_row(item["kind"], item["value"], f"{item['seconds']:.0f} s", item["video"] or "", item["text"])
    Console().print(table)
