"""Shared CLI pieces: the --case option, JSON output, turning library errors into clear messages."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from winnow.hashsets.library import ImportFailed
from winnow.pipeline.ingest import Interrupted, WorkersFailed
from winnow.pipeline.plan import SourceError
from winnow.store.case import Case, CaseError, open_case
from winnow.store.db import StoreError

F = TypeVar("F", bound=Callable[..., Any])

case_option = click.option("--case", "case_path", envvar="WINNOW_CASE", metavar="PATH",
                           help="Case folder (or set WINNOW_CASE).")
json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout, nothing else.")


def load_case(path: str | None) -> Case:
    return open_case(path)


def print_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n")


def friendly(func: F) -> F:
    """Library errors become one clear line on stderr and a non-zero exit, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (CaseError, SourceError, StoreError, ImportFailed, WorkersFailed, ValueError) as exc:
            raise click.ClickException(str(exc)) from exc
        except Interrupted as exc:
            click.echo(f"winnow: {exc}", err=True)
            sys.exit(130)
        except KeyboardInterrupt:
            click.echo("winnow: interrupted", err=True)
            sys.exit(130)

    return wrapper  # type: ignore[return-value]
