"""The `winnow` command: a thin layer over library functions (parse, call, print)."""

from __future__ import annotations

import os

# numpy's BLAS in this process and its workers: one thread each (the workers already use every core); set
# before anything imports numpy
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import click  # noqa: E402

from winnow import __version__  # noqa: E402
from winnow.cli import (  # noqa: E402
    audit_cmd,
    calls_cmd,
    case_cmd,
    chats_cmd,
    findings_cmd,
    hashset_cmd,
    ingest_cmd,
    match_cmd,
    payments_cmd,
    sample_cmd,
    video_cmd,
    warnings_cmd,
    web_cmd,
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="winnow")
def cli() -> None:
    """winnow: triage of seized media collections for investigators."""


COMMANDS = (case_cmd.case, ingest_cmd.ingest, warnings_cmd.warnings, audit_cmd.audit, sample_cmd.sample_data,
            hashset_cmd.hashset, hashset_cmd.lookup, match_cmd.match, match_cmd.triage, match_cmd.export,
            video_cmd.videos, payments_cmd.payments, chats_cmd.chats, chats_cmd.identifiers, chats_cmd.links_cmd,
            chats_cmd.timeline_cmd, calls_cmd.calls, calls_cmd.leads,
            web_cmd.serve, web_cmd.user, web_cmd.report, findings_cmd.findings)
match_cmd.export.add_command(video_cmd.export_vpdq_cmd)
for command in COMMANDS:
    cli.add_command(command)


def main() -> None:
    cli(prog_name="winnow")
