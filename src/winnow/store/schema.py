"""Versioned schema migrations. Each entry upgrades the store by one version; never edit a released entry,
append a new one."""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: cases, runs, evidence, content, images, warnings, audit
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        started_utc TEXT NOT NULL,
        finished_utc TEXT,
        command TEXT NOT NULL,
        status TEXT NOT NULL,
        tool_version TEXT NOT NULL,
        versions TEXT NOT NULL,
        settings TEXT NOT NULL
    );
    CREATE TABLE sources (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        added_utc TEXT NOT NULL,
        run_id INTEGER NOT NULL REFERENCES runs(id)
    );
    CREATE TABLE content (
        sha256 TEXT PRIMARY KEY,
        md5 TEXT NOT NULL,
        sha1 TEXT NOT NULL,
        size INTEGER NOT NULL,
        mime TEXT,
        kind TEXT NOT NULL,
        run_id INTEGER NOT NULL
    );
    CREATE INDEX content_md5 ON content(md5);
    CREATE INDEX content_sha1 ON content(sha1);
    CREATE TABLE images (
        sha256 TEXT PRIMARY KEY REFERENCES content(sha256),
        format TEXT,
        width INTEGER,
        height INTEGER,
        mode TEXT,
        frames INTEGER,
        pdq TEXT,
        pdq_quality INTEGER,
        thumbnail TEXT,
        make TEXT,
        model TEXT,
        software TEXT,
        datetime_original TEXT,
        orientation INTEGER,
        gps_lat REAL,
        gps_lon REAL,
        exif TEXT,
        run_id INTEGER NOT NULL
    );
    CREATE INDEX images_pdq ON images(pdq);
    CREATE TABLE instances (
        id INTEGER PRIMARY KEY,
        chain TEXT NOT NULL UNIQUE,
        parent TEXT NOT NULL,
        name TEXT NOT NULL,
        name_raw BLOB,
        depth INTEGER NOT NULL,
        source_id INTEGER NOT NULL REFERENCES sources(id),
        status TEXT NOT NULL,
        sha256 TEXT REFERENCES content(sha256),
        size INTEGER,
        mtime TEXT,
        atime TEXT,
        ctime TEXT,
        time_source TEXT,
        extension TEXT,
        detected_type TEXT,
        extension_mismatch INTEGER NOT NULL DEFAULT 0,
        link_target TEXT,
        run_id INTEGER NOT NULL
    );
    CREATE INDEX instances_parent ON instances(parent);
    CREATE INDEX instances_sha256 ON instances(sha256);
    CREATE TABLE warnings (
        id INTEGER PRIMARY KEY,
        chain TEXT NOT NULL,
        stage TEXT NOT NULL,
        code TEXT NOT NULL,
        message TEXT NOT NULL,
        run_id INTEGER NOT NULL,
        UNIQUE (chain, stage, code, message)
    );
    CREATE INDEX warnings_code ON warnings(code);
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        time_utc TEXT NOT NULL,
        os_user TEXT NOT NULL,
        command TEXT NOT NULL,
        arguments TEXT NOT NULL,
        tool_version TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    );
    """,
    # 2: rotation/flip PDQ hashes; known-content matches, match bookkeeping, triage
    """
    ALTER TABLE images ADD COLUMN pdq_dihedral TEXT;
    CREATE TABLE matches (
        sha256 TEXT NOT NULL,
        set_name TEXT NOT NULL,
        set_version INTEGER NOT NULL,
        set_kind TEXT NOT NULL,
        hash_type TEXT NOT NULL,
        matched_value TEXT NOT NULL,
        distance INTEGER NOT NULL,
        transform TEXT NOT NULL,
        category TEXT,
        category_raw TEXT,
        series TEXT,
        victim_identified INTEGER,
        offender_identified INTEGER,
        is_distributed INTEGER,
        UNIQUE (sha256, set_name, hash_type, matched_value, transform)
    );
    CREATE INDEX matches_sha256 ON matches(sha256);
    CREATE TABLE match_state (
        set_name TEXT PRIMARY KEY,
        set_version INTEGER NOT NULL,
        set_sha256 TEXT NOT NULL,
        content_rowid INTEGER NOT NULL,
        max_distance INTEGER NOT NULL,
        dihedral INTEGER NOT NULL,
        matched_utc TEXT NOT NULL
    );
    CREATE TABLE triage (
        sha256 TEXT PRIMARY KEY REFERENCES content(sha256),
        state TEXT NOT NULL,
        best_distance INTEGER,
        category TEXT,
        series TEXT,
        stack_id INTEGER,
        stack_size INTEGER,
        queue_rank INTEGER,
        reasons TEXT NOT NULL
    );
    CREATE INDEX triage_rank ON triage(queue_rank);
    """,
    # 3: videos (metadata, vPDQ signature, poster, contact sheet), video matches, links, frame grabs
    """
    CREATE TABLE videos (
        sha256 TEXT PRIMARY KEY REFERENCES content(sha256),
        container TEXT,
        duration REAL,
        video_codec TEXT,
        audio_codec TEXT,
        width INTEGER,
        height INTEGER,
        rotation INTEGER,
        avg_fps REAL,
        real_fps REAL,
        variable_frame_rate INTEGER,
        timing_jitter REAL,
        bitrate INTEGER,
        has_audio INTEGER,
        creation_time TEXT,
        packets INTEGER,
        tags TEXT,
        signature BLOB,
        signature_mode TEXT,
        frames_hashed INTEGER,
        signature_frames INTEGER,
        thumbnail TEXT,
        contact_sheet TEXT,
        run_id INTEGER NOT NULL
    );
    ALTER TABLE matches ADD COLUMN query_share REAL;
    ALTER TABLE matches ADD COLUMN index_share REAL;
    CREATE TABLE video_links (
        a TEXT NOT NULL,
        b TEXT NOT NULL,
        relation TEXT NOT NULL,
        share_a REAL NOT NULL,
        share_b REAL NOT NULL,
        UNIQUE (a, b)
    );
    CREATE TABLE frame_grabs (
        image_sha256 TEXT NOT NULL,
        source TEXT NOT NULL,
        video TEXT NOT NULL,
        seconds REAL,
        distance INTEGER NOT NULL,
        UNIQUE (image_sha256, source, video)
    );
    """,
    # 4: chats, identifiers and where each was seen
    """
    CREATE TABLE chat_sources (
        id INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL UNIQUE,
        path TEXT NOT NULL,
        format TEXT NOT NULL,
        options TEXT NOT NULL,
        imported_utc TEXT NOT NULL,
        threads INTEGER NOT NULL DEFAULT 0,
        messages INTEGER NOT NULL DEFAULT 0,
        problems INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE chat_threads (
        id INTEGER PRIMARY KEY,
        source_id INTEGER NOT NULL REFERENCES chat_sources(id),
        key TEXT NOT NULL,
        title TEXT NOT NULL,
        app TEXT NOT NULL,
        kind TEXT NOT NULL,
        participants TEXT NOT NULL,
        notes TEXT NOT NULL,
        UNIQUE (source_id, key)
    );
    CREATE TABLE chat_messages (
        id INTEGER PRIMARY KEY,
        thread_id INTEGER NOT NULL REFERENCES chat_threads(id),
        seq INTEGER NOT NULL,
        sender TEXT,
        time_utc TEXT,
        time_original TEXT NOT NULL,
        tz_resolution TEXT NOT NULL,
        kind TEXT NOT NULL,
        text TEXT NOT NULL,
        text_raw TEXT NOT NULL,
        attachments TEXT NOT NULL,
        deleted INTEGER NOT NULL,
        position TEXT NOT NULL,
        raw TEXT NOT NULL,
        UNIQUE (thread_id, seq)
    );
    CREATE INDEX chat_messages_time ON chat_messages (time_utc);
    CREATE TABLE chat_problems (
        source_id INTEGER NOT NULL REFERENCES chat_sources(id),
        position TEXT NOT NULL,
        message TEXT NOT NULL
    );
    CREATE TABLE identifiers (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        value TEXT NOT NULL,
        UNIQUE (kind, value)
    );
    CREATE TABLE sightings (
        identifier_id INTEGER NOT NULL REFERENCES identifiers(id),
        origin TEXT NOT NULL,
        ref TEXT NOT NULL,
        raw TEXT NOT NULL,
        confidence REAL NOT NULL,
        note TEXT NOT NULL,
        time_utc TEXT,
        context TEXT NOT NULL,
        UNIQUE (identifier_id, origin, ref, raw)
    );
    CREATE INDEX sightings_ref ON sightings (origin, ref);
    """,
    # 5: call-recording scores and on-screen leads
    """
    CREATE TABLE calls (
        sha256 TEXT PRIMARY KEY REFERENCES content(sha256),
        score REAL NOT NULL,
        cheap_score REAL NOT NULL,
        reasons TEXT NOT NULL,
        ocr_frames INTEGER NOT NULL,
        cpu_seconds REAL,
        run_id INTEGER NOT NULL
    );
    CREATE TABLE leads (
        sha256 TEXT NOT NULL REFERENCES content(sha256),
        seconds REAL NOT NULL,
        kind TEXT NOT NULL,
        value TEXT NOT NULL,
        raw TEXT NOT NULL,
        confidence REAL NOT NULL,
        text TEXT NOT NULL,
        box TEXT NOT NULL,
        crop TEXT,
        run_id INTEGER NOT NULL,
        UNIQUE (sha256, seconds, kind, value)
    );
    """,
    # 6: review web app: users, sessions, login failures, decisions, what each user has seen
    """
    CREATE TABLE users (
        name TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        password TEXT NOT NULL,
        created_utc TEXT NOT NULL,
        prefs TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TABLE web_sessions (
        token_hash TEXT PRIMARY KEY,
        user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
        csrf TEXT NOT NULL,
        created_utc TEXT NOT NULL,
        last_utc TEXT NOT NULL
    );
    CREATE TABLE login_failures (
        user TEXT NOT NULL,
        address TEXT NOT NULL,
        time_utc TEXT NOT NULL
    );
    CREATE TABLE decisions (
        sha256 TEXT PRIMARY KEY REFERENCES content(sha256),
        category TEXT,
        tags TEXT NOT NULL DEFAULT '[]',
        version INTEGER NOT NULL,
        user TEXT NOT NULL,
        time_utc TEXT NOT NULL,
        reviewed_by TEXT,
        override_reason TEXT
    );
    CREATE TABLE seen (
        user TEXT NOT NULL,
        group_key TEXT NOT NULL,
        time_utc TEXT NOT NULL,
        PRIMARY KEY (user, group_key)
    );
    CREATE TABLE case_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS triage_stack ON triage(stack_id);
    """,
    # 7: disk images (format, stored and computed hashes), their volumes, file-system facts of the items inside
    # (inode, deleted, orphan, carved, MACB times), and the work units already done (for resumption)
    """
    CREATE TABLE disk_images (
        chain TEXT PRIMARY KEY,
        format TEXT NOT NULL,
        segments TEXT NOT NULL,
        media_size INTEGER NOT NULL,
        stored_md5 TEXT,
        stored_sha1 TEXT,
        computed_md5 TEXT,
        computed_sha1 TEXT,
        computed_sha256 TEXT,
        bytes_hashed INTEGER,
        verification TEXT NOT NULL,
        volume_system TEXT NOT NULL,
        details TEXT NOT NULL,
        run_id INTEGER NOT NULL
    );
    CREATE TABLE volumes (
        image TEXT NOT NULL,
        chain TEXT NOT NULL,
        slot TEXT NOT NULL,
        start_offset INTEGER NOT NULL,
        length INTEGER NOT NULL,
        description TEXT NOT NULL,
        fs_type TEXT,
        encryption TEXT,
        status TEXT NOT NULL,
        run_id INTEGER NOT NULL,
        PRIMARY KEY (image, slot, start_offset)
    );
    CREATE TABLE fs_entries (
        chain TEXT PRIMARY KEY,
        image TEXT NOT NULL,
        volume TEXT NOT NULL,
        fs_type TEXT,
        partition_offset INTEGER NOT NULL,
        inode INTEGER,
        deleted INTEGER NOT NULL DEFAULT 0,
        orphan INTEGER NOT NULL DEFAULT 0,
        carved INTEGER NOT NULL DEFAULT 0,
        carve_offset INTEGER,
        carve_length INTEGER,
        duplicate_of TEXT,
        mtime TEXT,
        atime TEXT,
        ctime TEXT,
        crtime TEXT,
        run_id INTEGER NOT NULL
    );
    CREATE INDEX fs_entries_image ON fs_entries(image);
    CREATE TABLE disk_units (
        image TEXT NOT NULL,
        unit TEXT NOT NULL,
        run_id INTEGER NOT NULL,
        PRIMARY KEY (image, unit)
    );
    """,
    # 8: near-duplicate matching (issue #16): why a match was made (stage, variant, radius, verification)
    """
    ALTER TABLE matches ADD COLUMN evidence TEXT;
    """,
    # 9: the investigation workspace (issue #15): a maintained queue summary (rebuilt when ingest, match or triage
    # mark it stale; decisions keep its counts by triggers), live ingest progress, call-recording reviews and the
    # parties a call is linked to, indexes for the ranked calls and the global search
    """
    CREATE TABLE queue_summary (
        group_key TEXT PRIMARY KEY,
        items INTEGER NOT NULL,
        rank REAL NOT NULL,
        alerts INTEGER NOT NULL,
        unknown INTEGER NOT NULL,
        decided INTEGER NOT NULL
    );
    CREATE INDEX queue_summary_order ON queue_summary (rank, group_key);
    CREATE TABLE queue_summary_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        stale INTEGER NOT NULL,
        refreshed_utc TEXT,
        counts TEXT NOT NULL DEFAULT '{}'
    );
    INSERT INTO queue_summary_state (id, stale) VALUES (1, 1);
    CREATE TRIGGER queue_stale_instance_added AFTER INSERT ON instances
        WHEN (SELECT stale FROM queue_summary_state) = 0 BEGIN UPDATE queue_summary_state SET stale = 1; END;
    CREATE TRIGGER queue_stale_instance_changed AFTER UPDATE OF sha256, parent ON instances
        WHEN (SELECT stale FROM queue_summary_state) = 0 BEGIN UPDATE queue_summary_state SET stale = 1; END;
    CREATE TRIGGER queue_stale_instance_removed AFTER DELETE ON instances
        WHEN (SELECT stale FROM queue_summary_state) = 0 BEGIN UPDATE queue_summary_state SET stale = 1; END;
    CREATE TRIGGER queue_stale_triage_added AFTER INSERT ON triage
        WHEN (SELECT stale FROM queue_summary_state) = 0 BEGIN UPDATE queue_summary_state SET stale = 1; END;
    CREATE TRIGGER queue_stale_triage_changed AFTER UPDATE ON triage
        WHEN (SELECT stale FROM queue_summary_state) = 0 BEGIN UPDATE queue_summary_state SET stale = 1; END;
    CREATE TRIGGER queue_stale_triage_removed AFTER DELETE ON triage
        WHEN (SELECT stale FROM queue_summary_state) = 0 BEGIN UPDATE queue_summary_state SET stale = 1; END;
    CREATE TRIGGER queue_stale_match_added AFTER INSERT ON matches
        WHEN (SELECT stale FROM queue_summary_state) = 0 BEGIN UPDATE queue_summary_state SET stale = 1; END;
    CREATE TRIGGER queue_stale_match_removed AFTER DELETE ON matches
        WHEN (SELECT stale FROM queue_summary_state) = 0 BEGIN UPDATE queue_summary_state SET stale = 1; END;
    CREATE TRIGGER queue_decided_added BEFORE INSERT ON decisions
        WHEN NOT EXISTS (SELECT 1 FROM decisions WHERE sha256 = NEW.sha256) BEGIN
        UPDATE queue_summary SET decided = decided + 1 WHERE group_key IN (
            SELECT CASE WHEN t.stack_id IS NOT NULL THEN 'stack:' || t.stack_id ELSE 'folder:' ||
            (SELECT min(parent) FROM instances WHERE sha256 = NEW.sha256) END FROM content c
            LEFT JOIN triage t ON t.sha256 = c.sha256 WHERE c.sha256 = NEW.sha256 AND c.kind IN ('image', 'video')
            UNION SELECT 'set:' || set_name FROM matches WHERE sha256 = NEW.sha256); END;
    CREATE TRIGGER queue_decided_removed AFTER DELETE ON decisions BEGIN
        UPDATE queue_summary SET decided = decided - 1 WHERE group_key IN (
            SELECT CASE WHEN t.stack_id IS NOT NULL THEN 'stack:' || t.stack_id ELSE 'folder:' ||
            (SELECT min(parent) FROM instances WHERE sha256 = OLD.sha256) END FROM content c
            LEFT JOIN triage t ON t.sha256 = c.sha256 WHERE c.sha256 = OLD.sha256 AND c.kind IN ('image', 'video')
            UNION SELECT 'set:' || set_name FROM matches WHERE sha256 = OLD.sha256); END;
    CREATE TABLE run_progress (
        run_id INTEGER PRIMARY KEY REFERENCES runs(id),
        files_done INTEGER NOT NULL,
        bytes_done INTEGER NOT NULL,
        items INTEGER NOT NULL,
        warnings INTEGER NOT NULL,
        total_files INTEGER NOT NULL,
        total_bytes INTEGER NOT NULL,
        total_known INTEGER NOT NULL,
        updated_utc TEXT NOT NULL
    );
    CREATE TABLE call_reviews (
        sha256 TEXT PRIMARY KEY REFERENCES content(sha256),
        verdict TEXT NOT NULL CHECK (verdict IN ('call', 'not-call')),
        version INTEGER NOT NULL,
        user TEXT NOT NULL,
        time_utc TEXT NOT NULL
    );
    CREATE TABLE call_parties (
        sha256 TEXT NOT NULL REFERENCES content(sha256),
        party TEXT NOT NULL,
        user TEXT NOT NULL,
        time_utc TEXT NOT NULL,
        UNIQUE (sha256, party)
    );
    CREATE INDEX calls_score ON calls (score);
    CREATE INDEX identifiers_value ON identifiers (value);
    CREATE INDEX instances_name ON instances (name COLLATE NOCASE);
    """,
    # 10: workspace pages (issue #15): chat text search (FTS5 trigram index over chat_messages, kept by triggers),
    # attachments found by file name, a party's timeline by sender and media day (indexes on expressions the
    # timeline queries use), and the stored payments ranking and network picture (written by
    # `winnow payments score`, read by the review app instead of scoring per request)
    """
    CREATE VIRTUAL TABLE chat_fts USING fts5(text, content='chat_messages', content_rowid='id',
        tokenize='trigram');
    INSERT INTO chat_fts(chat_fts) VALUES ('rebuild');
    CREATE TRIGGER chat_fts_insert AFTER INSERT ON chat_messages BEGIN
        INSERT INTO chat_fts(rowid, text) VALUES (new.id, new.text); END;
    CREATE TRIGGER chat_fts_delete AFTER DELETE ON chat_messages BEGIN
        INSERT INTO chat_fts(chat_fts, rowid, text) VALUES ('delete', old.id, old.text); END;
    CREATE TRIGGER chat_fts_update AFTER UPDATE OF text ON chat_messages BEGIN
        INSERT INTO chat_fts(chat_fts, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO chat_fts(rowid, text) VALUES (new.id, new.text); END;
    CREATE INDEX instances_name_exact ON instances(name);
    CREATE INDEX chat_messages_sender ON chat_messages(lower(sender));
    CREATE INDEX videos_created_day ON videos(substr(creation_time, 1, 10));
    CREATE INDEX images_taken_day ON images(replace(substr(datetime_original, 1, 10), ':', '-'));
    CREATE TABLE ranked_parties (
        role TEXT NOT NULL,
        entity TEXT NOT NULL,
        party TEXT NOT NULL,
        rank INTEGER NOT NULL,
        score REAL NOT NULL,
        flagged INTEGER NOT NULL,
        rules TEXT NOT NULL,
        countries TEXT NOT NULL,
        names TEXT NOT NULL,
        payments INTEGER NOT NULL,
        total_eur REAL NOT NULL,
        detail TEXT NOT NULL,
        community INTEGER,
        PRIMARY KEY (role, entity)
    );
    CREATE TABLE ranked_nodes (
        entity TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        party TEXT NOT NULL,
        score REAL NOT NULL,
        flagged INTEGER NOT NULL,
        community INTEGER,
        x REAL NOT NULL,
        y REAL NOT NULL
    );
    CREATE INDEX ranked_parties_rank ON ranked_parties(role, rank);
    CREATE TABLE ranked_edges (
        s TEXT NOT NULL,
        r TEXT NOT NULL,
        transactions INTEGER NOT NULL,
        total_eur REAL NOT NULL,
        evidence TEXT NOT NULL,
        pictured INTEGER NOT NULL,
        PRIMARY KEY (s, r)
    );
    CREATE TABLE ranked_communities (
        community INTEGER PRIMARY KEY,
        members INTEGER NOT NULL,
        flagged INTEGER NOT NULL,
        top_score REAL NOT NULL,
        parties TEXT NOT NULL
    );
    """,
    # 11: one run status word (issue #12): `winnow calls --rescan` runs said "done", every other run "completed"
    """
    UPDATE runs SET status = 'completed' WHERE status = 'done';
    """,
    # 12: the store layer (issue #13): explicit sequence columns instead of SQLite's rowid, so the same queries run
    # on PostgreSQL: content.seq (the order contents arrived in, the matching watermark, keeping each content's
    # old rowid), leads.id and chat_problems.id; match_state's watermark column is named for it. The tables are
    # rebuilt (a new primary key cannot be added in place) with foreign keys off and the old table renamed
    # aside first, so the other tables' references to them stay as they are. Every statement also runs on a
    # store already at this version (the new keys are the rowid), so running it twice changes nothing.
    """
    PRAGMA legacy_alter_table = ON;
    ALTER TABLE content RENAME TO content_old;
    CREATE TABLE content (
        seq INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL UNIQUE,
        md5 TEXT NOT NULL,
        sha1 TEXT NOT NULL,
        size INTEGER NOT NULL,
        mime TEXT,
        kind TEXT NOT NULL,
        run_id INTEGER NOT NULL
    );
    INSERT INTO content (seq, sha256, md5, sha1, size, mime, kind, run_id)
        SELECT rowid, sha256, md5, sha1, size, mime, kind, run_id FROM content_old ORDER BY rowid;
    DROP TABLE content_old;
    CREATE INDEX content_md5 ON content(md5);
    CREATE INDEX content_sha1 ON content(sha1);
    ALTER TABLE leads RENAME TO leads_old;
    CREATE TABLE leads (
        id INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL REFERENCES content(sha256),
        seconds REAL NOT NULL,
        kind TEXT NOT NULL,
        value TEXT NOT NULL,
        raw TEXT NOT NULL,
        confidence REAL NOT NULL,
        text TEXT NOT NULL,
        box TEXT NOT NULL,
        crop TEXT,
        run_id INTEGER NOT NULL,
        UNIQUE (sha256, seconds, kind, value)
    );
    INSERT INTO leads (id, sha256, seconds, kind, value, raw, confidence, text, box, crop, run_id)
        SELECT rowid, sha256, seconds, kind, value, raw, confidence, text, box, crop, run_id FROM leads_old
        ORDER BY rowid;
    DROP TABLE leads_old;
    ALTER TABLE chat_problems RENAME TO chat_problems_old;
    CREATE TABLE chat_problems (
        id INTEGER PRIMARY KEY,
        source_id INTEGER NOT NULL REFERENCES chat_sources(id),
        position TEXT NOT NULL,
        message TEXT NOT NULL
    );
    INSERT INTO chat_problems (id, source_id, position, message)
        SELECT rowid, source_id, position, message FROM chat_problems_old ORDER BY rowid;
    DROP TABLE chat_problems_old;
    CREATE TABLE match_state_new (
        set_name TEXT PRIMARY KEY,
        set_version INTEGER NOT NULL,
        set_sha256 TEXT NOT NULL,
        content_seq INTEGER NOT NULL,
        max_distance INTEGER NOT NULL,
        dihedral INTEGER NOT NULL,
        matched_utc TEXT NOT NULL
    );
    INSERT INTO match_state_new SELECT * FROM match_state;
    DROP TABLE match_state;
    ALTER TABLE match_state_new RENAME TO match_state;
    PRAGMA legacy_alter_table = OFF;
    """,
    # 13: PDQ of each border-removed box, read at ingest on the decode (JSON [[name, pdq, quality], ...])
    """
    ALTER TABLE images ADD COLUMN pdq_borders TEXT;
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)


# PostgreSQL (store/pg.py). A case on PostgreSQL starts at PG_BASELINE_VERSION with one script that creates the
# whole schema of that version (no PostgreSQL case is older than it); every later SQLite migration gets its
# PostgreSQL text here under the same version number (store/pg.py refuses to run when one is missing). The
# version reached is a row of `schema_version` (SQLite keeps it in PRAGMA user_version). Translated from the
# SQLite schema: INTEGER PRIMARY KEY -> BIGINT identity, INTEGER -> BIGINT, REAL -> DOUBLE PRECISION, BLOB ->
# BYTEA, TEXT compared bytewise (COLLATE "C", as SQLite does), the column `user` quoted (a reserved word), the
# NOCASE name index -> lower(name), the queue triggers -> plpgsql functions (statement-level with transition
# tables where a row-level WHEN would need a subquery), and the FTS5 trigram index over chat messages -> a pg_trgm
# GIN index on chat_messages.text (the same substring semantics; store/chat_views.py picks the query). SQLite's
# leniencies the store's queries rely on are functions here: sum/max/min over a condition (a boolean),
# winnow_int() for CAST(text AS INTEGER).
PG_BASELINE_VERSION = 12
PG_MIGRATIONS: dict[int, str] = {
    12: """
    CREATE TABLE schema_version (version BIGINT PRIMARY KEY, applied_utc TEXT NOT NULL);
    CREATE TABLE content (
        seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        sha256 TEXT COLLATE "C" NOT NULL UNIQUE,
        md5 TEXT COLLATE "C" NOT NULL,
        sha1 TEXT COLLATE "C" NOT NULL,
        size BIGINT NOT NULL,
        mime TEXT COLLATE "C",
        kind TEXT COLLATE "C" NOT NULL,
        run_id BIGINT NOT NULL
    );
    CREATE INDEX content_md5 ON content(md5);
    CREATE INDEX content_sha1 ON content(sha1);
    CREATE TABLE meta (key TEXT COLLATE "C" PRIMARY KEY, value TEXT COLLATE "C" NOT NULL);
    CREATE TABLE runs (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        started_utc TEXT COLLATE "C" NOT NULL,
        finished_utc TEXT COLLATE "C",
        command TEXT COLLATE "C" NOT NULL,
        status TEXT COLLATE "C" NOT NULL,
        tool_version TEXT COLLATE "C" NOT NULL,
        versions TEXT COLLATE "C" NOT NULL,
        settings TEXT COLLATE "C" NOT NULL
    );
    CREATE TABLE sources (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        path TEXT COLLATE "C" NOT NULL UNIQUE,
        kind TEXT COLLATE "C" NOT NULL,
        added_utc TEXT COLLATE "C" NOT NULL,
        run_id BIGINT NOT NULL REFERENCES runs(id)
    );
    CREATE TABLE images (
        sha256 TEXT COLLATE "C" PRIMARY KEY REFERENCES content(sha256),
        format TEXT COLLATE "C",
        width BIGINT,
        height BIGINT,
        mode TEXT COLLATE "C",
        frames BIGINT,
        pdq TEXT COLLATE "C",
        pdq_quality BIGINT,
        thumbnail TEXT COLLATE "C",
        make TEXT COLLATE "C",
        model TEXT COLLATE "C",
        software TEXT COLLATE "C",
        datetime_original TEXT COLLATE "C",
        orientation BIGINT,
        gps_lat DOUBLE PRECISION,
        gps_lon DOUBLE PRECISION,
        exif TEXT COLLATE "C",
        run_id BIGINT NOT NULL
        , pdq_dihedral TEXT COLLATE "C");
    CREATE INDEX images_pdq ON images(pdq);
    CREATE TABLE instances (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        chain TEXT COLLATE "C" NOT NULL UNIQUE,
        parent TEXT COLLATE "C" NOT NULL,
        name TEXT COLLATE "C" NOT NULL,
        name_raw BYTEA,
        depth BIGINT NOT NULL,
        source_id BIGINT NOT NULL REFERENCES sources(id),
        status TEXT COLLATE "C" NOT NULL,
        sha256 TEXT COLLATE "C" REFERENCES content(sha256),
        size BIGINT,
        mtime TEXT COLLATE "C",
        atime TEXT COLLATE "C",
        ctime TEXT COLLATE "C",
        time_source TEXT COLLATE "C",
        extension TEXT COLLATE "C",
        detected_type TEXT COLLATE "C",
        extension_mismatch BIGINT NOT NULL DEFAULT 0,
        link_target TEXT COLLATE "C",
        run_id BIGINT NOT NULL
    );
    CREATE INDEX instances_parent ON instances(parent);
    CREATE INDEX instances_sha256 ON instances(sha256);
    CREATE TABLE warnings (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        chain TEXT COLLATE "C" NOT NULL,
        stage TEXT COLLATE "C" NOT NULL,
        code TEXT COLLATE "C" NOT NULL,
        message TEXT COLLATE "C" NOT NULL,
        run_id BIGINT NOT NULL,
        UNIQUE (chain, stage, code, message)
    );
    CREATE INDEX warnings_code ON warnings(code);
    CREATE TABLE audit (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        time_utc TEXT COLLATE "C" NOT NULL,
        os_user TEXT COLLATE "C" NOT NULL,
        command TEXT COLLATE "C" NOT NULL,
        arguments TEXT COLLATE "C" NOT NULL,
        tool_version TEXT COLLATE "C" NOT NULL,
        prev_hash TEXT COLLATE "C" NOT NULL,
        hash TEXT COLLATE "C" NOT NULL
    );
    CREATE TABLE matches (
        sha256 TEXT COLLATE "C" NOT NULL,
        set_name TEXT COLLATE "C" NOT NULL,
        set_version BIGINT NOT NULL,
        set_kind TEXT COLLATE "C" NOT NULL,
        hash_type TEXT COLLATE "C" NOT NULL,
        matched_value TEXT COLLATE "C" NOT NULL,
        distance BIGINT NOT NULL,
        transform TEXT COLLATE "C" NOT NULL,
        category TEXT COLLATE "C",
        category_raw TEXT COLLATE "C",
        series TEXT COLLATE "C",
        victim_identified BIGINT,
        offender_identified BIGINT,
        is_distributed BIGINT, query_share DOUBLE PRECISION, index_share DOUBLE PRECISION, evidence TEXT COLLATE "C",
        UNIQUE (sha256, set_name, hash_type, matched_value, transform)
    );
    CREATE INDEX matches_sha256 ON matches(sha256);
    CREATE TABLE triage (
        sha256 TEXT COLLATE "C" PRIMARY KEY REFERENCES content(sha256),
        state TEXT COLLATE "C" NOT NULL,
        best_distance BIGINT,
        category TEXT COLLATE "C",
        series TEXT COLLATE "C",
        stack_id BIGINT,
        stack_size BIGINT,
        queue_rank BIGINT,
        reasons TEXT COLLATE "C" NOT NULL
    );
    CREATE INDEX triage_rank ON triage(queue_rank);
    CREATE TABLE videos (
        sha256 TEXT COLLATE "C" PRIMARY KEY REFERENCES content(sha256),
        container TEXT COLLATE "C",
        duration DOUBLE PRECISION,
        video_codec TEXT COLLATE "C",
        audio_codec TEXT COLLATE "C",
        width BIGINT,
        height BIGINT,
        rotation BIGINT,
        avg_fps DOUBLE PRECISION,
        real_fps DOUBLE PRECISION,
        variable_frame_rate BIGINT,
        timing_jitter DOUBLE PRECISION,
        bitrate BIGINT,
        has_audio BIGINT,
        creation_time TEXT COLLATE "C",
        packets BIGINT,
        tags TEXT COLLATE "C",
        signature BYTEA,
        signature_mode TEXT COLLATE "C",
        frames_hashed BIGINT,
        signature_frames BIGINT,
        thumbnail TEXT COLLATE "C",
        contact_sheet TEXT COLLATE "C",
        run_id BIGINT NOT NULL
    );
    CREATE TABLE video_links (
        a TEXT COLLATE "C" NOT NULL,
        b TEXT COLLATE "C" NOT NULL,
        relation TEXT COLLATE "C" NOT NULL,
        share_a DOUBLE PRECISION NOT NULL,
        share_b DOUBLE PRECISION NOT NULL,
        UNIQUE (a, b)
    );
    CREATE TABLE frame_grabs (
        image_sha256 TEXT COLLATE "C" NOT NULL,
        source TEXT COLLATE "C" NOT NULL,
        video TEXT COLLATE "C" NOT NULL,
        seconds DOUBLE PRECISION,
        distance BIGINT NOT NULL,
        UNIQUE (image_sha256, source, video)
    );
    CREATE TABLE chat_sources (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        sha256 TEXT COLLATE "C" NOT NULL UNIQUE,
        path TEXT COLLATE "C" NOT NULL,
        format TEXT COLLATE "C" NOT NULL,
        options TEXT COLLATE "C" NOT NULL,
        imported_utc TEXT COLLATE "C" NOT NULL,
        threads BIGINT NOT NULL DEFAULT 0,
        messages BIGINT NOT NULL DEFAULT 0,
        problems BIGINT NOT NULL DEFAULT 0
    );
    CREATE TABLE chat_threads (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        source_id BIGINT NOT NULL REFERENCES chat_sources(id),
        key TEXT COLLATE "C" NOT NULL,
        title TEXT COLLATE "C" NOT NULL,
        app TEXT COLLATE "C" NOT NULL,
        kind TEXT COLLATE "C" NOT NULL,
        participants TEXT COLLATE "C" NOT NULL,
        notes TEXT COLLATE "C" NOT NULL,
        UNIQUE (source_id, key)
    );
    CREATE TABLE chat_messages (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        thread_id BIGINT NOT NULL REFERENCES chat_threads(id),
        seq BIGINT NOT NULL,
        sender TEXT COLLATE "C",
        time_utc TEXT COLLATE "C",
        time_original TEXT COLLATE "C" NOT NULL,
        tz_resolution TEXT COLLATE "C" NOT NULL,
        kind TEXT COLLATE "C" NOT NULL,
        text TEXT COLLATE "C" NOT NULL,
        text_raw TEXT COLLATE "C" NOT NULL,
        attachments TEXT COLLATE "C" NOT NULL,
        deleted BIGINT NOT NULL,
        position TEXT COLLATE "C" NOT NULL,
        raw TEXT COLLATE "C" NOT NULL,
        UNIQUE (thread_id, seq)
    );
    CREATE INDEX chat_messages_time ON chat_messages (time_utc);
    CREATE TABLE identifiers (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        kind TEXT COLLATE "C" NOT NULL,
        value TEXT COLLATE "C" NOT NULL,
        UNIQUE (kind, value)
    );
    CREATE TABLE sightings (
        identifier_id BIGINT NOT NULL REFERENCES identifiers(id),
        origin TEXT COLLATE "C" NOT NULL,
        ref TEXT COLLATE "C" NOT NULL,
        raw TEXT COLLATE "C" NOT NULL,
        confidence DOUBLE PRECISION NOT NULL,
        note TEXT COLLATE "C" NOT NULL,
        time_utc TEXT COLLATE "C",
        context TEXT COLLATE "C" NOT NULL,
        UNIQUE (identifier_id, origin, ref, raw)
    );
    CREATE INDEX sightings_ref ON sightings (origin, ref);
    CREATE TABLE calls (
        sha256 TEXT COLLATE "C" PRIMARY KEY REFERENCES content(sha256),
        score DOUBLE PRECISION NOT NULL,
        cheap_score DOUBLE PRECISION NOT NULL,
        reasons TEXT COLLATE "C" NOT NULL,
        ocr_frames BIGINT NOT NULL,
        cpu_seconds DOUBLE PRECISION,
        run_id BIGINT NOT NULL
    );
    CREATE TABLE users (
        name TEXT COLLATE "C" PRIMARY KEY,
        role TEXT COLLATE "C" NOT NULL,
        password TEXT COLLATE "C" NOT NULL,
        created_utc TEXT COLLATE "C" NOT NULL,
        prefs TEXT COLLATE "C" NOT NULL DEFAULT '{}'
    );
    CREATE TABLE web_sessions (
        token_hash TEXT COLLATE "C" PRIMARY KEY,
        "user" TEXT COLLATE "C" NOT NULL REFERENCES users(name) ON DELETE CASCADE,
        csrf TEXT COLLATE "C" NOT NULL,
        created_utc TEXT COLLATE "C" NOT NULL,
        last_utc TEXT COLLATE "C" NOT NULL
    );
    CREATE TABLE login_failures (
        "user" TEXT COLLATE "C" NOT NULL,
        address TEXT COLLATE "C" NOT NULL,
        time_utc TEXT COLLATE "C" NOT NULL
    );
    CREATE TABLE decisions (
        sha256 TEXT COLLATE "C" PRIMARY KEY REFERENCES content(sha256),
        category TEXT COLLATE "C",
        tags TEXT COLLATE "C" NOT NULL DEFAULT '[]',
        version BIGINT NOT NULL,
        "user" TEXT COLLATE "C" NOT NULL,
        time_utc TEXT COLLATE "C" NOT NULL,
        reviewed_by TEXT COLLATE "C",
        override_reason TEXT COLLATE "C"
    );
    CREATE TABLE seen (
        "user" TEXT COLLATE "C" NOT NULL,
        group_key TEXT COLLATE "C" NOT NULL,
        time_utc TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY ("user", group_key)
    );
    CREATE TABLE case_settings (key TEXT COLLATE "C" PRIMARY KEY, value TEXT COLLATE "C" NOT NULL);
    CREATE INDEX triage_stack ON triage(stack_id);
    CREATE TABLE disk_images (
        chain TEXT COLLATE "C" PRIMARY KEY,
        format TEXT COLLATE "C" NOT NULL,
        segments TEXT COLLATE "C" NOT NULL,
        media_size BIGINT NOT NULL,
        stored_md5 TEXT COLLATE "C",
        stored_sha1 TEXT COLLATE "C",
        computed_md5 TEXT COLLATE "C",
        computed_sha1 TEXT COLLATE "C",
        computed_sha256 TEXT COLLATE "C",
        bytes_hashed BIGINT,
        verification TEXT COLLATE "C" NOT NULL,
        volume_system TEXT COLLATE "C" NOT NULL,
        details TEXT COLLATE "C" NOT NULL,
        run_id BIGINT NOT NULL
    );
    CREATE TABLE volumes (
        image TEXT COLLATE "C" NOT NULL,
        chain TEXT COLLATE "C" NOT NULL,
        slot TEXT COLLATE "C" NOT NULL,
        start_offset BIGINT NOT NULL,
        length BIGINT NOT NULL,
        description TEXT COLLATE "C" NOT NULL,
        fs_type TEXT COLLATE "C",
        encryption TEXT COLLATE "C",
        status TEXT COLLATE "C" NOT NULL,
        run_id BIGINT NOT NULL,
        PRIMARY KEY (image, slot, start_offset)
    );
    CREATE TABLE fs_entries (
        chain TEXT COLLATE "C" PRIMARY KEY,
        image TEXT COLLATE "C" NOT NULL,
        volume TEXT COLLATE "C" NOT NULL,
        fs_type TEXT COLLATE "C",
        partition_offset BIGINT NOT NULL,
        inode BIGINT,
        deleted BIGINT NOT NULL DEFAULT 0,
        orphan BIGINT NOT NULL DEFAULT 0,
        carved BIGINT NOT NULL DEFAULT 0,
        carve_offset BIGINT,
        carve_length BIGINT,
        duplicate_of TEXT COLLATE "C",
        mtime TEXT COLLATE "C",
        atime TEXT COLLATE "C",
        ctime TEXT COLLATE "C",
        crtime TEXT COLLATE "C",
        run_id BIGINT NOT NULL
    );
    CREATE INDEX fs_entries_image ON fs_entries(image);
    CREATE TABLE disk_units (
        image TEXT COLLATE "C" NOT NULL,
        unit TEXT COLLATE "C" NOT NULL,
        run_id BIGINT NOT NULL,
        PRIMARY KEY (image, unit)
    );
    CREATE TABLE queue_summary (
        group_key TEXT COLLATE "C" PRIMARY KEY,
        items BIGINT NOT NULL,
        rank DOUBLE PRECISION NOT NULL,
        alerts BIGINT NOT NULL,
        unknown BIGINT NOT NULL,
        decided BIGINT NOT NULL
    );
    CREATE INDEX queue_summary_order ON queue_summary (rank, group_key);
    CREATE TABLE queue_summary_state (
        id BIGINT PRIMARY KEY CHECK (id = 1),
        stale BIGINT NOT NULL,
        refreshed_utc TEXT COLLATE "C",
        counts TEXT COLLATE "C" NOT NULL DEFAULT '{}'
    );
    CREATE TABLE run_progress (
        run_id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY REFERENCES runs(id),
        files_done BIGINT NOT NULL,
        bytes_done BIGINT NOT NULL,
        items BIGINT NOT NULL,
        warnings BIGINT NOT NULL,
        total_files BIGINT NOT NULL,
        total_bytes BIGINT NOT NULL,
        total_known BIGINT NOT NULL,
        updated_utc TEXT COLLATE "C" NOT NULL
    );
    CREATE TABLE call_reviews (
        sha256 TEXT COLLATE "C" PRIMARY KEY REFERENCES content(sha256),
        verdict TEXT COLLATE "C" NOT NULL CHECK (verdict IN ('call', 'not-call')),
        version BIGINT NOT NULL,
        "user" TEXT COLLATE "C" NOT NULL,
        time_utc TEXT COLLATE "C" NOT NULL
    );
    CREATE TABLE call_parties (
        sha256 TEXT COLLATE "C" NOT NULL REFERENCES content(sha256),
        party TEXT COLLATE "C" NOT NULL,
        "user" TEXT COLLATE "C" NOT NULL,
        time_utc TEXT COLLATE "C" NOT NULL,
        UNIQUE (sha256, party)
    );
    CREATE INDEX calls_score ON calls (score);
    CREATE INDEX identifiers_value ON identifiers (value);
    CREATE INDEX instances_name ON instances (lower(name));
    CREATE INDEX instances_name_exact ON instances(name);
    CREATE INDEX chat_messages_sender ON chat_messages(lower(sender));
    CREATE INDEX videos_created_day ON videos(substr(creation_time, 1, 10));
    CREATE INDEX images_taken_day ON images(replace(substr(datetime_original, 1, 10), ':', '-'));
    CREATE TABLE ranked_parties (
        role TEXT COLLATE "C" NOT NULL,
        entity TEXT COLLATE "C" NOT NULL,
        party TEXT COLLATE "C" NOT NULL,
        rank BIGINT NOT NULL,
        score DOUBLE PRECISION NOT NULL,
        flagged BIGINT NOT NULL,
        rules TEXT COLLATE "C" NOT NULL,
        countries TEXT COLLATE "C" NOT NULL,
        names TEXT COLLATE "C" NOT NULL,
        payments BIGINT NOT NULL,
        total_eur DOUBLE PRECISION NOT NULL,
        detail TEXT COLLATE "C" NOT NULL,
        community BIGINT,
        PRIMARY KEY (role, entity)
    );
    CREATE TABLE ranked_nodes (
        entity TEXT COLLATE "C" PRIMARY KEY,
        role TEXT COLLATE "C" NOT NULL,
        party TEXT COLLATE "C" NOT NULL,
        score DOUBLE PRECISION NOT NULL,
        flagged BIGINT NOT NULL,
        community BIGINT,
        x DOUBLE PRECISION NOT NULL,
        y DOUBLE PRECISION NOT NULL
    );
    CREATE INDEX ranked_parties_rank ON ranked_parties(role, rank);
    CREATE TABLE ranked_edges (
        s TEXT COLLATE "C" NOT NULL,
        r TEXT COLLATE "C" NOT NULL,
        transactions BIGINT NOT NULL,
        total_eur DOUBLE PRECISION NOT NULL,
        evidence TEXT COLLATE "C" NOT NULL,
        pictured BIGINT NOT NULL,
        PRIMARY KEY (s, r)
    );
    CREATE TABLE ranked_communities (
        community BIGINT PRIMARY KEY,
        members BIGINT NOT NULL,
        flagged BIGINT NOT NULL,
        top_score DOUBLE PRECISION NOT NULL,
        parties TEXT COLLATE "C" NOT NULL
    );
    CREATE TABLE leads (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        sha256 TEXT COLLATE "C" NOT NULL REFERENCES content(sha256),
        seconds DOUBLE PRECISION NOT NULL,
        kind TEXT COLLATE "C" NOT NULL,
        value TEXT COLLATE "C" NOT NULL,
        raw TEXT COLLATE "C" NOT NULL,
        confidence DOUBLE PRECISION NOT NULL,
        text TEXT COLLATE "C" NOT NULL,
        box TEXT COLLATE "C" NOT NULL,
        crop TEXT COLLATE "C",
        run_id BIGINT NOT NULL,
        UNIQUE (sha256, seconds, kind, value)
    );
    CREATE TABLE chat_problems (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        source_id BIGINT NOT NULL REFERENCES chat_sources(id),
        position TEXT COLLATE "C" NOT NULL,
        message TEXT COLLATE "C" NOT NULL
    );
    CREATE TABLE match_state (
        set_name TEXT COLLATE "C" PRIMARY KEY,
        set_version BIGINT NOT NULL,
        set_sha256 TEXT COLLATE "C" NOT NULL,
        content_seq BIGINT NOT NULL,
        max_distance BIGINT NOT NULL,
        dihedral BIGINT NOT NULL,
        matched_utc TEXT COLLATE "C" NOT NULL
    );
    INSERT INTO queue_summary_state (id, stale) VALUES (1, 1);
    CREATE FUNCTION winnow_queue_stale() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE queue_summary_state SET stale = 1 WHERE stale = 0;
        RETURN NULL;
    END $$;
    CREATE FUNCTION winnow_queue_stale_if_rows() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM changed_rows) THEN
            UPDATE queue_summary_state SET stale = 1 WHERE stale = 0;
        END IF;
        RETURN NULL;
    END $$;
    CREATE TRIGGER queue_stale_instance_added AFTER INSERT ON instances REFERENCING NEW TABLE AS changed_rows
        FOR EACH STATEMENT EXECUTE FUNCTION winnow_queue_stale_if_rows();
    CREATE TRIGGER queue_stale_instance_changed AFTER UPDATE OF sha256, parent ON instances
        FOR EACH ROW EXECUTE FUNCTION winnow_queue_stale();
    CREATE TRIGGER queue_stale_instance_removed AFTER DELETE ON instances REFERENCING OLD TABLE AS changed_rows
        FOR EACH STATEMENT EXECUTE FUNCTION winnow_queue_stale_if_rows();
    CREATE TRIGGER queue_stale_triage_added AFTER INSERT ON triage REFERENCING NEW TABLE AS changed_rows
        FOR EACH STATEMENT EXECUTE FUNCTION winnow_queue_stale_if_rows();
    CREATE TRIGGER queue_stale_triage_changed AFTER UPDATE ON triage
        FOR EACH ROW EXECUTE FUNCTION winnow_queue_stale();
    CREATE TRIGGER queue_stale_triage_removed AFTER DELETE ON triage REFERENCING OLD TABLE AS changed_rows
        FOR EACH STATEMENT EXECUTE FUNCTION winnow_queue_stale_if_rows();
    CREATE TRIGGER queue_stale_match_added AFTER INSERT ON matches REFERENCING NEW TABLE AS changed_rows
        FOR EACH STATEMENT EXECUTE FUNCTION winnow_queue_stale_if_rows();
    CREATE TRIGGER queue_stale_match_removed AFTER DELETE ON matches REFERENCING OLD TABLE AS changed_rows
        FOR EACH STATEMENT EXECUTE FUNCTION winnow_queue_stale_if_rows();
    CREATE FUNCTION winnow_queue_decided() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        item TEXT := CASE WHEN TG_OP = 'DELETE' THEN OLD.sha256 ELSE NEW.sha256 END;
        step BIGINT := CASE WHEN TG_OP = 'DELETE' THEN -1 ELSE 1 END;
    BEGIN
        IF TG_OP = 'INSERT' AND EXISTS (SELECT 1 FROM decisions WHERE sha256 = item) THEN
            RETURN NEW;
        END IF;
        UPDATE queue_summary SET decided = decided + step WHERE group_key IN (
            SELECT CASE WHEN t.stack_id IS NOT NULL THEN 'stack:' || t.stack_id ELSE 'folder:' ||
            (SELECT min(parent) FROM instances WHERE sha256 = item) END FROM content c
            LEFT JOIN triage t ON t.sha256 = c.sha256 WHERE c.sha256 = item AND c.kind IN ('image', 'video')
            UNION SELECT 'set:' || set_name FROM matches WHERE sha256 = item);
        RETURN CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE NEW END;
    END $$;
    CREATE TRIGGER queue_decided_added BEFORE INSERT ON decisions
        FOR EACH ROW EXECUTE FUNCTION winnow_queue_decided();
    CREATE TRIGGER queue_decided_removed AFTER DELETE ON decisions
        FOR EACH ROW EXECUTE FUNCTION winnow_queue_decided();
    CREATE FUNCTION winnow_int(t TEXT) RETURNS BIGINT LANGUAGE sql IMMUTABLE AS $$
        SELECT CASE WHEN t ~ '^-?[0-9]{1,18}$' THEN t::BIGINT END $$;
    CREATE FUNCTION winnow_add_bool(acc BIGINT, v BOOLEAN) RETURNS BIGINT LANGUAGE sql IMMUTABLE AS $$
        SELECT CASE WHEN v IS NULL THEN acc ELSE coalesce(acc, 0) + v::INT END $$;
    CREATE AGGREGATE sum(BOOLEAN) (SFUNC = winnow_add_bool, STYPE = BIGINT);
    CREATE AGGREGATE max(BOOLEAN) (SFUNC = boolor_statefunc, STYPE = BOOLEAN);
    CREATE AGGREGATE min(BOOLEAN) (SFUNC = booland_statefunc, STYPE = BOOLEAN);
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE INDEX chat_messages_text_trgm ON chat_messages USING gin (text gin_trgm_ops);
    """,
    13: """
    ALTER TABLE images ADD COLUMN IF NOT EXISTS pdq_borders TEXT COLLATE "C";
    """,
}
