"""What a (re-)run of ingest asks the case before it works: which contents already have their signals, and which
chains under a folder or an archive are already recorded with which status (so a resumed run skips them)."""

from __future__ import annotations

from winnow.messages import NAME
from winnow.store.db import Connection


def signals_known(conn: Connection, sha256: str, tables: tuple[str, ...]) -> set[str]:
    """Signals are computed once per content: which of the signals' tables already hold a row of it (one query)."""
    if not tables:
        return set()
    for table in tables:
        if not NAME.fullmatch(table):
            raise ValueError(f"not a table name: {table!r}")
    sql = " UNION ALL ".join(f"SELECT '{t}' FROM {t} WHERE sha256=?" for t in tables)
    return {r[0] for r in conn.execute(sql, (sha256,) * len(tables))}


def statuses_under(conn: Connection, chain: str) -> dict[str, str]:
    """Chain -> status of every member recorded inside the archive (or image) `chain`."""
    rows = conn.execute("SELECT chain, status FROM instances WHERE chain >= ? AND chain < ?",
                        (chain + "!/", chain + "!0"))
    return {r[0]: r[1] for r in rows}


def statuses_in(conn: Connection, parent: str) -> dict[str, str]:
    """Chain -> status of every item recorded directly in the folder `parent`."""
    return {r[0]: r[1] for r in conn.execute("SELECT chain, status FROM instances WHERE parent=?", (parent,))}
