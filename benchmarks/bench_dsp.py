"""Monitoring DSP speed: blockwise processing in x real time, and the correction re-fit time per rate."""

from __future__ import annotations

import time

import numpy as np

from daw_bridge.dsp.chain import make_chain
from daw_bridge.dsp.correction import _fit, build
from daw_bridge.monitoring import MonitoringState, chain
from daw_bridge.presets.catalog import find_preset

RATE = 48000
SECONDS = 60.0
BLOCK = 4096


def _x_realtime(state: MonitoringState | None) -> float:
    """The static chain of ``state`` (None: the safety ceiling alone)."""
    fx = [(f.kind, f.params) for f in chain(state, RATE) if f.enabled] if state else [("ceiling", {"ceiling_db": -1.0})]
    proc = make_chain(fx, RATE)
    audio = np.random.default_rng(0).standard_normal((int(RATE * SECONDS), 2)) * 0.1
    start = time.perf_counter()
    for i in range(0, audio.shape[0], BLOCK):
        proc.process(audio[i : i + BLOCK])
    return SECONDS / (time.perf_counter() - start)


def _x_realtime_switching(state: MonitoringState, every_s: float = 0.5) -> float:
    """The live chain (crossfaded changes + ceiling), the band solo switching every ``every_s`` seconds."""
    from daw_bridge.bands import BAND_NAMES
    from daw_bridge.dsp.switching import LiveChain
    from daw_bridge.monitoring import live_effects

    states = [live_effects(state.with_changes(band=b), RATE) for b in BAND_NAMES]
    live = LiveChain(states[0], RATE)
    audio = np.random.default_rng(0).standard_normal((int(RATE * SECONDS), 2)) * 0.1
    step = int(every_s * RATE) // BLOCK * BLOCK
    start = time.perf_counter()
    for i in range(0, audio.shape[0], BLOCK):
        if i % step == 0:
            live.apply(states[(i // step) % len(states)])
        live.process(audio[i : i + BLOCK])
    return SECONDS / (time.perf_counter() - start)


def _line(label: str, x_rt: float) -> str:
    per_channel_pct = 100.0 / x_rt / 2.0
    return (f"   {label:<36} {x_rt:8.0f} x real time = {per_channel_pct:5.2f} % of one core per channel "
            f"({BLOCK}-frame blocks, {RATE} Hz stereo)")  # fmt: skip


def main() -> None:
    cases: dict[str, MonitoringState | None] = {
        "correction (HD 650)": MonitoringState(headphones="Sennheiser HD 650", ceiling_db=None),
        "crossfeed": MonitoringState(crossfeed="default", ceiling_db=None),
        "band solo (sub, 24 sections)": MonitoringState(band="sub", ceiling_db=None),
        "simulation (phone)": MonitoringState(simulation="phone", ceiling_db=None),
        "safety ceiling alone": None,
        "full chain without ceiling": MonitoringState(
            headphones="Sennheiser HD 650", crossfeed="default", simulation="car", band="mid", ceiling_db=None
        ),
        "full chain with ceiling": MonitoringState(
            headphones="Sennheiser HD 650", crossfeed="default", simulation="car", band="mid"
        ),
    }
    for label, state in cases.items():
        print(_line(label, _x_realtime(state)))
    full = cases["full chain with ceiling"]
    assert full is not None
    print(_line("full live chain, band switch every 0.5 s", _x_realtime_switching(full)))
    preset = find_preset("Beyerdynamic DT 990 Pro")
    for rate in (48000, 96000):
        _fit.cache_clear()
        start = time.perf_counter()
        corr = build(preset.eq.filters, file_preamp_db=preset.eq.preamp_db, sample_rate=rate)
        took = time.perf_counter() - start
        print(f"   re-fit {preset.name} at {rate} Hz: {took:.2f} s, max error {corr.fit_error_db:.3f} dB")


if __name__ == "__main__":
    main()
