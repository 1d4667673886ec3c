"""The controller's OSC dispatcher against absurd numbers and address floods (issue 17).

``/track/<5000 digits>/volume/db`` made ``int()`` raise inside pattern matching and escape ``dispatch_packet``
(whose contract is "never raises"), losing the rest of its bundle; and every distinct address was cached, so 16k
addresses of 65 KB held about 1 GB.
"""

from __future__ import annotations

import struct
import sys

import pytest

from daw_bridge.osc import dispatch
from daw_bridge.osc.codec import Message
from daw_bridge.osc.dispatch import CACHE_MAX_ADDRESS, CACHE_MAX_ENTRIES, Dispatcher
from daw_bridge.osc.patterns import PatternSet
from daw_bridge.reaper.mirror import ProjectMirror, parse_volume_str
from daw_bridge.shipped import pattern_file


def _osc_string(text: str) -> bytes:
    raw = text.encode() + b"\0"
    return raw + b"\0" * (-len(raw) % 4)


def raw_message(address: str, *args: float | str) -> bytes:
    """An OSC message built byte by byte (the codec's encoder refuses what REAPER would never send)."""
    tags = "," + "".join("f" if isinstance(a, float) else "s" for a in args)
    body = b"".join(struct.pack(">f", a) if isinstance(a, float) else _osc_string(a) for a in args)
    return _osc_string(address) + _osc_string(tags) + body


def raw_bundle(*messages: bytes) -> bytes:
    return b"#bundle\0" + bytes(8) + b"".join(struct.pack(">i", len(m)) + m for m in messages)


@pytest.fixture()
def wired() -> tuple[Dispatcher, ProjectMirror]:
    patterns = PatternSet.from_file(pattern_file())
    dispatcher = Dispatcher(patterns)
    mirror = ProjectMirror(bank_size=patterns.track_count)
    mirror.bind(dispatcher)
    return dispatcher, mirror


@pytest.mark.parametrize("digits", [10, 4_301, 5_000])
def test_a_huge_track_number_is_an_unknown_address_and_the_bundle_goes_on(
    wired: tuple[Dispatcher, ProjectMirror], digits: int
) -> None:
    dispatcher, mirror = wired
    bundle = raw_bundle(
        raw_message(f"/track/{'7' * digits}/volume/db", -3.0),
        raw_message(f"/track/{'1' * digits},{'2' * digits}/volume/db", -3.0),
        raw_message("/track/1/volume/db", -6.0),
    )
    assert dispatcher.dispatch_packet(bundle) == 1  # the real message after the absurd ones still lands
    state = mirror.track_state(1)
    assert state is not None and state.volume_db == -6.0
    assert dispatcher.stats.unknown == 2 and dispatcher.stats.handler_errors == 0


def test_huge_digit_strings_in_arguments_do_not_raise_or_reach_the_mirror(
    wired: tuple[Dispatcher, ProjectMirror],
) -> None:
    dispatcher, mirror = wired
    packet = raw_bundle(
        raw_message("/track/1/number/str", "9" * 5_000),  # int() refuses it (4,300-digit limit)
        raw_message("/track/1/number/str", "²"),  # isdigit() says yes, int() says no
        raw_message("/track/1/volume/str", "9" * 400 + " dB"),  # float() reads inf
        raw_message("/track/2/volume/db", -2.0),
    )
    dispatcher.dispatch_packet(packet)
    assert dispatcher.stats.handler_errors == 0
    state = mirror.track_state(2)
    assert state is not None and state.volume_db == -2.0
    assert mirror.bank_start == 0
    assert parse_volume_str("9" * 400 + " dB") is None and parse_volume_str("-3.5 dB") == -3.5


def test_the_address_cache_is_bounded_in_count_and_size(
    wired: tuple[Dispatcher, ProjectMirror], monkeypatch: pytest.MonkeyPatch
) -> None:
    dispatcher, _ = wired
    assert CACHE_MAX_ENTRIES * CACHE_MAX_ADDRESS < 4 * 1024 * 1024  # the real bound: a few MB at most
    monkeypatch.setattr(dispatch, "CACHE_MAX_ENTRIES", 1_000)  # the same logic, 30x fewer messages to send
    limit = dispatch.CACHE_MAX_ENTRIES
    junk = "x" * 1_000
    for i in range(3_000):  # long addresses no pattern knows
        dispatcher.dispatch_packet(raw_message(f"/{junk}/{i}", 1.0))
    for i in range(limit + 500):  # distinct addresses that do match
        dispatcher.dispatch_message(Message(f"/track/{i}/volume/db", (-1.0,)))
    for i in range(200):  # matching but padded to a long address
        dispatcher.dispatch_message(Message(f"/track/{i}/fx/{i}/fxparam/{i}/name/" + "_" * 200, ("a",)))
    cache = dispatcher._cache
    assert 0 < len(cache) <= limit
    assert max(len(a) for a in cache) <= CACHE_MAX_ADDRESS
    held = sum(sys.getsizeof(a) for a in cache)
    assert held < limit * (CACHE_MAX_ADDRESS + 100), held


def test_real_addresses_are_still_cached(wired: tuple[Dispatcher, ProjectMirror]) -> None:
    dispatcher, _ = wired
    dispatcher.dispatch_message(Message("/track/3/volume/db", (-1.0,)))
    assert "/track/3/volume/db" in dispatcher._cache
