"""The way out of a damaged journal: move it aside (kept, never deleted) and start afresh with what still reads."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .store import Journal, JournalError

#: Tables copied, parents first, with the columns each keeps.
TABLES: dict[str, tuple[str, ...]] = {
    "headphone": ("id", "model", "preset", "correction", "crossfeed", "amp"),
    "reference": ("id", "file_hash", "title", "artist", "path"),
    "listening_session": ("id", "headphone_id", "reference_id", "started_at", "ended_at", "level_db", "level_unit",
                          "source"),
    "observation": ("id", "session_id", "aspect", "band", "direction", "strength", "position_s", "text",
                    "created_at"),
    "blind_result": ("id", "played_at", "headphone_id", "answer", "guess", "correct", "candidates"),
    "session_step": ("session_id", "step", "status", "at"),
}


@dataclass
class Recovery:
    """What :func:`recover` did: where the old file went, rows copied per table, tables that could not be read."""

    kept_as: Path
    copied: dict[str, int] = field(default_factory=dict)
    unreadable: dict[str, str] = field(default_factory=dict)


def recover(path: Path) -> Recovery:
    """Rename ``path`` (and its ``-wal``/``-shm``) to ``<name>.broken-<UTC time>``, create a fresh journal at
    ``path`` and copy every row that can still be read into it."""
    path = Path(path)
    if not path.exists():
        raise JournalError(f"there is no journal at {path} to recover")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    kept = path.with_name(f"{path.name}.broken-{stamp}")
    try:
        for suffix in ("", "-wal", "-shm"):
            src = Path(str(path) + suffix)
            if src.exists():
                src.rename(Path(str(kept) + suffix))
    except OSError as exc:
        raise JournalError(f"cannot move {path} aside to {kept}: {exc}") from exc
    report = Recovery(kept_as=kept)
    with Journal(path) as fresh:
        try:
            old = sqlite3.connect(kept, isolation_level=None)
        except sqlite3.Error as exc:
            report.unreadable = {t: str(exc) for t in TABLES}
            return report
        try:
            fresh.conn.execute("PRAGMA foreign_keys = OFF")  # a parent row may be among the lost ones
            for table, columns in TABLES.items():
                try:
                    rows = old.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()
                except sqlite3.Error as exc:
                    report.unreadable[table] = str(exc)
                    continue
                marks = ", ".join("?" for _ in columns)
                with fresh.write() as conn:
                    conn.executemany(f"INSERT OR IGNORE INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
                report.copied[table] = len(rows)
        finally:
            old.close()
            fresh.conn.execute("PRAGMA foreign_keys = ON")
    return report
