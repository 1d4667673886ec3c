"""The journal file: open (WAL, busy timeout, migrations), write notes, read them back joined.

Every write is one short ``BEGIN IMMEDIATE`` transaction, so several writers (the controller taking notes from
REAPER while ``journal session`` runs in a terminal) queue on SQLite's lock instead of losing rows; a writer that
waits longer than ``timeout_s`` gets :class:`JournalLocked`. SQLite's own errors never leave this module: they
become :class:`JournalError` subclasses whose message names the file and the way out.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import DawBridgeError
from .schema import SCHEMA_VERSION, NewerSchema, migrate, schema_version

#: How long a writer waits for another one before giving up (s).
BUSY_TIMEOUT_S = 5.0


class JournalError(DawBridgeError):
    """The journal cannot be read or written (names the file and what to do)."""


class JournalLocked(JournalError, TimeoutError):
    """Another program held the journal's write lock for longer than the busy timeout."""


class JournalCorrupt(JournalError):
    """The file is not a readable journal (damaged, or not a database at all)."""


def now_utc() -> str:
    """The current time as UTC ISO 8601 (seconds), the form every timestamp is stored in."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes (a reference is the same song whatever its file is called)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class Note:
    """One observation with its session, headphone and reference, as read back."""

    id: int
    session_id: int
    model: str
    preset: str
    correction: bool
    crossfeed: str
    amp: str
    reference_id: int | None
    title: str
    artist: str
    file_hash: str | None
    aspect: str
    band: str | None
    direction: int
    strength: int
    position_s: float | None
    text: str
    created_at: str
    started_at: str

    @property
    def reference_key(self) -> str:
        """What makes two notes "the same song": the file hash, else title + artist, else the session."""
        if self.file_hash:
            return "sha256:" + self.file_hash
        if self.reference_id is not None:
            return f"ref:{self.reference_id}"
        return f"session:{self.session_id}"


_NOTE_SELECT = """
    SELECT o.id, o.session_id, h.model, h.preset, h.correction, h.crossfeed, h.amp, r.id, COALESCE(r.title, ''),
           COALESCE(r.artist, ''), r.file_hash, o.aspect, o.band, o.direction, o.strength, o.position_s, o.text,
           o.created_at, s.started_at
    FROM observation o
    JOIN listening_session s ON s.id = o.session_id
    JOIN headphone h ON h.id = s.headphone_id
    LEFT JOIN reference r ON r.id = s.reference_id
