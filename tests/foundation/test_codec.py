"""OSC bytes as REAPER reads and writes them: i/f/s only, 1024-byte bundles."""

from __future__ import annotations

import struct

import pytest

from daw_bridge.errors import CodecError
from daw_bridge.osc.codec import MAX_PACKET_BYTES, Message, decode_packet, encode_bundle, encode_message, pack_bundles


def osc_string(s: str) -> bytes:
    b = s.encode() + b"\x00"
    return b + b"\x00" * (-len(b) % 4)


def test_message_bytes_are_exact() -> None:
    data = encode_message(Message("/track/1/volume/db", (-6.0,)))
    assert data == osc_string("/track/1/volume/db") + osc_string(",f") + struct.pack(">f", -6.0)
    data = encode_message(Message("/action", (41743,)))
    assert data == osc_string("/action") + osc_string(",i") + struct.pack(">i", 41743)


def test_decodes_a_literal_reaper_feedback_bundle() -> None:
    # A bundle as REAPER sends feedback: #bundle, immediate timetag, two sized elements.
    m1 = osc_string("/track/1/name") + osc_string(",s") + osc_string("Drums")
    m2 = osc_string("/track/1/volume/db") + osc_string(",f") + struct.pack(">f", -3.5)
    bundle = osc_string("#bundle") + struct.pack(">Q", 1) + struct.pack(">i", len(m1)) + m1
    bundle += struct.pack(">i", len(m2)) + m2
    assert decode_packet(bundle) == [Message("/track/1/name", ("Drums",)), Message("/track/1/volume/db", (-3.5,))]


@pytest.mark.parametrize("bad", [True, None, b"blob", 1.5j, 2**40])
def test_only_ifs_arguments_are_sent(bad: object) -> None:
    with pytest.raises(CodecError):
        encode_message(Message("/x", (bad,)))  # type: ignore[arg-type]


def test_unparsed_argument_types_are_dropped_on_decode() -> None:
    # ",Tfi": a True (REAPER ignores it), a float and an int
    data = osc_string("/x") + osc_string(",Tfi") + struct.pack(">f", 0.5) + struct.pack(">i", 3)
    assert decode_packet(data) == [Message("/x", (0.5, 3))]


@pytest.mark.parametrize(
    "bad",
    [
        b"",
        b"/abc\x00\x00",
        b"#bundle\x00\x00\x00",
        b"garbage that is not osc",
        b"/a\x00\x00,q\x00\x00",
        b"/track/1/mute\x00\x00\x00,f\x00\x00",  # a float announced, none sent
        b"/a\x00\x00,s\x00\x00abc",  # unterminated string
    ],
)
def test_malformed_packets_raise_codec_error(bad: bytes) -> None:
    with pytest.raises(CodecError):
        decode_packet(bad)


def test_bundle_round_trip_and_size_cap() -> None:
    msgs = [Message("/track/1/mute", (1,)), Message("/track/2/mute", (0,)), Message("/track/2/volume/db", (-1.5,))]
    assert decode_packet(encode_bundle(msgs)) == msgs
    too_many = [Message(f"/track/{i}/name", ("x" * 40,)) for i in range(30)]
    with pytest.raises(CodecError, match="over REAPER's 1024"):
        encode_bundle(too_many)


def test_pack_bundles_respects_1024_bytes_and_order() -> None:
    msgs = [Message(f"/track/{i}/name", (f"Track {i} " + "x" * (i % 50),)) for i in range(1, 200)]
    packets = pack_bundles(msgs)
    assert all(len(p) <= MAX_PACKET_BYTES for p in packets)
    assert len(packets) > 1
    decoded = [m for p in packets for m in decode_packet(p)]
    assert decoded == msgs


def test_oversized_message_refused() -> None:
    with pytest.raises(CodecError, match="over REAPER's 1024"):
        encode_message(Message("/track/1/name", ("x" * 2000,)))
