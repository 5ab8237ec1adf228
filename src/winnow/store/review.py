"""The review queue and decisions. Groups are near-duplicate stacks and video groups (from `winnow triage`), and
otherwise folders/archives; they come in triage queue order (unknown first, then density of hash hits); each hash
set that matched also forms a group (its items also sit in their stack or folder), after the others. A decision
is one category and any number of tags per content, with a version number: a change based on an old version is a
conflict, reported and never applied silently. A hash-set match only suggests a category."""

from __future__ import annotations

import json
from typing import Any

from winnow.categories import REVIEW_SCHEMES
from winnow.store import audit, db, queue
from winnow.store.db import Connection
from winnow.timeutil import utc_now

SCHEMES = REVIEW_SCHEMES  # winnow/categories.py: the same published codes as the hash sets
PAGE = 120


class Conflict(Exception):
    """Someone else changed the item since this user saw it."""

    def __init__(self, current: dict[str, Any]) -> None:
        super().__init__(f"changed by {current['user']} at {current['time_utc']} (now {current['category']})")
        self.current = current


def scheme(conn: Connection) -> str:
    row = conn.execute("SELECT value FROM case_settings WHERE key = 'scheme'").fetchone()
    return row[0] if row else "vics-us"


def set_scheme(conn: Connection, name: str) -> None:
    if name not in SCHEMES:
        raise ValueError(f"scheme must be one of {', '.join(SCHEMES)}")
    conn.execute(db.upsert("case_settings", ("key", "value"), ("key",)), ("scheme", name))


def groups(conn: Connection, user: str, offset: int = 0, limit: int = 100) -> list[dict[str, Any]]:
    """Review groups in queue order, with how many items each holds and whether this user has opened it (read
    from the maintained summary, store/queue.py)."""
    return queue.groups(conn, user, offset, limit)


def next_unseen(conn: Connection, user: str) -> str | None:
    return queue.next_unseen(conn, user)


def _where(group_key: str) -> tuple[str, tuple[Any, ...]]:
    kind, _, value = group_key.partition(":")
    if kind == "stack" and value.isdigit():
        return "t.stack_id = ?", (int(value),)
    if kind == "folder":
        return "i.parent = ? AND t.stack_id IS NULL", (value,)
    if kind == "set" and value:  # everything a hash set matched (also listed in its stack or folder)
        return "i.sha256 IN (SELECT sha256 FROM matches WHERE set_name = ?)", (value,)
    raise ValueError(f"no such group {group_key!r}")


