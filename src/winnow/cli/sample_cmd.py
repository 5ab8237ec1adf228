"""`winnow sample-data PATH --seed N`."""

from __future__ import annotations

from pathlib import Path

import click

from winnow.cli.common import friendly, json_option, print_json
from winnow.sample.collection import generate


@click.command("sample-data")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same collection.")
@click.option("--images", type=click.IntRange(min=1), default=24, show_default=True, help="Original photos.")
@click.option("--max-megapixels", type=click.IntRange(min=1), default=16, show_default=True)
@click.option("--videos", type=click.IntRange(min=0), default=2, show_default=True, help="Short sample videos.")
@click.option("--hashsets", "hashsets_dir", type=click.Path(path_type=Path),
              help="Also write sample hash sets (VICS, ICSE, NSRL) that know some of these files.")
@click.option("--story", "story_dir", type=click.Path(path_type=Path),
              help="Also tell the demo's story: a call recording showing a phone number among the videos, and under "
              "this folder a chat export that books the call and pays that number (chats/) and payment records in "
              "which the number receives payments from the planted buyers (payments/).")
@json_option
@friendly
def sample_data(path: Path, seed: int, images: int, max_megapixels: int, videos: int, hashsets_dir: Path | None,
                story_dir: Path | None, as_json: bool) -> None:
    """Generate a benign synthetic seized collection at PATH (photos, variants, archives, corrupt files)."""
    manifest = generate(path, seed=seed, images=images, max_megapixels=max_megapixels, videos=videos)
    if hashsets_dir:
        from winnow.sample.hashsets import generate as generate_sets

        manifest["hashsets"] = generate_sets(manifest, hashsets_dir)
    if story_dir:
        from winnow.sample.story import generate as generate_story

        manifest["story"] = generate_story(path, story_dir, seed=seed)
    if as_json:
        print_json(manifest)
    else:
        click.echo(f"generated {len(manifest['files'])} sample files under {manifest['root']}")
        if story_dir:
            story = manifest["story"]
            click.echo(f"the story: a call recording showing {story['phone']} ({story['call_recording']}), a chat "
                       f"export ({story['chat']}) and {story['transactions']} payment records ({story['payments']})")
