"""Loopback UDP mode: the emulator listens where REAPER listens and sends feedback where REAPER sends it.

Like REAPER: datagrams are received on ``host:listen_port``; feedback goes to the configured device address
``send_host:send_port`` (not to the sender's address), in bundles of at most 1024 bytes with ~10 ms between the
packets of one burst (a dump); polled feedback (time while playing, loop points) is checked at the surface rate.
Changes made to the project directly (as from REAPER's GUI) are caught by a full check every
:data:`FULL_CHECK_EVERY` ticks. A full dump is sent when the surface starts. :meth:`EmulatorServer.restart`
simulates a REAPER restart: stop and start on the same ports, surface caches and device state reset, project kept.
"""

from __future__ import annotations

import logging
import queue
import socket
import threading
from types import TracebackType

from ..errors import DawError
from .core import Emulator

log = logging.getLogger(__name__)

#: Pause between packets of one feedback burst, in seconds (REAPER: ~10 ms).
PACKET_GAP_S = 0.010
#: How often polled feedback is checked, in Hz (REAPER's control-surface rate is about 30 Hz).
SURFACE_RATE_HZ = 30.0
#: Every this many ticks the poll checks everything, catching direct changes to ``emu.project`` (~3 Hz).
FULL_CHECK_EVERY = 10


class EmulatorServer:
    """The emulator on UDP: ``start()``, ``listen_port``, ``stop()``, ``restart()``; a context manager."""

    def __init__(
        self, emulator: Emulator, host: str = "127.0.0.1", listen_port: int = 8000,
        send_host: str = "127.0.0.1", send_port: int = 9000,
    ) -> None:
        self.emulator = emulator
        self.host = host
        self.send_host = send_host
        self.send_port = send_port
        self._port = listen_port
        self._sock: socket.socket | None = None
        self._out: queue.Queue[list[bytes] | None] = queue.Queue()
        self._pending = 0  # bursts queued or being sent; a one-packet reply goes out directly only when 0
        self._pending_lock = threading.Condition()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.packets_in = 0
        self.packets_out = 0

    @property
    def listen_port(self) -> int:
        """The bound port (useful with ``listen_port=0``)."""
        return self._port

    @property
    def running(self) -> bool:
        return self._sock is not None

    def start(self) -> None:
        """Bind, start the receive/send/poll threads and send the surface-start dump."""
        if self._sock is not None:
            return
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:  # no SO_REUSEADDR: a second emulator (or REAPER) on the port must fail here, not share it
            sock.bind((self.host, self._port))
        except OSError as exc:
            sock.close()
            raise DawError(
                f"emulator cannot listen on {self.host}:{self._port} ({exc.strerror}); is REAPER or another "
                "emulator using it? Choose another --listen-port"
            ) from exc
        sock.settimeout(0.05)
        self._sock = sock
        self._port = sock.getsockname()[1]
        self._stop.clear()
        self._out = queue.Queue()
        self._pending = 0
        self._threads = [
            threading.Thread(target=self._receive_loop, name="emulator-recv", daemon=True),
            threading.Thread(target=self._send_loop, name="emulator-send", daemon=True),
            threading.Thread(target=self._poll_loop, name="emulator-poll", daemon=True),
        ]
        for t in self._threads:
            t.start()
        self._queue(self.emulator.restart_surface())

    def stop(self) -> None:
        """Stop the threads and close the socket; idempotent."""
        if self._sock is None:
            return
        self._stop.set()
        self._out.put(None)
        for t in self._threads:
            t.join(timeout=2.0)
        self._threads = []
        self._sock.close()
        self._sock = None
        with self.emulator.lock:
            self.emulator.meters.close()  # the meters' open audio files

    def wait_idle(self, timeout_s: float = 5.0) -> bool:
        """Wait until every queued feedback burst has been sent; False on timeout."""
        with self._pending_lock:
            return self._pending_lock.wait_for(lambda: self._pending == 0, timeout_s)

    def restart(self) -> None:
        """Stop and start again on the same ports (caches cleared, project kept): a simulated REAPER restart."""
        self.stop()
        self.start()

    def __enter__(self) -> EmulatorServer:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # ---- threads ---------------------------------------------------------------------------------
    def _receive_loop(self) -> None:
        sock = self._sock
        assert sock is not None
        while not self._stop.is_set():
            try:
                data, _addr = sock.recvfrom(65535)
            except TimeoutError:
                continue
            except OSError:
                if self._stop.is_set():
                    return
                continue
            self.packets_in += 1
            burst: list[bytes] = []
            try:
                self.emulator.handle_packet(data, burst.append)
            except Exception:  # the surface must survive anything a device sends
                log.exception("emulator: error handling a packet")
            if burst:
                self._reply(burst)

    def _reply(self, burst: list[bytes]) -> None:
        """Send a one-packet reply at once from the receive thread (no hand-over: the usual case of a change
        echoed back) unless earlier bursts are still going out; anything else keeps its order in the queue."""
        with self._pending_lock:
            if self._pending == 0 and len(burst) == 1:
                self._sendto(burst[0])
                return
        self._queue(burst)

    def _queue(self, burst: list[bytes]) -> None:
        with self._pending_lock:
            self._pending += 1
        self._out.put(burst)

    def _sendto(self, packet: bytes) -> None:
        sock = self._sock
        if sock is None:
            return
        try:
            sock.sendto(packet, (self.send_host, self.send_port))
            self.packets_out += 1
        except OSError as exc:  # nobody listening yet is normal for UDP feedback
            log.debug("emulator: feedback not sent (%s)", exc)

    def _send_loop(self) -> None:
        while True:
            burst = self._out.get()
            if burst is None:
                return
            try:
                for i, packet in enumerate(burst):
                    if i and self._stop.wait(PACKET_GAP_S):
                        return
                    self._sendto(packet)
            finally:
                with self._pending_lock:
                    self._pending -= 1
                    self._pending_lock.notify_all()

    def _poll_loop(self) -> None:
        tick = 0
        while not self._stop.wait(1.0 / SURFACE_RATE_HZ):
            tick += 1
            try:
                packets = self.emulator.poll(full=tick % FULL_CHECK_EVERY == 0)
            except Exception:
                log.exception("emulator: error in polled feedback")
                continue
            if packets:
                self._queue(packets)
