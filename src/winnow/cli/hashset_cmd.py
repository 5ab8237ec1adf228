"""`winnow hashset import|build|list|show|remove` and `winnow lookup`."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from winnow.cli.common import friendly, json_option, print_json
from winnow.hashsets.formats import FORMATS
from winnow.hashsets.library import KINDS, Library
from winnow.match.lookup import lookup as run_lookup

library_option = click.option("--library", "library_path", envvar="WINNOW_LIBRARY", type=click.Path(path_type=Path),
                              help="Hash-set library folder (default: the user's data folder; or WINNOW_LIBRARY).")


def open_library(path: Path | None) -> Library:
    return Library(path)


@click.group()
def hashset() -> None:
    """The hash-set library shared by all cases."""


@hashset.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--name", required=True, help="Set name (re-importing a name replaces the set atomically).")
@click.option("--kind", type=click.Choice(KINDS), help="alert (known relevant) or ignorable (known good, e.g. NSRL).")
@click.option("--format", "format_name", type=click.Choice(["auto", *FORMATS]), default="auto", show_default=True)
@click.option("--strict", is_flag=True, help="Abort with nothing imported if any row is bad.")
@click.option("--scheme", type=click.Choice(["US", "UK", "Default"], case_sensitive=False),
              help="Category scheme (VICS: read from the file's context URL unless given).")
@click.option("--hash-type", type=click.Choice(["md5", "sha1", "sha256", "pdq"]),
              help="hashlist: the type of bare values.")
@click.option("--map", "mapping", multiple=True, metavar="FIELD=COLUMN", help="csv: e.g. md5=Hash category=Cat.")
@click.option("--delimiter", default=",", show_default=True, help="csv: column separator.")
@click.option("--max-distance", type=click.IntRange(0, 64), default=31, show_default=True,
              help="PDQ match distance for this set.")
@library_option
@json_option
@friendly
def import_(file: Path, name: str, kind: str | None, format_name: str, strict: bool, scheme: str | None,
            hash_type: str | None, mapping: tuple[str, ...], delimiter: str, max_distance: int,
            library_path: Path | None, as_json: bool) -> None:
    """Import a hash set FILE (VICS JSON, ICSE CSV, NSRL, md5sum lists, CSV, ThreatExchange/HMA, PDQ lists)."""
    pairs = {}
    for m in mapping:
        if "=" not in m:
            raise ValueError(f"--map takes FIELD=COLUMN, got {m!r}")
        k, v = m.split("=", 1)
        pairs[k.strip().lower()] = v.strip()
    result = open_library(library_path).import_file(
        file, name, kind, format_name, strict=strict, max_distance=max_distance, scheme=scheme, hash_type=hash_type,
        mapping=pairs or None, delimiter=delimiter)
    if as_json:
        print_json(result.as_dict())
        return
    verb = "replaced" if result.replaced else "imported"
    click.echo(f"{verb} set {result.name!r} (v{result.version}, {result.kind}, {result.format}): "
               f"{sum(result.counts.values())} hashes {result.counts}, {result.problems} bad rows")
    for problem in result.first_problems[:10]:
        click.echo(f"  {problem.position}: {problem.message}", err=True)


@hashset.command("build")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--name", required=True, help="Set name (rebuilding a name replaces the set atomically).")
@click.option("--kind", type=click.Choice(KINDS), default="alert", show_default=True)
@click.option("--category", help="Category recorded for every picture of the folder.")
@click.option("--max-distance", type=click.IntRange(0, 64), default=31, show_default=True,
              help="PDQ match distance for this set.")
@library_option
@json_option
@friendly
def build(folder: Path, name: str, kind: str, category: str | None, max_distance: int, library_path: Path | None,
          as_json: bool) -> None:
    """Build a set from a FOLDER of reference pictures: their hashes, and their thumbnails and stored variants,
    so that `winnow match --robust` confirms crops and rotations of them by their pixels."""
    result = open_library(library_path).build_from_folder(folder, name, kind, category, max_distance)
    if as_json:
        print_json(result.as_dict())
        return
    verb = "rebuilt" if result.replaced else "built"
    click.echo(f"{verb} set {result.name!r} (v{result.version}, {result.kind}): {result.pictures} pictures, "
               f"{result.variants} stored variants, {sum(result.counts.values())} hashes {result.counts}, "
               f"{result.problems} problems")
    for problem in result.first_problems[:10]:
        click.echo(f"  {problem.position}: {problem.message}", err=True)


@hashset.command("list")
@library_option
@json_option
@friendly
def list_(library_path: Path | None, as_json: bool) -> None:
    """List the sets in the library."""
    sets = open_library(library_path).sets()
    if as_json:
        print_json([{"name": s.name, "kind": s.kind, "format": s.format, "version": s.version, "counts": s.counts,
                     "issues": s.issues, "imported_utc": s.imported_utc, "source_sha256": s.source_sha256,
                     "max_distance": s.max_distance} for s in sets])
        return
    table = Table(title="hash sets")
    for column in ("name", "kind", "format", "version", "hashes", "bad rows", "imported (UTC)"):
        table.add_column(column)
    for s in sets:
        table.add_row(s.name, s.kind, s.format, str(s.version), str(s.counts), str(s.issues), s.imported_utc)
    Console().print(table)


@hashset.command("show")
@click.argument("name")
@library_option
@json_option
@friendly
def show(name: str, library_path: Path | None, as_json: bool) -> None:
    """Show one set and its first bad rows."""
    library = open_library(library_path)
    info = library.get(name)
    issues = library.issues(name)
    if as_json:
        first = [i.as_dict() for i in issues]
        print_json({"name": info.name, "kind": info.kind, "format": info.format, "version": info.version,
                    "counts": info.counts, "problems": info.issues, "first_problems": first, "issues": info.issues,
                    "source_sha256": info.source_sha256, "first_issues": first})
        return
    click.echo(f"{info.name}: {info.kind}, {info.format}, v{info.version}, {info.counts}, source sha256 "
               f"{info.source_sha256}")
    for i in issues:
        click.echo(f"  {i.position}: {i.message}")


@hashset.command("remove")
@click.argument("name")
@library_option
@friendly
def remove(name: str, library_path: Path | None) -> None:
    """Remove a set from the library."""
    open_library(library_path).remove(name)
    click.echo(f"removed set {name!r}")


@click.command()
@click.argument("query")
@library_option
@click.option("--dihedral", is_flag=True, help="Also look up the 7 rotations/flips of an image.")
@click.option("--max-distance", type=click.IntRange(0, 64), default=31, show_default=True)
@json_option
@friendly
def lookup(query: str, library_path: Path | None, dihedral: bool, max_distance: int, as_json: bool) -> None:
    """Look a FILE or a HASH up in the library (no case needed)."""
    result = run_lookup(open_library(library_path), query, max_distance=max_distance, dihedral=dihedral)
    if as_json:
        print_json(result)
        return
    click.echo(f"query: {result['query']}")
    if not result["matches"]:
        click.echo("no match in the library")
    for m in result["matches"]:
        click.echo(f"  {m['set']} ({m['kind']}): {m['hash_type']} distance {m['distance']}"
                   f" category {m.get('category')} series {m.get('series')}")
