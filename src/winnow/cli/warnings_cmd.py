"""`winnow warnings`: every bad input, with where it was and what happened."""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from winnow.cli.common import case_option, friendly, json_option, load_case, print_json
from winnow.store import queries


@click.command()
@case_option
@click.option("--code", help="Only warnings with this code (e.g. compression_bomb).")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many rows.")
@json_option
@friendly
def warnings(case_path: str | None, code: str | None, limit: int | None, as_json: bool) -> None:
    """List the warnings stored in the case (item, stage, code, message)."""
    rows = queries.warnings(load_case(case_path), code=code, limit=limit)
    if as_json:
        print_json({"count": len(rows), "warnings": rows})
        return
    table = Table(title=f"{len(rows)} warnings")
    for column in ("item", "stage", "code", "message"):
        table.add_column(column, overflow="fold")
    for r in rows:
        table.add_row(r["chain"], r["stage"], r["code"], r["message"])
    Console().print(table)
