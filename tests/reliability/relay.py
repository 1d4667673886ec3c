"""A lossy UDP relay on loopback: forwards the emulator's feedback to the client, dropping a seeded share."""

from __future__ import annotations

import random
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from daw_bridge.emulator.core import Emulator
from daw_bridge.emulator.server import EmulatorServer
from daw_bridge.reaper.client import ReaperClient
from daw_bridge.reaper.transport import UdpTransport


class LossyRelay:
    """Receive on ``127.0.0.1:port``, forward each datagram to ``127.0.0.1:target`` unless the dice drop it."""

    def __init__(self, *, loss: float, seed: int) -> None:
        self.loss = loss
        self._rng = random.Random(seed)
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.settimeout(0.05)
        self.port: int = self._sock.getsockname()[1]
        self.target: int | None = None
        self.forwarded = 0
        self.dropped = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lossy-relay", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                data, _ = self._sock.recvfrom(65535)
            except TimeoutError:
                continue
            except OSError:
                continue
            if self._rng.random() < self.loss:
                self.dropped += 1
                continue
            if self.target is not None:
                try:
                    self._sock.sendto(data, ("127.0.0.1", self.target))
                    self.forwarded += 1
                except OSError:
                    pass

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2.0)
        self._sock.close()


@dataclass
class Wire:
    """Emulator server -> relay -> client, all on loopback; ``seen`` records the addresses the emulator got."""

    emulator: Emulator
    server: EmulatorServer
    relay: LossyRelay
    client: ReaperClient
    seen: list[str] = field(default_factory=list)


@contextmanager
def lossy_wire(emulator: Emulator, *, loss: float, seed: int, timeout_s: float = 1.0) -> Iterator[Wire]:
    """Serve ``emulator`` on loopback UDP with ``loss`` of its feedback dropped on the way to a ReaperClient."""
    relay = LossyRelay(loss=loss, seed=seed)
    server = EmulatorServer(emulator, host="127.0.0.1", listen_port=0, send_host="127.0.0.1", send_port=relay.port)
    wire: Wire | None = None
    original = emulator.handle_packet

    def recording(data: bytes, reply: object) -> None:
        from daw_bridge.osc.codec import decode_packet

        try:
            assert wire is not None
            wire.seen.extend(m.address for m in decode_packet(data))
        except Exception:  # malformed: the emulator counts it
            pass
        original(data, reply)  # type: ignore[arg-type]

    emulator.handle_packet = recording  # type: ignore[method-assign]
    server.start()
    transport = UdpTransport("127.0.0.1", server.listen_port, listen_host="127.0.0.1", listen_port=0)
    relay.target = transport.listen_port
    relay.start()
    client = ReaperClient(transport, emulator.patterns, timeout_s=timeout_s, settle_s=0.1)
    wire = Wire(emulator, server, relay, client)
    try:
        client.start()
        yield wire
    finally:
        client.close()
        server.stop()
        relay.close()
