"""`winnow payments sample-data|import|export|score|network|evidence|report`."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from winnow.cli.common import case_option, friendly, json_option, load_case, print_json


@click.group()
def payments() -> None:
    """Payment records: import, indicators, ranking of possible buyers and facilitators."""


@payments.command("sample-data")
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--senders", type=click.IntRange(min=10), default=2000, show_default=True)
@click.option("--buyers", type=click.IntRange(min=1), default=60, show_default=True)
@click.option("--facilitators", type=click.IntRange(min=2), default=12, show_default=True)
@click.option("--rows", type=click.IntRange(min=1), help="Scale run: tile the scenario into this many transactions "
              "in OUT/transactions.parquet (copies are disjoint populations; labels tiled too).")
@json_option
@friendly
def sample_data(out: Path, seed: int, senders: int, buyers: int, facilitators: int, rows: int | None,
                as_json: bool) -> None:
    """A labelled synthetic scenario: OUT/transactions.csv (generic MTO export) and OUT/labels.json."""
    from winnow.payments.generator import generate, generate_parquet

    if rows:
        result = generate_parquet(out, rows, seed=seed, senders=senders, buyers=buyers, facilitators=facilitators)
        target = out / "transactions.parquet"
    else:
        result = generate(out, seed=seed, senders=senders, buyers=buyers, facilitators=facilitators)
        target = out / "transactions.csv"
    if as_json:
        print_json(result)
    else:
        click.echo(f"wrote {result['transactions']} transactions to {target} (labels apart)")


@payments.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@case_option
@click.option("--format", "format_name", type=click.Choice(["auto", "mto", "camt", "goaml", "parquet"]),
              default="auto", show_default=True, help="auto: told from the content; mto: a money-transfer-operator "
              "CSV/Excel export through a column mapping; camt: ISO 20022 camt.053/054; goaml: a goAML report; "
              "parquet: winnow's normalised columns.")
@click.option("--mapping", type=click.Path(path_type=Path), help="Column mapping YAML (default: generic preset).")
@click.option("--fx", "fx_path", type=click.Path(path_type=Path), help="CSV currency,eur_per_unit overriding rates.")
@json_option
@friendly
def import_(file: Path, case_path: str | None, format_name: str, mapping: Path | None, fx_path: Path | None,
            as_json: bool) -> None:
    """Import a transaction export into the case (idempotent; bad rows reported with their line)."""
    from winnow.payments.actions import import_into

    result = import_into(load_case(case_path), file, format_name, mapping, fx_path)
    if as_json:
        print_json(result.as_dict())
        return
    if result.skipped_as_duplicate:
        click.echo(f"{file} was already imported (same SHA-256): nothing changed")
        return
    click.echo(f"imported {result.rows} transactions, {result.problems} bad rows")
    for problem in result.first_problems[:10]:
        click.echo(f"  {problem.position}: {problem.message}", err=True)
    if not result.recorded:
        click.echo("no row could be read, so nothing was recorded: fix the mapping (columns, time_format) and "
                   "import the file again", err=True)


@payments.command("score")
@case_option
@click.option("--ruleset", type=click.Path(path_type=Path), help="Ruleset YAML (default: the shipped one).")
@click.option("--seed", "seeds", multiple=True, metavar="IDENTIFIER",
              help="A known facilitator's phone, wallet, account or IBAN (rule R9: parties within 2 hops).")
@click.option("--top", type=click.IntRange(min=1), default=20, show_default=True)
@json_option
@friendly
def score_cmd(case_path: str | None, ruleset: Path | None, seeds: tuple[str, ...], top: int, as_json: bool) -> None:
    """Rank senders (possible buyers) and receivers (possible facilitators) with per-rule explanations; the
    ranking, network and communities are stored in the case (the review app's payments pages read them)."""
    from winnow.payments.scoring import score
    from winnow.payments.stored import store

    case = load_case(case_path)
    result = score(case, ruleset, list(seeds))
    if result["transactions"]:
        store(case, ruleset, list(seeds), result=result)
    if as_json:
        print_json(result)
        return
    console = Console()
    for key, title in (("senders", "possible buyers"), ("receivers", "possible facilitators")):
        table = Table(title=f"{title} (top {top} of {len(result[key])} with any indicator)")
        for column in ("score", "party", "names as recorded", "country", "first – last", "EUR", "rules", "flagged",
                       "why"):
            table.add_column(column, overflow="fold")
        for p in result[key][:top]:
            linked = len(p.get("accounts_linked", [])) - 1
            table.add_row(f"{p['score']:.1f}", p["party"] + (f" (+{linked} account{'s' if linked > 1 else ''})"
                                                             if linked > 0 else ""), "; ".join(p.get("names", [])),
                          ",".join(p.get("countries", [])),
                          f"{(p.get('first_payment') or '')[:10]} – {(p.get('last_payment') or '')[:10]}",
                          f"{p.get('total_eur', 0):,.0f}", ",".join(p["rules"]), "yes" if p["flagged"] else "",
                          "; ".join(r["explanation"] for r in p["reasons"]))
        console.print(table)


@payments.command("export")
@case_option
@click.option("--out", "out", type=click.Path(path_type=Path),
              help="Target .parquet (default: CASE/transactions.parquet).")
@json_option
@friendly
def export_cmd(case_path: str | None, out: Path | None, as_json: bool) -> None:
    """Write the case's normalised transactions to one Parquet file (importable with --format parquet)."""
    from winnow.payments.parquet import export_parquet

    result = export_parquet(load_case(case_path), out)
    if as_json:
        print_json(result)
    else:
        click.echo(f"wrote {result['rows']} transactions to {result['path']}")


@payments.command("network")
@case_option
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), help="Target folder.")
@json_option
@friendly
def network_cmd(case_path: str | None, out: Path, as_json: bool) -> None:
    """Export the payment network (GraphML, CSV), its projections and communities."""
    from winnow.payments.network import export

    result = export(load_case(case_path), out)
    if as_json:
        print_json(result)
    else:
        click.echo(f"{result['parties']} parties, {result['links']} links, {result['communities']} communities "
                   f"written to {out}")


@payments.command("evidence")
@click.argument("identifier")
@case_option
@click.option("--kind", type=click.Choice(["phone", "account", "iban", "wallet", "mtcn", "reference"]), required=True)
@click.option("--source", required=True, help="Where it was seen (e.g. chat export and message, screen lead).")
@click.option("--country", help="Country for a phone number written without its international prefix (e.g. PH).")
@friendly
def evidence_cmd(identifier: str, case_path: str | None, kind: str, source: str, country: str | None) -> None:
    """Record an identifier found in case evidence (rule R10 links transactions to it)."""
    from winnow.payments.actions import record_evidence

    value = record_evidence(load_case(case_path), identifier, kind, source, country)
    click.echo(f"recorded {kind} {value} (seen in {source})")


@payments.command("report")
@case_option
@click.option("--out", "out", type=click.Path(path_type=Path), help="Target .html (default: CASE/payments.html).")
@click.option("--top", type=click.IntRange(min=1), default=50, show_default=True)
@json_option
@friendly
def report_cmd(case_path: str | None, out: Path | None, top: int, as_json: bool) -> None:
    """One self-contained HTML report: rankings with explanations, timelines, histograms, network, rules."""
    from winnow.payments.actions import write_report

    result = write_report(load_case(case_path), out, top)
    if as_json:
        print_json(result)
    else:
        click.echo(f"wrote {result['file']}")
