"""In-process transport to an :class:`~daw_bridge.emulator.core.Emulator`: no sockets, for fast tests.

Satisfies the client's ``Transport`` protocol: ``start(on_packet)``, ``send(packet)``, ``close()``. ``send`` hands
the bytes to the emulator's surface and the feedback packets reach ``on_packet`` synchronously, before ``send``
returns. ``start`` delivers the surface-start dump, as REAPER does when a surface comes up.
"""

from __future__ import annotations

from collections.abc import Callable

from ..errors import DawUnreachable
from .core import Emulator


class EmulatorTransport:
    """``Transport`` over an in-process emulator."""

    def __init__(self, emulator: Emulator, *, dump_on_start: bool = True) -> None:
        self.emulator = emulator
        self.dump_on_start = dump_on_start
        self._on_packet: Callable[[bytes], None] | None = None
        self.sent = 0
        self.received = 0

    def start(self, on_packet: Callable[[bytes], None]) -> None:
        self._on_packet = on_packet
        if self.dump_on_start:
            for packet in self.emulator.dump():
                self._deliver(packet)

    def _deliver(self, packet: bytes) -> None:
        self.received += 1
        if self._on_packet is not None:
            self._on_packet(packet)

    def send(self, packet: bytes) -> None:
        if self._on_packet is None:
            raise DawUnreachable("EmulatorTransport is not started (call start() first) or already closed")
        self.sent += 1
        self.emulator.handle_packet(packet, self._deliver)

    def poll(self) -> None:
        """Deliver polled feedback (play time, loop points) now; the UDP server does this on a timer."""
        for packet in self.emulator.poll():
            self._deliver(packet)

    def close(self) -> None:
        self._on_packet = None
