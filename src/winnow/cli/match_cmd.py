"""`winnow match`, `winnow triage`, `winnow export vics|csv`."""

from __future__ import annotations

import csv
import json
from pathlib import Path

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
from winnow.cli.hashset_cmd import library_option, open_library
from winnow.hashsets import export as exports
from winnow.match.matcher import match as run_match
from winnow.match.triage import queue_rows
from winnow.match.triage import triage as run_triage
from winnow.store import audit
from winnow.store.queue import refresh_case as refresh_queue_summary


@click.command()
@case_option
@click.option("--sets", help="Comma-separated set names (default: every set in the library).")
@click.option("--dihedral", is_flag=True, help="Also match the 7 rotations/flips of each case image.")
@click.option("--max-distance", type=click.IntRange(0, 64), help="PDQ distance for every set (default: per set).")
@click.option("--robust", is_flag=True,
              help="Near-duplicates: also the mirror, border-removed pictures and rotation probes of each case "
                   "image (from its thumbnail; docs/neardup.md).")
@click.option("--features", is_flag=True,
              help="With --robust, against sets built from pictures: also find candidates by SIFT votes (a SIFT "
                   "extraction per case image, ~30-100 ms each: for cases of modest size; docs/neardup.md).")
@click.option("--video-query-share", type=click.FloatRange(0, 1), default=0.8, show_default=True,
              help="vPDQ: share of a case video's frames that must match a known video.")
@click.option("--video-index-share", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="vPDQ: share of the known video's frames that must be matched.")
@library_option
@executor_options
@json_option
@friendly
def match(case_path: str | None, sets: str | None, dihedral: bool, max_distance: int | None, robust: bool,
          features: bool, video_query_share: float, video_index_share: float, library_path: Path | None, executor: str,
          scheduler: str | None, tls_ca: str | None, tls_cert: str | None, tls_key: str | None,
          as_json: bool) -> None:
    """Match the case against the hash-set library (exact, PDQ near-duplicates, videos) and within itself."""
    options = make_executor_options(executor, scheduler, tls_ca, tls_cert, tls_key)
    if options.name != "local":  # the same options as ingest are accepted, so one script can pass them everywhere
        click.echo("winnow: matching runs in this process (index lookups, ~8,000 PDQ queries/s against 10M "
                   "hashes; docs/scale.md); the Dask options are not used by match", err=True)
    names = [s.strip() for s in sets.split(",") if s.strip()] if sets else None
    summary = run_match(load_case(case_path), open_library(library_path), names, dihedral=dihedral,
                        max_distance=max_distance, video_shares=(video_query_share, video_index_share),
                        robust=robust, features=features)
    if as_json:
        print_json(summary)
        return
    table = Table(title=f"matches — {summary['matched_contents']} contents matched")
    for column in ("set", "kind", "mode", "exact", "PDQ", "PDQ quality < 50 skipped", "distance"):
        table.add_column(column)
    for s in summary["sets"]:
        table.add_row(s["set"], s["kind"], s["mode"], str(s["exact_matches"]), str(s["pdq_matches"]),
                      str(s["pdq_skipped_low_quality"]), str(s["max_distance"]))
    Console().print(table)


@click.command()
@case_option
@library_option
@click.option("--queue", "queue_path", type=click.Path(path_type=Path), help="Write the whole review queue as CSV.")
@click.option("--robust", is_flag=True,
              help="Stacks also join crops, rotations, mirrors and letterboxes of each other (SIFT-verified).")
@json_option
@friendly
def triage(case_path: str | None, library_path: Path | None, queue_path: Path | None, robust: bool,
           as_json: bool) -> None:
    """States (alert, alert-near, ignorable, unknown), stacks and the review queue (unknown first)."""
    case = load_case(case_path)
    summary = run_triage(case, open_library(library_path), robust=robust)
    refresh_queue_summary(case)  # the review queue's maintained summary, rebuilt once here (store/queue.py)
    if queue_path:
        rows = queue_rows(case)
        queue_path.parent.mkdir(parents=True, exist_ok=True)
        with queue_path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(["rank", "state", "sha256", "best_distance", "category", "series", "stack", "path",
                             "reasons"])
            for r in rows:
                writer.writerow([r["queue_rank"], r["state"], r["sha256"], r["best_distance"], r["category"],
                                 r["series"], r["stack_id"], r["chain"], "; ".join(json.loads(r["reasons"]))])
        summary["queue_file"] = str(queue_path)
    if as_json:
        print_json(summary)
        return
    console = Console()
    states = Table(title="contents by state")
    states.add_column("state")
    states.add_column("count", justify="right")
    for state in ("alert", "alert-near", "ignorable", "unknown"):
        states.add_row(state, str(summary["by_state"].get(state, 0)))
    console.print(states)
    if summary["by_category"]:
        cats = Table(title="alert contents by category")
        cats.add_column("category")
        cats.add_column("count", justify="right")
        for k, v in summary["by_category"].items():
            cats.add_row(k, str(v))
        console.print(cats)
    sources = Table(title="by source")
    sources.add_column("source")
    for state in ("alert", "alert-near", "ignorable", "unknown"):
        sources.add_column(state, justify="right")
    for path, counts in summary["by_source"].items():
        sources.add_row(path, *(str(counts.get(s, 0)) for s in ("alert", "alert-near", "ignorable", "unknown")))
    console.print(sources)
    head = Table(title=f"review queue: {summary['queue_length']} items, {summary['stacks']} stacks (first 20)")
    for column in ("rank", "state", "path", "why"):
        head.add_column(column, overflow="fold")
    for q in summary["queue_head"]:
        head.add_row(str(q["queue_rank"]), q["state"], q["chain"] or q["sha256"], "; ".join(q["reasons"]))
    console.print(head)


@click.group()
def export() -> None:
    """Export the case's categorized media."""


@export.command("vics")
@case_option
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), help="Target .json file.")
@click.option("--scheme", type=click.Choice(["US", "UK"], case_sensitive=False), default="US", show_default=True)
@json_option
@friendly
def export_vics(case_path: str | None, out: Path, scheme: str, as_json: bool) -> None:
    """VICS 2.0 JSON of the categorized media (hashes, category, series, files with paths and timestamps)."""
    case = load_case(case_path)
    n = exports.vics(case, out, scheme)
    _audit_export(case, "export vics", out, n)
    if as_json:
        print_json({"file": str(out), "media": n})
    else:
        click.echo(f"wrote {n} media to {out}")


@export.command("csv")
@case_option
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), help="Target .csv file.")
@json_option
@friendly
def export_csv(case_path: str | None, out: Path, as_json: bool) -> None:
    """CSV: one row per occurrence with hashes, state, category, stack and queue rank."""
    case = load_case(case_path)
    n = exports.csv_export(case, out)
    _audit_export(case, "export csv", out, n)
    if as_json:
        print_json({"file": str(out), "rows": n})
    else:
        click.echo(f"wrote {n} rows to {out}")


def _audit_export(case: object, command: str, out: Path, n: int) -> None:
    conn = case.connect()  # type: ignore[attr-defined]
    try:
        audit.append(conn, command, {"file": str(out.absolute()), "rows": n})
    finally:
        conn.close()
