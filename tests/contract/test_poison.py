"""One datagram must never break the emulator: after each poison datagram it still answers a full refresh whose
packets all decode and fit REAPER's 1024 bytes, the polls keep working, and memory stays bounded."""

from __future__ import annotations

import math
import struct
import tracemalloc

import pytest

from daw_bridge.emulator.core import Emulator
from daw_bridge.emulator.project import Marker, Project, Track, trim_fx
from daw_bridge.errors import CodecError
from daw_bridge.osc.codec import MAX_PACKET_BYTES, Message, decode_packet, fit_message, pack_bundles, truncate_utf8
from daw_bridge.osc.patterns import PatternSet
from tests.emulator.util import bundle, default_patterns, exchange, osc


def raw_float(address: str, value: float) -> bytes:
    """A literal ``,f`` message carrying any float32 bit pattern (inf, nan)."""
    return osc(address, 0.0)[:-4] + struct.pack(">f", value)


POISON: dict[str, bytes] = {
    "name-1000-chars": osc("/track/1/name", "x" * 1000),  # exactly 1024 bytes: REAPER accepts it
    "name-utf8-near-limit": osc("/track/1/name", "é" * 499 + "x"),
    "marker-name-utf8": osc("/marker_id/1/name", "ü" * 495),
    "time-inf": raw_float("/time", math.inf),
    "time-minus-inf": raw_float("/loop/start/time", -math.inf),
    "volume-db-nan": raw_float("/track/1/volume/db", math.nan),
    "volume-db-huge": raw_float("/track/1/volume/db", 3.0e38),
    "time-huge": raw_float("/time", 3.0e38),
    "marker-time-huge": raw_float("/marker_id/1/time", 3.0e38),
    "pan-nan": raw_float("/track/1/pan", math.nan),
    "marker-count-2000000": osc("/device/marker/count", 2_000_000),
    "region-count-max": osc("/device/region/count", 2**31 - 1),
    "track-count-max": osc("/device/track/count", 2**31 - 1),
    "fxparam-count-max": osc("/device/fxparam/count", 2**31 - 1),
    "send-count-max": osc("/device/send/count", 2**31 - 1),
    "bank-select-max": osc("/device/track/bank/select", 2**31 - 1),
    "marker-bank-max": osc("/device/marker/bank/select", 2**31 - 1),
    "fx-select-negative": osc("/device/fx/select", -5),
    "track-select-max": osc("/device/track/select", 2**31 - 1),
    "marker-id-huge": osc("/marker_id/99999999999999999999999/name", "far"),
    "comma-list-300": osc("/track/" + ",".join(["1"] * 300) + "/mute", 1),
    "comma-lists-unequal": osc("/track/1,2,3/fx/1,2/bypass", 0),
    "over-1024-bytes": osc("/track/1/name", "y" * 1500),
    "bundle-of-counts": bundle(osc("/device/marker/count", 2_000_000), osc("/device/region/count", 2_000_000)),
    "tempo-zero": osc("/tempo/raw", 0.0),
    "string-where-number": osc("/track/1/volume/db", "loud"),
}


def fresh(pattern_file: PatternSet | None) -> Emulator:
    project = Project(tracks=[Track(f"t{i}") for i in range(1, 6)], markers=[Marker(1, 1.0, "m")])
    project.tracks[0].fx.append(trim_fx(-3.0))
    emu = Emulator(project, pattern_file=pattern_file)
    emu.dump()
    return emu


def full_refresh(emu: Emulator) -> dict[str, tuple[object, ...]]:
    """Trigger action 41743 with a literal datagram: every packet decodes and fits 1024 bytes."""
    packets = exchange(emu, osc("/action", 41743))
    assert packets, "no answer to a full refresh"
    for packet, _ in packets:
        assert len(packet) <= MAX_PACKET_BYTES
    return {m.address: m.args for _p, msgs in packets for m in msgs}


#: Our shipped file has the marker/region lists and a 64-track bank; REAPER's default file has the meters.
CASES = [(name, "shipped") for name in sorted(POISON)] + [
    (name, "reaper-default") for name in ("time-inf", "time-huge", "volume-db-huge", "volume-db-nan",
                                          "track-count-max")]


