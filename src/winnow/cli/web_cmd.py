"""`winnow serve` (the review app) and `winnow user add|remove|passwd|list`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from winnow.cli.common import case_option, friendly, json_option, load_case, print_json
from winnow.store import audit, listings


@click.command("serve")
@case_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0 opens it).")
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True)
@friendly
def serve(case_path: str | None, host: str, port: int) -> None:
    """The review web app for this case (log in with an account made by `winnow user add`)."""
    from winnow.web.app import serve as run

    case = load_case(case_path)
    if not listings.has_users(case):
        raise ValueError("no user yet: create one with 'winnow user add NAME --role admin --case ...'")
    conn = case.connect()
    try:
        audit.append(conn, "serve", {"host": host, "port": port})
    finally:
        conn.close()
    click.echo(f"winnow review on http://{host}:{port}/ (Ctrl-C to stop)", err=True)
    run(case, host, port)


@click.group("user")
def user() -> None:
    """Accounts of the review app (stored in the case, passwords hashed with argon2)."""


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(click.prompt("password", hide_input=True, confirmation_prompt=True))


@user.command("add")
@click.argument("name")
@case_option
@click.option("--role", type=click.Choice(["admin", "reviewer", "supervisor", "readonly"]), required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (scripts).")
@friendly
def add(name: str, case_path: str | None, role: str, password_stdin: bool) -> None:
    from winnow.web import users

    case = load_case(case_path)
    conn = case.connect()
    try:
        users.add(conn, name, role, _password(password_stdin))
        audit.append(conn, "user add", {"user": name, "role": role})
    finally:
        conn.close()
    click.echo(f"user {name} ({role}) added")


@user.command("remove")
@click.argument("name")
@case_option
@friendly
def remove(name: str, case_path: str | None) -> None:
    from winnow.web import users

    case = load_case(case_path)
    conn = case.connect()
    try:
        users.remove(conn, name)
        audit.append(conn, "user remove", {"user": name})
    finally:
        conn.close()
    click.echo(f"user {name} removed")


@user.command("passwd")
@click.argument("name")
@case_option
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (scripts).")
@friendly
def passwd(name: str, case_path: str | None, password_stdin: bool) -> None:
    from winnow.web import users

    case = load_case(case_path)
    conn = case.connect()
    try:
        users.passwd(conn, name, _password(password_stdin))
        audit.append(conn, "user passwd", {"user": name})
    finally:
        conn.close()
    click.echo(f"password of {name} changed; their sessions ended")


@user.command("list")
@case_option
@json_option
@friendly
def list_users(case_path: str | None, as_json: bool) -> None:
    from winnow.web import users

    case = load_case(case_path)
    conn = case.connect(readonly=True)
    try:
        found = users.listing(conn)
    finally:
        conn.close()
    if as_json:
        print_json(found)
    else:
        for u in found:
            click.echo(f"{u['name']}\t{u['role']}\t{u['created_utc']}")


@click.command("report")
@case_option
@click.option("--out", "out_dir", type=click.Path(path_type=Path), help="Folder (default: CASE/reports).")
@click.option("--with-thumbnails", is_flag=True, help="Include thumbnails of the categorized items (HTML only).")
@json_option
@friendly
def report(case_path: str | None, out_dir: Path | None, with_thumbnails: bool, as_json: bool) -> None:
    """The case report for court: HTML and PDF (hashes, paths, counts, provenance, versions, audit)."""
    from winnow.web.report import write

    result = write(load_case(case_path), out_dir, with_thumbnails)
    if as_json:
        print_json(result)
    else:
        click.echo(f"report: {result['html']} and {result['pdf']} ({result['items']} categorized items, "
                   f"{result['recordings']} selected recordings, {result['links']} links; audit "
                   f"{'intact' if result['audit_ok'] else 'ALTERED'})")
