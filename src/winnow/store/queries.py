"""Read-only questions the CLI and the web app ask of a case."""

from __future__ import annotations

from typing import Any

from winnow.store.case import Case


def warnings(case: Case, code: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    conn = case.connect(readonly=True)
    try:
        sql = "SELECT id, chain, stage, code, message, run_id FROM warnings"
        args: list[Any] = []
        if code:
            sql += " WHERE code=?"
            args.append(code)
        sql += " ORDER BY id"
        if limit:
            sql += " LIMIT ?"
            args.append(limit)
        return [dict(r) for r in conn.execute(sql, args)]
    finally:
        conn.close()


def instance(case: Case, chain: str) -> dict[str, Any] | None:
    conn = case.connect(readonly=True)
    try:
        row = conn.execute(
            "SELECT i.*, c.md5, c.sha1, c.mime, c.kind, im.width, im.height, im.pdq, im.pdq_quality, im.thumbnail, "
            "im.make, im.model, im.datetime_original, im.gps_lat, im.gps_lon FROM instances i "
            "LEFT JOIN content c ON c.sha256 = i.sha256 LEFT JOIN images im ON im.sha256 = i.sha256 "
            "WHERE i.chain = ?", (chain,)).fetchone()
        return dict(row) if row else None
    finally:
        conn.close()
