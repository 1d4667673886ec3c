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


def _x_realtime(state: MonitoringState) -> float:
    fx = [(f.kind, f.params) for f in chain(state, RATE) if f.enabled]
    proc = make_chain(fx, RATE)
    audio = np.random.default_rng(0).standard_normal((int(RATE * SECONDS), 2)) * 0.1
    start = time.perf_counter()
    for i in range(0, audio.shape[0], BLOCK):
        proc.process(audio[i : i + BLOCK])
    return SECONDS / (time.perf_counter() - start)


def main() -> None:
    cases = {
        "correction (HD 650)": MonitoringState(headphones="Sennheiser HD 650"),
        "crossfeed": MonitoringState(crossfeed="default"),
        "band solo (sub, 24 sections)": MonitoringState(band="sub"),
        "simulation (phone)": MonitoringState(simulation="phone"),
        "full chain": MonitoringState(
            headphones="Sennheiser HD 650", crossfeed="default", simulation="car", band="mid"
        ),
    }
    for label, state in cases.items():
        print(f"   {label:<32} {_x_realtime(state):8.0f} x real time ({BLOCK}-frame blocks, {RATE} Hz stereo)")
    preset = find_preset("Beyerdynamic DT 990 Pro")
    for rate in (48000, 96000):
        _fit.cache_clear()
        start = time.perf_counter()
        corr = build(preset.eq.filters, file_preamp_db=preset.eq.preamp_db, sample_rate=rate)
        took = time.perf_counter() - start
        print(f"   re-fit {preset.name} at {rate} Hz: {took:.2f} s, max error {corr.fit_error_db:.3f} dB")


if __name__ == "__main__":
    main()
