"""Nothing lost: only the markers we wrote (known by ID) are deleted, bounces are never overwritten, the installer
backs up what it replaces, and an interrupted check leaves the project as it was (one undo point, no half-written
markers)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from daw_bridge import install as inst
from daw_bridge.config import Config
from daw_bridge.daw import MarkerSpec, RenderRequest
from daw_bridge.emulator.project import Marker, Project, Track
from daw_bridge.errors import DawBridgeError, InvalidAudio, RenderError
from daw_bridge.workflows import bounce as bounce_mod
from daw_bridge.workflows.bounce import bounce_and_check
from daw_bridge.workflows.embedded import EmbeddedSession, embedded_reaper
from daw_bridge.workflows.renders import next_version_path

USER_MARKERS = ["Verse", "Verse [daw-bridge]", "daw-bridge", "[daw-bridge", " [daw-bridge] spaced", "[DAW-BRIDGE] x",
                "[daw-bridge] the user's own"]


@pytest.fixture()
def session(tmp_path: Path) -> Iterator[EmbeddedSession]:
    audio = tmp_path / "mix-src.wav"
    t = np.arange(48000 * 3) / 48000
    sf.write(str(audio), np.stack([0.3 * np.sin(2 * np.pi * 440 * t)] * 2, axis=1), 48000)
    project = Project(tracks=[Track("MIX", audio=audio), Track("REF 1")])
    project.markers = [Marker(i + 1, float(i), name, "#ff0000" if "own" in name else None)
                       for i, name in enumerate(USER_MARKERS)]
    with embedded_reaper(tmp_path / "s", project=project, in_process=True) as s:
        yield s


def user_marker_names(session: EmbeddedSession) -> list[str]:
    return sorted(m.name for m in session.daw.markers() if not m.ours)


def test_only_our_markers_are_ever_deleted(session: EmbeddedSession) -> None:
    project = session.emulator.project
    rng = random.Random(5)
    for round_ in range(20):
        specs = [MarkerSpec(time_s=rng.uniform(0, 30), name=rng.choice(["reverb", "width", "[daw-bridge] x", ""]))
                 for _ in range(rng.randint(0, 6))]
        session.daw.replace_markers(specs)
        assert user_marker_names(session) == sorted(USER_MARKERS), f"round {round_}"
        ours = [m for m in session.daw.markers() if m.ours]
        assert len(ours) == len(specs) and all(m.name.startswith("[daw-bridge]") for m in ours)
        if ours:  # the user renames one of ours: it is still ours, and goes with the next replace
            next(m for m in project.markers if m.guid == ours[0].id).name = f"renamed {round_}"
    session.daw.replace_markers([])
    assert user_marker_names(session) == sorted(USER_MARKERS)
    assert sorted(m.name for m in project.markers) == sorted(USER_MARKERS)


def test_bounces_are_never_overwritten(session: EmbeddedSession) -> None:
    bounce_dir = session.config.bounce_dir
    first = next_version_path(bounce_dir, "song")
    session.daw.render(RenderRequest(directory=bounce_dir, file_name=first.name))
    original = first.read_bytes()
    with pytest.raises(RenderError, match="exists"):
        session.daw.render(RenderRequest(directory=bounce_dir, file_name=first.name))
    assert first.read_bytes() == original
    for _ in range(3):
        nxt = next_version_path(bounce_dir, "song")
        assert not nxt.exists()
        session.daw.render(RenderRequest(directory=bounce_dir, file_name=nxt.name))
    assert first.read_bytes() == original
    assert len(list(bounce_dir.glob("song-*.wav"))) == 4


def test_a_failing_marker_request_changes_nothing_and_makes_no_undo_point(session: EmbeddedSession) -> None:
    project = session.emulator.project
    before, undo = [(m.name, m.time_s) for m in project.markers], list(project.undo_history)
    for bad_at in range(4):
        specs = [MarkerSpec(time_s=float(i), name=f"finding {i}") for i in range(4)]
        specs[bad_at] = MarkerSpec(time_s=-1.0, name="bad")  # refused by the bridge: nothing may be half-written
        with pytest.raises(DawBridgeError):
            session.daw.replace_markers(specs)
        assert [(m.name, m.time_s) for m in project.markers] == before
        assert project.undo_history == undo
    session.daw.replace_markers([MarkerSpec(time_s=1.0, name="ok")])
    assert project.undo_history == [*undo, "daw-bridge: replace_markers"]


def test_an_interrupted_check_leaves_the_markers_as_they_were(
    session: EmbeddedSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = session.emulator.project
    ref = tmp_path / "ref.wav"
    t = np.arange(48000 * 3) / 48000
    sf.write(str(ref), np.stack([0.3 * np.sin(2 * np.pi * 880 * t)] * 2, axis=1), 48000)
    before, undo = [(m.name, m.time_s, m.color) for m in project.markers], list(project.undo_history)

    def broken(path: Path, **_: object) -> object:
        raise InvalidAudio(f"{path}: interrupted")

    monkeypatch.setattr(bounce_mod, "analyze_file", broken)
    with pytest.raises(InvalidAudio):
        bounce_and_check(session.daw, session.config, reference_files=[ref])
    assert [(m.name, m.time_s, m.color) for m in project.markers] == before
    assert [u for u in project.undo_history if "marker" in u] == [u for u in undo if "marker" in u]
    assert list(session.config.bounce_dir.glob("*-bounce-*.wav")), "the bounce itself is kept"


def test_installer_backs_up_every_user_file_it_replaces(tmp_path: Path) -> None:
    resource = tmp_path / "REAPER"
    resource.mkdir()
    cfg = Config(bridge_dir=tmp_path / "bridge", bounce_dir=tmp_path / "bounces")
    planned = inst.planned_files(cfg)
    rng = random.Random(9)
    edited = rng.sample(sorted(planned), 5)
    for rel in edited:  # the user already has files at our paths (a foreign version, their own edits)
        (resource / rel).parent.mkdir(parents=True, exist_ok=True)
        (resource / rel).write_bytes(f"user content of {rel}\n".encode())
    kb = resource / "reaper-kb.ini"
    kb.write_text("KEY 1 65 40044 0\nSCR 4 0 RSuser_script \"Custom: mine.lua\" \"mine.lua\"\n")
    kb_before = kb.read_bytes()
    report = inst.install(resource, cfg, stamp="t1")
    for rel in edited:
        backup = Path(report.backups[str(resource / rel)])
        assert backup.read_bytes() == f"user content of {rel}\n".encode()
        assert (resource / rel).read_bytes() == planned[rel]
    assert report.kb_backup is not None and report.kb_backup.read_bytes() == kb_before
    assert kb.read_text().startswith(kb_before.decode())  # the user's lines come first, untouched
    inst.uninstall(resource)
    for rel in edited:
        assert (resource / rel).read_bytes() == f"user content of {rel}\n".encode(), "uninstall restores the original"
    assert kb.read_bytes() == kb_before
