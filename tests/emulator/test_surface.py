"""csurf_osc behaviour with literal datagrams: feedback, de-dup, anti-echo, banks, dumps, markers, FX, actions."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from daw_bridge.emulator.core import Emulator
from daw_bridge.emulator.project import Marker, Project, Track, trim_fx
from daw_bridge.osc.codec import MAX_PACKET_BYTES, Message
from daw_bridge.reaper.fader import db_to_slider

from .util import bundle, default_patterns, exchange, feedback, osc


def make(n_tracks: int = 3, *, default_file: bool = False, bridge_dir: Path | None = None) -> Emulator:
    project = Project(tracks=[Track(f"t{i}") for i in range(1, n_tracks + 1)])
    project.tracks[0].fx.append(trim_fx(-3.0))
    project.markers = [Marker(1, 5.0, "B"), Marker(2, 1.0, "A"), Marker(1, 2.0, "Reg", None, 4.0)]
    emu = Emulator(project, pattern_file=default_patterns() if default_file else None, bridge_dir=bridge_dir)
    emu.dump()  # surface start: device in sync
    return emu


def test_volume_db_sets_and_feeds_back_other_forms_not_the_echo() -> None:
    emu = make()
    fb = feedback(emu, osc("/track/2/volume/db", -6.0))
    assert emu.project.tracks[1].volume_db == -6.0
    assert "/track/2/volume/db" not in fb  # anti-echo
    assert fb["/track/2/volume"] == pytest.approx((db_to_slider(-6.0),))
    assert fb["/track/2/volume/str"] == ("-6.00dB",)


def test_unchanged_value_is_not_sent_again() -> None:
    emu = make()
    feedback(emu, osc("/track/1/volume/db", -3.0))
    assert feedback(emu, osc("/track/1/volume/db", -3.0)) == {}


def test_normalized_volume_goes_through_the_fader_curve() -> None:
    emu = make()
    fb = feedback(emu, osc("/track/1/volume", 0.716))
    assert emu.project.tracks[0].volume_db == pytest.approx(0.0, abs=1e-5)
    assert fb["/track/1/volume/db"][0] == pytest.approx(0.0, abs=1e-5)
    assert "/track/1/volume" not in fb


def test_binary_and_toggle_are_echoed() -> None:
    emu = make()
    fb = feedback(emu, osc("/track/3/mute", 1))
    assert emu.project.tracks[2].mute is True and fb["/track/3/mute"] == (1,)
    assert feedback(emu, osc("/track/3/mute", 1))["/track/3/mute"] == (1,)  # b is echoed even unchanged
    fb = feedback(emu, osc("/track/3/mute/toggle"))
    assert emu.project.tracks[2].mute is False and fb["/track/3/mute"] == (0,)


def test_solo_feeds_back_anysolo() -> None:
    emu = make()
    fb = feedback(emu, osc("/track/2/solo", 1))
    assert fb["/anysolo"] == (1,)
    fb = feedback(emu, osc("/soloreset"))
    assert fb["/anysolo"] == (0,) and fb["/track/2/solo"] == (0,)


def test_pan_normalized_and_string() -> None:
    emu = make()
    fb = feedback(emu, osc("/track/1/pan", 0.25))
    assert emu.project.tracks[0].pan == pytest.approx(-0.5)
    assert fb == {"/track/1/pan/str": ("50%L",)}


def test_bank_select_and_tracks_beyond_eight_with_reapers_default_file() -> None:
    emu = make(12, default_file=True)
    dump = {m.address: m.args for p in emu.dump() for m in exchange_decode(p)}
    assert dump["/track/8/name"] == ("t8",) and "/track/9/name" not in dump
    # a change on track 10 is outside the device's bank: no feedback
    emu.project.tracks[9].volume_db = -4.0
    assert emu.poll() == []
    fb = feedback(emu, osc("/device/track/bank/select", 2))  # bank 2 = tracks 9..16: full dump
    assert fb["/track/1/name"] == ("t9",) and fb["/track/2/volume/db"] == (-4.0,)
    assert fb["/track/4/name"] == ("t12",) and "/track/5/name" not in fb
    feedback(emu, osc("/track/3/volume/db", -7.5))
    assert emu.project.tracks[10].volume_db == -7.5


def test_track_count_change_dumps_more_slots() -> None:
    emu = make(12, default_file=True)
    fb = feedback(emu, osc("/device/track/count", 16))
    assert fb["/track/12/name"] == ("t12",)


def test_41743_dumps_everything_in_bundles_of_at_most_1024_bytes() -> None:
    emu = make(40)
    packets = exchange(emu, osc("/action", 41743))
    assert len(packets) > 1
    assert all(len(p) <= MAX_PACKET_BYTES and p.startswith(b"#bundle\0") for p, _ in packets)
    sent = {m.address for _, msgs in packets for m in msgs}
    assert set(emu.surface.state()) == sent
    assert {"/track/40/name", "/master/volume", "/play", "/time", "/loop/start/time"} <= sent
    # also triggered as /action/41743 and /action/str "41743"
    assert len(exchange(emu, osc("/action/41743"))) == len(packets)


def test_marker_feedback_only_when_device_marker_count_positive() -> None:
    emu = make(default_file=True)
    dump = {m.address: m.args for p in emu.dump() for m in exchange_decode(p)}
    assert not any(a.startswith("/marker/") for a in dump)
    fb = feedback(emu, osc("/device/marker/count", 4))
    assert fb["/marker/1/name"] == ("A",) and fb["/marker/1/time"] == (1.0,)
    assert fb["/marker/2/name"] == ("B",) and fb["/marker/3/name"] == ("",)
    shipped = make()  # our file: DEVICE_MARKER_COUNT 64
    dump = {m.address: m.args for p in shipped.dump() for m in exchange_decode(p)}
    assert dump["/marker/2/number/str"] == ("1",) and dump["/region/1/name"] == ("Reg",)


def test_marker_id_creates_marker_and_goto_marker_seeks() -> None:
    emu = make()
    feedback(emu, bundle(osc("/marker_id/7/time", 12.5), osc("/marker_id/7/name", "late")))
    assert any(m.number == 7 and m.time_s == 12.5 and m.name == "late" for m in emu.project.markers)
    feedback(emu, osc("/marker", 2))  # 2nd marker in timeline order: "B" at 5.0
    assert emu.project.position_s == 5.0


def test_fx_feedback_bypass_and_params() -> None:
    emu = make()
    dump = {m.address: m.args for p in emu.dump() for m in exchange_decode(p)}
    assert dump["/track/1/fx/1/name"] == ("trim",) and dump["/track/1/fx/1/bypass"] == (1,)
    fb = feedback(emu, osc("/track/1/fx/1/bypass", 0))
    assert emu.project.tracks[0].fx[0].enabled is False and fb["/track/1/fx/1/bypass"] == (0,)
    fb = feedback(emu, osc("/track/1/fx/1/fxparam/1/value", 0.75))  # trim range -24..+24 dB
    assert emu.project.tracks[0].fx[0].params["gain_db"] == pytest.approx(12.0)
    assert "/track/1/fx/1/fxparam/1/value" not in fb


def test_comma_list_targets_several_items() -> None:
    emu = make()
    emu.project.tracks[0].fx.append(trim_fx(0.0))
    feedback(emu, osc("/track/1/fx/1,2/fxparam/1,1/value", 0.25, 1.0))
    assert [f.params["gain_db"] for f in emu.project.tracks[0].fx] == pytest.approx([-12.0, 24.0])


def test_transport_and_play_stop_action() -> None:
    emu = make()
    fb = feedback(emu, osc("/play"))
    assert emu.project.playing and fb["/play"] == (1,) and fb["/stop"] == (0,)
    fb = feedback(emu, osc("/action", 40044))
    assert not emu.project.playing and fb["/stop"] == (1,)
    fb = feedback(emu, osc("/repeat"))
    assert emu.project.repeat and fb["/repeat"] == (1,)
    fb = feedback(emu, osc("/time", 3.0))
    assert emu.project.position_s == 3.0 and "/time" not in fb and fb["/time/str"] == ("0:03.000",)
    feedback(emu, osc("/play", 0))  # a trigger with 0 is a button release: nothing happens
    assert not emu.project.playing


def test_unknown_actions_and_addresses_are_ignored() -> None:
    emu = make()
    before = emu.surface.ignored
    assert feedback(emu, osc("/action", 99999)) == {}
    assert feedback(emu, osc("/no/such/address", 1.0)) == {}
    assert feedback(emu, osc("/scroll/x", 1.0)) == {}  # r pattern: no handler, never feedback
    assert emu.surface.ignored == before + 3


def test_rotary_patterns_never_in_feedback() -> None:
    emu = make()
    rotary = {p.template for p in emu.patterns.patterns if p.flag == "r"}
    assert rotary and not rotary & set(emu.surface.state())


def test_malformed_packets_are_counted_not_fatal() -> None:
    emu = make()
    assert exchange(emu, b"\x00garbage") == []
    assert emu.malformed == 1
    assert feedback(emu, osc("/track/1/mute", 1))["/track/1/mute"] == (1,)


@pytest.mark.parametrize("datagram", [osc("/action/str", "_RSdawbridge_bridge"), osc("/action/_RSdawbridge_bridge")])
def test_bridge_command_runs_the_bridge(tmp_path: Path, datagram: bytes) -> None:
    emu = make(bridge_dir=tmp_path)
    feedback(emu, datagram)
    assert emu.bridge_runs == 1 and (tmp_path / "bridge.json").exists()


def test_master_volume_and_silence() -> None:
    emu = make()
    fb = feedback(emu, osc("/master/volume/db", -200.0))
    assert emu.project.master.volume_db == -math.inf
    assert fb["/master/volume"] == (0.0,) and fb["/master/volume/str"] == ("-inf dB",)


def test_restart_resets_device_state_keeps_project() -> None:
    emu = make(12, default_file=True)
    feedback(emu, osc("/device/track/bank/select", 2))
    feedback(emu, osc("/track/1/volume/db", -2.0))
    dump = {m.address: m.args for p in emu.restart_surface() for m in exchange_decode(p)}
    assert dump["/track/1/name"] == ("t1",) and emu.project.tracks[8].volume_db == -2.0


def exchange_decode(packet: bytes) -> list[Message]:
    from daw_bridge.osc.codec import decode_packet

    return decode_packet(packet)


def test_direct_project_changes_reach_the_device_on_a_full_poll() -> None:
    emu = make()
    emu.project.tracks[2].mute = True  # as if changed in REAPER's GUI
    assert emu.poll(full=False) == []  # the cheap per-tick check covers transport values only
    sent = {m.address: m.args for p in emu.poll() for m in exchange_decode(p)}
    assert sent == {"/track/3/mute": (1,), "/track/3/mute/toggle": (1,)}


def test_partial_feedback_after_a_track_message_still_reports_globals() -> None:
    emu = make(20)
    emu.project.playing = True  # direct change, not yet reported
    fb = feedback(emu, osc("/track/4/solo", 1))
    assert fb["/track/4/solo"] == (1,) and fb["/anysolo"] == (1,) and fb["/play"] == (1,)
    assert not any(a.startswith("/track/") and not a.startswith("/track/4/") for a in fb)


def test_feedback_patterns_are_only_those_that_can_send_something(monkeypatch: pytest.MonkeyPatch) -> None:
    """compile_feedback drops what never yields a value here (scroll/zoom buttons, play rate, FX EQ addresses),
    so a change is diffed against a short list; the state is the same as with every pattern kept."""
    from daw_bridge.emulator import feedback as fb

    patterns = default_patterns()
    compiled = fb.compile_feedback(patterns)
    kept = {(p.action, p.flag) for p in compiled}
    assert {("TRACK_MUTE", "b"), ("TRACK_VOLUME", "f"), ("ANY_SOLO", "b"), ("FX_PARAM_VALUE", "n"),
            ("TRACK_VU", "n"), ("MASTER_VU", "n")} <= kept
    assert not kept & {("SCROLL_X-", "b"), ("PLAY_RATE", "f"), ("FX_EQ_BAND_GAIN", "f")}
    emu = make(8, default_file=True)
    emu.project.playing = True
    pruned = fb.feedback_state(emu.project, compiled, emu.surface.view)
    monkeypatch.setattr(fb, "_can_produce", lambda p: True)
    everything = fb.compile_feedback(patterns)
    assert len(everything) > 2 * len(compiled)
    assert pruned == fb.feedback_state(emu.project, everything, emu.surface.view)
    assert fb.feedback_state(emu.project, compiled, emu.surface.view, only_tracks={1}) == fb.feedback_state(
        emu.project, everything, emu.surface.view, only_tracks={1})
