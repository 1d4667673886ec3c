"""OSC round trip on loopback: command -> feedback (p50/p99) and messages per second.

Runs the REAPER emulator's UDP server (``daw_bridge.emulator.server``) and a ReaperClient on 127.0.0.1, toggles a
track's mute (a ``b`` pattern, which REAPER echoes) and times send -> echo in the mirror. Throughput: a burst of
volume messages through the client's transport, counted when the emulator has handled them all. Goal: p99 < 2 ms.
Falls back to a minimal echo peer (said in the output) when the emulator is not importable.
"""

from __future__ import annotations

import statistics
import tempfile
import threading
import time
from pathlib import Path

from daw_bridge.osc.codec import Message, encode_message, pack_bundles
from daw_bridge.reaper.client import ReaperClient
from daw_bridge.reaper.transport import UdpTransport

ROUND_TRIPS = 400
BURST = 2000
BATCH = 25
FEEDBACK = 10000


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _echo_peer(send_port: int) -> tuple[UdpTransport, threading.Event]:
    """Fallback peer: echoes every datagram back (no REAPER semantics)."""
    peer = UdpTransport("127.0.0.1", send_port, listen_port=0)
    peer.start(peer.send)
    return peer, threading.Event()


def main() -> None:
    transport = UdpTransport("127.0.0.1", 9, listen_port=0)
    try:
        from daw_bridge.emulator.core import Emulator
        from daw_bridge.emulator.project import Project, Track
        from daw_bridge.emulator.server import EmulatorServer
    except ImportError:
        peer, _ = _echo_peer(transport.listen_port)
        print("   emulator not importable: measuring against a minimal UDP echo peer")
        transport.send_port = peer.listen_port
        _bench_echo(transport)
        peer.close()
        return
    _echo_baseline()
    with tempfile.TemporaryDirectory() as tmp:
        emu = Emulator(Project(tracks=[Track(f"T{i}") for i in range(1, 9)]), bridge_dir=Path(tmp) / "bridge")
        server = EmulatorServer(emu, listen_port=0, send_port=transport.listen_port)
        server.start()
        transport.send_port = server.listen_port
        client = ReaperClient(transport, timeout_s=2.0)
        try:
            client.connect()
            server.wait_idle()  # the sync returns on a quiet mirror; let the dump's tail go out before timing
            _bench_client(client, server)
        finally:
            client.close()
            server.stop()


def _bench_client(client: ReaperClient, server: object) -> None:
    samples: list[float] = []
    for i in range(ROUND_TRIPS):
        on = i % 2 == 0
        start = time.perf_counter()
        client.set_mute(1, on)  # returns when the echo is in the mirror
        samples.append((time.perf_counter() - start) * 1000.0)
    p50, p99 = statistics.median(samples), _percentile(samples, 0.99)
    print(f"   command -> feedback round trip (mute, emulator over loopback UDP, n={ROUND_TRIPS}): "
          f"p50 {p50:.3f} ms, p99 {p99:.3f} ms (goal p99 < 2 ms: {'met' if p99 < 2.0 else 'NOT met'})")
    packets = [encode_message(Message(f"/track/{1 + i % 8}/volume/db", (-float(i % 60),))) for i in range(BURST)]
    before = server.packets_in  # type: ignore[attr-defined]
    start = time.perf_counter()
    for i in range(0, BURST, BATCH):  # paced in batches: a UDP flood would only measure socket-buffer drops
        for p in packets[i : i + BATCH]:
            client.transport.send(p)
        deadline = time.monotonic() + 5.0
        while server.packets_in - before < i + BATCH and time.monotonic() < deadline:  # type: ignore[attr-defined]
            time.sleep(0.0002)
    elapsed = time.perf_counter() - start
    handled = server.packets_in - before  # type: ignore[attr-defined]
    rate = handled / elapsed
    print(f"   client -> emulator over UDP: {handled} messages handled in {elapsed:.2f} s = {rate:,.0f} msg/s")
    feedback = pack_bundles(
        [Message(f"/track/{1 + i % 64}/volume/db", (-float(i % 60),)) for i in range(FEEDBACK)]
        + [Message(f"/track/{1 + i % 64}/name", (f"Track name {i}",)) for i in range(FEEDBACK)]
    )
    start = time.perf_counter()
    for p in feedback:
        client._on_packet(p)
    elapsed = time.perf_counter() - start
    print(f"   feedback processing (decode, match, mirror; {len(feedback)} bundles): "
          f"{2 * FEEDBACK / elapsed:,.0f} msg/s")


def _echo_baseline() -> None:
    """Transport + UDP loopback alone, against an echo peer: the floor under any DAW's round trip."""
    transport = UdpTransport("127.0.0.1", 9, listen_port=0)
    peer, _ = _echo_peer(transport.listen_port)
    transport.send_port = peer.listen_port
    _bench_echo(transport)
    peer.close()


def _bench_echo(transport: UdpTransport) -> None:
    got = threading.Event()
    transport.start(lambda data: got.set())
    samples = []
    packet = encode_message(Message("/track/1/mute", (1,)))
    for _ in range(ROUND_TRIPS):
        got.clear()
        start = time.perf_counter()
        transport.send(packet)
        got.wait(2.0)
        samples.append((time.perf_counter() - start) * 1000.0)
    p50, p99 = statistics.median(samples), _percentile(samples, 0.99)
    print(f"   UDP loopback echo peer (transport only, n={ROUND_TRIPS}): p50 {p50:.3f} ms, p99 {p99:.3f} ms")
    transport.close()


if __name__ == "__main__":
    main()
