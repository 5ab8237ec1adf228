"""`winnow findings`: what the case found, in a few lines (the end of `make demo`)."""

from __future__ import annotations

import click

from winnow.cli.common import case_option, friendly, json_option, load_case, print_json


@click.command("findings")
@case_option
@json_option
@friendly
def findings(case_path: str | None, as_json: bool) -> None:
    """Likely call recordings, the identifiers on their screens, the chats and payments that name them, the top
    buyers paying them; the audit status, the latest report and how to open the review app."""
    from winnow.findings import findings as gather
    from winnow.findings import summary

    found = gather(load_case(case_path))
    if as_json:
        print_json(found)
        return
    for line in summary(found):
        click.echo(line)
