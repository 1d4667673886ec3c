"""The demo end to end (what `make demo` runs) and the controller answering in-DAW shortcut events."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from daw_bridge.dsp.params import is_pass_through
from daw_bridge.emulator.demo import CHORUS_S
from daw_bridge.monitoring import load_state
from daw_bridge.reaper.bridge import EventWatcher
from daw_bridge.workflows.controller import Controller
from daw_bridge.workflows.demo import run_demo
from daw_bridge.workflows.embedded import EmbeddedSession
from daw_bridge.workflows.monitor_events import MonitoringEvents, step


def test_demo_runs_end_to_end_and_finds_the_chorus(tmp_path: Path) -> None:
    lines: list[str] = []
    result = run_demo(tmp_path / "demo", say=lines.append)
    text = "\n".join(lines)
    assert {f.area for f in result.check.comparison.findings} >= {"reverb", "width", "highs"}
    for f in result.check.comparison.findings:
        assert (f.start_s, f.end_s) == pytest.approx(CHORUS_S)
    assert result.matched_within_lu < 0.1
    mix = result.check.comparison.mix  # issue 13: a reverb level in every broad band (the demo is dense)
    assert all(b.reverb_db is not None for b in mix.reverb.bands)
    assert result.check.report.exists() and result.check.bounce.exists()
    for expected in ("[6/6]", "MONITORING", "fader", "now hearing REF 1", "finding", "report:", "Emulator stopped"):
        assert expected in text


_SEQ = iter(range(1_000_000))


def write_event(bridge_dir: Path, name: str, **extra: object) -> None:
    """As the Lua scripts do: ``events/<unix_ms>-<n>.json``, written atomically (oldest sorts first)."""
    events = bridge_dir / "events"
    events.mkdir(parents=True, exist_ok=True)
    payload = {"protocol": 1, "event": name, "time": time.time(), **extra}
    tmp = events / f".{name}.tmp"
    tmp.write_text(json.dumps(payload))
    tmp.replace(events / f"{int(time.time() * 1000):013d}-{next(_SEQ):06d}.json")


def test_controller_answers_match_and_monitoring_events(session: EmbeddedSession, tmp_path: Path) -> None:
    said: list[str] = []
    controller = Controller(session.daw, session.config, say=said.append,
                            monitoring=MonitoringEvents(session.daw, base=tmp_path / "state"))
    watcher = EventWatcher(session.config.bridge_dir, controller.handle)
    write_event(session.config.bridge_dir, "match")
    write_event(session.config.bridge_dir, "preset_next")
    write_event(session.config.bridge_dir, "band_next")
    write_event(session.config.bridge_dir, "nonsense")
    delivered = watcher.poll_once()
    assert delivered == 4
    assert controller.handled == ["match", "preset_next", "band_next"]
    assert any("matched to the mix" in s for s in said) and any("unknown event" in s for s in said)
    state = load_state(tmp_path / "state")
    assert state.headphones is not None and state.band == "sub"
    # on: enabled and not switched off by its parameters (crossfeed and simulation stay enabled as pass-throughs)
    on = {f.name for f in session.emulator.project.monitor_fx
          if f.enabled and not is_pass_through(f.name.rsplit("/", 1)[-1], f.params)}
    assert on == {"JS: daw-bridge/correction", "JS: daw-bridge/bandsolo", "JS: daw-bridge/ceiling"}
    # the heartbeat the shortcut scripts check
    beat = json.loads((session.config.bridge_dir / "controller.json").read_text())
    assert abs(beat["time"] - time.time()) < 10


def test_a_failing_event_is_reported_not_raised(session: EmbeddedSession) -> None:
    from dataclasses import replace

    said: list[str] = []
    controller = Controller(session.daw, replace(session.config, mix_track="NOPE"), say=said.append)
    controller.handle({"event": "match"})
    assert said and "failed: TrackNotFound" in said[0]


def test_step_cycles() -> None:
    assert step(["a", "b", "c"], None) == "a"
    assert step(["a", "b", "c"], "B") == "c"
    assert step(["a", "b", "c"], "c") == "a"
