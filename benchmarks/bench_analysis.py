"""Analysis speed and memory: full analysis vs pyloudnorm's integrated loudness alone, side by side.

``python -m benchmarks analysis`` prints: seconds for pyloudnorm integrated loudness on a 4-minute stereo
48 kHz file (read included for neither), seconds for daw-bridge's full ``analyze_file`` (read included), their
ratio and real-time factor; then the peak memory (RSS, in a child process) of analysing a 60-minute stereo file
streamed from disk. ``DAW_BRIDGE_BENCH_LONG_MIN`` overrides the 60 minutes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

RATE = 48000
SHORT_S = 240.0
LONG_MIN = float(os.environ.get("DAW_BRIDGE_BENCH_LONG_MIN", "60"))
REPEATS = 3


def _material(seconds: float, seed: int) -> np.ndarray:
    """Music-like stereo test material: dry hits through a 1 s reverb over a -70 dBFS pink noise floor."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.support.signals import add_reverb, music_like, pink_noise

    dry = music_like(min(seconds, 60.0), RATE, seed=seed)
    wet = add_reverb(dry, RATE, rt60_s=1.0, send_db=-10.0)
    reps = int(np.ceil(seconds / 60.0))
    x = np.tile(wet, (reps, 1))[: int(seconds * RATE)]
    return x + pink_noise(seconds, RATE, seed=seed, channels=2, rms_dbfs=-70.0) if seconds <= 600 else x


def _write_long(path: Path, minutes: float) -> None:
    chunk = _material(60.0, seed=3)
    with sf.SoundFile(str(path), "w", RATE, 2, subtype="PCM_16") as f:
        for _ in range(int(minutes)):
            f.write(chunk)


def _speed(folder: Path) -> None:
    import pyloudnorm

    from daw_bridge.analysis.engine import analyze_file

    audio = _material(SHORT_S, seed=1)
    path = folder / "four_minutes.wav"
    sf.write(str(path), audio, RATE, subtype="PCM_24")
    meter = pyloudnorm.Meter(RATE)
    ours, theirs, plain = [], [], []
    for _ in range(REPEATS):  # interleaved, so machine load hits all alike
        start = time.perf_counter()
        meter.integrated_loudness(audio)
        theirs.append(time.perf_counter() - start)
        start = time.perf_counter()
        analyze_file(path)
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        analyze_file(path, structure=False)
        plain.append(time.perf_counter() - start)
    t_pyln, t_ours, t_plain = min(theirs), min(ours), min(plain)
    print(f"   4-min stereo 48 kHz: pyloudnorm integrated {t_pyln:.3f} s ({SHORT_S / t_pyln:.0f}x RT)")
    print(f"   full analyze_file (read included) {t_ours:.3f} s ({SHORT_S / t_ours:.0f}x RT)")
    print(f"   ratio ours/pyloudnorm {t_ours / t_pyln:.2f} (goal <= 0.45)")
    extra = t_ours - t_plain
    print(f"   song sections + roles: {t_plain:.3f} s without, +{extra:.3f} s with = "
          f"{extra / t_pyln:.2f}x pyloudnorm (goal <= 0.15)")


# VmHWM (this process's peak RSS) rather than ru_maxrss, which Linux carries over from the parent across exec.
_CHILD = """
import re, sys, time
from daw_bridge.analysis.engine import analyze_file
start = time.perf_counter()
m = analyze_file(sys.argv[1])
elapsed = time.perf_counter() - start
hwm = re.search(r"VmHWM:\\s+(\\d+) kB", open("/proc/self/status").read()).group(1)
print(elapsed, int(hwm) / 1024.0, m.loudness.integrated_lufs, m.reverb.rt60_s)
"""


def _memory(folder: Path) -> None:
    path = folder / "long.wav"
    _write_long(path, LONG_MIN)
    out = subprocess.run([sys.executable, "-c", _CHILD, str(path)], capture_output=True, text=True, check=True)
    seconds, rss_mb, lufs, rt60 = out.stdout.split()
    print(f"   {LONG_MIN:.0f}-min stereo file: {float(seconds):.1f} s ({LONG_MIN * 60 / float(seconds):.0f}x RT), "
          f"peak RSS {float(rss_mb):.0f} MB (goal < 400), {float(lufs):.1f} LUFS, RT60 {rt60} s")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        _speed(Path(tmp))
        _memory(Path(tmp))


if __name__ == "__main__":
    main()
