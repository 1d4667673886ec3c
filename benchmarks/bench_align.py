"""Before/Now alignment speed: aligning two 4-minute bounces (NOW with 4 s inserted near the start) against
pyloudnorm's integrated loudness of one of them, side by side.

``python -m benchmarks align`` prints the seconds of ``align_files`` (both files read, features, DTW), of the
features of one file and of the DTW alone, the ratio to pyloudnorm, and where a boundary 60 s in was mapped
(truth: 64 s). No goal is set in the issue; the figure says what ``compare`` and ``check --against-previous`` pay
for the alignment.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

from .bench_analysis import RATE, REPEATS, SHORT_S, _material

INSERT_S = 4.0


def main() -> None:
    import pyloudnorm

    from daw_bridge.analysis.align import align_files, cost_matrix, dtw_path, features

    audio = _material(SHORT_S, seed=1)
    at = int(2.0 * RATE)
    edited = np.concatenate([audio[:at], audio[: int(INSERT_S * RATE)], audio[at:]])
    meter = pyloudnorm.Meter(RATE)
    with tempfile.TemporaryDirectory() as tmp:
        before, now = Path(tmp) / "before.wav", Path(tmp) / "now.wav"
        sf.write(str(before), audio, RATE, subtype="PCM_24")
        sf.write(str(now), edited, RATE, subtype="PCM_24")
        theirs, ours, feats, dtw = [], [], [], []
        for _ in range(REPEATS):  # interleaved, so machine load hits all alike
            start = time.perf_counter()
            meter.integrated_loudness(audio)
            theirs.append(time.perf_counter() - start)
            start = time.perf_counter()
            alignment = align_files(before, now)
            ours.append(time.perf_counter() - start)
            start = time.perf_counter()
            a = features(before)
            feats.append(time.perf_counter() - start)
            b = features(now)
            start = time.perf_counter()
            dtw_path(cost_matrix(a, b))
            dtw.append(time.perf_counter() - start)
    t_pyln, t_ours = min(theirs), min(ours)
    print(f"   4-min stereo 48 kHz: pyloudnorm integrated {t_pyln:.3f} s")
    print(f"   align_files on a 4-min pair: {t_ours:.3f} s ({t_ours / t_pyln:.2f}x pyloudnorm); features of one "
          f"file {min(feats):.3f} s, cost + DTW {min(dtw):.3f} s")
    print(f"   a boundary at 60.0 s in BEFORE maps to {alignment.to_now_s(60.0):.2f} s in NOW (truth 64.00, frame "
          f"{alignment.hop_s:.3f} s before refinement)")


if __name__ == "__main__":
    main()
