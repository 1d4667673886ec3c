"""The emulator: a project, REAPER's OSC surface over it, the bridge executor and the renderer, behind one lock.

Transports (in-process :class:`~daw_bridge.emulator.transport.EmulatorTransport`, loopback UDP
:class:`~daw_bridge.emulator.server.EmulatorServer`) hand datagrams to :meth:`Emulator.handle_packet` and deliver
the feedback packets it replies with: ``#bundle``s of at most 1024 bytes, as REAPER sends them.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from pathlib import Path

from ..daw import RenderResult
from ..errors import CodecError
from ..osc.codec import MAX_PACKET_BYTES, decode_packet, pack_bundles
from ..osc.patterns import PatternSet, load_patterns
from .bridge_exec import BridgeExecutor
from .feedback import VU_ACTIONS
from .meters import Meters
from .project import Project
from .render import Progress, render_monitor_preview, render_project
from .surface import Surface

log = logging.getLogger(__name__)


class Emulator:
    """A stand-in REAPER holding ``project``; ``pattern_file`` None means our shipped daw-bridge.ReaperOSC.

    ``bridge_dir`` is the mailbox the bridge action serves (None: the bridge command is ignored); renders and
    inserted media may only use ``bridge_dir`` and ``bounce_dir``.
    """

    def __init__(
        self, project: Project, pattern_file: str | Path | PatternSet | None = None,
        bridge_dir: Path | None = None, bounce_dir: Path | None = None,
        bridge_command: str = "_RSdawbridge_bridge",
    ) -> None:
        self.project = project
        self.patterns = pattern_file if isinstance(pattern_file, PatternSet) else load_patterns(pattern_file)
        self.bridge_command = bridge_command
        self.bridge = BridgeExecutor(project, Path(bridge_dir), bounce_dir) if bridge_dir is not None else None
        self.surface = Surface(project, self.patterns, bridge_command=bridge_command, on_bridge=self.run_bridge)
        self.lock = threading.RLock()
        self.malformed = 0
        self.bridge_runs = 0
        self._clock = time.monotonic()
        self.meters = Meters()
        self.wants_meters = any(p.action in VU_ACTIONS for p in self.surface.feedback_patterns)

    # ---- OSC -------------------------------------------------------------------------------------
    def handle_packet(self, data: bytes, reply: Callable[[bytes], None]) -> None:
        """Apply one incoming datagram and ``reply`` with each feedback packet (in order)."""
        try:
            messages = decode_packet(data, max_message_bytes=MAX_PACKET_BYTES)  # REAPER's MAX_OSC_MSG_LEN
        except CodecError as exc:
            self.malformed += 1
            log.warning("emulator: malformed OSC packet ignored (%s)", exc)
            return
        with self.lock:
            self._advance()
            packets = pack_bundles(self.surface.handle(messages))
        for packet in packets:
            reply(packet)

    def dump(self) -> list[bytes]:
        """A full state dump (surface start, 41743)."""
        with self.lock:
            return pack_bundles(self.surface.dump())

    def restart_surface(self) -> list[bytes]:
        """Simulated REAPER restart of the surface: device state and caches reset, project kept; the start dump."""
        with self.lock:
            self.surface.reset()
            return pack_bundles(self.surface.dump())

    def poll(self, *, full: bool = True) -> list[bytes]:
        """Polled feedback: advance the play position and send what changed.

        ``full=False`` checks only the transport values (time, loop points, play state …), cheap enough for
        every surface tick; a full check also catches changes made to ``emu.project`` directly (the "GUI").
        """
        with self.lock:
            start_s = self.project.position_s
            self._advance()
            self._meter(start_s)
            return pack_bundles(self.surface.changes(only_tracks=None if full else set()))

    def _meter(self, start_s: float) -> None:
        """Meter readings for the window played since the last poll (silence when stopped)."""
        if not self.wants_meters:
            return
        p = self.project
        if p.playing and not p.paused and p.position_s > start_s:
            self.surface.peaks = self.meters.read(p, start_s, p.position_s)
        elif self.surface.peaks:
            self.surface.peaks = {}

    def _advance(self) -> None:
        now = time.monotonic()
        elapsed, self._clock = now - self._clock, now
        p = self.project
        if not p.playing or p.paused or not math.isfinite(p.position_s):
            return
        p.position_s += elapsed
        start, end = p.loop_start_s, p.loop_end_s
        if p.repeat and start is not None and end is not None and end > start and p.position_s >= end:
            p.position_s = start + (p.position_s - end) % (end - start)

    # ---- bridge and render -------------------------------------------------------------------------
    def run_bridge(self) -> int:
        """One run of the bridge action (what the OSC bridge command triggers); returns requests answered."""
        if self.bridge is None:
            log.warning("emulator: bridge command received but no bridge folder is configured")
            return 0
        with self.lock:
            self.bridge_runs += 1
            return self.bridge.run()

    def render(
        self, out_path: str | Path, *, sample_rate: int | None = None, channels: int = 2, bit_depth: int = 24,
        start_s: float | None = None, end_s: float | None = None, progress: Progress | None = None,
    ) -> RenderResult:
        """Bounce the project (monitoring FX never included) to a new WAV."""
        with self.lock:
            return render_project(self.project, out_path, sample_rate=sample_rate, channels=channels,
                                  bit_depth=bit_depth, start_s=start_s, end_s=end_s, progress=progress)

    def render_monitor_preview(self, out_path: str | Path, **kwargs: float | int | None) -> RenderResult:
        """What the listener hears (monitoring FX applied): a preview, never a bounce."""
        with self.lock:
            return render_monitor_preview(self.project, out_path, **kwargs)  # type: ignore[arg-type]
