"""`winnow chats import|list`, `winnow identifiers`, `winnow links`, `winnow timeline`."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from winnow.chats.formats import FORMATS
from winnow.cli.common import case_option, friendly, json_option, load_case, print_json
from winnow.store import audit, listings


@click.group()
def chats() -> None:
    """Seized chat exports: WhatsApp, Telegram, Skype, Facebook/Instagram, Cellebrite UFDR, CSV."""


@chats.command("import")
@click.argument("source", type=click.Path(path_type=Path))
@case_option
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)),
              help="Default: detected from the file or folder.")
@click.option("--dayfirst", "order", flag_value="dayfirst", help="WhatsApp: dates are day/month when no date decides.")
@click.option("--monthfirst", "order", flag_value="monthfirst", help="WhatsApp: dates are month/day.")
@click.option("--tz", help="IANA zone the export's local times are in (WhatsApp, CSV without zone), e.g. Europe/Paris.")
@click.option("--region", "regions", multiple=True, metavar="CC",
              help="Country whose national phone formats to read (repeatable), e.g. --region PH --region FR.")
@click.option("--mapping", type=click.Path(path_type=Path), help="CSV: column mapping YAML.")
@json_option
@friendly
def import_cmd(source: Path, case_path: str | None, fmt: str | None, order: str | None, tz: str | None,
               regions: tuple[str, ...], mapping: Path | None, as_json: bool) -> None:
    """Import a chat export (file or folder) and scan it for identifiers (idempotent)."""
    from winnow.chats.importer import import_chats
    from winnow.linking.links import sync_payments

    case = load_case(case_path)
    result = import_chats(case, source, fmt, dayfirst=order, tz=tz, regions=regions, mapping=mapping)
    linked = sync_payments(case) if not result.already_imported else None
    conn = case.connect()
    try:
        audit.append(conn, "chats import", {"source": result.source, "format": result.format,
                                            "sha256": result.sha256, "messages": result.messages,
                                            "problems": result.problems, "tz": tz, "order": order,
                                            "regions": list(regions)})
    finally:
        conn.close()
    document = result.as_dict() | {"payments": linked}
    if as_json:
        print_json(document)
        return
    if result.already_imported:
        click.echo(f"{source} was already imported (same SHA-256): nothing changed")
        return
    click.echo(f"{result.format}: {result.threads} threads, {result.messages} messages, {result.identifiers} "
               f"identifiers ({result.sightings} sightings), {result.problems} problems")
    for problem in result.first_problems[:10]:
        click.echo(f"  {problem.position}: {problem.message}", err=True)


@chats.command("list")
@case_option
@json_option
@friendly
def list_cmd(case_path: str | None, as_json: bool) -> None:
    """Imported chat threads."""
    case = load_case(case_path)
    rows = listings.chat_threads(case)
    if as_json:
        print_json(rows)
        return
    table = Table(title=f"{len(rows)} chat threads")
    for column in ("id", "app", "title", "messages", "first", "last"):
        table.add_column(column, overflow="fold")
    for r in rows:
        table.add_row(str(r["id"]), r["app"], r["title"], str(r["messages"]), r["first"] or "", r["last"] or "")
    Console().print(table)


@chats.command("problems")
@case_option
@json_option
@friendly
def problems_cmd(case_path: str | None, as_json: bool) -> None:
    """Every malformed record met in chat imports, with its source and position."""
    case = load_case(case_path)
    rows = listings.chat_problems(case)
    if as_json:
        print_json(rows)
        return
    for r in rows:
        click.echo(f"{r['source']} ({r['format']}) {r['position']}: {r['message']}")
    click.echo(f"{len(rows)} problems")


@click.command("identifiers")
@case_option
@click.option("--kind", help="Only this kind (phone, email, url, handle, iban, mtcn, moneygram, wallet, btc, ...).")
@click.option("--min-places", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--top", type=click.IntRange(min=1), default=50, show_default=True)
@json_option
@friendly
def identifiers(case_path: str | None, kind: str | None, min_places: int, top: int, as_json: bool) -> None:
    """Identifiers found in evidence, with where each was seen."""
    from winnow.identifiers.listing import listing

    rows = listing(load_case(case_path), kind, min_places, None if as_json else top)
    if as_json:
        print_json(rows)
        return
    table = Table(title=f"identifiers (top {top})")
    for column in ("kind", "value", "places", "origins", "first seen", "example"):
        table.add_column(column, overflow="fold")
    for r in rows:
        example = r["seen"][0]["context"] if r["seen"] else ""
        table.add_row(r["kind"], r["value"], str(r["places"]), ",".join(r["origins"]), r["first_seen"] or "",
                      example[:80])
    Console().print(table)


@click.command("links")
@case_option
@click.option("--kind", help="Only identifiers of this kind.")
@click.option("--graphml", type=click.Path(path_type=Path), help="Also write the graph (party - identifier - "
              "evidence) to this GraphML file.")
@json_option
@friendly
def links_cmd(case_path: str | None, kind: str | None, graphml: Path | None, as_json: bool) -> None:
    """Identifiers seen in two or more places (chats, payments, screens), with their evidence."""
    from winnow.linking.links import export_graphml, links, sync_payments

    case = load_case(case_path)
    sync = sync_payments(case)
    found = links(case, kind)
    exported = export_graphml(case, graphml) if graphml else None
    if as_json:
        print_json({"links": found, "payments": sync, "graphml": exported})
        return
    table = Table(title=f"{len(found)} linked identifiers")
    for column in ("kind", "identifier", "seen in", "strength", "why"):
        table.add_column(column, overflow="fold")
    for link in found[:100]:
        places = "; ".join(f"{e['where']} ({(e['time'] or '')[:16]})" for e in link["evidence"][:4])
        table.add_row(link["kind"], link["identifier"], places, link["strength"], "; ".join(link["reasons"][:2]))
    Console().print(table)
    if exported:
        click.echo(f"graph: {exported['nodes']} nodes, {exported['edges']} edges -> {exported['path']}")


@click.command("timeline")
@case_option
@click.option("--party", help="An identifier (phone, handle, wallet, MTCN, ...) or a name.")
@click.option("--html", "html_out", type=click.Path(path_type=Path), help="Also write a self-contained HTML file.")
@json_option
@friendly
def timeline_cmd(case_path: str | None, party: str | None, html_out: Path | None, as_json: bool) -> None:
    """Messages, payments and media timestamps of a party in time order; order -> payment -> recording flagged."""
    from winnow.linking.timeline import timeline, write_html

    result = timeline(load_case(case_path), party)
    if html_out:
        write_html(result, html_out)
    if as_json:
        print_json(result)
        return
    table = Table(title=f"timeline{' of ' + party if party else ''}: {len(result['events'])} events, "
                        f"{len(result['sequences'])} flagged sequences (UTC)")
    for column in ("time", "type", "what", "flags"):
        table.add_column(column, overflow="fold")
    for e in result["events"][:500]:
        table.add_row(e["time"][:16], e["type"], e["summary"][:120], ", ".join(sorted(set(e["flags"]))))
    Console().print(table)
    if html_out:
        click.echo(f"HTML: {html_out}")