def group_items(conn: Connection, group_key: str, page: int = 0, size: int | None = None) -> dict[str, Any]:
    size = size or PAGE
    where, params = _where(group_key)
    base = ("FROM instances i JOIN content c ON c.sha256 = i.sha256 LEFT JOIN triage t ON t.sha256 = i.sha256 "
            f"LEFT JOIN decisions d ON d.sha256 = i.sha256 WHERE c.kind IN ('image', 'video') AND {where}")
    total = conn.execute(f"SELECT count(DISTINCT i.sha256) {base}", params).fetchone()[0]
    rows = conn.execute(
        "SELECT i.sha256, min(i.chain) AS chain, c.kind, t.state, coalesce(t.category, (SELECT m.category FROM "
        "matches m WHERE m.sha256 = i.sha256 AND m.category IS NOT NULL ORDER BY m.distance LIMIT 1)) AS suggested, "
        f"d.category, d.tags, "
        f"coalesce(d.version, 0) AS version {base} "
        # content, triage and decisions have one row per content: grouping by their columns groups by content
        "GROUP BY i.sha256, c.kind, t.state, t.category, d.category, d.tags, d.version "
        "ORDER BY min(t.queue_rank), i.sha256 LIMIT ? OFFSET ?", (*params, size, page * size)).fetchall()
    return {"group": group_key, "total": total, "page": page, "pages": max(1, -(-total // size)),
            "items": [dict(r) | {"tags": json.loads(r["tags"] or "[]")} for r in rows]}


_NOT_SHOWN = ("signature", "exif", "pdq_dihedral", "pdq_borders")  # hash and metadata blobs, not for the reviewer


def item(conn: Connection, sha256: str) -> dict[str, Any] | None:
    content = conn.execute("SELECT * FROM content WHERE sha256 = ?", (sha256,)).fetchone()
    if content is None:
        return None
    out: dict[str, Any] = dict(content)
    out["paths"] = [r[0] for r in conn.execute("SELECT chain FROM instances WHERE sha256 = ? ORDER BY chain",
                                               (sha256,))]
    for table in ("images", "videos", "triage", "decisions", "calls"):
        row = conn.execute(f"SELECT * FROM {table} WHERE sha256 = ?", (sha256,)).fetchone()
        out[table] = {k: v for k, v in dict(row).items() if k not in _NOT_SHOWN} if row else None
    out["matches"] = [dict(r) for r in conn.execute(
        "SELECT set_name, hash_type, distance, transform, category, evidence FROM matches WHERE sha256 = ? "
        "ORDER BY distance",
        (sha256,)).fetchall()]
    out["leads"] = [dict(r) for r in conn.execute("SELECT seconds, kind, value, text FROM leads WHERE sha256 = ?",
                                                  (sha256,))]
    return out


def decide(conn: Connection, user: dict[str, Any], sha256s: list[str], category: str | None,
           expected_versions: dict[str, int], add_tags: list[str] | None = None,
           remove_tags: list[str] | None = None, reason: str | None = None) -> list[dict[str, Any]]:
    """Apply one category (and tag changes) to items, each only if its version is still the one the user saw;
    otherwise a Conflict for the first such item and nothing applied. Every change is an audit row."""
    if user["role"] not in ("admin", "reviewer", "supervisor"):
        raise PermissionError("this role cannot categorize")
    codes = {code for code, _ in SCHEMES[scheme(conn)]}
    if category is not None and category not in codes:
        raise ValueError(f"category {category!r} is not in the case's scheme")
    with db.write(conn):
        current = {r["sha256"]: dict(r) for r in conn.execute(
            f"SELECT * FROM decisions WHERE sha256 IN ({', '.join('?' * len(sha256s))})", sha256s)}
        for sha in sha256s:
            now = current.get(sha, {"version": 0})
            if now["version"] != expected_versions.get(sha, 0):
                if user["role"] == "supervisor" and reason:
                    continue  # a supervisor overrides, with a reason
                raise Conflict(now)
        changed = []
        for sha in sha256s:
            old = current.get(sha)
            tags = set(json.loads(old["tags"])) if old else set()
            tags |= set(add_tags or [])
            tags -= set(remove_tags or [])
            new_category = category if category is not None else (old or {}).get("category")
            version = (old["version"] if old else 0) + 1
            conn.execute("INSERT INTO decisions (sha256, category, tags, version, user, time_utc, reviewed_by, "
                         "override_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sha256) DO UPDATE SET "
                         "category = excluded.category, tags = excluded.tags, version = excluded.version, "
                         "user = excluded.user, time_utc = excluded.time_utc, reviewed_by = excluded.reviewed_by, "
                         "override_reason = excluded.override_reason",
                         (sha, new_category, json.dumps(sorted(tags)), version, user["name"], utc_now(),
                          user["name"] if user["role"] == "supervisor" else None,
                          reason if user["role"] == "supervisor" else None))
            audit.append_in_transaction(conn, "review decide", {"user": user["name"], "content": sha,
                                                 "old": (old or {}).get("category"), "new": new_category,
                                                 "tags": sorted(tags), "reason": reason})
            changed.append({"sha256": sha, "category": new_category, "tags": sorted(tags), "version": version})
        return changed


def mark_seen(conn: Connection, user: str, group_key: str) -> None:
    conn.execute("INSERT INTO seen (user, group_key, time_utc) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                 (user, group_key, utc_now()))


def viewed_today(conn: Connection, user: str) -> int:
    day = utc_now()[:10]
    row = conn.execute("SELECT count(*) FROM audit WHERE command IN ('review reveal', 'review decide') "
                       "AND arguments LIKE ? AND time_utc LIKE ?", (f'%"user": "{user}"%', f"{day}%")).fetchone()
    return int(row[0])


def group_versions(conn: Connection, group_key: str) -> dict[str, int]:
    """Every item of a group with its decision version (for a whole-group decision)."""
    where, params = _where(group_key)
    rows = conn.execute(
        "SELECT DISTINCT i.sha256, coalesce(d.version, 0) FROM instances i JOIN content c ON c.sha256 = i.sha256 "
        "LEFT JOIN triage t ON t.sha256 = i.sha256 LEFT JOIN decisions d ON d.sha256 = i.sha256 "
        f"WHERE c.kind IN ('image', 'video') AND {where}", params).fetchall()
    return {r[0]: int(r[1]) for r in rows}


def set_prefs(conn: Connection, user: str, blur: bool, grayscale: bool, break_minutes: int) -> None:
    if not 0 <= break_minutes <= 480:
        raise ValueError("break reminder: 0 (off) to 480 minutes")
    conn.execute("UPDATE users SET prefs = ? WHERE name = ?",
                 (json.dumps({"blur": blur, "grayscale": grayscale, "break_minutes": break_minutes}), user))


DEFAULT_TAG_KEYS = {"t": "timer-visible", "p": "payment-visible", "x": "text-visible", "d": "duplicate",
                    "f": "follow-up"}


def tag_keys(conn: Connection) -> dict[str, str]:
    row = conn.execute("SELECT value FROM case_settings WHERE key = 'tag_keys'").fetchone()
    return json.loads(row[0]) if row else dict(DEFAULT_TAG_KEYS)


def set_tag_keys(conn: Connection, mapping: dict[str, str]) -> None:
    reserved = set("0123456789abcnuABCNU ") | {"s"}
    for key, tag in mapping.items():
        if len(key) != 1 or not key.isalpha() or key in reserved:
            raise ValueError(f"tag key {key!r}: one letter, not a category letter and not 's'")
        if not tag or len(tag) > 40:
            raise ValueError(f"tag for {key!r}: 1-40 characters")
    conn.execute(db.upsert("case_settings", ("key", "value"), ("key",)), ("tag_keys", json.dumps(mapping)))


def default_prefs(conn: Connection) -> dict[str, Any]:
    row = conn.execute("SELECT value FROM case_settings WHERE key = 'default_prefs'").fetchone()
    from winnow.store.users import DEFAULT_PREFS

    return {**DEFAULT_PREFS, **(json.loads(row[0]) if row else {})}


def set_default_prefs(conn: Connection, blur: bool, grayscale: bool, break_minutes: int) -> None:
    if not 0 <= break_minutes <= 480:
        raise ValueError("break reminder: 0 (off) to 480 minutes")
    conn.execute(db.upsert("case_settings", ("key", "value"), ("key",)),
                 ("default_prefs", json.dumps({"blur": blur, "grayscale": grayscale, "break_minutes": break_minutes})))


def media_path(conn: Connection, sha256: str) -> str | None:
    """A file on disk holding this content (an evidence file, never an archive member), for playback."""
    from winnow.store.queries import file_on_disk

    return file_on_disk(conn, sha256)


def media_file(conn: Connection, sha256: str, kind: str) -> str | None:
    """The case-relative path of an item's thumbnail (`kind` "thumbnail") or a video's contact sheet ("sheet")."""
    query = ("SELECT thumbnail FROM images WHERE sha256 = ? UNION ALL SELECT thumbnail FROM videos WHERE sha256 = ?"
             if kind == "thumbnail" else "SELECT contact_sheet FROM videos WHERE sha256 = ? AND ? IS NOT NULL")
    row = conn.execute(query, (sha256, sha256)).fetchone()
    return str(row[0]) if row and row[0] else None
