"""What a (re-)run of ingest asks the case before it works: which contents already have their signals, and which
chains under a folder or an archive are already recorded with which status (so a resumed run skips them)."""

from __future__ import annotations

from winnow.store.db import Connection


def signals_known(conn: Connection, sha256: str) -> bool:
    """Signals are computed once per content: an image or video row means it was done."""
    return conn.execute("SELECT 1 FROM images WHERE sha256=? UNION ALL SELECT 1 FROM videos WHERE sha256=?",
                        (sha256, sha256)).fetchone() is not None


def statuses_under(conn: Connection, chain: str) -> dict[str, str]:
    """Chain -> status of every member recorded inside the archive (or image) `chain`."""
    rows = conn.execute("SELECT chain, status FROM instances WHERE chain >= ? AND chain < ?",
                        (chain + "!/", chain + "!0"))
    return {r[0]: r[1] for r in rows}


def statuses_in(conn: Connection, parent: str) -> dict[str, str]:
    """Chain -> status of every item recorded directly in the folder `parent`."""
    return {r[0]: r[1] for r in conn.execute("SELECT chain, status FROM instances WHERE parent=?", (parent,))}
