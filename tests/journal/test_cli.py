"""``daw-bridge journal``: every command, with --json; clean errors for damaged and locked journals."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from daw_bridge.cli import cli
from daw_bridge.journal.guided import CHECKLIST


@pytest.fixture()
def jpath(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DAW_BRIDGE_DATA_DIR", str(tmp_path / "data"))  # monitoring state, presets
    return tmp_path / "journal.sqlite"


def run(jpath: Path, *args: str, input: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["journal", "--journal", str(jpath), *args], input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.output


def fill(jpath: Path) -> None:
    """Eight songs on a DT 990 Pro: the highs band heard stronger in all, bass as expected."""
    for song in range(8):
        for args in (("--aspect", "highs", "--band", "highs", "--direction", "more", "--strength", "2"),
                     ("--aspect", "bass", "--direction", "as expected")):
            code, out = run(jpath, "note", "--headphones", "Beyerdynamic DT 990 Pro", "--title", f"Song {song}",
                            "--artist", "Band", *args, "--at", "1:05", "--text", f"song {song}")
            assert code == 0, out


def test_note_json(jpath: Path) -> None:
    code, out = run(jpath, "note", "--headphones", "HD 650", "--title", "Aja", "--aspect", "width",
                    "--direction", "+", "--strength", "3", "--at", "2:03", "--text", "sax wide", "--json")
    assert code == 0, out
    data = json.loads(out)
    assert (data["aspect"], data["direction"], data["strength"], data["position_s"], data["title"]) == (
        "stereo image", 1, 3, 123.0, "Aja")
    code, out = run(jpath, "note", "--headphones", "HD 650", "--title", "Aja", "--aspect", "bass",
                    "--direction", "sideways")
    assert code == 1 and "Error: InvalidParameter: unknown direction 'sideways'" in out
    code, out = run(jpath, "note", "--headphones", "HD 650", "--aspect", "bass", "--direction", "more")
    assert code == 2 and "which reference?" in out


def test_patterns_json_and_text(jpath: Path) -> None:
    fill(jpath)
    code, out = run(jpath, "patterns", "--json")
    assert code == 0, out
    data = json.loads(out)
    by = {p["subject"]: p for p in data["patterns"]}
    assert by["highs band"]["status"] == "pattern" and by["highs band"]["more"] == 8
    assert by["highs band"]["agreement"] == "agrees"
    assert by["bass"]["status"] == "none"
    assert data["check_offsets"]["Beyerdynamic DT 990 Pro"]["highs_db"] < -1.0
    code, out = run(jpath, "patterns")
    assert code == 0
    assert "PATTERN  highs band heard stronger than expected in 8 of 8 songs" in out
    assert "mix the highs band so it sounds a little bright to you on these" in out
    code, out = run(jpath, "patterns", "--headphones", "Nothing", "--json")
    assert json.loads(out)["patterns"] == []


def test_review_json_text_and_html(jpath: Path, tmp_path: Path) -> None:
    fill(jpath)
    page = tmp_path / "review.html"
    code, out = run(jpath, "review", "--html", str(page), "--json")
    assert code == 0, out
    data = json.loads(out)
    assert len(data["reread"]) == 16 and data["patterns"][0]["subject"] == "highs band"
    html = page.read_text()
    assert html.startswith("<!doctype html>") and "<script" not in html and "http" not in html
    assert "Beyerdynamic DT 990 Pro" in html and "your notes agree" in html and "<svg" in html
    code, out = run(jpath, "review")
    assert code == 0 and "Notes to reread:" in out and "Song 7 (Band) at 1:05 - highs band more (clear)" in out


def test_export_md_csv_json(jpath: Path, tmp_path: Path) -> None:
    fill(jpath)
    code, out = run(jpath, "export", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 16
    assert rows[0]["direction"] == "more" and rows[0]["position_s"] == "65.0" and rows[0]["band"] == "highs"
    code, out = run(jpath, "export", "--json")
    data = json.loads(out)
    assert len(data["notes"]) == 16 and "check_offsets" in data and data["blind_results"] == []
    target = tmp_path / "journal.md"
    code, out = run(jpath, "export", "--format", "md", "-o", str(target))
    text = target.read_text()
    assert code == 0 and text.startswith("# Listening journal")
    assert "| highs band | 8 | 8 | 0 | 0 | pattern |" in text


def test_info_json(jpath: Path) -> None:
    code, out = run(jpath, "info", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["schema"] == data["schema_known"] == 2 and data["integrity"] == "ok"
    assert data["counts"]["observation"] == 0


def test_guided_session_from_the_terminal_skips_stops_and_resumes(jpath: Path) -> None:
    # bass: more, strong, at 0:30, a note; mids: skipped; highs: a bad word first, then less; then stop
    answers = "more\n3\n0:30\nkick boomy\ns\nsideways\n-\n1\n\n\nq\n"
    code, out = run(jpath, "session", "--headphones", "AKG K701", "--title", "Aja", "--no-daw", "--json",
                    input=answers)
    assert code == 0, out
    data = json.loads(out[out.index("{"):])
    assert data["answered"] == ["aspect:bass", "aspect:highs"] and data["skipped"] == ["aspect:mids"]
    assert not data["complete"] and len(data["remaining"]) == len(CHECKLIST) - 3
    assert "unknown direction 'sideways'" in out
    rest = "=\n2\n\n\n" * (len(CHECKLIST) - 3)
    code, out = run(jpath, "session", "--headphones", "AKG K701", "--title", "Aja", "--no-daw", input=rest)
    assert code == 0, out
    assert f"Resuming session {data['session']}: {len(CHECKLIST) - 3} of {len(CHECKLIST)}" in out
    assert "session 1 complete" in out
    code, out = run(jpath, "export", "--json")
    notes = json.loads(out)["notes"]
    assert len(notes) == len(CHECKLIST) - 1
    assert (notes[0]["aspect"], notes[0]["direction"], notes[0]["position_s"], notes[0]["text"]) == (
        "bass", 1, 30.0, "kick boomy")
    code, out = run(jpath, "session", "--headphones", "AKG K701", "--no-daw")
    assert code == 2 and "which reference?" in out


def test_a_damaged_journal_is_a_clear_error_with_a_way_out(jpath: Path) -> None:
    jpath.write_bytes(b"garbage " * 1000)
    for command in (["patterns"], ["review"], ["export"], ["info"], ["note", "--headphones", "X", "--title", "Y",
                                                                    "--aspect", "bass", "--direction", "more"]):
        code, out = run(jpath, *command)
        assert code == 1 and "Error: JournalCorrupt:" in out and "daw-bridge journal recover" in out, command
        assert "Traceback" not in out
    code, out = run(jpath, "recover", "--json")
    assert code == 0, out
    kept = Path(json.loads(out)["kept_as"])
    assert kept.read_bytes() == b"garbage " * 1000
    code, out = run(jpath, "info", "--json")
    assert code == 0 and json.loads(out)["integrity"] == "ok"


def test_a_locked_journal_is_a_clear_error(jpath: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run(jpath, "info")
    monkeypatch.setattr("daw_bridge.journal.store.BUSY_TIMEOUT_S", 0.2)
    holder = sqlite3.connect(jpath, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        code, out = run(jpath, "note", "--headphones", "X", "--title", "Y", "--aspect", "bass", "--direction", "+")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == 1 and "Error: JournalLocked:" in out and "locked by another program" in out


def test_a_session_without_a_reachable_daw_says_how_to_go_on(jpath: Path, tmp_path: Path) -> None:
    from daw_bridge.config import Config, config_to_toml
    from daw_bridge.workflows.embedded import _free_udp_port

    port = _free_udp_port("127.0.0.1")  # nobody listens there
    cfg = tmp_path / "config.toml"
    cfg.write_text(config_to_toml(Config(send_port=port, receive_port=port, timeout_s=0.3, bridge_dir=tmp_path / "b",
                                         bounce_dir=tmp_path / "o")))
    result = CliRunner().invoke(cli, ["--config", str(cfg), "journal", "--journal", str(jpath), "session",
                                      "--headphones", "AKG K701", "--title", "Aja"])
    assert result.exit_code == 1 and "DawUnreachable" in result.output and "--no-daw" in result.output
    assert "Traceback" not in result.output
