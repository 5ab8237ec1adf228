"""The case store's side of `winnow match`: the contents since a set's watermark (`content.seq`), the match rows
(exact, PDQ, vPDQ), the per-set state that makes matching incremental, and the video links and frame grabs. The
library's side is `store/hashset_library.py`: the two stores are separate connections, joined in Python."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from winnow.store import db
from winnow.store.db import Connection, Row

ATTRS = ("category", "category_raw", "series", "victim_identified", "offender_identified", "is_distributed")
_MATCH_COLUMNS = ("sha256", "set_name", "set_version", "set_kind", "hash_type", "matched_value", "distance",
                  "transform", *ATTRS, "evidence")
_STATE_COLUMNS = ("set_name", "set_version", "set_sha256", "content_seq", "max_distance", "dihedral",
                  "matched_utc")


def watermark(conn: Connection) -> int:
    """The sequence number of the last content stored: matching covers contents up to it."""
    return int(conn.execute("SELECT COALESCE(MAX(seq), 0) FROM content").fetchone()[0])


def matched_set_names(conn: Connection) -> set[str]:
    """Every set the case holds matches or a match state for."""
    return {r[0] for r in conn.execute("SELECT set_name FROM match_state UNION SELECT set_name FROM matches")}


def state(conn: Connection, set_name: str) -> Row | None:
    row: Row | None = conn.execute(f"SELECT {', '.join(_STATE_COLUMNS)} FROM match_state WHERE set_name = ?",
                                   (set_name,)).fetchone()
    return row


def save_state(conn: Connection, values: Sequence[Any]) -> None:
    """The set's state after matching (in the caller's transaction): values in _STATE_COLUMNS order."""
    conn.execute(db.upsert("match_state", _STATE_COLUMNS, ("set_name",)), tuple(values))


def forget(conn: Connection, set_name: str) -> None:
    """Drop a set's matches and state (the set was removed, or changed so that it is matched again in full)."""
    with db.write(conn):
        conn.execute("DELETE FROM matches WHERE set_name = ?", (set_name,))
        conn.execute("DELETE FROM match_state WHERE set_name = ?", (set_name,))


def contents_between(conn: Connection, since: int, top: int) -> list[tuple[str, str, str]]:
    """(sha256, md5, sha1) of the contents stored after `since` up to `top`, in the order they were stored."""
    return [(r[0], r[1], r[2]) for r in conn.execute(
        "SELECT sha256, md5, sha1 FROM content WHERE seq > ? AND seq <= ? ORDER BY seq", (since, top))]


def images_between(conn: Connection, since: int, top: int) -> list[Row]:
    """The PDQ facts of the images among those contents (and their size and border-removed hashes, for the
    robust variants)."""
    return conn.execute("SELECT i.sha256, i.pdq, i.pdq_quality, i.pdq_dihedral, i.thumbnail, i.width, i.height, "
                        "i.pdq_borders "
                        "FROM images i "
                        "JOIN content c ON c.sha256 = i.sha256 WHERE i.pdq IS NOT NULL AND c.seq > ? AND c.seq <= ? "
                        "ORDER BY c.seq", (since, top)).fetchall()


def low_quality_images_between(conn: Connection, since: int, top: int, min_quality: int) -> int:
    """How many of those images have a PDQ below `min_quality` (or no quality)."""
    return int(conn.execute("SELECT COUNT(*) FROM images i JOIN content c ON c.sha256 = i.sha256 "
                            "WHERE i.pdq IS NOT NULL AND COALESCE(i.pdq_quality, 0) < ? AND c.seq > ? AND c.seq <= ?",
                            (min_quality, since, top)).fetchone()[0])


def count(conn: Connection, set_name: str) -> int:
    return int(conn.execute("SELECT COUNT(*) FROM matches WHERE set_name = ?", (set_name,)).fetchone()[0])


def add(conn: Connection, rows: Iterable[Sequence[Any]]) -> int:
    """Insert match rows (_MATCH_COLUMNS order, in the caller's transaction), a row already there kept; returns
    how many were new."""
    # the statement's own row count: the connection's total would also count the rows the queue-summary trigger
    # changes (an insert into matches marks the summary stale), one too many after every ingest
    cur = conn.executemany(f"INSERT INTO matches ({', '.join(_MATCH_COLUMNS)}) VALUES "
                           f"({', '.join('?' * len(_MATCH_COLUMNS))}) ON CONFLICT DO NOTHING", rows)
    return max(0, cur.rowcount)


def add_one(conn: Connection, row: Sequence[Any]) -> bool:
    """One match row; True when it was new."""
    cur = conn.execute(f"INSERT INTO matches ({', '.join(_MATCH_COLUMNS)}) VALUES "
                       f"({', '.join('?' * len(_MATCH_COLUMNS))}) ON CONFLICT DO NOTHING", tuple(row))
    return bool(cur.rowcount)


def matched_contents(conn: Connection) -> int:
    return int(conn.execute("SELECT COUNT(DISTINCT sha256) FROM matches").fetchone()[0])


def near_duplicates(conn: Connection) -> list[Row]:
    """Matches made by the near-duplicate stages (they carry their evidence)."""
    return conn.execute("SELECT sha256, set_name, matched_value, distance, transform, category, evidence FROM matches "
                        "WHERE evidence IS NOT NULL ORDER BY sha256, set_name, distance").fetchall()


# ---------------------------------------------------------------------------------------------- videos
def video_signatures(conn: Connection) -> list[tuple[str, bytes, float | None]]:
    """(sha256, vPDQ signature, duration) of every video with a signature."""
    return [(r[0], r[1], r[2]) for r in conn.execute(
        "SELECT sha256, signature, duration FROM videos WHERE signature IS NOT NULL")]


def image_pdqs(conn: Connection, min_quality: int) -> list[tuple[str, str]]:
    """(sha256, pdq) of every image whose PDQ has at least `min_quality`."""
    return [(r[0], r[1]) for r in conn.execute(
        "SELECT sha256, pdq FROM images WHERE pdq IS NOT NULL AND pdq_quality >= ?", (min_quality,))]


def clear_video_matches(conn: Connection) -> None:
    """(In the caller's transaction) the video matches, video links and frame grabs, recomputed from scratch."""
    conn.execute("DELETE FROM matches WHERE hash_type IN ('vpdq', 'vpdq-frame')")
    conn.execute("DELETE FROM video_links")
    conn.execute("DELETE FROM frame_grabs")


def add_video_match(conn: Connection, row: Sequence[Any]) -> None:
    """(sha256, set_name, set_version, set_kind, hash_type, matched_value, distance, transform, query_share,
    index_share): a row already there kept."""
    conn.execute("INSERT INTO matches (sha256, set_name, set_version, set_kind, hash_type, matched_value, distance, "
                 "transform, query_share, index_share) VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING",
                 tuple(row))


def add_frame_grab(conn: Connection, row: Sequence[Any]) -> None:
    """(image_sha256, source, video, seconds, distance)."""
    conn.execute("INSERT INTO frame_grabs (image_sha256, source, video, seconds, distance) VALUES (?,?,?,?,?) "
                 "ON CONFLICT DO NOTHING", tuple(row))


def add_video_link(conn: Connection, row: Sequence[Any]) -> None:
    """(a, b, relation, share_a, share_b)."""
    conn.execute("INSERT INTO video_links (a, b, relation, share_a, share_b) VALUES (?,?,?,?,?) "
                 "ON CONFLICT DO NOTHING", tuple(row))
