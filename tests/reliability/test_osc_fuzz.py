"""OSC listener fuzzing: hostile datagrams at the controller (in-process and over loopback UDP) and the emulator.

The default run fuzzes 10,000 datagrams in process and 1,500 over UDP; ``--slow`` sends 10,000 over UDP as well.
"""

from __future__ import annotations

import collections
import math
import socket
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from daw_bridge.emulator.core import Emulator
from daw_bridge.errors import CodecError
from daw_bridge.osc.codec import decode_packet
from daw_bridge.osc.dispatch import DispatchStats
from daw_bridge.reaper.client import ReaperClient
from daw_bridge.reaper.transport import UdpTransport
from daw_bridge.workflows.embedded import embedded_reaper

from . import fuzz
from .session import invariant_violations, mismatches, mock_client, small_project

SEED = 20240607
IN_PROCESS_COUNT = 10_000
UDP_COUNT_DEFAULT = 1_500
UDP_COUNT_SLOW = 10_000


def _slow(request: pytest.FixtureRequest) -> bool:
    import os

    return bool(request.config.getoption("--slow")) or os.environ.get("DAW_BRIDGE_SLOW") == "1"


@pytest.mark.timeout(10)
@pytest.mark.parametrize(
    "datagram",
    [
        b"#bundle\0" + bytes(8) + (-4).to_bytes(4, "big", signed=True) + b"/a\0\0,\0\0\0",  # python-osc loops
        b"#bundle\0" + bytes(8) + (0).to_bytes(4, "big") + b"/a\0\0,\0\0\0",
        b"#bundle\0" + bytes(8) + (6).to_bytes(4, "big") + b"/a\0\0,\0\0\0",
        b"#bundle\0" + bytes(8) + (8).to_bytes(4, "big") + b"xxxxxxxx",  # silently skipped by python-osc
        b"#bundle\0" + bytes(8) + (12).to_bytes(4, "big") + b"/a\0\0,\0\0\0",  # promises more than it has
    ],
    ids=["negative-size", "zero-size", "unaligned-size", "unknown-element", "cut-element"],
)
def test_bundle_framing_errors_are_refused_not_looped(datagram: bytes) -> None:
    with pytest.raises(CodecError, match="element"):
        decode_packet(datagram)


def test_ten_thousand_malformed_and_odd_datagrams_in_process() -> None:
    emu = Emulator(small_project())
    client, transport = mock_client(emu)
    client.connect(timeout_s=1.0)
    assert mismatches(client, emu.project) == []
    before = client.mirror.version
    expected = collections.Counter[str]()
    malformed_seen = 0
    for d in fuzz.datagrams(SEED, IN_PROCESS_COUNT):
        expected[d.cls] += 1
        mal_before, version_before = client.dispatcher.stats.malformed, client.mirror.version
        transport.inject(d.data)
        grew = client.dispatcher.stats.malformed - mal_before
        malformed_seen += grew
        if d.cls == "malformed":
            assert grew == 1, f"{d.kind} datagram was not counted as malformed: {d.data[:64]!r}"
            assert client.mirror.version == version_before, f"{d.kind} changed the mirror: {d.data[:64]!r}"
        elif d.cls == "typed":
            assert grew == 0, f"{d.kind} datagram should decode: {d.data[:64]!r}"
    stats: DispatchStats = client.dispatcher.stats
    assert sum(expected.values()) == IN_PROCESS_COUNT
    assert stats.handler_errors == 0, "a mirror handler raised on odd feedback (see the log)"
    assert expected["malformed"] <= malformed_seen <= expected["malformed"] + expected["mutated"]
    assert client.mirror.version > before  # the decodable odd feedback did reach the handlers
    assert invariant_violations(client.mirror, finite=False) == []
    # the controller keeps running: a resync restores the true state, and commands still confirm
    client.sync(timeout_s=1.0)
    assert mismatches(client, emu.project) == []
    assert invariant_violations(client.mirror) == []  # the resync also replaced any non-finite value
    client.set_volume_db(3, -7.25)
    assert emu.project.tracks[2].volume_db == pytest.approx(-7.25, abs=1e-3)
    assert mismatches(client, emu.project) == []


