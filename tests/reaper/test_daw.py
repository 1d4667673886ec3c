"""ReaperDaw: the Daw interface over the fake REAPER (OSC) and a fake bridge executor."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from daw_bridge.config import Config
from daw_bridge.daw import MARKER_TAG, Daw, MarkerSpec, MonitorFx, RenderRequest, TrackChange
from daw_bridge.errors import DawUnreachable, RenderError
from daw_bridge.osc.codec import decode_packet
from daw_bridge.osc.patterns import load_patterns
from daw_bridge.reaper.bridge import BridgeClient
from daw_bridge.reaper.client import ReaperClient
from daw_bridge.reaper.daw import ReaperDaw
from daw_bridge.reaper.transport import MockTransport

from .fake_bridge import FakeBridge, OpFailed
from .fake_reaper import FakeReaper, FakeTrack


def make_daw(tmp_path: Path, ops: dict[str, Any]) -> tuple[ReaperDaw, FakeReaper, MockTransport, FakeBridge]:
    patterns = load_patterns()
    fake = FakeReaper(patterns, [FakeTrack("MIX"), FakeTrack("REF 1", mute=True)])
    transport = MockTransport(fake.handle)
    client = ReaperClient(transport, patterns, timeout_s=0.5, settle_s=0.0)
    bridge_fake = FakeBridge(tmp_path, ops)

    def trigger() -> None:
        client.trigger_action("_RSdawbridge_bridge")
        bridge_fake.trigger()

    daw = ReaperDaw(client, BridgeClient(tmp_path, trigger, allowed_roots=(tmp_path,)))
    daw.connect(timeout_s=0.5)
    return daw, fake, transport, bridge_fake


def test_is_a_daw_and_switches_ab_in_one_bundle(tmp_path: Path) -> None:
    daw, fake, transport, _ = make_daw(tmp_path, {})
    assert isinstance(daw, Daw)
    assert [t.name for t in daw.tracks()] == ["MIX", "REF 1"]
    transport.sent.clear()
    daw.apply([TrackChange("MIX", mute=True), TrackChange("REF 1", mute=False, volume_db=-3.2)])
    assert len(transport.sent) == 1 and len(decode_packet(transport.sent[0])) == 3
    assert fake.tracks[0].mute and not fake.tracks[1].mute and fake.tracks[1].volume_db == pytest.approx(-3.2)
    assert daw.track("ref 1").volume_db == pytest.approx(-3.2)
    daw.set_loop(1.0, 3.0)
    assert daw.transport().repeat and daw.transport().loop_end_s == 3.0
    daw.close()


def test_bridge_operations_go_through_the_mailbox_and_trigger_over_osc(tmp_path: Path) -> None:
    out = tmp_path / "bounce"
    out.mkdir()

    def render(args: dict[str, Any]) -> dict[str, Any]:
        target = Path(args["directory"]) / args["file_name"]
        target.write_bytes(b"RIFF")
        return {"files": [str(target)], "duration_s": 2.5}

    ops = {
        "replace_markers": lambda args: {"deleted": 0, "added": len(args["markers"])},
        "get_state": lambda args: {
            "markers": [{"number": 2, "time_s": 4.0, "end_s": None, "name": MARKER_TAG + " drier", "color": "#3399ff"}],
            "sample_rate": 48000, "length_s": 31.5, "project_path": "/p.rpp",
        },
        "render": render,
        "set_monitor_chain": lambda args: {"fx": []},
        "set_project_state": lambda args: {},
    }
    daw, _, transport, bridge = make_daw(tmp_path, ops)
    daw.replace_markers([MarkerSpec(4.0, MARKER_TAG + " drier", "#3399ff"), MarkerSpec(8.0, "wider")])
    sent_names = [m["name"] for m in bridge.seen[-1]["args"]["markers"]]
    assert sent_names == ["drier", "wider"]  # the bridge adds the tag once
    assert any(m.address == "/action/str" for p in transport.sent for m in decode_packet(p))
    marker = daw.markers()[0]
    assert marker.ours and marker.color == "#3399ff"  # a bridge that does not say: the tag in the name decides
    progress: list[float] = []
    result = daw.render(RenderRequest(out, "mix.wav"), progress=lambda f, msg: progress.append(f))
    assert result.files == (out / "mix.wav",) and result.duration_s == 2.5 and progress == [0.0, 1.0]
    daw.set_monitor_chain([MonitorFx("crossfeed", {"level_db": -6.0})])
    assert bridge.seen[-1]["args"]["chain"] == [{"kind": "crossfeed", "enabled": True, "params": {"level_db": -6.0}}]
    daw.set_monitor_chain([MonitorFx("bandsolo", {"low_hz": 0.0}, enabled=False), MonitorFx("speakers", enabled=False)])
    assert [(e["kind"], e["enabled"]) for e in bridge.seen[-1]["args"]["chain"]] == [("bandsolo", True),
                                                                                    ("speakers", False)]
    daw.set_monitor_chain([MonitorFx("crossfeed", {"feed_db": 6.0, "cut_hz": 650.0})])
    sent = bridge.seen[-1]["args"]["chain"][0]
    assert sent["labels"] == {"feed_db": "Crossfeed level (dB)", "cut_hz": "Crossfeed cut frequency (Hz)"}
    info = daw.project_info()
    assert (info.sample_rate, info.length_s, info.path) == (48000, 31.5, "/p.rpp")
    daw.set_project_state("ab_state", "{}")
    assert bridge.seen[-1]["args"] == {"key": "ab_state", "value": "{}"}


def test_render_failures_become_render_errors(tmp_path: Path) -> None:
    def exists(args: dict[str, Any]) -> dict[str, Any]:
        raise OpFailed("exists", "mix.wav exists")

    daw, *_ = make_daw(tmp_path, {"render": exists})
    with pytest.raises(RenderError, match="exists"):
        daw.render(RenderRequest(tmp_path, "mix.wav"))
    daw2, *_ = make_daw(tmp_path / "b", {"render": lambda args: {"files": [str(tmp_path / "ghost.wav")]}})
    with pytest.raises(RenderError, match="never appeared"):
        daw2.render(RenderRequest(tmp_path / "b", "x.wav"))


def test_from_config_binds_the_configured_port_and_fails_fast(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        free_send = s.getsockname()[1]
    cfg = Config(send_port=free_send, receive_port=_free_port(), timeout_s=0.2, bridge_dir=tmp_path / "box",
                 bounce_dir=tmp_path / "bounces")
    daw = ReaperDaw.from_config(cfg)
    try:
        assert daw.client.transport.listen_port == cfg.receive_port  # type: ignore[attr-defined]
        with pytest.raises(DawUnreachable, match="0.2 s"):
            daw.connect(timeout_s=0.2)
    finally:
        daw.close()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_which_markers_are_ours_is_the_bridges_word_not_the_name() -> None:
    from daw_bridge.bridged import parse_markers

    markers = parse_markers([
        {"number": 1, "time_s": 1.0, "end_s": None, "name": MARKER_TAG + " the user's", "color": None, "ours": False},
        {"number": 2, "time_s": 2.0, "end_s": 3.0, "name": "renamed by the user", "color": None, "ours": True,
         "id": "{6D61726B-0000-4000-8000-000000000002}"},
        {"number": 3, "time_s": 4.0, "end_s": None, "name": MARKER_TAG + " from an old bridge", "color": None},
    ])
    assert [(m.ours, m.id) for m in markers] == [
        (False, None), (True, "{6D61726B-0000-4000-8000-000000000002}"), (True, None)]
