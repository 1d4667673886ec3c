"""The listening journal's SQLite schema: the vocabulary, the migrations, and how a file is brought up to date.

The schema version is SQLite's ``PRAGMA user_version``. Each migration is one transaction that moves the file from
version ``n - 1`` to ``n``; a file made by a newer daw-bridge (a version we do not know) is refused, never changed.

Tables (version 2)::

    headphone          model, preset ('' none), correction (0/1), crossfeed ('' off), amp ('' unknown)
    reference          file_hash (sha256 of the file, or NULL), title, artist, path
    listening_session  headphone, reference, started_at / ended_at (UTC ISO 8601), level_db + level_unit, source
    observation        session, aspect, band (NULL or one of the seven), direction -1/0/+1 (less / as expected /
                       more), strength 1-3, position_s in the song, text, created_at
    blind_result       played_at, headphone (NULL when unknown), answer, guess, correct, candidates
    session_step       (v2) guided-session progress: session, step key, status answered|skipped
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from ..bands import BAND_NAMES

#: What a note is about: the aspects of the critical-listening method.
ASPECTS: tuple[str, ...] = ("bass", "mids", "highs", "ambience", "stereo image", "depth", "overall level")
#: Direction compared with what the listener expected, as stored (-1, 0, +1) and as said.
DIRECTIONS: dict[str, int] = {"less": -1, "as expected": 0, "more": 1}
DIRECTION_WORDS: dict[int, str] = {v: k for k, v in DIRECTIONS.items()}
#: Strength of an impression: 1 slight, 2 clear, 3 strong.
STRENGTHS: tuple[int, ...] = (1, 2, 3)
#: Guided-step outcomes.
STEP_STATUSES: tuple[str, ...] = ("answered", "skipped")


def _in(values: tuple[str, ...]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


@dataclass(frozen=True)
class Migration:
    """Moves a journal from ``version - 1`` to ``version``."""

    version: int
    description: str
    sql: str


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "headphones, references, sessions, observations, blind A/B results", f"""
        CREATE TABLE headphone (
            id INTEGER PRIMARY KEY,
            model TEXT NOT NULL CHECK (length(trim(model)) > 0),
            preset TEXT NOT NULL DEFAULT '',
            correction INTEGER NOT NULL DEFAULT 0 CHECK (correction IN (0, 1)),
            crossfeed TEXT NOT NULL DEFAULT '',
            amp TEXT NOT NULL DEFAULT '',
            UNIQUE (model, preset, correction, crossfeed, amp)
        );
        CREATE TABLE reference (
            id INTEGER PRIMARY KEY,
            file_hash TEXT,
            title TEXT NOT NULL CHECK (length(trim(title)) > 0),
            artist TEXT NOT NULL DEFAULT '',
            path TEXT NOT NULL DEFAULT ''
        );
        CREATE UNIQUE INDEX reference_by_hash ON reference (file_hash) WHERE file_hash IS NOT NULL;
        CREATE UNIQUE INDEX reference_by_name ON reference (title, artist) WHERE file_hash IS NULL;
        CREATE TABLE listening_session (
            id INTEGER PRIMARY KEY,
            headphone_id INTEGER NOT NULL REFERENCES headphone (id),
            reference_id INTEGER REFERENCES reference (id),
            started_at TEXT NOT NULL,
            ended_at TEXT,
            level_db REAL,
            level_unit TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL DEFAULT 'cli'
        );
        CREATE TABLE observation (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES listening_session (id),
            aspect TEXT NOT NULL CHECK (aspect IN ({_in(ASPECTS)})),
            band TEXT CHECK (band IS NULL OR band IN ({_in(BAND_NAMES)})),
            direction INTEGER NOT NULL CHECK (direction IN (-1, 0, 1)),
            strength INTEGER NOT NULL CHECK (strength BETWEEN 1 AND 3),
            position_s REAL CHECK (position_s IS NULL OR position_s >= 0),
            text TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        );
        CREATE INDEX observation_by_session ON observation (session_id);
        CREATE TABLE blind_result (
            id INTEGER PRIMARY KEY,
            played_at TEXT NOT NULL,
            headphone_id INTEGER REFERENCES headphone (id),
            answer TEXT NOT NULL,
            guess TEXT NOT NULL,
            correct INTEGER NOT NULL CHECK (correct IN (0, 1)),
            candidates INTEGER
        );
    """),
    Migration(2, "guided-session progress (skippable, resumable)", f"""
        CREATE TABLE session_step (
            session_id INTEGER NOT NULL REFERENCES listening_session (id),
            step TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ({_in(STEP_STATUSES)})),
            at TEXT NOT NULL,
            PRIMARY KEY (session_id, step)
        );
    """),
)

#: The version this daw-bridge writes.
SCHEMA_VERSION = MIGRATIONS[-1].version


class NewerSchema(Exception):
    """The file's schema version is newer than this daw-bridge knows (carries the version found)."""

    def __init__(self, found: int) -> None:
        super().__init__(found)
        self.found = found


def schema_version(conn: sqlite3.Connection) -> int:
    """The file's ``user_version`` (0 for a new, empty file)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, *, target: int = SCHEMA_VERSION) -> list[int]:
    """Apply the missing migrations up to ``target``, each in its own transaction; returns the versions applied.

    Two processes opening a new file at once are safe: each migration starts with ``BEGIN IMMEDIATE`` and
    re-reads the version inside the transaction, so the second one finds the work done.
    """
    applied: list[int] = []
    found = schema_version(conn)
    if found > SCHEMA_VERSION:
        raise NewerSchema(found)
    for migration in MIGRATIONS:
        if migration.version > target or migration.version <= found:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            if schema_version(conn) >= migration.version:
                conn.execute("COMMIT")
                continue
            for statement in _statements(migration.sql):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {int(migration.version)}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        applied.append(migration.version)
    return applied


def _statements(sql: str) -> list[str]:
    """The ``;``-separated statements of a migration (ours hold no ``;`` inside literals)."""
    return [s.strip() for s in sql.split(";") if s.strip()]
