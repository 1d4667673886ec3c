"""Emulator figures: demo build time, render speed (real-time factor), render memory, OSC handling cost.

``python -m benchmarks emulator`` prints: seconds (wall and CPU) to build the demo session; seconds and real-time
factor to render its 30 s mix; peak traced memory (numpy allocations included) of rendering a 10-minute
two-track project at 48 kHz (blockwise, so far below the 461 MB the decoded audio would take); and the mean cost
of one OSC message with feedback and of a 41743 dump for a 64-track project; the cost of one meter tick on the
demo (it holds the emulator's lock while playing with VU patterns); and the dump after a poison marker count.
"""

from __future__ import annotations

import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import soundfile as sf

from daw_bridge.emulator.core import Emulator
from daw_bridge.emulator.demo import build_demo_project
from daw_bridge.emulator.meters import Meters
from daw_bridge.emulator.project import Project, Track
from daw_bridge.emulator.render import render_project
from daw_bridge.osc.codec import Message, encode_message

LONG_MIN = 10.0


def _long_file(path: Path, minutes: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    with sf.SoundFile(str(path), "w", samplerate=48000, channels=2, subtype="PCM_16") as f:
        for _ in range(int(minutes * 60 / 10)):
            f.write(0.1 * rng.standard_normal((480000, 2)))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        wall, cpu = time.perf_counter(), time.process_time()
        project = build_demo_project(folder / "demo")
        print(f"   demo build: {time.perf_counter() - wall:.2f} s wall, {time.process_time() - cpu:.2f} s CPU")
        start = time.perf_counter()
        render_project(project, folder / "mix.wav")
        took = time.perf_counter() - start
        print(f"   demo render (30 s): {took:.2f} s, {30.0 / took:.0f}x real time")
        meters = Meters()
        ticks = 60
        start = time.perf_counter()
        for i in range(ticks):
            meters.read(project, 5.0 + i / 30.0, 5.0 + (i + 1) / 30.0)
        meters.close()
        print(f"   VU meter tick (demo, {len(project.tracks)} tracks, 1/30 s window): "
              f"{(time.perf_counter() - start) / ticks * 1000:.2f} ms")

        for i in range(2):
            _long_file(folder / f"long{i}.wav", LONG_MIN, i)
        long = Project(tracks=[Track(f"t{i}", audio=folder / f"long{i}.wav") for i in range(2)])
        tracemalloc.start()
        start = time.perf_counter()
        render_project(long, folder / "long-mix.wav")
        took = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        print(f"   {LONG_MIN:.0f}-min 2-track render: {took:.1f} s ({LONG_MIN * 60 / took:.0f}x real time), "
              f"peak traced allocations {peak:.0f} MB (decoded audio would be 461 MB)")

    emu = Emulator(Project(tracks=[Track(f"t{i}") for i in range(1, 65)]))
    emu.dump()
    n = 200
    start = time.perf_counter()
    for i in range(n):
        emu.handle_packet(encode_message(Message("/track/5/volume/db", (-0.1 * i,))), lambda _p: None)
    print(f"   OSC message + feedback (64 tracks): {(time.perf_counter() - start) / n * 1000:.2f} ms")
    packets: list[bytes] = []
    start = time.perf_counter()
    emu.handle_packet(encode_message(Message("/action", (41743,))), packets.append)
    print(f"   41743 dump (64 tracks): {(time.perf_counter() - start) * 1000:.1f} ms, {len(packets)} bundles, "
          f"max {max(len(p) for p in packets)} bytes")
    packets = []
    start = time.perf_counter()
    emu.handle_packet(encode_message(Message("/device/marker/count", (2_000_000,))), packets.append)
    print(f"   /device/marker/count 2000000 (bounded to {emu.surface.view.marker_count}): "
          f"{(time.perf_counter() - start) * 1000:.1f} ms, {len(packets)} bundles")


if __name__ == "__main__":
    main()
