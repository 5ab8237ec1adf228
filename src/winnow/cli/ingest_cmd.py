"""`winnow ingest SOURCE... --case PATH`: progress on stderr, a summary table (or --json) at the end."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
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
from winnow.pipeline.ingest import ingest as run_ingest
from winnow.pipeline.stats import Stats

if TYPE_CHECKING:
    from winnow.pipeline.summary import Summary
from winnow.settings import Settings
from winnow.store.queue import refresh_case as refresh_queue_summary


def parse_settings(workers: int | None, archive_depth: int | None, pairs: tuple[str, ...]) -> Settings:
    settings = Settings()
    defaults = settings.as_dict()
    changes: dict[str, Any] = {}
    for pair in pairs:
        if "=" not in pair:
            raise ValueError(f"--set takes NAME=VALUE, got {pair!r}")
        name, value = pair.split("=", 1)
        if name not in defaults:
            raise ValueError(f"unknown setting {name!r} (see docs/settings.md)")
        kind = type(defaults[name])
        try:
            changes[name] = kind(value)
        except ValueError as exc:
            raise ValueError(f"setting {name} needs a {kind.__name__}, got {value!r}") from exc
    if workers is not None:
        changes["workers"] = workers
    if archive_depth is not None:
        changes["archive_depth"] = archive_depth
    return settings.replace(**changes)


class _Bar:
    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            TextColumn("[bold]ingest"), BarColumn(), TaskProgressColumn(),
            TextColumn("{task.fields[files]} files · {task.fields[items]} items · {task.fields[rate]:.1f} files/s · "
                       "{task.fields[mbs]:.1f} MB/s · {task.fields[warn]} warnings"),
            TimeRemainingColumn(), console=console, transient=False)
        self.task = self.progress.add_task("ingest", total=None, files=0, items=0, rate=0.0, mbs=0.0, warn=0)

    def __call__(self, s: Stats) -> None:
        seconds = s.elapsed()
        self.progress.update(self.task, total=s.total_bytes if s.total_known else None, completed=s.bytes_done,
                             files=f"{s.files_done}/{s.total_files}{'' if s.total_known else '+'}", items=s.items,
                             rate=s.files_done / seconds, mbs=s.bytes_done / seconds / 1e6, warn=s.warnings)


def print_summary(summary: Summary, console: Console) -> None:
    run, totals = summary["this_run"], summary["case_totals"]
    table = Table(title=f"ingest summary — {summary['case']}")
    table.add_column("what")
    table.add_column("value", justify="right")
    for label, value in (
        ("files read this run", run["source_files"]), ("items written this run", run["items_written"]),
        ("seconds", run["seconds"]), ("files/s", run["files_per_second"]), ("MB/s", run["mb_per_second"]),
        ("warnings this run", run["warnings"]), ("workers replaced", run["replaced_workers"]),
        ("items in case", totals["items"]), ("unique contents", totals["unique_contents"]),
        ("archives opened", totals["archives"]), ("images", totals["images"]), ("PDQ hashes", totals["pdq_hashes"]),
        ("thumbnails", totals["thumbnails"]), ("with EXIF / GPS", f"{totals['with_exif']} / {totals['with_gps']}"),
        ("extension mismatches", totals["extension_mismatches"]), ("warnings in case", totals["warnings"]),
    ):
        table.add_row(label, str(value))
    console.print(table)
    print_disk_images(totals.get("disk_images") or [], console)
    if totals["warnings_by_code"]:
        codes = Table(title="warnings by code (see: winnow warnings --case ...)")
        codes.add_column("code")
        codes.add_column("count", justify="right")
        for code, count in totals["warnings_by_code"].items():
            codes.add_row(code, str(count))
        console.print(codes)


def print_disk_images(images: list[dict[str, Any]], console: Console) -> None:
    """Disk images of the case; an integrity mismatch or an encrypted volume is printed so nobody misses it."""
    from winnow.store.disk import integrity_text, volume_text

    if not images:
        return
    table = Table(title="disk images")
    for column in ("image", "format", "integrity", "volumes", "entries", "of them deleted", "carved"):
        table.add_column(column)
    for d in images:
        volumes = "\n".join(volume_text(v) for v in d["volumes"] if v["status"] != "unpartitioned")
        table.add_row(d["image"], d["format"], integrity_text(d), volumes,
                      str(d["files"]), str(d["deleted"]), str(d["carved"]))
    console.print(table)
    for d in images:
        if d["verification"] in ("mismatch", "failed"):
            console.print(f"[bold red]WARNING: {d['image']}: {integrity_text(d)}[/bold red]")
        for v in d["volumes"]:
            if v["encryption"]:
                console.print(f"[bold yellow]ENCRYPTED VOLUME: {d['image']} {volume_text(v)} — not read "
                              "(a key is needed)[/bold yellow]")


@click.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=str))
@case_option
@click.option("--workers", type=click.IntRange(min=0), help="Worker processes (default: one per core).")
@click.option("--archive-depth", type=click.IntRange(min=0), help="How deep nested archives are opened.")
@click.option("--verify-image/--no-verify-image", "verify_image", default=None,
              help="Hash every disk image's whole medium (and check the hashes an E01 stores); by default only "
                   "images that store hashes are verified.")
@click.option("--set", "pairs", multiple=True, metavar="NAME=VALUE", help="Any setting (docs/settings.md).")
@executor_options
@json_option
@friendly
def ingest(sources: tuple[str, ...], case_path: str | None, workers: int | None, archive_depth: int | None,
           verify_image: bool | None, pairs: tuple[str, ...], executor: str, scheduler: str | None,
           tls_ca: str | None, tls_cert: str | None, tls_key: str | None, as_json: bool) -> None:
    """Ingest folders, files and archives into the case; re-run the same command to resume."""
    options = make_executor_options(executor, scheduler, tls_ca, tls_cert, tls_key)
    case = load_case(case_path)
    settings = parse_settings(workers, archive_depth, pairs)
    if verify_image is not None:
        settings = settings.replace(disk_verify="always" if verify_image else "never")
    err = Console(stderr=True)
    show_bar = not as_json and sys.stderr.isatty()
    bar = _Bar(err) if show_bar else None
    if bar:
        bar.progress.start()
    try:
        summary = run_ingest(case, list(sources), settings, command="ingest " + " ".join(sources), on_progress=bar,
                             executor=options)
    finally:
        if bar:
            bar.progress.stop()
    refresh_queue_summary(case)  # the review queue's maintained summary, rebuilt once per run (store/queue.py)
    if as_json:
        print_json(summary)
    else:
        print_summary(summary, Console())
