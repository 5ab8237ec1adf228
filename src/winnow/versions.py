"""Versions of the tool and of every library that produces a signal, recorded with each run."""

from __future__ import annotations

import platform
import sqlite3
from importlib import metadata

from winnow import __version__

LIBRARIES = ("pillow", "pillow-heif", "pdqhash", "numpy", "filetype", "av", "ijson", "click", "rich")


def library_versions() -> dict[str, str]:
    found: dict[str, str] = {"winnow": __version__, "python": platform.python_version(),
                             "sqlite": sqlite3.sqlite_version}
    for name in LIBRARIES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "absent"
    return found