"""


def _note(row: tuple[Any, ...]) -> Note:
    values = list(row)
    values[4] = bool(values[4])
    return Note(*values)


class Journal:
    """An open journal file. Use as a context manager, or call :meth:`close`."""

    def __init__(self, path: Path, *, timeout_s: float | None = None) -> None:
        self.path = Path(path)
        self.timeout_s = timeout_s = BUSY_TIMEOUT_S if timeout_s is None else timeout_s
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise JournalError(f"cannot create the journal's folder {self.path.parent}: {exc}") from exc
        with self.guard():
            self.conn = sqlite3.connect(self.path, timeout=timeout_s, isolation_level=None)
        try:
            with self.guard():
                self.conn.execute(f"PRAGMA busy_timeout = {int(timeout_s * 1000)}")
                if schema_version(self.conn) > SCHEMA_VERSION:  # before WAL mode, which rewrites the header
                    raise NewerSchema(schema_version(self.conn))
                if schema_version(self.conn) == 0 and self.conn.execute(
                        "SELECT count(*) FROM sqlite_master").fetchone()[0]:
                    raise JournalError(f"{self.path} is an SQLite database but not a daw-bridge journal; it was left "
                                       "as it is: point [paths] journal (or --journal) at another file")
                mode = self.conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if str(mode).lower() != "wal":
                    raise JournalError(f"{self.path}: SQLite refused WAL mode ({mode}); is it on a network share?")
                self.conn.execute("PRAGMA foreign_keys = ON")
                self.conn.execute("PRAGMA synchronous = NORMAL")
                migrate(self.conn)
        except BaseException:
            self.conn.close()
            raise

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Turn SQLite's errors into ours, naming the file and the way out."""
        try:
            yield
        except NewerSchema as exc:
            raise JournalError(
                f"{self.path} was written by a newer daw-bridge (journal schema {exc.found}; this one knows up to "
                f"{SCHEMA_VERSION}): upgrade daw-bridge, or point [paths] journal at another file"
            ) from exc
        except sqlite3.OperationalError as exc:
            text = str(exc)
            if "locked" in text or "busy" in text:
                raise JournalLocked(
                    f"{self.path} is locked by another program (waited {self.timeout_s:g} s): finish the other "
                    "daw-bridge journal command or session, then try again"
                ) from exc
            if "unable to open" in text or "readonly" in text or "disk" in text:
                raise JournalError(f"cannot write the journal {self.path}: {text} (check the folder's permissions "
                                   "and free space, or set [paths] journal in the config)") from exc
            raise JournalCorrupt(_corrupt_message(self.path, text)) from exc
        except sqlite3.DatabaseError as exc:  # "file is not a database", "database disk image is malformed"
            raise JournalCorrupt(_corrupt_message(self.path, str(exc))) from exc

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE``: waits for other writers, up to the busy timeout)."""
        with self.guard():
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self.guard():
            return list(self.conn.execute(sql, params).fetchall())

    # writing -------------------------------------------------------------------------------------
    def headphone(self, model: str, *, preset: str = "", correction: bool = False, crossfeed: str = "",
                  amp: str = "") -> int:
        """The id of this headphone set-up (model, preset, correction on/off, crossfeed, amp), added if new."""
        model = model.strip()
        if not model:
            raise JournalError("a headphone needs a model name (e.g. --headphones \"Sennheiser HD 650\")")
        key = (model, preset.strip(), int(correction), crossfeed.strip(), amp.strip())
        with self.write() as conn:
            conn.execute("INSERT OR IGNORE INTO headphone (model, preset, correction, crossfeed, amp) "
                         "VALUES (?, ?, ?, ?, ?)", key)
            row = conn.execute("SELECT id FROM headphone WHERE model = ? AND preset = ? AND correction = ? "
                               "AND crossfeed = ? AND amp = ?", key).fetchone()
        return int(row[0])

    def reference(self, title: str, *, artist: str = "", file_hash: str | None = None, path: str = "") -> int:
        """The id of this reference (by file hash when given, else by title + artist), added if new."""
        title = title.strip()
        if not title:
            raise JournalError("a reference needs a title (or a file: --reference FILE)")
        with self.write() as conn:
            if file_hash:
                row = conn.execute("SELECT id FROM reference WHERE file_hash = ?", (file_hash,)).fetchone()
            else:
                row = conn.execute("SELECT id FROM reference WHERE file_hash IS NULL AND title = ? AND artist = ?",
                                   (title, artist.strip())).fetchone()
            if row is not None:
                return int(row[0])
            cur = conn.execute("INSERT INTO reference (file_hash, title, artist, path) VALUES (?, ?, ?, ?)",
                               (file_hash, title, artist.strip(), path))
            return int(cur.lastrowid or 0)

    def reference_from_file(self, path: Path, *, title: str | None = None, artist: str | None = None) -> int:
        """A reference identified by its file's hash; title/artist from the arguments or ``Artist - Title.ext``."""
        try:
            digest = file_sha256(path)
        except OSError as exc:
            raise JournalError(f"cannot read the reference file {path}: {exc.strerror or exc}") from exc
        stem_artist, _, stem_title = path.stem.partition(" - ")
        guessed_title, guessed_artist = (stem_title, stem_artist) if stem_title else (path.stem, "")
        return self.reference(title or guessed_title, artist=artist if artist is not None else guessed_artist,
                              file_hash=digest, path=str(path))

    def start_session(self, headphone_id: int, reference_id: int | None, *, level_db: float | None = None,
                      level_unit: str = "", source: str = "cli", started_at: str | None = None) -> int:
        """A new listening session; returns its id."""
        with self.write() as conn:
            cur = conn.execute(
                "INSERT INTO listening_session (headphone_id, reference_id, started_at, level_db, level_unit, source)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (headphone_id, reference_id, started_at or now_utc(), level_db, level_unit, source))
            return int(cur.lastrowid or 0)

    def end_session(self, session_id: int) -> None:
        with self.write() as conn:
            conn.execute("UPDATE listening_session SET ended_at = ? WHERE id = ?", (now_utc(), session_id))

    def add_observation(self, session_id: int, *, aspect: str, direction: int, strength: int,
                        band: str | None = None, position_s: float | None = None, text: str = "",
                        created_at: str | None = None) -> int:
        """Store one note (values already checked by :func:`daw_bridge.journal.notes.parse_note`)."""
        with self.write() as conn:
            cur = conn.execute(
                "INSERT INTO observation (session_id, aspect, band, direction, strength, position_s, text, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (session_id, aspect, band, direction, strength, position_s, text, created_at or now_utc()))
            return int(cur.lastrowid or 0)

    def add_blind_result(self, *, answer: str, guess: str, correct: bool, candidates: int | None = None,
                         headphone_id: int | None = None, played_at: str | None = None) -> int:
        """Store one blind A/B round."""
        with self.write() as conn:
            cur = conn.execute(
                "INSERT INTO blind_result (played_at, headphone_id, answer, guess, correct, candidates) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (played_at or now_utc(), headphone_id, answer, guess, int(correct), candidates))
            return int(cur.lastrowid or 0)

    def mark_step(self, session_id: int, step: str, status: str) -> None:
        """Record a guided step as ``answered`` or ``skipped`` (a later mark replaces an earlier one)."""
        with self.write() as conn:
            conn.execute("INSERT OR REPLACE INTO session_step (session_id, step, status, at) VALUES (?, ?, ?, ?)",
                         (session_id, step, status, now_utc()))

    # reading -------------------------------------------------------------------------------------
    def notes(self, *, headphones: str | None = None) -> list[Note]:
        """Every observation, oldest first; ``headphones`` keeps one model (case-insensitive)."""
        sql, params = _NOTE_SELECT, tuple[str, ...]()
        if headphones:
            sql += " WHERE lower(h.model) = lower(?)"
            params = (headphones.strip(),)
        return [_note(r) for r in self.query(sql + " ORDER BY s.started_at, o.created_at, o.id", params)]

    def note(self, note_id: int) -> Note:
        """One note by id."""
        rows = self.query(_NOTE_SELECT + " WHERE o.id = ?", (note_id,))
        if not rows:
            raise JournalError(f"{self.path} has no note {note_id}")
        return _note(rows[0])

    def steps(self, session_id: int) -> dict[str, str]:
        """Guided-step key -> status for a session."""
        return {str(k): str(v) for k, v in self.query(
            "SELECT step, status FROM session_step WHERE session_id = ?", (session_id,))}

    def open_guided_session(self, headphone_id: int, reference_id: int | None) -> int | None:
        """The latest unfinished guided session for this headphone and reference (to resume), if any."""
        rows = self.query(
            "SELECT id FROM listening_session WHERE headphone_id = ? AND reference_id IS ? AND ended_at IS NULL "
            "AND source = 'guided' ORDER BY id DESC LIMIT 1", (headphone_id, reference_id))
        return int(rows[0][0]) if rows else None

    def blind_results(self) -> list[dict[str, Any]]:
        rows = self.query("SELECT b.id, b.played_at, COALESCE(h.model, ''), b.answer, b.guess, b.correct, "
                          "b.candidates FROM blind_result b LEFT JOIN headphone h ON h.id = b.headphone_id "
                          "ORDER BY b.id")
        keys = ("id", "played_at", "headphones", "answer", "guess", "correct", "candidates")
        return [dict(zip(keys, (*r[:5], bool(r[5]), r[6]), strict=True)) for r in rows]

    def counts(self) -> dict[str, int]:
        """Rows per table (for ``journal info``)."""
        tables = ("headphone", "reference", "listening_session", "observation", "blind_result")
        return {t: int(self.query(f"SELECT count(*) FROM {t}")[0][0]) for t in tables}

    def integrity(self) -> str:
        """SQLite's ``integrity_check`` verdict (``ok`` when healthy)."""
        return "; ".join(str(r[0]) for r in self.query("PRAGMA integrity_check"))


def _corrupt_message(path: Path, detail: str) -> str:
    return (f"{path} is not a readable journal ({detail}). Nothing was changed. Run `daw-bridge journal recover` "
            "to move it aside (kept, never deleted) and start a fresh journal with every row that can still be "
            "read, or set [paths] journal in the config to use another file")


__all__ = ["Journal", "JournalError", "JournalLocked", "JournalCorrupt", "Note", "file_sha256", "now_utc"]
