"""The one stored-problem type of every import (hash sets, chats, payments): where in the source (a line, a
record, a byte offset, an element) and what is wrong with it. Nothing is dropped silently: a bad row becomes a
`Problem`, is stored with its import, and the first ones are shown. (Ingest warnings are tied to an item of the
case instead: `messages.Warn` and `Record.warnings`, stored in `warnings` with a stage and a stable code.)"""

from __future__ import annotations

from dataclasses import dataclass

SHOWN = 20  # problems listed in an import's result (all are stored)


@dataclass(frozen=True)
class Problem:
    position: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"position": self.position, "message": self.message}
