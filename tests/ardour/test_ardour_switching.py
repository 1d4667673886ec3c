"""Switching Ardour's monitor section while full-scale music plays never bursts (issue 14), in the real Ardour 7.3.

Our Lua DSP processors (monitor_dsp.lua) run in the monitor section; ``capture_monitor.lua`` records its output
for a few seconds while it changes their parameters at set times, as the bridge does (band solo highs -> sub ->
off, headphone preset A -> B, crossfeed on -> off, simulation off -> laptop -> phone). Around each switch the
recorded peak must stay within 0.5 dB of the larger of the two steady-state peaks (our Python DSP, each state run
alone over the same master audio, as tests/dsp/test_switching.py); between switches the recording must be our
Python DSP's output. Before the crossfades (filters kept their state when the section count stayed) band highs ->
sub burst by tens of dB here too.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from daw_bridge.ardour.daw import ardour_params
from daw_bridge.ardour.dsp_scripts import ARDOUR_KINDS, plugin_name
from daw_bridge.daw import MonitorFx, RenderRequest
from daw_bridge.dsp.chain import make_chain
from daw_bridge.dsp.params import slider_descriptions, slider_value
from daw_bridge.monitoring import MonitoringState, chain

from .conftest import RATE, Rig, requires_ardour
from .test_ardour_monitor import record_monitor

pytestmark = [pytest.mark.ardour, requires_ardour]

MAX_OVER_DB = 0.5
#: Time each state plays before the next switch (s): settle + fade take 40 ms, the sub band rings out within 0.2 s.
DWELL_S = 0.45
#: After a switch, the part of the recording that still holds the switch (s); the rest is steady.
SWITCH_S = 0.3
#: The states played in turn (the safety ceiling off: Ardour does not host it) and what each switch is.
STATES: list[tuple[str, MonitoringState]] = [
    ("start", MonitoringState(headphones="Sennheiser HD 600", crossfeed="default", band="highs", ceiling_db=None)),
    ("band highs -> sub", MonitoringState(headphones="Sennheiser HD 600", crossfeed="default", band="sub",
                                          ceiling_db=None)),
    ("band sub -> off", MonitoringState(headphones="Sennheiser HD 600", crossfeed="default", ceiling_db=None)),
    ("correction HD 600 -> HD 650", MonitoringState(headphones="Sennheiser HD 650", crossfeed="default",
                                                    ceiling_db=None)),
    ("crossfeed on -> off", MonitoringState(headphones="Sennheiser HD 650", ceiling_db=None)),
    ("simulation off -> laptop", MonitoringState(headphones="Sennheiser HD 650", simulation="laptop",
                                                 ceiling_db=None)),
    ("simulation laptop -> phone", MonitoringState(headphones="Sennheiser HD 650", simulation="phone",
                                                   ceiling_db=None)),
]


def ardour_chain(state: MonitoringState) -> list[MonitorFx]:
    return chain(state, RATE)


def schedule_lines(at_s: float, before: list[MonitorFx], after: list[MonitorFx]) -> list[str]:
    """capture_monitor.lua's lines setting the parameters that differ between two chains (by parameter label)."""
    lines = []
    old = {fx.kind: ardour_params(fx, RATE) for fx in before if fx.kind in ARDOUR_KINDS}
    for fx in after:
        if fx.kind not in ARDOUR_KINDS:
            continue
        new, labels = ardour_params(fx, RATE), slider_descriptions(fx.kind)
        for name, value in new.items():
            if old[fx.kind].get(name) != value:
                number = slider_value(fx.kind, name, value)
                lines.append(f"{at_s:.3f}\t{plugin_name(fx.kind)}\t{labels[name]}\t{number!r}")
    return lines


def steady(state: MonitoringState, master: np.ndarray) -> np.ndarray:
    """Our Python DSP's output for ``state`` run alone over the whole master."""
    return make_chain([(f.kind, f.params) for f in ardour_chain(state) if f.enabled], RATE).process(master)


def lag_of(heard: np.ndarray, want: np.ndarray) -> int:
    """Frames by which ``heard`` is late against ``want`` (cross-correlation over the first second, left)."""
    a, b = heard[: RATE, 0], want[: RATE, 0]
    n = 2 * RATE
    xc = np.fft.irfft(np.fft.rfft(a, n) * np.conj(np.fft.rfft(b, n)), n)
    lags = np.r_[np.arange(0, 8192), np.arange(-8192, 0)]
    return int(lags[np.argmax(xc[lags])])


def peak_db(x: np.ndarray) -> float:
    return float(20 * np.log10(np.max(np.abs(x))))


def test_switching_while_music_plays_never_bursts_and_plays_our_dsp(music_rig: Rig, tmp_path: Path) -> None:
    rig = music_rig
    request = RenderRequest(directory=rig.bounce_dir, file_name="master.wav", bit_depth=32)
    master = sf.read(rig.daw.render(request).files[0], always_2d=True)[0]
    assert peak_db(master) > -0.1  # full scale
    rig.daw.set_monitor_chain(ardour_chain(STATES[0][1]))
    ours = [f["name"] for f in rig.daw.monitor_fx() if f["ours"]]
    assert ours == [plugin_name(k) for k in ARDOUR_KINDS]  # off effects stay, as pass-throughs
    assert rig.daw.monitor_notes == []
    lines = []
    for i in range(1, len(STATES)):
        lines += schedule_lines(i * DWELL_S, ardour_chain(STATES[i - 1][1]), ardour_chain(STATES[i][1]))
    schedule = tmp_path / "schedule.tsv"
    schedule.write_text("\n".join(lines) + "\n", encoding="utf-8")
    heard, log = record_monitor(rig, tmp_path, len(STATES) * DWELL_S + 0.05, schedule)
    switched = [int(m) for m in re.findall(r"^switched [\d.]+ at (\d+)$", log, re.MULTILINE)]
    assert len(switched) == len(STATES) - 1, log
    refs = [steady(state, master) for _, state in STATES]
    lag = lag_of(heard, refs[0])
    heard = heard[lag:] if lag >= 0 else np.concatenate([np.zeros((-lag, 2)), heard])
    n = min(len(heard), len(master))
    bounds = [0, *switched, n]
    report, worst = [], -np.inf
    for i in range(1, len(STATES)):
        window = slice(bounds[i] - int(0.02 * RATE), min(n, bounds[i] + int(SWITCH_S * RATE)))
        over = peak_db(heard[window]) - max(peak_db(refs[i - 1][window]), peak_db(refs[i][window]))
        report.append(f"{STATES[i][0]}: {over:+.2f} dB")
        worst = max(worst, over)
    print("overshoot over the larger steady peak: " + "; ".join(report))
    assert worst <= MAX_OVER_DB, report
    for i, (name, _) in enumerate(STATES):  # between the switches: our DSP, sample for sample
        start = bounds[i] + (int(SWITCH_S * RATE) if i else int(0.1 * RATE))
        steady_part = slice(start, min(n, bounds[i + 1]) - int(0.02 * RATE))
        error = heard[steady_part] - refs[i][steady_part]
        error_db = 20 * np.log10(np.sqrt(np.mean(error**2)) / np.sqrt(np.mean(refs[i][steady_part] ** 2)))
        print(f"{name}: error {error_db:.1f} dB re signal")
        assert error_db < -40.0, (name, error_db)
