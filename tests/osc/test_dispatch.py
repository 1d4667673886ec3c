"""Dispatcher: literal REAPER-shaped datagrams in, handlers by (action, flag) out; bad input counted, never raised."""

from __future__ import annotations

import logging
import struct

import pytest

from daw_bridge.osc.codec import Message
from daw_bridge.osc.dispatch import Dispatcher
from daw_bridge.osc.patterns import Match, PatternSet, load_patterns
from tests.support.paths import REAPER_DEFAULT_OSC

DEFAULT_FILE = REAPER_DEFAULT_OSC


def s(text: str) -> bytes:
    """An OSC string: bytes, NUL, padded to 4."""
    b = text.encode() + b"\x00"
    return b + b"\x00" * (-len(b) % 4)


def msg_f(address: str, value: float) -> bytes:
    return s(address) + s(",f") + struct.pack(">f", value)


def msg_s(address: str, value: str) -> bytes:
    return s(address) + s(",s") + s(value)


def bundle(*elements: bytes) -> bytes:
    out = s("#bundle") + struct.pack(">Q", 1)
    for e in elements:
        out += struct.pack(">i", len(e)) + e
    return out


#: What REAPER sends for track 2 of the bank after a 41743 refresh (abridged), as one feedback bundle.
REAPER_TRACK_DUMP = bundle(
    msg_s("/track/2/name", "Bass"),
    msg_s("/track/2/number/str", "2"),
    msg_f("/track/2/select", 0.0),
    msg_f("/track/2/volume", 0.716),
    msg_s("/track/2/volume/str", "+0.00dB"),
    msg_f("/track/2/volume/db", 0.0),
    msg_f("/track/2/mute", 1.0),
    msg_s("/track/2/fx/1/name", "ReaEQ"),
    msg_f("/track/2/fx/1/bypass", 1.0),
    msg_f("/track/2/vu", 0.0),  # no handler: counted as unhandled
)


@pytest.fixture
def patterns() -> PatternSet:
    return PatternSet.from_file(DEFAULT_FILE) if DEFAULT_FILE.exists() else load_patterns()


def test_routes_a_literal_feedback_bundle(patterns: PatternSet) -> None:
    d = Dispatcher(patterns)
    seen: list[tuple[str, str, tuple[object, ...], tuple[object, ...]]] = []

    def record(match: Match, message: Message) -> None:
        seen.append((match.action, match.flag, match.targets, message.args))

    for action, flag in [("TRACK_NAME", "s"), ("TRACK_VOLUME", "f"), ("TRACK_MUTE", "b"), ("FX_NAME", "s")]:
        d.map(action, flag, record)
    handled = d.dispatch_packet(REAPER_TRACK_DUMP)
    assert handled == 4
    assert seen == [
        ("TRACK_NAME", "s", (2,), ("Bass",)),
        ("TRACK_VOLUME", "f", (2,), (0.0,)),
        ("TRACK_MUTE", "b", (2,), (1.0,)),
        ("FX_NAME", "s", (2, 1), ("ReaEQ",)),
    ]
    assert d.stats.packets == 1 and d.stats.messages == 10 and d.stats.handled == 4
    assert d.stats.unhandled == 6 and d.stats.malformed == 0


def test_wildcard_count_selects_the_pattern(patterns: PatternSet) -> None:
    d = Dispatcher(patterns)
    two: list[tuple[object, ...]] = []
    one: list[tuple[object, ...]] = []
    d.map("FX_NAME", "s", lambda m, msg: two.append(m.targets), wildcards=2)
    d.map("FX_NAME", "s", lambda m, msg: one.append(m.targets), wildcards=1)
    d.dispatch_packet(msg_s("/track/3/fx/2/name", "ReaComp"))
    d.dispatch_packet(msg_s("/fx/4/name", "ReaEQ"))
    assert two == [(3, 2)] and one == [(4,)]


def test_argument_type_picks_between_patterns_on_one_address(patterns: PatternSet) -> None:
    # TRACK_MONITOR has both b/track/@/monitor and i/track/@/monitor
    d = Dispatcher(patterns)
    got: list[str] = []
    d.map("TRACK_MONITOR", "i", lambda m, msg: got.append(m.flag))
    d.dispatch_packet(s("/track/1/monitor") + s(",i") + struct.pack(">i", 2))
    d.dispatch_packet(msg_s("/track/1/monitor", "2"))  # a string fits neither: unhandled
    assert got == ["i"] and d.stats.unhandled == 1


@pytest.mark.parametrize(
    "bad",
    [b"", b"\x00\x01\x02", s("/track/1/name") + s(",s") + b"abc", b"#bundle\x00" + b"\x00" * 4, s("/x") + s(",q")],
)
def test_malformed_packets_are_counted_and_logged(
    patterns: PatternSet, bad: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    d = Dispatcher(patterns)
    with caplog.at_level(logging.WARNING, logger="daw_bridge.osc.dispatch"):
        assert d.dispatch_packet(bad) == 0
    assert d.stats.malformed == 1
    assert "malformed" in caplog.text


def test_unknown_addresses_are_counted(patterns: PatternSet) -> None:
    d = Dispatcher(patterns)
    d.dispatch_packet(msg_f("/not/a/reaper/address", 1.0))
    d.dispatch_packet(msg_f("/track/x/volume", 1.0))  # "x" is no target
    assert d.stats.unknown == 2 and d.stats.malformed == 0


def test_a_failing_handler_is_counted_not_raised(patterns: PatternSet, caplog: pytest.LogCaptureFixture) -> None:
    d = Dispatcher(patterns)

    def boom(match: Match, message: Message) -> None:
        raise RuntimeError("handler bug")

    d.map("TRACK_NAME", "s", boom)
    with caplog.at_level(logging.ERROR, logger="daw_bridge.osc.dispatch"):
        assert d.dispatch_packet(msg_s("/track/1/name", "x")) == 0
    assert d.stats.handler_errors == 1 and "handler bug" in caplog.text


def test_nested_bundles_and_trigger_without_arguments(patterns: PatternSet) -> None:
    d = Dispatcher(patterns)
    got: list[tuple[str, tuple[object, ...]]] = []
    d.map("PLAY", "t", lambda m, msg: got.append((m.action, msg.args)))
    d.dispatch_packet(bundle(bundle(s("/play") + s(",")), msg_f("/play", 1.0)))
    assert got == [("PLAY", ()), ("PLAY", (1.0,))]
