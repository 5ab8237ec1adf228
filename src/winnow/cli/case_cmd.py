"""`winnow case create|info|copy`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from winnow.cli.common import case_option, friendly, json_option, load_case, print_json
from winnow.pipeline.summary import case_totals
from winnow.store import audit
from winnow.store.case import create_case
from winnow.store.case_copy import copy_case
from winnow.store.db import safe_url


@click.group()
def case() -> None:
    """Create and inspect case folders."""


@case.command("create")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--name", required=True, help="Case name or reference number.")
@click.option("--examiner", required=True, help="Examiner responsible for the case.")
@click.option("--db", "db_url", envvar="WINNOW_DB", default=None,
              help="Keep the case's rows in this empty PostgreSQL database (postgresql://USER@HOST:PORT/DBNAME; "
                   "default: $WINNOW_DB, else case.sqlite in PATH). Thumbnails and files stay in PATH.")
@json_option
@friendly
def create(path: Path, name: str, examiner: str, db_url: str | None, as_json: bool) -> None:
    """Create a case folder at PATH (case.sqlite or case.json naming its database, thumbnails/, logs/, tmp/)."""
    c = create_case(path, name=name, examiner=examiner, db_url=db_url)
    conn = c.connect()
    try:
        audit.append(conn, "case create", {"path": str(c.root), "name": name, "examiner": examiner})
    finally:
        conn.close()
    if as_json:
        print_json({"case": str(c.root), **c.meta(), **({"db": safe_url(c.db_url)} if c.db_url else {})})
    else:
        click.echo(f"created case {name!r} at {c.root}")


@case.command("info")
@case_option
@json_option
@friendly
def info(case_path: str | None, as_json: bool) -> None:
    """Show the case's metadata and what it holds."""
    c = load_case(case_path)
    meta = {k: v for k, v in c.meta().items() if k != "audit_head"}
    totals = case_totals(c)
    store = safe_url(c.db_url) if c.db_url else str(c.store)
    if as_json:
        print_json({"case": str(c.root), "store": store, "meta": meta, "totals": totals})
        return
    click.echo(f"{'store':>14}: {store}")
    for key, value in meta.items():
        click.echo(f"{key:>14}: {value}")
    for key, value in totals.items():
        click.echo(f"{key:>22}: {value}")


@case.command("copy")
@click.argument("source", type=click.Path(path_type=Path))
@click.argument("destination", type=click.Path(path_type=Path))
@click.option("--db", "db_url", default=None,
              help="Keep the copy's rows in this empty PostgreSQL database (postgresql://USER@HOST:PORT/DBNAME); "
                   "default: DESTINATION/case.sqlite. $WINNOW_DB is not read: a copy names its engine.")
@json_option
@friendly
def copy(source: Path, destination: Path, db_url: str | None, as_json: bool) -> None:
    """Copy the case SOURCE to a new case DESTINATION, from either engine to either engine (SQLite <->
    PostgreSQL), with its thumbnails and files; every table is verified (rows and checksum) and the copy is
    recorded in the new case's audit trail. The source is only read."""
    def step(what: str) -> None:  # on a terminal only: a large case takes minutes
        click.echo(f"  {what} ...", err=True)

    result = copy_case(source, destination, db_url=db_url, on_table=step if sys.stderr.isatty() else None)
    if as_json:
        print_json(result.as_dict())
        return
    click.echo(f"{'table':<22} {'rows':>10} {'copied':>10}  {'checksum (source)':<16}  {'checksum (copy)':<16}")
    for check in [*result.tables, result.files]:
        click.echo(f"{check.table:<22} {check.source_rows:>10} {check.copy_rows:>10}  {check.source_checksum[:16]}  "
                   f"{check.copy_checksum[:16]}  {'ok' if check.ok else 'MISMATCH'}")
    rate = f", {result.rows / result.seconds:,.0f} rows/s" if result.seconds > 0 else ""
    click.echo(f"copied {result.source} ({result.source_store}) to {result.destination} "
               f"({result.destination_store}): {len(result.tables)} tables, {result.rows} rows and "
               f"{result.files.source_rows} files verified in {result.seconds:.1f} s{rate}")
    if not result.source_audit["ok"]:
        click.echo(f"note: the source's audit trail does not verify ({'; '.join(result.source_audit['problems'])}): "
                   "copied as it is, the copy's audit row says so", err=True)
    if result.stalled_runs:
        click.echo(f"runs {', '.join(map(str, result.stalled_runs))} were marked running with no sign of life for "
                   "over a minute (killed): copied as they are; the same command resumes them on the copy")
