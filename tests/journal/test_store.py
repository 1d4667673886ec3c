"""The journal file: schema and migrations, notes in and out, concurrent writers, damaged and locked files."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import daw_bridge
from daw_bridge.journal.repair import recover
from daw_bridge.journal.schema import MIGRATIONS, SCHEMA_VERSION, migrate, schema_version
from daw_bridge.journal.store import Journal, JournalCorrupt, JournalError, JournalLocked


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_a_new_journal_is_at_the_latest_schema_in_wal_mode(tmp_path: Path) -> None:
    with Journal(tmp_path / "sub" / "j.sqlite") as j:
        assert schema_version(j.conn) == SCHEMA_VERSION == 2
        assert _tables(j.conn) == {"headphone", "reference", "listening_session", "observation", "blind_result",
                                   "session_step"}
        assert j.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert j.conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
        assert j.integrity() == "ok"


def test_a_version_1_journal_migrates_and_keeps_its_notes(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, target=1) == [1]
    assert "session_step" not in _tables(conn)
    conn.execute("INSERT INTO headphone (model) VALUES ('AKG K701')")
    conn.execute("INSERT INTO listening_session (headphone_id, started_at) VALUES (1, '2026-01-01T10:00:00Z')")
    conn.execute("INSERT INTO observation (session_id, aspect, direction, strength, created_at) "
                 "VALUES (1, 'bass', -1, 2, '2026-01-01T10:01:00Z')")
    conn.close()
    with Journal(path) as j:
        assert schema_version(j.conn) == 2
        notes = j.notes()
        assert [(n.model, n.aspect, n.direction) for n in notes] == [("AKG K701", "bass", -1)]
        j.mark_step(notes[0].session_id, "aspect:bass", "answered")  # the v2 table works
        assert j.steps(notes[0].session_id) == {"aspect:bass": "answered"}
    # migrating again is a no-op
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn) == []
    conn.close()


def test_migrations_are_numbered_one_by_one() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))


def test_a_journal_from_a_newer_daw_bridge_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(JournalError, match="newer daw-bridge.*schema 99"):
        Journal(path)
    assert path.read_bytes() == before


def test_notes_round_trip_and_references_are_identified_by_hash(tmp_path: Path) -> None:
    song = tmp_path / "Steely Dan - Aja.wav"
    song.write_bytes(b"RIFF....some audio")
    copy = tmp_path / "aja copy.wav"
    copy.write_bytes(song.read_bytes())
    with Journal(tmp_path / "j.sqlite") as j:
        hp = j.headphone("Sennheiser HD 650", amp="Magni")
        assert j.headphone("Sennheiser HD 650", amp="Magni") == hp
        assert j.headphone("Sennheiser HD 650", correction=True, preset="Sennheiser HD 650") != hp
        ref = j.reference_from_file(song)
        assert j.reference_from_file(copy) == ref  # same bytes, same song
        s = j.start_session(hp, ref, level_db=78.0, level_unit="dB SPL")
        nid = j.add_observation(s, aspect="stereo image", direction=1, strength=3, position_s=61.5,
                                text="hi-hat far left")
        n = j.note(nid)
        assert (n.title, n.artist, n.model, n.amp, n.aspect, n.direction, n.strength, n.position_s, n.text) == (
            "Aja", "Steely Dan", "Sennheiser HD 650", "Magni", "stereo image", 1, 3, 61.5, "hi-hat far left")
        assert n.reference_key.startswith("sha256:")
        with pytest.raises(JournalError, match="model name"):
            j.headphone("  ")


def test_two_processes_adding_notes_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    Journal(path).close()
    writer = textwrap.dedent("""
        import sys, time, types
        from pathlib import Path
        # the store alone, without the package's eager public API (numpy, scipy...): starts in a tenth of the time
        package = types.ModuleType("daw_bridge")
        package.__path__ = [sys.argv[3]]
        sys.modules["daw_bridge"] = package
        from daw_bridge.journal.store import Journal
        with Journal(Path(sys.argv[1])) as j:
            hp = j.headphone("HD 650")
            Path(sys.argv[1] + "." + sys.argv[2]).touch()  # start together: both ready before either writes
            here = Path(sys.argv[1]).parent
            while len([*here.glob("*.alpha"), *here.glob("*.beta")]) < 2:
                time.sleep(0.01)
            for i in range(60):
                s = j.start_session(hp, j.reference(f"{sys.argv[2]} {i % 7}"))
                j.add_observation(s, aspect="bass", direction=1, strength=1, text=f"{sys.argv[2]}-{i}")
                time.sleep(0.003)  # a person's pace, compressed: keeps both writers in play
    """)
    package_dir = str(Path(daw_bridge.__file__).parent)
    procs = [subprocess.Popen([sys.executable, "-c", writer, str(path), name, package_dir], stderr=subprocess.PIPE,
                              text=True) for name in ("alpha", "beta")]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    with Journal(path) as j:
        texts = {n.text for n in j.notes()}
        writers = [n.text.split("-")[0] for n in sorted(j.notes(), key=lambda n: n.id)]
        assert sum(a != b for a, b in zip(writers, writers[1:], strict=False)) > 1, "the writers did overlap"
        assert texts == {f"{w}-{i}" for w in ("alpha", "beta") for i in range(60)}
        assert j.counts()["headphone"] == 1 and j.counts()["reference"] == 14
        assert j.integrity() == "ok"


def test_a_locked_journal_gives_a_clear_error_not_a_hang(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    with Journal(path) as j:
        hp = j.headphone("HD 650")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program is in the middle of writing
    try:
        with Journal(path, timeout_s=0.2) as j, pytest.raises(JournalLocked, match="locked by another program"):
            j.start_session(hp, None)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with Journal(path) as j:  # and once it lets go, writing works
        j.start_session(hp, None)


def test_a_file_that_is_not_a_journal_is_reported_and_recovered_without_loss(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    path.write_bytes(b"this is a text file someone saved over the journal\n" * 100)
    before = path.read_bytes()
    with pytest.raises(JournalCorrupt, match="journal recover") as info:
        Journal(path)
    assert str(path) in str(info.value)
    assert path.read_bytes() == before  # nothing changed
    result = recover(path)
    assert result.kept_as.read_bytes() == before  # kept aside, never deleted
    assert set(result.unreadable) and not any(result.copied.values())
    with Journal(path) as j:
        assert j.counts()["observation"] == 0


def test_recover_copies_every_readable_row(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    with Journal(path) as j:
        hp = j.headphone("HD 650")
        s = j.start_session(hp, j.reference("Aja"))
        for d in (-1, 0, 1):
            j.add_observation(s, aspect="highs", direction=d, strength=2)
        j.add_blind_result(answer="REF 1", guess="mix", correct=False, candidates=3)
        j.mark_step(s, "aspect:highs", "skipped")
        before = [n.id for n in j.notes()]
    result = recover(path)
    assert result.copied["observation"] == 3 and result.copied["blind_result"] == 1 and not result.unreadable
    with Journal(path) as j:
        assert [n.id for n in j.notes()] == before
        assert j.steps(s) == {"aspect:highs": "skipped"}
        assert j.blind_results()[0]["answer"] == "REF 1"


def test_another_programs_database_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "photos.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE photo (id INTEGER PRIMARY KEY, name TEXT)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(JournalError, match="not a daw-bridge journal; it was left as it is"):
        Journal(path)
    assert path.read_bytes() == before
