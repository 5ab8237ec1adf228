"""Versions of the tool and of every library that produces a signal, recorded with each run (the store adds
the database engine's, `store/runs.py`)."""

from __future__ import annotations

import platform
from importlib import metadata

from winnow import __version__

LIBRARIES = ("pillow", "pillow-heif", "pdqhash", "numpy", "filetype", "av", "ijson", "click", "rich")


def library_versions() -> dict[str, str]:
    found: dict[str, str] = {"winnow": __version__, "python": platform.python_version()}
    for name in LIBRARIES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "absent"
    return found
