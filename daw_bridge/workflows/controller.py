"""The running controller (``daw-bridge serve``): answers the in-DAW shortcut scripts' events.

Shortcut scripts that need Python (level-match, bounce-and-check, next headphone preset/band/simulation) write an
event into the mailbox's ``events/`` folder (docs/bridge-protocol.md); the controller heartbeats
``controller.json`` so the scripts know it is alive, handles each event, and logs what it did. Events the scripts
already handled themselves (``ab``, ``monitor``, ``markers_cleared``) are only logged.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import Config
from ..daw import Daw, MonitorFx
from ..errors import DawBridgeError
from ..journal.events import JournalEvents
from ..monitoring import chain, load_state
from ..reaper.bridge import EventWatcher
from .bounce import bounce_and_check
from .levels import match_levels
from .monitor_events import MonitoringEvents

log = logging.getLogger(__name__)

#: Events the scripts handle themselves and only report.
INFORMATIONAL = frozenset({"ab", "markers_cleared"})
#: Event names are cut to this many characters before they reach a log line.
EVENT_NAME_MAX = 64


@dataclass
class Controller:
    """Dispatch shortcut events to the workflows. ``say`` receives one line per handled event."""

    daw: Daw
    cfg: Config
    say: Callable[[str], None] = print
    handled: list[str] = field(default_factory=list)
    monitoring: MonitoringEvents | None = None
    journal: JournalEvents | None = None

    def handlers(self) -> dict[str, Callable[[dict[str, Any]], str]]:
        table: dict[str, Callable[[dict[str, Any]], str]] = {
            "match": self._match,
            "check": self._check,
        }
        if self.monitoring is not None:
            table.update(self.monitoring.event_handlers())
        if self.journal is not None:
            table.update(self.journal.event_handlers())
        return table

    def handle(self, event: dict[str, Any]) -> None:
        """Handle one event; failures are reported, never raised into the watcher thread."""
        name = str(event.get("event", ""))[:EVENT_NAME_MAX]
        if name in INFORMATIONAL:
            self.say(f"[{name}] {_describe(event)}")
            self.handled.append(name)
            return
        handler = self.handlers().get(name)
        if handler is None:
            self.say(f"[{name}] ignored: unknown event")
            return
        try:
            self.say(f"[{name}] {handler(event)}")
            self.handled.append(name)
        except DawBridgeError as exc:
            self.say(f"[{name}] failed: {type(exc).__name__}: {exc}")

    def _match(self, event: dict[str, Any]) -> str:
        mode = event.get("mode") if event.get("mode") in ("loudness", "midrange") else "loudness"
        result = match_levels(self.daw, self.cfg, mode=str(mode), monitor_chain=active_monitor_chain(self.daw))
        gains = ", ".join(f"{r.name} {r.change_db:+.1f} dB" for r in result.references)
        return f"matched to the mix at {result.mix_heard_level:.1f} {result.unit} as heard: {gains}"

    def _check(self, _event: dict[str, Any]) -> str:
        result = bounce_and_check(self.daw, self.cfg)
        return f"{len(result.comparison.findings)} finding(s) marked; report {result.report}"


def active_monitor_chain(daw: Daw, *, base: Path | None = None) -> list[MonitorFx]:
    """The saved monitoring chain's enabled effects at the project's rate (empty when nothing is on)."""
    state = load_state(base)
    if state.headphones is None and not (state.crossfeed or state.band or state.simulation):
        return []  # only the constant headroom: it changes every source alike
    return [fx for fx in chain(state, daw.project_info().sample_rate, base=base) if fx.enabled]


def _describe(event: dict[str, Any], limit: int = 200) -> str:
    """The event's fields for one log line, cut to ``limit`` characters (an event can hold 64 KiB)."""
    text = ", ".join(f"{k}={v}" for k, v in event.items() if k not in ("event", "protocol", "time"))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def serve(daw: Daw, cfg: Config, *, stop: threading.Event, say: Callable[[str], None] = print,
          poll_s: float = 0.05) -> Controller:
    """Heartbeat and handle events until ``stop`` is set; returns the controller (for its log)."""
    controller = Controller(daw, cfg, say=say, monitoring=MonitoringEvents(daw),
                            journal=JournalEvents(daw, cfg.journal_path))
    watcher = EventWatcher(cfg.bridge_dir, controller.handle, poll_s=poll_s)
    with watcher:
        say(f"daw-bridge controller running; mailbox {cfg.bridge_dir}. Ctrl-C stops it.")
        stop.wait()
    return controller
