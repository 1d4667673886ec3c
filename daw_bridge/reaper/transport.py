"""How OSC bytes reach REAPER and come back: the :class:`Transport` boundary and two implementations.

* :class:`UdpTransport`: the real thing. Binds the feedback port at construction (so ``listen_port=0`` gives
  an ephemeral port you can read back before anything starts), sends datagrams to ``host:send_port``, and
  delivers incoming datagrams from a daemon thread. Socket errors become :class:`~daw_bridge.errors.DawError`
  subclasses that say which address and what to check.
* :class:`MockTransport`: a plain function ``handler(packet) -> [reply packets]`` stands in for REAPER, no
  sockets, replies delivered synchronously (unit tests).

The in-process emulator transport lives with the emulator (``daw_bridge.emulator.transport``).
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from ..errors import DawUnreachable

log = logging.getLogger(__name__)

#: Callback receiving one incoming datagram.
PacketCallback = Callable[[bytes], None]

_RECV_BYTES = 65535
_POLL_S = 0.2  # how often the receive thread checks for close(); incoming data wakes it at once


@runtime_checkable
class Transport(Protocol):
    """One datagram out, datagrams in through a callback."""

    def start(self, on_packet: PacketCallback) -> None:
        """Begin delivering incoming datagrams to ``on_packet``."""

    def send(self, packet: bytes) -> None:
        """Send one datagram to the DAW."""

    def close(self) -> None:
        """Stop delivering and release resources; idempotent."""


class UdpTransport:
    """OSC over UDP: send to ``host:send_port``, listen for feedback on ``listen_host:listen_port``.

    ``listen_port=0`` binds an ephemeral port (read :attr:`listen_port`). :attr:`send_port` may be changed
    after construction (tests bind the client first, then start an emulator that sends to it).
    """

    def __init__(
        self, host: str, send_port: int, listen_host: str = "127.0.0.1", listen_port: int = 9000
    ) -> None:
        self.host = host
        self.send_port = send_port
        self.listen_host = listen_host
        self._on_packet: PacketCallback | None = None
        self._thread: threading.Thread | None = None
        self._closed = threading.Event()
        self.received = 0
        self.sent = 0
        self._dest = self._resolve(host, send_port)
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            sock.bind((listen_host, listen_port))
        except OSError as exc:
            sock.close()
            raise DawUnreachable(
                f"cannot listen for REAPER feedback on {listen_host}:{listen_port} ({exc.strerror or exc}): "
                "is another daw-bridge running, or is the port taken? Set reaper.receive_port (and REAPER's "
                "device port) to a free port"
            ) from exc
        sock.settimeout(_POLL_S)
        self._sock = sock
        self.listen_port: int = sock.getsockname()[1]

    @staticmethod
    def _resolve(host: str, port: int) -> tuple[str, int]:
        if not 1 <= port <= 65535:
            raise DawUnreachable(f"REAPER send port {port} is not a UDP port (1-65535)")
        try:
            info = socket.getaddrinfo(host, port, socket.AF_INET, socket.SOCK_DGRAM)
        except OSError as exc:
            raise DawUnreachable(f"cannot resolve REAPER host {host!r} ({exc})") from exc
        addr = info[0][4]
        return (str(addr[0]), int(addr[1]))

    @property
    def send_port(self) -> int:
        return self._send_port

    @send_port.setter
    def send_port(self, port: int) -> None:
        self._send_port = port
        if hasattr(self, "_dest"):
            self._dest = self._resolve(self.host, port)

    def start(self, on_packet: PacketCallback) -> None:
        if self._closed.is_set():
            raise DawUnreachable(f"UDP transport on {self.listen_host}:{self.listen_port} is closed")
        self._on_packet = on_packet
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._receive_loop, name=f"osc-recv-{self.listen_port}", daemon=True
            )
            self._thread.start()

    def send(self, packet: bytes) -> None:
        if self._closed.is_set():
            raise DawUnreachable(f"UDP transport to {self.host}:{self.send_port} is closed")
        try:
            self._sock.sendto(packet, self._dest)
        except OSError as exc:
            raise DawUnreachable(
                f"cannot send OSC to REAPER at {self.host}:{self.send_port} ({exc.strerror or exc})"
            ) from exc
        self.sent += 1

    def _receive_loop(self) -> None:
        sock = self._sock
        while not self._closed.is_set():
            try:
                data, _addr = sock.recvfrom(_RECV_BYTES)
            except TimeoutError:
                continue
            except OSError as exc:
                if not self._closed.is_set():
                    log.warning("OSC receive on port %d failed: %s", self.listen_port, exc)
                    continue
                return
            self.received += 1
            callback = self._on_packet
            if callback is None:
                continue
            try:
                callback(data)
            except Exception:  # the callback counts its own errors; this is the last line of defence
                log.exception("OSC packet callback failed")

    def close(self) -> None:
        if self._closed.is_set():
            return
        self._closed.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=2 * _POLL_S + 1.0)
        self._sock.close()

    def __enter__(self) -> UdpTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class MockTransport:
    """A function stands in for REAPER: ``handler(packet)`` returns the feedback datagrams to deliver.

    Every sent packet is kept in :attr:`sent`; :meth:`inject` delivers unsolicited feedback (a GUI change).
    Replies are delivered synchronously inside :meth:`send`, before it returns.
    """

    def __init__(self, handler: Callable[[bytes], list[bytes]]) -> None:
        self.handler = handler
        self.sent: list[bytes] = []
        self._on_packet: PacketCallback | None = None
        self.closed = False

    def start(self, on_packet: PacketCallback) -> None:
        self._on_packet = on_packet

    def send(self, packet: bytes) -> None:
        if self.closed:
            raise DawUnreachable("mock transport is closed")
        self.sent.append(bytes(packet))
        for reply in self.handler(bytes(packet)):
            self.inject(reply)

    def inject(self, packet: bytes) -> None:
        """Deliver ``packet`` as if the DAW had sent it (dropped before :meth:`start`)."""
        if self._on_packet is not None:
            self._on_packet(packet)

    def close(self) -> None:
        self.closed = True
