"""`winnow calls` (videos ranked as likely recordings of live video calls, with reasons) and `winnow leads`
(identifiers read on their screens)."""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from winnow.cli.common import (
    case_option,
    executor_options,
    friendly,
    json_option,
    load_case,
    make_executor_options,
    print_json,
)
from winnow.store import listings


@click.command("calls")
@case_option
@click.option("--min-score", type=click.FloatRange(0, 1), default=0.0, show_default=True)
@click.option("--top", type=click.IntRange(min=1), default=50, show_default=True)
@click.option("--rescan", is_flag=True, help="First score the videos and images that have no score yet (a case "
              "ingested before the detector), reading them from the evidence on disk.")
@executor_options
@json_option
@friendly
def calls(case_path: str | None, min_score: float, top: int, rescan: bool, executor: str, scheduler: str | None,
          tls_ca: str | None, tls_cert: str | None, tls_key: str | None, as_json: bool) -> None:
    """Videos (and screenshot-like images) ranked by their call-recording score (0-1), with the reasons."""
    from winnow.calls.detector import FLAG

    options = make_executor_options(executor, scheduler, tls_ca, tls_cert, tls_key)
    case = load_case(case_path)
    if rescan:
        from winnow.pipeline.rescan import rescan as run_rescan

        done = run_rescan(case, executor=options)
        click.echo(f"rescanned {done['videos']} videos and {done['images']} images; {done['archive_members']} "
                   f"archive members need a re-ingest of their archive; {done['unreadable']} unreadable", err=True)
    found = listings.ranked_calls(case, min_score, top if not as_json else 1_000_000, FLAG)
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
    found = listings.leads(case, kind)
    if as_json:
        print_json(found)
        return
    table = Table(title=f"{len(found)} leads read on screen")
    for column in ("kind", "value", "at", "video", "text"):
        table.add_column(column, overflow="fold")
    for item in found:
        table.add_row(item["kind"], item["value"], f"{item['seconds']:.0f} s", item["video"] or "", item["text"])
    Console().print(table)
