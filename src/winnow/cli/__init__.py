"""The `winnow` command: a thin layer over library functions (parse, call, print). Commands are imported when
they are run (a lazy group), so `winnow ingest` pays for the ingest code only and starts fast."""

from __future__ import annotations

import importlib
import os

# numpy's BLAS in this process and its workers: one thread each (the workers already use every core); set
# before anything imports numpy
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import click  # noqa: E402

from winnow import __version__  # noqa: E402

# command name, module under winnow.cli, attribute: the explicit registry of commands
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("case", "case_cmd", "case"), ("ingest", "ingest_cmd", "ingest"), ("warnings", "warnings_cmd", "warnings"),
    ("audit", "audit_cmd", "audit"), ("sample-data", "sample_cmd", "sample_data"),
    ("hashset", "hashset_cmd", "hashset"), ("lookup", "hashset_cmd", "lookup"), ("match", "match_cmd", "match"),
    ("triage", "match_cmd", "triage"), ("export", "match_cmd", "export"), ("videos", "video_cmd", "videos"),
    ("payments", "payments_cmd", "payments"), ("chats", "chats_cmd", "chats"),
    ("identifiers", "chats_cmd", "identifiers"), ("links", "chats_cmd", "links_cmd"),
    ("timeline", "chats_cmd", "timeline_cmd"), ("calls", "calls_cmd", "calls"), ("leads", "calls_cmd", "leads"),
    ("serve", "web_cmd", "serve"), ("user", "web_cmd", "user"), ("report", "web_cmd", "report"),
    ("findings", "findings_cmd", "findings"),
)


def _load(name: str) -> click.Command | None:
    for command, module, attribute in COMMANDS:
        if command == name:
            loaded: click.Command = getattr(importlib.import_module(f"winnow.cli.{module}"), attribute)
            if name == "export" and isinstance(loaded, click.Group) and "vpdq" not in loaded.commands:
                from winnow.cli import video_cmd

                loaded.add_command(video_cmd.export_vpdq_cmd)
            return loaded
    return None


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name, _, _ in COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return _load(cmd_name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="winnow")
def cli() -> None:
    """winnow: triage of seized media collections for investigators."""


def main() -> None:
    cli(prog_name="winnow")
