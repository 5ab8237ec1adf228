"""Category codes of hash-set records, explicit per scheme and never guessed (the tables: winnow/categories.py). An
unknown code is kept raw and reported."""

from __future__ import annotations

from typing import Any

from winnow.categories import HASHSET_ALIASES, HASHSET_LABELS

SCHEMES = HASHSET_LABELS
ALIASES = HASHSET_ALIASES


def scheme_of(name: str | None) -> str:
    return ALIASES.get((name or "US").upper(), "US")


def label(scheme: str, code: Any) -> tuple[str | None, str | None]:
    """(normalised label or None when unknown, raw code as text)."""
    if code is None or code == "":
        return None, None
    raw = str(code).strip()
    table = SCHEMES[scheme_of(scheme)]
    return table.get(raw.upper()), raw


def code_of(scheme: str, category_label: str | None) -> str | None:
    """The code to write for a label when exporting (first code with that label)."""
    if category_label is None:
        return None
    for code, text in SCHEMES[scheme_of(scheme)].items():
        if text == category_label:
            return code
    return None
