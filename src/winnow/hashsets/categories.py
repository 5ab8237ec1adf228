"""Category schemes, explicit per scheme and never guessed. An unknown code is kept raw and reported."""

from __future__ import annotations

from typing import Any

SCHEMES: dict[str, dict[str, str]] = {
    # VICS / Project VIC, US: 0 non-pertinent, 1 CAM, 2 exploitive / age difficult, 3 CGI/animation, 4 comparison
    "US": {"0": "0 non-pertinent", "1": "1 CAM", "2": "2 exploitive / age difficult", "3": "3 CGI/animation",
           "4": "4 comparison"},
    # VICS UK: sentencing categories A/B/C, plus non-pertinent
    "UK": {"0": "non-pertinent", "A": "A", "B": "B", "C": "C", "1": "A", "2": "B", "3": "C"},
}
ALIASES = {"DEFAULT": "US", "US": "US", "UK": "UK"}


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
