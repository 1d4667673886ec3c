"""Contract: ReaperClient/ReaperDaw against the REAPER emulator over real UDP on loopback (port 0 everywhere)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from daw_bridge.daw import MARKER_TAG, MarkerSpec, MonitorFx, RenderRequest, TrackChange
from daw_bridge.emulator.core import Emulator
from daw_bridge.emulator.project import Fx, Marker, Project, Track
from daw_bridge.emulator.server import EmulatorServer
from daw_bridge.errors import CodecError, DawUnreachable
from daw_bridge.osc.codec import Message, decode_packet
from daw_bridge.osc.patterns import PatternSet, default_pattern_file
from daw_bridge.reaper.bridge import BridgeClient
from daw_bridge.reaper.client import ReaperClient
from daw_bridge.reaper.daw import ReaperDaw
from daw_bridge.reaper.transport import UdpTransport
from tests.support.paths import REAPER_DEFAULT_OSC

DEFAULT_FILE = REAPER_DEFAULT_OSC
FILES = {"shipped": default_pattern_file(), "reaper-default": DEFAULT_FILE}


@dataclass
class Rig:
    client: ReaperClient
    server: EmulatorServer
    emu: Emulator
    daw: ReaperDaw
    received: list[Message]
    tmp: Path
    patterns: PatternSet

    def settle(self) -> None:
        """Deterministic barrier: every feedback the emulator queued has reached us (no timing assumption).

        The emulator's send queue is drained, then a probe that changes nothing lasting (``/bymarker`` toggled
        on and off, built from the pattern file) is answered: its last echo arrives after everything before it.
        """
        assert self.server.wait_idle(10.0)
        address = self.patterns.address("REWIND_FORWARD_BYMARKER", "t")
        for expected in (1, 0):
            seen = len(self.received)
            self.client.send([Message(address, ())])
            deadline = time.monotonic() + 10.0
            while not any(m.address == address and m.args == (expected,) for m in self.received[seen:]):
                assert time.monotonic() < deadline, f"no echo of {address}"
                time.sleep(0.002)


def project(n_tracks: int, tmp: Path) -> Project:
    tracks = [Track(f"T{i}", volume_db=-float(i % 7)) for i in range(1, n_tracks + 1)]
    tracks[0].fx.append(Fx("ReaEQ", True, {"gain": 0.5}))
    return Project(tracks=tracks, markers=[Marker(1, 2.0, "user verse")])


@pytest.fixture(params=sorted(FILES))
def rig(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Rig]:
    pattern_file = FILES[request.param]
    if not pattern_file.exists():
        pytest.skip(f"{pattern_file} not available")
    patterns = PatternSet.from_file(pattern_file)
    transport = UdpTransport("127.0.0.1", 9, listen_port=0)  # bind our feedback port first
    emu = Emulator(project(20, tmp_path), pattern_file=patterns, bridge_dir=tmp_path / "bridge",
                   bounce_dir=tmp_path / "bounces")
    server = EmulatorServer(emu, host="127.0.0.1", listen_port=0, send_port=transport.listen_port)
    server.start()
    transport.send_port = server.listen_port
    client = ReaperClient(transport, patterns, timeout_s=2.0, settle_s=0.2)  # margin for busy CI machines
    received: list[Message] = []
    dispatch = client.dispatcher.dispatch_packet

    def spy(data: bytes) -> int:
        try:
            received.extend(decode_packet(data))
        except CodecError:
            pass  # the dispatcher counts it
        return dispatch(data)

    client.dispatcher.dispatch_packet = spy  # type: ignore[method-assign]
    bridge = BridgeClient(tmp_path / "bridge", lambda: client.trigger_action("_RSdawbridge_bridge"),
                          timeout_s=5.0, allowed_roots=(tmp_path / "bridge", tmp_path / "bounces"))
    daw = ReaperDaw(client, bridge)
    daw.connect(timeout_s=2.0)
    rig = Rig(client, server, emu, daw, received, tmp_path, patterns)
    try:
        rig.settle()  # the sync returns when the mirror goes quiet; its dumps' tails may still be queued
        yield rig
    finally:
        client.close()
        server.stop()


def test_sync_mirrors_all_tracks_beyond_the_bank(rig: Rig) -> None:
    tracks = rig.daw.tracks()
    assert [t.name for t in tracks] == [t.name for t in rig.emu.project.tracks]
    assert [t.volume_db for t in tracks] == pytest.approx([t.volume_db for t in rig.emu.project.tracks])
    assert tracks[0].fx[0].name == "ReaEQ" and tracks[0].fx[0].enabled


def test_track_verbs_reach_the_project_and_the_mirror(rig: Rig) -> None:
    p, daw, c = rig.emu.project, rig.daw, rig.client
    daw.set_volume_db("T19", -12.25)  # beyond REAPER's default 8-track bank
    daw.set_pan(2, -0.5)
    daw.set_mute(3, True)
    daw.set_solo(19, True)
    c.select(4)
    c.rename(12, "Lead vocal")
    c.set_fx_enabled(1, 1, False)
    assert p.tracks[18].volume_db == pytest.approx(-12.25) and p.tracks[18].solo
    assert p.tracks[1].pan == pytest.approx(-0.5) and p.tracks[2].mute and p.tracks[3].selected
    assert p.tracks[11].name == "Lead vocal" and not p.tracks[0].fx[0].enabled
    assert daw.track("T19").volume_db == pytest.approx(-12.25) and daw.track(2).pan == pytest.approx(-0.5)
    assert daw.track("lead vocal").index == 12 and not daw.track(1).fx[0].enabled


def test_ab_switch_is_one_bundle_and_confirmed(rig: Rig) -> None:
    rig.daw.apply([TrackChange(1, mute=True), TrackChange(2, mute=False, volume_db=-4.0), TrackChange(15, solo=True)])
    p = rig.emu.project
    assert p.tracks[0].mute and p.tracks[1].volume_db == pytest.approx(-4.0) and p.tracks[14].solo
    assert rig.daw.track(1).mute and rig.daw.track(15).solo


def test_anti_echo_and_echo_rules(rig: Rig) -> None:
    # The sync returns when the mirror goes quiet; the rest of its dump (sends, flags) may still be on its way
    # and holds /track/2/volume/db: wait for it all before listening (this used to be a timing assumption).
    rig.settle()
    rig.received.clear()
    rig.client.set_volume_db(2, -9.5)
    rig.client.set_mute(2, True)
    addresses = [m.address for m in rig.received]
    assert "/track/2/volume/db" not in addresses  # the exact address we set is not echoed
    assert "/track/2/volume/str" in addresses  # its other forms are
    assert "/track/2/mute" in addresses  # b patterns are echoed


def test_gui_side_changes_are_mirrored(rig: Rig) -> None:
    with rig.emu.lock:
        rig.emu.project.tracks[1].volume_db = -20.0
        rig.emu.project.tracks[2].name = "Bass"
    assert rig.client.mirror.wait_for(
        lambda m: (s := m.track_state(2)) is not None and s.volume_db == -20.0, 2.0)
    assert rig.client.mirror.wait_for(lambda m: (s := m.track_state(3)) is not None and s.name == "Bass", 2.0)


def test_transport_verbs(rig: Rig) -> None:
    daw, p = rig.daw, rig.emu.project
    daw.seek(3.5)
    assert p.position_s == pytest.approx(3.5) and daw.transport().position_s == pytest.approx(3.5)
    daw.set_loop(1.0, 2.0, repeat=True)
    assert (p.loop_start_s, p.loop_end_s, p.repeat) == (pytest.approx(1.0), pytest.approx(2.0), True)
    assert daw.transport().loop_end_s == pytest.approx(2.0) and daw.transport().repeat
    daw.play()
    assert p.playing and daw.transport().playing
    daw.stop()
    assert not p.playing and not daw.transport().playing


def test_bridge_markers_state_monitor_chain_and_media(rig: Rig) -> None:
    daw, p = rig.daw, rig.emu.project
    daw.replace_markers([MarkerSpec(4.0, "reverb 4.2 dB drier", "#3399ff"), MarkerSpec(6.0, "narrower")])
    daw.replace_markers([MarkerSpec(5.0, "only one now", "#ff0000")])
    names = [m.name for m in daw.markers()]
    assert names == ["user verse", f"{MARKER_TAG} only one now"]  # only our markers were replaced
    ours = [m for m in daw.markers() if m.ours][0]
    assert ours.color == "#ff0000" and ours.time_s == pytest.approx(5.0)
    daw.set_project_state("ab_state", '{"current": "mix"}')
    assert daw.get_project_state("ab_state") == '{"current": "mix"}'
    assert daw.get_project_state("missing") is None
    daw.set_monitor_chain([MonitorFx("crossfeed", {"feed_db": 6.0})])
    assert [f.name for f in p.monitor_fx] == ["JS: daw-bridge/crossfeed"]
    media = rig.tmp / "bounces" / "ref.wav"
    media.parent.mkdir(exist_ok=True)
    sf.write(media, np.zeros((4800, 2)), 48000)
    daw.insert_reference("REF 1", media, position_s=0.0)
    assert p.find_track("REF 1") is not None


def test_render_to_a_path(rig: Rig) -> None:
    rig.client.set_fx_enabled(1, 1, False)  # the emulator cannot run ReaEQ: bypass it, as its error says
    out = rig.tmp / "bounces" / "mixes"
    result = rig.daw.render(RenderRequest(out, "mix-001.wav", start_s=0.0, end_s=1.0), timeout_s=30.0)
    assert result.files == (out / "mix-001.wav",) and result.files[0].exists()


def test_resync_after_a_simulated_restart(rig: Rig) -> None:
    rig.client.set_volume_db(19, -3.0)  # leaves the device on a later bank with REAPER's default file
    rig.server.restart()  # caches and bank reset on the emulator's side, project kept
    with rig.emu.lock:
        rig.emu.project.tracks[0].name = "Renamed while we were away"
    rig.client.sync()
    assert rig.daw.track(1).name == "Renamed while we were away"
    assert [t.name for t in rig.daw.tracks()][1:] == [t.name for t in rig.emu.project.tracks][1:]
    rig.client.set_volume_db(19, -6.0)
    assert rig.emu.project.tracks[18].volume_db == pytest.approx(-6.0)


def test_malformed_feedback_is_counted_and_harmless(rig: Rig) -> None:
    t = rig.client.transport
    assert isinstance(t, UdpTransport)
    sender = UdpTransport("127.0.0.1", t.listen_port, listen_port=0)
    try:
        sender.send(b"\x00garbage")
        sender.send(b"/no/such/address\x00\x00\x00\x00,f\x00\x00\x00\x00\x00\x00")
        assert rig.client.mirror.wait_for(
            lambda m: rig.client.dispatcher.stats.malformed >= 1 and rig.client.dispatcher.stats.unknown >= 1, 2.0)
    finally:
        sender.close()
    rig.client.set_mute(1, True)
    assert rig.emu.project.tracks[0].mute


def test_unreachable_daw_fails_fast() -> None:
    with UdpTransport("127.0.0.1", 9, listen_port=0) as silent:
        client = ReaperClient(UdpTransport("127.0.0.1", silent.listen_port, listen_port=0), timeout_s=0.3)
        try:
            with pytest.raises(DawUnreachable, match="0.3 s"):
                client.connect()
        finally:
            client.close()
