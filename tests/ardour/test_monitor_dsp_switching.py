"""Our Ardour Lua DSP scripts switch exactly as daw_bridge/dsp/switching.py (no Ardour needed).

lua5.4 runs each script (monitor_dsp.lua behind its header) with stand-ins for the ARDOUR.DSP calls
(monitor_dsp_harness.lua) over blocks of uneven sizes, with the controls changed at block starts as Ardour hands
them over: a switch, a second change while the first settles (restarts the wait), a third during the fade (waits
for it), and a change set back before its settle time ended (fades nothing). The output must be
:class:`~daw_bridge.dsp.switching.SwitchedEffect`'s, sample for sample: same settle, same fade, same weights.
"""

from __future__ import annotations

import itertools
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pytest

from daw_bridge.ardour.daw import ardour_params
from daw_bridge.ardour.dsp_scripts import ARDOUR_KINDS, file_name, install
from daw_bridge.daw import MonitorFx
from daw_bridge.dsp.params import resolve, slider_value, sliders
from daw_bridge.dsp.switching import SwitchedEffect, fade_frames, settle_frames
from daw_bridge.monitoring import MonitoringState, chain
from tests.dsp.signals import dense_mix

HERE = Path(__file__).parent
RATE = 48000
BLOCKS = (256, 300, 517, 64, 1024, 1)
Params = Mapping[str, float | str]

#: Per kind, the states played in turn (MonitoringState changes over a state with all off).
STATES: dict[str, list[dict[str, str | None]]] = {
    "bandsolo": [{"band": "highs"}, {"band": "sub"}, {"band": "bass"}, {"band": None}, {"band": "mid"}],
    "correction": [{"headphones": None}, {"headphones": "Sennheiser HD 600"}, {"headphones": "Sennheiser HD 650"},
                   {"headphones": None}, {"headphones": "Sennheiser HD 600"}],
    "crossfeed": [{"crossfeed": None}, {"crossfeed": "default"}, {"crossfeed": "cmoy"}, {"crossfeed": None},
                  {"crossfeed": "jmeier"}],
    "simulation": [{"simulation": None}, {"simulation": "laptop"}, {"simulation": "phone"}, {"simulation": None},
                   {"simulation": "car"}],
}


def params_of(kind: str, change: dict[str, str | None]) -> dict[str, float | str]:
    """What the bridge gives ``kind``'s processor in Ardour for that state (off: pass-through parameters)."""
    fx: MonitorFx = next(f for f in chain(MonitoringState(**change), RATE) if f.kind == kind)  # type: ignore[arg-type]
    return resolve(kind, ardour_params(fx, RATE))


def plan(kind: str) -> tuple[list[tuple[int, dict[str, float | str]]], int]:
    """``([(frame, params)], frames)``: when each state is set (always at a block start) and the length."""
    settle, fade = settle_frames(RATE), fade_frames(RATE)
    s = [params_of(kind, c) for c in STATES[kind]]
    e1 = 4000
    e2 = e1 + settle // 2  # while settling: restarts the wait, replaces the target
    e3 = e2 + settle + fade // 3  # during the fade: waits for it to end
    e4 = e3 + settle + fade + 3000  # idle: a change ...
    e5 = e4 + settle // 3  # ... set back before it settled: nothing moves
    events = [(0, s[0]), (e1, s[1]), (e2, s[2]), (e3, s[3]), (e4, s[4]), (e5, s[3])]
    return events, e5 + 3000


def run_lua(kind: str, events: list[tuple[int, dict[str, float | str]]], audio: np.ndarray,
            tmp_path: Path) -> tuple[np.ndarray, list[int]]:  # fmt: skip
    (script,) = [p for p in install(tmp_path / "scripts") if p.name == file_name(kind)]
    starts = {frame for frame, _ in events}
    sizes, pos, cycle = [], 0, itertools.cycle(BLOCKS)
    while pos < len(audio):
        nxt = min([f for f in starts if f > pos] + [len(audio)])
        n = min(next(cycle), nxt - pos)
        sizes.append(n)
        pos += n
    lines, pos, current = [], 0, events[0][1]
    pending = dict(events)
    for n in sizes:
        current = pending.get(pos, current)
        values = " ".join(repr(slider_value(kind, s.name, current[s.name])) for s in sliders(kind))
        lines.append(f"{n} {values}")
        pos += n
    (tmp_path / "plan.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    np.savetxt(tmp_path / "in.txt", audio, fmt="%.17g")
    out = subprocess.run(["lua5.4", str(HERE / "monitor_dsp_harness.lua"), str(script), str(RATE),
                          str(tmp_path / "in.txt"), str(tmp_path / "plan.txt")],
                         capture_output=True, text=True, check=True, timeout=120).stdout
    return np.loadtxt(out.splitlines()).reshape(-1, 2), sizes


def run_python(kind: str, events: list[tuple[int, dict[str, float | str]]], audio: np.ndarray,
               sizes: list[int]) -> np.ndarray:  # fmt: skip
    fx = SwitchedEffect(kind, events[0][1], RATE)
    changes, out, pos, last = dict(events), [], 0, events[0][1]
    for n in sizes:
        if pos in changes and changes[pos] != last:
            last = changes[pos]
            fx.set(last)
        out.append(fx.process(audio[pos : pos + n]))
        pos += n
    return np.concatenate(out)


@pytest.mark.skipif(shutil.which("lua5.4") is None, reason="lua5.4 not installed")
@pytest.mark.parametrize("kind", ARDOUR_KINDS)
def test_the_ardour_scripts_switch_exactly_as_the_python_dsp(kind: str, tmp_path: Path) -> None:
    events, frames = plan(kind)
    audio = dense_mix(frames, RATE, seed=5)
    lua, sizes = run_lua(kind, events, audio, tmp_path)
    python = run_python(kind, events, audio, sizes)
    assert lua.shape == python.shape
    np.testing.assert_allclose(lua, python, rtol=0, atol=1e-7)
    # the switches really happened: the output differs from the first state's alone after the first change
    alone = SwitchedEffect(kind, events[0][1], RATE).process(audio)
    assert np.max(np.abs(lua[events[1][0] + settle_frames(RATE) + fade_frames(RATE):] -
                         alone[events[1][0] + settle_frames(RATE) + fade_frames(RATE):])) > 1e-3
