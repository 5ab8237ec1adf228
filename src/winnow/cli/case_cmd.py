"""`winnow case create|info`."""

from __future__ import annotations

from pathlib import Path

import click

from winnow.cli.common import case_option, friendly, json_option, load_case, print_json
from winnow.pipeline.summary import case_totals
from winnow.store import audit
from winnow.store.case import create_case
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
