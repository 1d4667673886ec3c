"""check --against-previous: the second bounce is compared with the first, section by section."""

from __future__ import annotations

from pathlib import Path

from daw_bridge.workflows.bounce import bounce_and_check
from daw_bridge.workflows.embedded import EmbeddedSession
from daw_bridge.workflows.renders import previous_version


def test_previous_version_is_the_highest_older_bounce(tmp_path: Path) -> None:
    for name in ("song-bounce-001.wav", "song-bounce-003.wav", "song-bounce-010.wav", "other-bounce-009.wav",
                 "song-bounce-009.report.html"):
        (tmp_path / name).write_bytes(b"")
    assert previous_version(tmp_path / "song-bounce-010.wav") == tmp_path / "song-bounce-003.wav"
    assert previous_version(tmp_path / "song-bounce-001.wav") is None
    assert previous_version(tmp_path / "song.wav") is None


def test_a_second_check_reports_no_change_since_an_identical_first(session: EmbeddedSession) -> None:
    first = bounce_and_check(session.daw, session.config, against_previous=True)
    assert first.before_now is None and any("no earlier bounce" in n for n in first.notes)
    second = bounce_and_check(session.daw, session.config, against_previous=True)
    assert second.before_now is not None
    assert second.before_now.before.name == first.bounce.name and second.before_now.now.name == second.bounce.name
    assert second.before_now.sections and second.before_now.changes == ()  # nothing changed between the renders
    assert all(abs(s.level_lu or 0.0) < 0.1 for s in second.before_now.sections)
