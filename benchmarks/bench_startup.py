"""Start-up and whole-process speed, measured as separate processes (what a user waits for).

``python -m benchmarks startup`` prints:

* ``daw-bridge --version`` and ``--help`` against ``python -c "import numpy"`` (goal: at most 1.5x);
* ``daw-bridge analyze`` of a 4-minute stereo 48 kHz file (cache off) against pyloudnorm's integrated loudness
  of the same file run as a whole process (read with soundfile, as a user's script would) (goal: at most 0.5x).

Runs are interleaved so machine load hits both sides alike; each figure is the median of its runs (the start-up
ones) or the best of three (the analysis). The ``daw-bridge`` measured is the one next to this interpreter; in a
checkout that is the editable install, whose import hook adds a few milliseconds an installed wheel does not
have. ``DAW_BRIDGE_BENCH_STARTUP_RUNS`` sets the start-up repeats (default 9).
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

RUNS = int(os.environ.get("DAW_BRIDGE_BENCH_STARTUP_RUNS", "9"))
ANALYSIS_RUNS = 3
STARTUP_GOAL = 1.5
ANALYZE_GOAL = 0.5

_PYLOUDNORM = """
import sys
import pyloudnorm
import soundfile
data, rate = soundfile.read(sys.argv[1])
print(pyloudnorm.Meter(rate).integrated_loudness(data))
"""


def daw_bridge_command() -> list[str]:
    """The console script next to this interpreter, else ``python -m daw_bridge``."""
    script = Path(sys.executable).with_name("daw-bridge")
    return [str(script)] if script.exists() else [sys.executable, "-m", "daw_bridge"]


def _seconds(cmd: Sequence[str]) -> tuple[float, float]:
    """Wall-clock and CPU (user + system, all threads) seconds of one run of ``cmd``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def timed(commands: dict[str, list[str]], runs: int) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Wall-clock and CPU seconds of each command, ``runs`` times, interleaved (one warm-up round first, not
    kept). CPU time shows what a busy machine's wall clock hides."""
    for cmd in commands.values():
        _seconds(cmd)
    wall: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, cmd in commands.items():
            w, c = _seconds(cmd)
            wall[name].append(w)
            cpu[name].append(c)
    return wall, cpu


def startup() -> tuple[float, float]:
    """Median seconds of --version and --help over that of importing numpy; prints the figures."""
    db = daw_bridge_command()
    times, cpu = timed({"numpy": [sys.executable, "-c", "import numpy"], "python": [sys.executable, "-c", "pass"],
                        "version": [*db, "--version"], "help": [*db, "--help"]}, RUNS)  # fmt: skip
    med = {name: statistics.median(values) for name, values in times.items()}
    med_cpu = {name: statistics.median(values) for name, values in cpu.items()}
    print(f"   python -c pass {med['python'] * 1000:.0f} ms; python -c 'import numpy' {med['numpy'] * 1000:.0f} ms "
          f"(median of {RUNS})")  # fmt: skip
    ratios = []
    for name in ("version", "help"):
        ratio = med[name] / med["numpy"]
        ratios.append(ratio)
        ok = "ok" if ratio <= STARTUP_GOAL else "MISSED"
        print(f"   daw-bridge --{name} {med[name] * 1000:.0f} ms: {ratio:.2f}x import numpy "
              f"(goal <= {STARTUP_GOAL}: {ok}); CPU {med_cpu[name] / med_cpu['numpy']:.2f}x")  # fmt: skip
    return ratios[0], ratios[1]


def analyze_whole_process(folder: Path) -> float:
    """Best-of-three seconds of ``daw-bridge analyze`` over pyloudnorm's whole process; prints the figures."""
    import soundfile as sf

    from benchmarks.bench_analysis import RATE, SHORT_S, _material

    path = folder / "four_minutes.wav"
    sf.write(str(path), _material(SHORT_S, seed=1), RATE, subtype="PCM_24")
    script = folder / "pyloudnorm_integrated.py"
    script.write_text(_PYLOUDNORM, encoding="utf-8")
    times, cpu = timed({"pyloudnorm": [sys.executable, str(script), str(path)],
                        "daw-bridge": [*daw_bridge_command(), "analyze", str(path), "--no-cache", "--json"]},
                       ANALYSIS_RUNS)  # fmt: skip
    ours, theirs = min(times["daw-bridge"]), min(times["pyloudnorm"])
    cpu_ratio = min(cpu["daw-bridge"]) / min(cpu["pyloudnorm"])
    ratio = ours / theirs
    ok = "ok" if ratio <= ANALYZE_GOAL else "MISSED"
    print(f"   4-min stereo 48 kHz, whole processes (best of {ANALYSIS_RUNS}): pyloudnorm integrated {theirs:.2f} s, "
          f"daw-bridge analyze (full analysis) {ours:.2f} s")  # fmt: skip
    print(f"   ratio {ratio:.2f} (goal <= {ANALYZE_GOAL}: {ok}); CPU time (all threads) ratio {cpu_ratio:.2f}")
    return ratio


def main() -> None:
    startup()
    with tempfile.TemporaryDirectory(prefix="daw-bridge-bench-startup-") as tmp:
        analyze_whole_process(Path(tmp))


if __name__ == "__main__":
    main()
