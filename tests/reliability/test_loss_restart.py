"""Packet loss and restarts: with 10 % of feedback dropped and across an emulator restart, a resync (41743)
converges on the true state; commands during an outage fail clearly and are never replayed."""

from __future__ import annotations

from pathlib import Path

import pytest

from daw_bridge.emulator.core import Emulator
from daw_bridge.errors import BridgeTimeout, DawTimeout, DawUnreachable
from daw_bridge.reaper.bridge import BridgeClient

from .relay import lossy_wire
from .session import mismatches, small_project

MAX_RESYNCS = 25


def resync_until_converged(wire_client: object, project: object, *, attempts: int = MAX_RESYNCS) -> int:
    """Call sync() until the mirror equals the project; returns how many syncs it took (0 if it never did)."""
    for n in range(1, attempts + 1):
        wire_client.sync(timeout_s=2.0)  # type: ignore[attr-defined]
        if not mismatches(wire_client, project):  # type: ignore[arg-type]
            return n
    return 0


@pytest.mark.timeout(120)
@pytest.mark.parametrize("seed", [11, 12])
def test_ten_percent_feedback_loss_converges_by_resync(seed: int) -> None:
    emu = Emulator(small_project(24))
    with lossy_wire(emu, loss=0.10, seed=seed) as wire:
        wire.client.mirror.wait_quiet(0.2, 5.0)  # the surface-start dump, partly lost
        needed = resync_until_converged(wire.client, emu.project)
        assert needed > 0, f"no convergence in {MAX_RESYNCS} resyncs: {mismatches(wire.client, emu.project)}"
        # changes made in the DAW itself (the GUI) while feedback is lossy are found by the next resyncs
        emu.project.tracks[4].name = "Renamed in REAPER"
        emu.project.tracks[9].volume_db = -17.0
        emu.project.tracks[20].mute = not emu.project.tracks[20].mute
        assert resync_until_converged(wire.client, emu.project) > 0
        assert wire.relay.dropped > 0 and wire.relay.forwarded > 0


@pytest.mark.timeout(60)
def test_restart_mid_session_resyncs_and_outage_commands_fail_once(tmp_path: Path) -> None:
    bridge_dir, bounce_dir = tmp_path / "bridge", tmp_path / "bounces"
    bounce_dir.mkdir()
    emu = Emulator(small_project(8), bridge_dir=bridge_dir, bounce_dir=bounce_dir)
    with lossy_wire(emu, loss=0.0, seed=1) as wire:
        client = wire.client
        client.sync(timeout_s=2.0)
        assert mismatches(client, emu.project) == []
        bridge = BridgeClient(bridge_dir, lambda: client.trigger_action("_RSdawbridge_bridge"), timeout_s=0.5,
                              allowed_roots=(bridge_dir, bounce_dir))
        assert bridge.ping()["protocol"] == 1
        original_volume = emu.project.tracks[2].volume_db

        wire.server.stop()  # REAPER goes away
        emu.project.tracks[0].name = "Renamed while down"
        emu.project.tracks[1].volume_db = -20.0
        with pytest.raises((DawTimeout, DawUnreachable)) as failed:
            client.set_volume_db(3, -9.0)
        assert "127.0.0.1" in str(failed.value)
        with pytest.raises((BridgeTimeout, DawUnreachable)):
            bridge.clear_markers()
        assert list((bridge_dir / "requests").iterdir()) == [], "a timed-out request must be withdrawn"

        seen_before_restart = len(wire.seen)
        wire.server.start()  # REAPER is back: same ports, caches cleared, project kept
        client.sync(timeout_s=2.0)
        assert mismatches(client, emu.project) == [], "resync after restart must show the true state"
        assert client.track(1).name == "Renamed while down"
        # nothing sent during the outage is replayed: the volume never changed, the bridge has nothing pending
        after = wire.seen[seen_before_restart:]
        assert not any(a.startswith("/track/3/volume") for a in after), after
        assert emu.project.tracks[2].volume_db == original_volume
        assert emu.run_bridge() == 0
        # and a command after the restart is applied exactly once
        client.set_volume_db(3, -9.0)
        assert emu.project.tracks[2].volume_db == pytest.approx(-9.0, abs=1e-3)
        assert sum(a.startswith("/track/3/volume") for a in wire.seen[seen_before_restart:]) == 1
