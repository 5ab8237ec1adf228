"""The call-recording score's reasons as sentences a reader can check: what each signal looked at, what it found
(the detector's own evidence words) and how many points it added or took away. The stored reasons are JSON
(`calls.reasons`); no page shows that JSON itself."""

from __future__ import annotations

import json
from typing import Any

LABELS = {
    "recorder_tags": "Screen-recorder software named in the file's tags",
    "geometry": "Frame size",
    "timing": "Frame timing",
    "static_overlay": "Fixed on-screen controls over a moving picture",
    "pip_inset": "A picture-in-picture inset (a call's self view)",
    "borders": "Bars or borders around the picture",
    "effective_resolution": "Effective resolution (an upscaled or re-encoded picture)",
    "faces": "Faces in the picture (count only)",
    "timer": "A running call timer read on screen",
    "interface_words": "Call-app interface words read on screen",
    "screenshot": "Screenshot traits",
    "layout": "Screen layout",
    "ocr": "Text read on screen",
}


def sentences(reasons: str | list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Each reason as {label, evidence, points, sentence, direction}, strongest first; unreadable stored reasons
    become one sentence that says so (never a crash, never raw JSON)."""
    if isinstance(reasons, str):
        try:
            reasons = json.loads(reasons)
        except ValueError:
            return [{"label": "Stored reasons", "evidence": "unreadable", "points": 0.0, "direction": "none",
                     "sentence": "The stored reasons could not be read."}]
    out: list[dict[str, Any]] = []
    for reason in reasons or []:
        if not isinstance(reason, dict):
            out.append({"label": "Stored reason", "evidence": "unreadable", "points": 0.0, "direction": "none",
                        "sentence": "A stored reason could not be read."})
            continue
        name = str(reason.get("signal", "?"))
        label = LABELS.get(name, name.replace("_", " ").capitalize())
        try:
            points = float(reason.get("points") or 0.0)
        except (TypeError, ValueError):
            points = 0.0
        evidence = str(reason.get("evidence") or "").strip()
        direction = "for" if points > 0 else "against" if points < 0 else "none"
        effect = (f"adds {points:.2f} points" if points > 0 else f"takes away {-points:.2f} points" if points < 0
                  else "adds nothing")
        out.append({"label": label, "evidence": evidence, "points": points, "direction": direction,
                    "sentence": f"{label}: {evidence or 'no detail'} — {effect}."})
    out.sort(key=lambda r: -abs(float(r["points"])))
    return out