@pytest.mark.parametrize(("name", "pattern_file"), CASES)
def test_poison_datagram_leaves_a_working_bounded_surface(name: str, pattern_file: str) -> None:
    emu = fresh(default_patterns() if pattern_file == "reaper-default" else None)
    tracemalloc.start()
    try:
        exchange(emu, POISON[name])
        emu.project.playing = True
        emu.poll()
        emu.poll(full=False)
        state = full_refresh(emu)
        _, peak_bytes = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert state.get("/track/2/name") == ("t2",) or emu.surface.view.bank != 1  # a bank select may move it
    assert state["/play"] == (1,) and "/track/name" in state  # the device track (the master unless moved)
    assert peak_bytes < 40_000_000, f"{name}: {peak_bytes / 1e6:.1f} MB"
    assert len(emu.surface.cache) < 20_000
    assert all(math.isfinite(v) for args in state.values() for v in args if isinstance(v, float))
    assert math.isfinite(emu.project.position_s) and math.isfinite(emu.project.tracks[0].volume_db)


def test_a_flood_of_new_marker_ids_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from daw_bridge.emulator import handlers

    monkeypatch.setattr(handlers, "MAX_MARKERS", 40)
    emu = fresh(None)
    exchange(emu, bundle(*(osc(f"/marker_id/{n}/name", f"m{n}") for n in range(2, 62))))
    assert len(emu.project.markers) == 40
    state = full_refresh(emu)
    names = {v[0] for k, v in state.items() if k.startswith("/marker/") and k.endswith("/name")}
    assert "m" in names and "m40" in names and "m41" not in names


def test_huge_volume_is_clamped() -> None:
    emu = fresh(None)
    exchange(emu, POISON["volume-db-huge"])
    assert emu.project.tracks[0].volume_db == 24.0


def test_long_names_are_cut_as_reaper_cuts_them() -> None:
    """Track names go through a 512-byte buffer (511 bytes kept); cut on a character boundary here."""
    emu = fresh(None)
    exchange(emu, POISON["name-1000-chars"])
    assert emu.project.tracks[0].name == "x" * 1000  # stored as sent
    assert full_refresh(emu)["/track/1/name"] == ("x" * 511,)
    exchange(emu, POISON["name-utf8-near-limit"])
    name = full_refresh(emu)["/track/1/name"][0]
    assert isinstance(name, str) and name == "é" * 255 and len(name.encode()) == 510  # never half a character


def test_over_long_message_is_refused_whole() -> None:
    emu = fresh(None)
    before = emu.malformed
    assert exchange(emu, POISON["over-1024-bytes"]) == []
    assert emu.malformed == before + 1 and emu.project.tracks[0].name == "t1"


def test_non_finite_values_are_ignored() -> None:
    emu = fresh(None)
    for key in ("time-inf", "volume-db-nan", "pan-nan", "time-minus-inf"):
        assert exchange(emu, POISON[key]) == []
    p = emu.project
    assert (p.position_s, p.tracks[0].volume_db, p.tracks[0].pan, p.loop_start_s) == (0.0, 0.0, 0.0, None)
    assert emu.surface.ignored >= 4


def test_counts_are_bounded() -> None:
    emu = fresh(None)
    exchange(emu, POISON["marker-count-2000000"])
    assert emu.surface.view.marker_count == 256
    exchange(emu, POISON["bank-select-max"])
    assert emu.surface.view.bank == 1  # clamped to the tracks that exist, as csurf_osc clamps


def test_truncate_utf8_and_fit_message() -> None:
    assert truncate_utf8("aé", 2) == "a" and truncate_utf8("aé", 3) == "aé" and truncate_utf8("é", 0) == ""
    long = Message("/marker/1/name", ("ß" * 700,))
    fitted = fit_message(long)
    assert isinstance(fitted.args[0], str) and fitted.args[0] == "ß" * len(fitted.args[0])
    assert len(pack_bundles([long])[0]) <= MAX_PACKET_BYTES
    with pytest.raises(CodecError, match="even with empty strings"):
        fit_message(Message("/" + "a" * 1100, ("x",)))


def test_decode_refuses_a_message_over_the_limit_inside_a_bundle() -> None:
    packet = bundle(osc("/track/1/mute", 1), osc("/track/1/name", "z" * 1100))
    assert len(decode_packet(packet)) == 2  # the client's decoding is unchanged
    with pytest.raises(CodecError, match="1024-byte message limit"):
        decode_packet(packet, max_message_bytes=1024)
