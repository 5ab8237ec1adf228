"""`winnow videos` (list videos, their links and frame grabs) and `winnow export vpdq`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from winnow.cli.common import case_option, friendly, json_option, load_case, print_json
from winnow.signals import vpdq
from winnow.store import listings
from winnow.store.case import Case


def list_videos(case: Case) -> dict[str, Any]:
    return listings.videos(case)


def export_vpdq(case: Case, folder: Path) -> int:
    """One Meta vPDQ text file per case video (`<sha256>.vpdq.txt`), to exchange with other tools."""
    folder.mkdir(parents=True, exist_ok=True)
    n = 0
    for sha, blob in listings.video_signatures(case):
        features = vpdq.unpack(blob)
        if features:
            (folder / f"{sha}.vpdq.txt").write_text(vpdq.to_text(features), encoding="utf-8")
            n += 1
    return n


@click.command()
@case_option
@json_option
@friendly
def videos(case_path: str | None, as_json: bool) -> None:
    """List the case's videos (metadata, signature), duplicates/clips and frame grabs."""
    result = list_videos(load_case(case_path))
    if as_json:
        print_json(result)
        return
    table = Table(title=f"{len(result['videos'])} videos")
    for column in ("path", "container", "codec", "size", "duration s", "fps", "VFR", "audio", "frames"):
        table.add_column(column, overflow="fold")
    for v in result["videos"]:
        table.add_row(v["chain"], v["container"], v["video_codec"], f"{v['width']}x{v['height']}", str(v["duration"]),
                      str(v["avg_fps"]), str(bool(v["variable_frame_rate"])), str(bool(v["has_audio"])),
                      str(v["signature_frames"]))
    Console().print(table)
    for link in result["links"]:
        click.echo(f"{link['relation']}: {link['a'][:12]} in {link['b'][:12]} ({link['share_a']:.0%} / "
                   f"{link['share_b']:.0%})")
    for grab in result["frame_grabs"]:
        click.echo(f"frame grab: image {grab['image_sha256'][:12]} = {grab['source']} video {grab['video'][:12]} "
                   f"at {grab['seconds']} s (distance {grab['distance']})")


@click.command("vpdq")
@case_option
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), help="Target folder.")
@json_option
@friendly
def export_vpdq_cmd(case_path: str | None, out: Path, as_json: bool) -> None:
    """Meta vPDQ text files of the case's videos (one per video)."""
    n = export_vpdq(load_case(case_path), out)
    if as_json:
        print_json({"folder": str(out), "videos": n})
    else:
        click.echo(f"wrote {n} vPDQ files to {out}")
