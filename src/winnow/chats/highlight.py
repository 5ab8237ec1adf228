"""Identifiers highlighted in a message: the text cut into plain and marked pieces (each marked piece says its
kind and normalised value), so a template escapes every piece and never renders message text as markup."""

from __future__ import annotations

from typing import Any


def segments(text: str, seen: list[dict[str, Any]]) -> list[tuple[str, str | None, str | None]]:
    """(piece, kind or None, value or None) in order; overlapping sightings keep the earliest, then the longest."""
    spans: list[tuple[int, int, str, str]] = []
    for s in seen:
        raw = str(s.get("raw") or "")
        if not raw:
            continue
        start = text.find(raw)
        while start >= 0:
            spans.append((start, start + len(raw), str(s["kind"]), str(s["value"])))
            start = text.find(raw, start + len(raw))
    spans.sort(key=lambda span: (span[0], -(span[1] - span[0])))
    out: list[tuple[str, str | None, str | None]] = []
    position = 0
    for start, end, kind, value in spans:
        if start < position:
            continue
        if start > position:
            out.append((text[position:start], None, None))
        out.append((text[start:end], kind, value))
        position = end
    if position < len(text):
        out.append((text[position:], None, None))
    return out
