"""`winnow audit verify|show`."""

from __future__ import annotations

import sys

import click

from winnow.cli.common import case_option, friendly, json_option, load_case, print_json
from winnow.store import audit as audit_log


@click.group()
def audit() -> None:
    """The case's hash-chained audit trail."""


@audit.command("verify")
@case_option
@json_option
@friendly
def verify(case_path: str | None, as_json: bool) -> None:
    """Check that no audit row was edited, inserted or deleted (exit code 3 if one was)."""
    conn = load_case(case_path).connect(readonly=True)
    try:
        result = audit_log.verify(conn)
    finally:
        conn.close()
    if as_json:
        print_json(result.as_dict())
    elif result.ok:
        click.echo(f"audit trail intact: {result.rows} rows")
    else:
        click.echo(f"audit trail BROKEN ({result.rows} rows):", err=True)
        for p in result.problems:
            click.echo(f"  - {p}", err=True)
    if not result.ok:
        sys.exit(3)


@audit.command("show")
@case_option
@json_option
@friendly
def show(case_path: str | None, as_json: bool) -> None:
    """List the audit rows."""
    conn = load_case(case_path).connect(readonly=True)
    try:
        rows = audit_log.rows(conn)
    finally:
        conn.close()
    if as_json:
        print_json(rows)
        return
    for r in rows:
        click.echo(f"{r['id']:>5} {r['time_utc']} {r['os_user']:<10} {r['command']:<14} {r['arguments']}")
