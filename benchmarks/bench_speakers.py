"""Virtual speakers: partitioned convolution of a 300 ms response at 48 kHz stereo (2 inputs x 2 ears), in x real
time, for the block sizes a player (32768), the emulator (4096) and REAPER (512) use; the goal is >= 100x.
Also how long a room's response takes to generate (first time: reading and aligning the SOFA set)."""

from __future__ import annotations

import os
import time

import numpy as np

from daw_bridge.speakers.convolve import SpeakerConvolver, design

RATE = 48000
SECONDS = 30.0
RESPONSE_S = 0.300
GOAL_X = 100.0


def _x_realtime(block: int) -> tuple[float, float]:
    rng = np.random.default_rng(0)
    taps = int(RESPONSE_S * RATE)
    ir = rng.standard_normal((taps, 2, 2)) * np.exp(-np.arange(taps) / (0.05 * RATE))[:, None, None]
    conv = SpeakerConvolver(design(ir), sample_rate=RATE)
    audio = rng.standard_normal((int(RATE * SECONDS), 2)) * 0.1
    start, cpu = time.perf_counter(), time.process_time()
    for i in range(0, audio.shape[0], block):
        conv.process(audio[i : i + block])
    return SECONDS / (time.perf_counter() - start), SECONDS / (time.process_time() - cpu)


def main() -> None:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    for block in (32768, 4096, 512):
        x, x_cpu = _x_realtime(block)
        verdict = "meets" if x >= GOAL_X else "BELOW"
        print(f"   300 ms response, {block:>5}-frame blocks   {x:6.0f} x real time ({verdict} the {GOAL_X:.0f}x goal; "
              f"{x_cpu:.0f} x per CPU second)")
    try:
        from daw_bridge.speakers.response import render

        start = time.perf_counter()
        render("control-room", RATE)
        first = time.perf_counter() - start
        start = time.perf_counter()
        render("living-room", RATE)
        print(f"   room response: first {first:.1f} s (reads the SOFA set), then {time.perf_counter() - start:.2f} s")
    except Exception as exc:  # no SOFA set on this machine: the convolution figures still stand
        print(f"   room response: skipped ({exc})")
    print(f"   (load average {load:.1f} while measuring: on a shared machine the CPU-second figure is the fairer one)")
