"""Errors that must point at the DAW when it stops answering mid-workflow (issue 17).

The attack: with the DAW killed while it sent its track list, `match` said "TrackNotFound: no mix track named
'MIX' (tracks: none)"; with the DAW stopped (SIGSTOP), the bridge's timeout asked "is daw-bridge installed?".
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from daw_bridge.config import Config
from daw_bridge.emulator.project import Project, Track
from daw_bridge.errors import BridgeTimeout, DawTimeout
from daw_bridge.reaper.bridge import BridgeClient
from daw_bridge.reaper.daw import ReaperDaw, client_from_config
from daw_bridge.workflows.controller import Controller
from daw_bridge.workflows.embedded import EmbeddedSession, embedded_reaper
from daw_bridge.workflows.roles import find_roles


def mix_and_ref() -> Project:
    return Project(tracks=[Track("MIX"), Track("REF 1", volume_db=-3.0)])


@pytest.fixture
def session(tmp_path: Path) -> Iterator[EmbeddedSession]:
    with embedded_reaper(tmp_path, project=mix_and_ref(), timeout_s=0.5) as s:
        yield s


def cut_dump(session: EmbeddedSession) -> None:
    """The mirror as a track dump cut short leaves it: reset, then no track reported."""
    mirror = session.daw.client.mirror
    mirror.reset_tracks()
    mirror.set_track_count(0)


def test_match_with_the_daw_killed_mid_dump_says_it_stopped_answering(session: EmbeddedSession) -> None:
    assert session.server is not None
    session.server.stop()  # killed...
    cut_dump(session)  # ...while it was sending its track list
    said: list[str] = []
    Controller(session.daw, session.config, say=said.append).handle({"event": "match"})
    assert len(said) == 1 and "failed: DawUnreachable: the DAW stopped answering" in said[0], said
    assert "TrackNotFound" not in said[0] and "127.0.0.1" in said[0]


def test_an_empty_mirror_of_a_live_daw_is_synced_again_not_blamed_on_the_config(session: EmbeddedSession) -> None:
    cut_dump(session)
    roles = find_roles(session.daw, session.config)
    assert roles.mix == "MIX" and roles.references == ("REF 1",)


def test_a_really_missing_track_is_still_track_not_found(session: EmbeddedSession) -> None:
    from dataclasses import replace

    said: list[str] = []
    Controller(session.daw, replace(session.config, mix_track="NOPE"), say=said.append).handle({"event": "match"})
    assert said and "failed: TrackNotFound: no mix track named 'NOPE' (tracks: MIX, REF 1)" in said[0]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def emulator_process(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], Config]]:
    """``daw-bridge emulate`` in its own process (so it can be SIGSTOPped), and a config pointing at it."""
    listen, send = _free_port(), _free_port()
    project = tmp_path / "p.toml"
    project.write_text('[[tracks]]\nname = "MIX"\n\n[[tracks]]\nname = "REF 1"\n')
    cfg = Config(send_port=listen, receive_port=send, timeout_s=1.0, bridge_dir=tmp_path / "bridge",
                 bounce_dir=tmp_path / "bounces")
    proc = subprocess.Popen(
        [sys.executable, "-m", "daw_bridge", "emulate", "--project", str(project), "--listen-port", str(listen),
         "--send-port", str(send), "--bridge-dir", str(cfg.bridge_dir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        yield proc, cfg
    finally:
        os.kill(proc.pid, signal.SIGCONT)
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def test_a_stopped_daw_times_out_without_asking_whether_it_is_installed(
    emulator_process: tuple[subprocess.Popen[bytes], Config],
) -> None:
    proc, cfg = emulator_process
    client = client_from_config(cfg)
    bridge = BridgeClient(cfg.bridge_dir, lambda: client.trigger_action(cfg.bridge_command), timeout_s=1.0,
                          allowed_roots=(cfg.bridge_dir, cfg.bounce_dir))
    daw = ReaperDaw(client, bridge)
    deadline = time.monotonic() + 30
    while True:  # the emulator process takes a moment to start
        try:
            daw.connect(timeout_s=1.0)
            break
        except Exception:
            if time.monotonic() > deadline:
                raise
    try:
        assert bridge.ping()["protocol"] == 1  # installed and answering
        os.kill(proc.pid, signal.SIGSTOP)
        with pytest.raises(BridgeTimeout) as info:
            bridge.ping()
        message = str(info.value)
        assert "installed?" not in message and "reaper install" not in message
        assert "REAPER stopped answering" in message and "so it is installed" in message
        with pytest.raises(DawTimeout, match="it sent nothing at all in that time, so it stopped answering"):
            daw.set_volume_db("REF 1", -9.0)
    finally:
        daw.close()


def test_a_bridge_that_never_ran_still_gets_the_setup_hint(tmp_path: Path) -> None:
    client = BridgeClient(tmp_path / "mb", lambda: None, timeout_s=0.05)
    with pytest.raises(BridgeTimeout, match="is daw-bridge installed in REAPER"):
        client.ping()
