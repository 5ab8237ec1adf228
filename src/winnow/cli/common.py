"""Shared CLI pieces: the --case option, JSON output, turning library errors into clear messages."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from winnow.pipeline.executors import ExecutorError, ExecutorOptions, WorkersFailed
from winnow.pipeline.plan import SourceError
from winnow.store.case import Case, CaseError, open_case
from winnow.store.db import StoreError

F = TypeVar("F", bound=Callable[..., Any])

case_option = click.option("--case", "case_path", envvar="WINNOW_CASE", metavar="PATH",
                           help="Case folder (or set WINNOW_CASE).")
json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout, nothing else.")


def executor_options(func: F) -> F:
    """`--executor local|dask`, `--scheduler ADDRESS`, `--tls-ca/--tls-cert/--tls-key FILE` (docs/scale.md)."""
    from winnow.pipeline.executors import names

    file = click.Path(exists=True, dir_okay=False, path_type=str)
    for option in reversed((
        click.option("--executor", type=click.Choice(names()), default="local", show_default=True,
                     help="Where the work runs: the local process pool, or a Dask cluster."),
        click.option("--scheduler", envvar="WINNOW_SCHEDULER", metavar="ADDRESS",
                     help="Dask scheduler, tcp://HOST:8786 or tls://HOST:8786 (default: a LocalCluster of "
                          "--workers processes on 127.0.0.1)."),
        click.option("--tls-ca", type=file, help="CA certificate (PEM) the scheduler's and workers' certificates "
                     "are signed by."),
        click.option("--tls-cert", type=file, help="This client's certificate (PEM)."),
        click.option("--tls-key", type=file, help="This client's private key (PEM)."),
    )):
        func = option(func)
    return func


def make_executor_options(executor: str, scheduler: str | None, tls_ca: str | None, tls_cert: str | None,
                          tls_key: str | None) -> ExecutorOptions:
    return ExecutorOptions(executor, scheduler, tls_ca, tls_cert, tls_key)


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
        except (CaseError, SourceError, StoreError, WorkersFailed, ExecutorError, ValueError) as exc:
            raise click.ClickException(str(exc)) from exc
        except Exception as exc:
            # the errors of heavier modules, imported only when one happens (a command starts fast)
            from winnow.hashsets.library import ImportFailed
            from winnow.pipeline.ingest import Interrupted

            if isinstance(exc, ImportFailed):
                raise click.ClickException(str(exc)) from exc
            if isinstance(exc, Interrupted):
                click.echo(f"winnow: {exc}", err=True)
                sys.exit(130)
            if isinstance(exc, OSError):  # a file the command was given cannot be read or written
                where = f"{exc.filename}: " if exc.filename else ""
                raise click.ClickException(f"{where}{exc.strerror or exc}") from exc
            raise
        except KeyboardInterrupt:
            click.echo("winnow: interrupted", err=True)
            sys.exit(130)

    return wrapper  # type: ignore[return-value]