def test_emulator_survives_the_same_datagrams_and_ignores_the_malformed() -> None:
    emu = Emulator(small_project())
    replies: list[bytes] = []
    snapshot = emu.project.snapshot()
    malformed = 0
    for d in fuzz.datagrams(SEED + 1, 3_000, typed_share=0.0, mutated_share=0.0):
        emu.handle_packet(d.data, replies.append)
        malformed += 1
    assert emu.malformed == malformed
    assert replies == []
    assert emu.project == snapshot


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_no_malformed_generator_output_decodes(seed: int) -> None:
    """Guard on the fuzzer itself: every ``malformed`` datagram really is refused by the codec."""
    import random

    rng = random.Random(seed)
    for name, gen in fuzz.MALFORMED.items():
        for _ in range(50):
            with pytest.raises(CodecError):
                decode_packet(gen(rng))
            assert name


def _blast(port: int, count: int, seed: int, received: Callable[[], int]) -> collections.Counter[str]:
    """Send ``count`` fuzz datagrams to ``127.0.0.1:port``, paced so the receive buffer never overflows."""
    sent = collections.Counter[str]()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for i, d in enumerate(fuzz.datagrams(seed, count, max_bytes=65507)):
            sock.sendto(d.data, ("127.0.0.1", port))
            sent[d.cls] += 1
            if i % 100 == 99:  # let the receiver catch up (bounded wait)
                deadline = time.monotonic() + 5.0
                while received() < i + 1 and time.monotonic() < deadline:
                    time.sleep(0.002)
    return sent


def test_fuzz_over_loopback_udp_keeps_the_controller_running(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    count = UDP_COUNT_SLOW if _slow(request) else UDP_COUNT_DEFAULT
    project = small_project()
    with embedded_reaper(tmp_path, project=project, timeout_s=2.0) as session:
        client: ReaperClient = session.daw.client
        transport = client.transport
        assert isinstance(transport, UdpTransport)
        assert transport.listen_host == "127.0.0.1"
        stats = client.dispatcher.stats
        base_packets, base_malformed = stats.packets, stats.malformed
        sent = _blast(transport.listen_port, count, SEED + 2, lambda: stats.packets - base_packets)
        deadline = time.monotonic() + 10.0
        while stats.packets - base_packets < count and time.monotonic() < deadline:
            time.sleep(0.01)
        fuzz_packets = stats.packets - base_packets
        # loopback UDP with pacing loses nothing; the emulator's polled feedback may add a few packets
        assert fuzz_packets >= count
        malformed = stats.malformed - base_malformed
        assert sent["malformed"] <= malformed <= sent["malformed"] + sent["mutated"]
        assert stats.handler_errors == 0
        assert invariant_violations(client.mirror, finite=False) == []
        client.sync(timeout_s=2.0)
        assert mismatches(client, project) == []
        client.set_volume_db(2, -4.5)
        assert math.isclose(project.tracks[1].volume_db, -4.5, abs_tol=1e-3)


@pytest.mark.parametrize("address", ["/track/1/volume/db", "/master/volume/db", "/time", "/track/1/pan"])
@pytest.mark.parametrize("value", [math.nan, math.inf], ids=["nan", "inf"])
def test_mirror_refuses_non_finite_feedback(address: str, value: float) -> None:
    emu = Emulator(small_project())
    client, transport = mock_client(emu)
    client.connect(timeout_s=1.0)
    before = (client.track(1).volume_db, client.track(1).pan, client.mirror.master.volume_db,
              client.transport_state().position_s)
    transport.inject(fuzz.message(address, [("f", value)]))
    after = (client.track(1).volume_db, client.track(1).pan, client.mirror.master.volume_db,
             client.transport_state().position_s)
    assert after == before
