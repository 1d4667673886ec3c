"""Ardour OSC quirks (exact type tags, #reply, pan direction) and the feedback mirror, without Ardour."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from pythonosc.osc_message import OscMessage

from daw_bridge.ardour import osc
from daw_bridge.ardour.daw import ArdourDaw
from daw_bridge.ardour.mirror import ArdourMirror
from daw_bridge.ardour.process import bound_udp_ports, free_udp_port
from daw_bridge.errors import CodecError, DawUnreachable
from daw_bridge.osc.codec import Message, encode_message


def type_tags(msg: Message) -> str:
    return str(OscMessage(encode_message(msg)).dgram.split(b",", 1)[1].split(b"\x00", 1)[0].decode())


def test_floats_stay_floats_and_ids_are_ints() -> None:
    assert type_tags(osc.strip_gain(1, -6)) == "if"
    assert type_tags(osc.plugin_parameter(2, 1, 1, 6)) == "iiif"
    assert type_tags(osc.locate(48000)) == "ii"
    assert type_tags(osc.loop_location(0, 96000)) == "ii"
    assert type_tags(osc.set_surface()) == "iiii"
    assert int(osc.set_surface().args[2]) & 16384


def test_strip_ids_are_one_based() -> None:
    with pytest.raises(CodecError, match="1-based"):
        osc.strip_mute(0, True)


def test_hash_reply_is_decoded_as_slash_reply() -> None:
    raw = encode_message(Message("/reply", ("AT", "MIX", 2, 2, 0, 0, 1, 0)))
    decoded = osc.decode(b"#" + raw[1:])
    assert decoded == [Message("/reply", ("AT", "MIX", 2, 2, 0, 0, 1, 0))]


def test_pan_mapping_round_trips_and_left_is_one() -> None:
    assert osc.pan_to_position(-1.0) == 1.0
    assert osc.pan_to_position(1.0) == 0.0
    for pan in (-1.0, -0.3, 0.0, 0.7, 1.0):
        assert osc.position_to_pan(osc.pan_to_position(pan)) == pytest.approx(pan)


def test_bundle_for_several_messages() -> None:
    data = osc.encode([osc.strip_mute(1, True), osc.strip_solo(2, True)])
    assert data.startswith(b"#bundle\x00")
    assert osc.decode(data) == [Message("/strip/mute", (1, 1)), Message("/strip/solo", (2, 1))]


def test_mirror_follows_feedback_and_list_replies() -> None:
    m = ArdourMirror()
    for msg in [Message("/reply", ("AT", "MIX", 2, 2, 0, 0, 1, 0)), Message("/strip/gain", (1, -3.5)),
                Message("/strip/mute", (1, 1.0)), Message("/strip/pan_stereo_position", (1, 1.0)),
                Message("/reply", ("end_route_list", 48000, 96000, 1)), Message("/transport_play", (1.0,)),
                Message("/loop_toggle", (1.0,)), Message("/strip/solo", ("bad", 1.0))]:
        m.feed(msg)
    (strip,) = m.snapshot()
    info = strip.info()
    got = (info.index, info.name, info.volume_db, info.mute, info.solo, info.pan)
    assert got == (1, "MIX", -3.5, True, False, -1.0)
    assert (m.sample_rate, m.last_sample, m.playing, m.looping) == (48000, 96000, True, True)
    assert len(m.take_replies(lambda r: r.address == "/reply")) == 2
    assert m.replies == []


def test_connect_without_ardour_raises_unreachable(tmp_path: Path) -> None:
    port = free_udp_port()
    daw = ArdourDaw(port=port, bridge_dir=tmp_path / "bridge", timeout_s=0.3)
    try:
        with pytest.raises(DawUnreachable, match=f"127.0.0.1:{port}"):
            daw.connect()
    finally:
        daw.close()


def test_bound_udp_ports_sees_our_own_socket() -> None:
    import os

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        assert port in bound_udp_ports(os.getpid())
