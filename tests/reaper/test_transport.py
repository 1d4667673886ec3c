"""UdpTransport on loopback (real sockets, port 0) and MockTransport."""

from __future__ import annotations

import socket
import threading

import pytest

from daw_bridge.errors import DawUnreachable
from daw_bridge.reaper.transport import MockTransport, Transport, UdpTransport


def test_two_udp_transports_talk_over_loopback() -> None:
    a = UdpTransport("127.0.0.1", 9, listen_port=0)
    b = UdpTransport("127.0.0.1", a.listen_port, listen_port=0)
    a.send_port = b.listen_port  # set after construction, as the contract tests do
    got: list[bytes] = []
    arrived = threading.Event()

    def on_packet(data: bytes) -> None:
        got.append(data)
        arrived.set()

    with a, b:
        assert isinstance(a, Transport)
        b.start(on_packet)
        a.send(b"/ping\x00\x00\x00,\x00\x00\x00")
        assert arrived.wait(5.0)
    assert got == [b"/ping\x00\x00\x00,\x00\x00\x00"]
    assert a.listen_host == "127.0.0.1"


def test_port_in_use_is_a_clear_error() -> None:
    with UdpTransport("127.0.0.1", 9, listen_port=0) as first:
        with pytest.raises(DawUnreachable, match=f"127.0.0.1:{first.listen_port}"):
            UdpTransport("127.0.0.1", 9, listen_port=first.listen_port)


def test_bad_host_or_port_and_closed_transport() -> None:
    with pytest.raises(DawUnreachable, match="not a UDP port"):
        UdpTransport("127.0.0.1", 70000, listen_port=0)
    with pytest.raises(DawUnreachable, match="cannot resolve"):
        UdpTransport("no-such-host.invalid", 8000, listen_port=0)
    t = UdpTransport("127.0.0.1", 9, listen_port=0)
    t.close()
    t.close()  # idempotent
    with pytest.raises(DawUnreachable, match="closed"):
        t.send(b"x")


def test_listener_binds_loopback_by_default() -> None:
    with UdpTransport("127.0.0.1", 9, listen_port=0) as t:
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            assert t._sock.getsockname()[0] == "127.0.0.1"
        finally:
            probe.close()


def test_mock_transport_replies_synchronously_and_records() -> None:
    mock = MockTransport(lambda packet: [packet[::-1]])
    got: list[bytes] = []
    mock.inject(b"dropped before start")
    mock.start(got.append)
    mock.send(b"abc")
    mock.inject(b"gui")
    assert mock.sent == [b"abc"] and got == [b"cba", b"gui"]
    mock.close()
    with pytest.raises(DawUnreachable):
        mock.send(b"x")
