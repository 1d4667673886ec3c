"""Loopback UDP mode and the in-process transport: start dump, feedback to the device port, restart."""

from __future__ import annotations

import socket

import pytest

from daw_bridge.emulator.core import Emulator
from daw_bridge.emulator.project import Project, Track
from daw_bridge.emulator.server import EmulatorServer
from daw_bridge.emulator.transport import EmulatorTransport
from daw_bridge.errors import DawError, DawUnreachable
from daw_bridge.osc.codec import MAX_PACKET_BYTES, decode_packet

from .util import osc


def device() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(5.0)
    return sock


def receive_until(sock: socket.socket, address: str, value: tuple[object, ...] | None = None,
                  ) -> dict[str, tuple[object, ...]]:
    """Collect feedback until ``address`` arrives (with ``value`` if given); the socket timeout bounds the wait."""
    seen: dict[str, tuple[object, ...]] = {}
    while address not in seen or (value is not None and seen[address] != value):
        data, _ = sock.recvfrom(65535)
        assert len(data) <= MAX_PACKET_BYTES
        for m in decode_packet(data):
            seen[m.address] = m.args
    return seen


def test_udp_dump_feedback_and_restart() -> None:
    emu = Emulator(Project(tracks=[Track(f"t{i}") for i in range(1, 30)]))
    dev = device()
    with dev, EmulatorServer(emu, listen_port=0, send_port=dev.getsockname()[1]) as srv:
        port = srv.listen_port
        assert port != 0
        start = receive_until(dev, "/track/29/name")  # the surface-start dump, over several packets
        assert start["/track/1/name"] == ("t1",)
        dev.sendto(osc("/track/2/volume/db", -6.0), ("127.0.0.1", port))
        receive_until(dev, "/track/2/volume/str", ("-6.00dB",))
        assert emu.project.tracks[1].volume_db == -6.0
        srv.restart()
        assert srv.listen_port == port
        receive_until(dev, "/track/2/volume/db", (-6.0,))  # project kept, caches cleared: full dump again
    assert not srv.running
    srv.stop()  # idempotent


def test_port_in_use_is_a_clear_error() -> None:
    blocker = device()
    with blocker:
        srv = EmulatorServer(Emulator(Project()), listen_port=blocker.getsockname()[1], send_port=9)
        with pytest.raises(DawError, match="listen"):
            srv.start()


def test_a_second_emulator_on_the_same_port_fails() -> None:
    """Two emulators never share a port (they would with SO_REUSEADDR, each getting some of the datagrams)."""
    with EmulatorServer(Emulator(Project()), listen_port=0, send_port=9) as first:
        second = EmulatorServer(Emulator(Project()), listen_port=first.listen_port, send_port=9)
        with pytest.raises(DawError, match=f"cannot listen on 127.0.0.1:{first.listen_port}"):
            second.start()
        assert not second.running and first.wait_idle(5.0)
    with EmulatorServer(Emulator(Project()), listen_port=first.listen_port, send_port=9) as again:
        assert again.running  # the port is free again once the first has stopped


def test_in_process_transport() -> None:
    emu = Emulator(Project(tracks=[Track("a")]))
    got: list[bytes] = []
    transport = EmulatorTransport(emu)
    with pytest.raises(DawUnreachable):
        transport.send(osc("/play"))
    transport.start(got.append)
    assert any(m.address == "/track/1/name" for p in got for m in decode_packet(p))  # start dump
    got.clear()
    transport.send(osc("/track/1/mute", 1))
    assert [m.args for p in got for m in decode_packet(p) if m.address == "/track/1/mute"] == [(1,)]
    transport.close()
    with pytest.raises(DawUnreachable):
        transport.send(osc("/play"))


def test_a_quick_reply_never_overtakes_a_dump_still_going_out() -> None:
    """One-packet replies skip the send queue only when nothing is queued: behind a multi-packet dump (packets
    10 ms apart) the echo of a change made meanwhile arrives after the dump's packets, not in the middle."""
    emu = Emulator(Project(tracks=[Track(f"t{i}") for i in range(1, 30)]))
    dev = device()
    with dev, EmulatorServer(emu, listen_port=0, send_port=dev.getsockname()[1]) as srv:
        receive_until(dev, "/track/29/name")  # the start dump is out
        dev.sendto(osc("/action", 41743), ("127.0.0.1", srv.listen_port))  # a new dump: many packets
        dev.sendto(osc("/track/3/mute/toggle"), ("127.0.0.1", srv.listen_port))
        packets: list[list[tuple[str, tuple[object, ...]]]] = []
        while not packets or ("/track/3/mute", (1,)) not in packets[-1]:
            data, _ = dev.recvfrom(65535)
            packets.append([(m.address, m.args) for m in decode_packet(data)])
    dump = [addr for packet in packets[:-1] for addr, _ in packet]
    assert len(packets) > 3 and "/track/29/name" in dump  # the whole dump came first, in several packets
    assert ("/track/3/mute", (0,)) in [m for packet in packets[:-1] for m in packet]  # taken before the toggle
    assert emu.project.tracks[2].mute
