"""Accuracy figures for docs/accuracy.md: the analyzer against synthesized ground truth, measured, not asserted.

``python -m benchmarks accuracy`` prints the "Measured" column of the table in docs/accuracy.md from the same
cases the tests in ``tests/analysis/`` assert tolerances on (the tests fail outside the tolerance; this prints
how far inside it each figure is, so the table can be refilled after a change to the analysis).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

RATE = 48000


def _loudness() -> None:
    from daw_bridge.analysis.engine import analyze_audio
    from daw_bridge.analysis.loudness import integrated_loudness
    from tests.support.signals import add_reverb, music_like, pink_noise, sine

    worst_music = 0.0
    for rate in (44100, 48000, 96000):
        for audio in (add_reverb(music_like(20.0, rate, seed=5), rate, rt60_s=0.8, send_db=-8.0),
                      pink_noise(20.0, rate, seed=1, channels=2)):
            error = analyze_audio(audio, rate).loudness.integrated_lufs - integrated_loudness(audio, rate)
            worst_music = max(worst_music, abs(error))
    print(f"   engine vs time-domain K-filter loudness, music-like and pink noise at 44.1/48/96 kHz: "
          f"worst {worst_music:.3f} LU")
    tones = []
    for freq in (25.0, 35.0, 50.0, 80.0, 1000.0):
        audio = sine(freq, 10.0, RATE, level_dbfs=-20.0, channels=2)
        tones.append(analyze_audio(audio, RATE).loudness.integrated_lufs - integrated_loudness(audio, RATE))
    print("   same, steady sines 25/35/50/80/1000 Hz: " + " / ".join(f"{e:+.3f}" for e in tones) + " LU")


def _balance() -> None:
    import scipy.signal

    from daw_bridge.analysis.engine import analyze_audio
    from daw_bridge.bands import BANDS
    from tests.support.signals import (
        KNOWN_FILTERS,
        add_reverb,
        apply_sos,
        band_energy_ratio_db,
        expected_band_change_db,
        music_like,
        pink_noise,
        rbj_sos,
    )

    pink = apply_sos(pink_noise(8.0, RATE, seed=3, channels=2),
                     scipy.signal.butter(4, 30.0, "highpass", fs=RATE, output="sos"))
    levels = analyze_audio(pink, RATE).balance.bands
    errors = [abs(level.level_db - band_energy_ratio_db(pink, RATE, (band.low_hz, band.high_hz), (20.0, 20000.0)))
              for band, level in zip(BANDS, levels, strict=True)]
    print(f"   band levels re track, pink noise high-passed at 30 Hz: sub/bass {max(errors[:2]):.2f} dB, "
          f"300 Hz up {max(errors[2:]):.2f} dB")

    dry = add_reverb(music_like(8.0, RATE, seed=6), RATE, rt60_s=0.6, send_db=-10.0)
    before = analyze_audio(dry, RATE).balance
    worst, worst_highs = 0.0, 0.0
    for kind, freq, gain, q in KNOWN_FILTERS:
        sos = rbj_sos(kind, freq, gain, q, RATE)
        after = analyze_audio(apply_sos(dry, sos), RATE).balance
        track = expected_band_change_db(dry, sos, RATE, 20.0, 20000.0)
        for i, band in enumerate(BANDS):
            expected = expected_band_change_db(dry, sos, RATE, band.low_hz, band.high_hz) - track
            worst = max(worst, abs(after.bands[i].level_db - before.bands[i].level_db - expected))
        highs = (expected_band_change_db(dry, sos, RATE, 5000.0, 20000.0)
                 - expected_band_change_db(dry, sos, RATE, 300.0, 3000.0))
        worst_highs = max(worst_highs, abs(after.highs_db - before.highs_db - highs))
    print(f"   band level change, 5 RBJ filters on music-like material: max error {worst:.2f} dB; "
          f"highs ratio change max error {worst_highs:.2f} dB")


def _width() -> None:
    from daw_bridge.analysis.engine import analyze_audio
    from tests.support.signals import coherent_pair, expected_coherent_side_mid_db

    errors, corr, band_corr = [], [], []
    for coherence in (0.0, 0.3, 0.7, 0.9):
        width = analyze_audio(coherent_pair(8.0, RATE, coherence=coherence, seed=21), RATE).width
        assert width is not None
        errors.append(abs(width.side_mid_db - expected_coherent_side_mid_db(coherence)))
        corr.append(abs(width.correlation - coherence))
        band_corr += [abs(band.correlation - coherence) for band in width.bands[1:]]
    print(f"   side/mid of coherent pairs: max error {max(errors):.3f} dB, correlation max error {max(corr):.3f} "
          f"(per band from 100 Hz {max(band_corr):.3f})")


def _level_independence() -> None:
    from daw_bridge.analysis.compare import compare
    from daw_bridge.analysis.engine import analyze_audio
    from tests.support.signals import add_reverb, music_like

    audio = add_reverb(music_like(12.0, RATE, seed=8), RATE, rt60_s=0.7, send_db=-8.0)
    deviation = compare(analyze_audio(audio * 0.5, RATE), [analyze_audio(audio, RATE)]).deviation
    others = [deviation.highs_db, deviation.width_db, deviation.reverb_db]
    others += [v for band in deviation.bands for v in (band.level_db, band.width_db)]
    print(f"   mix 6.02 dB down: loudness {deviation.loudness_lu:+.2f} LU, every other deviation within "
          f"{max(abs(v) for v in others if v is not None):.3f} dB")


def _reverb() -> None:
    from daw_bridge.analysis.compare import compare
    from daw_bridge.analysis.engine import analyze_audio
    from tests.support.signals import add_reverb, music_like

    parts = []
    for rt60 in (0.5, 1.0, 1.5):
        reverb = analyze_audio(add_reverb(music_like(14.0, RATE, seed=3), RATE, rt60_s=rt60, send_db=-8.0, seed=5),
                               RATE).reverb
        bands = [abs(b.rt60_s / rt60 - 1.0) for b in reverb.bands if b.rt60_s is not None]
        overall = (reverb.rt60_s or float("nan")) / rt60 - 1.0
        parts.append(f"{rt60} s: {100 * overall:+.1f} % (bands <= {100 * max(bands, default=np.nan):.0f} %, "
                     f"confidence {reverb.confidence:.2f})")
    print("   RT60 " + "; ".join(parts))
    errors, right = [], 0
    for seed in range(10):
        dry = music_like(10.0, RATE, seed=40 + seed)
        ref = analyze_audio(add_reverb(dry, RATE, rt60_s=0.8, send_db=-10.0, seed=seed), RATE)
        for change in (2.0, -2.0):
            mix = analyze_audio(add_reverb(dry, RATE, rt60_s=0.8, send_db=-10.0 + change, seed=seed + 100), RATE)
            deviation = compare(mix, [ref]).deviation.reverb_db
            if deviation is not None:
                right += int(np.sign(deviation) == np.sign(change))
                errors.append(abs(deviation - change))
    print(f"   reverb send change +-2 dB: sign right {right}/20, max error {max(errors):.2f} dB")
    wet = []
    for mix_send, ref_send in ((-6.0, -12.0), (-14.0, -8.0), (-10.0, -10.0)):
        mix = analyze_audio(add_reverb(music_like(14.0, RATE, seed=1), RATE, rt60_s=1.0, send_db=mix_send), RATE)
        ref = analyze_audio(add_reverb(music_like(14.0, RATE, seed=2), RATE, rt60_s=1.0, send_db=ref_send), RATE)
        wet.append(compare(mix, [ref]).deviation.reverb_db)
    print("   wet-level difference (+6 / -6 / 0 dB expected): "
          + " / ".join("none" if d is None else f"{d:+.2f}" for d in wet))


def _real() -> None:
    """Real recordings (tests/support/music.py): every song with the sox and the convolution reverb."""
    from daw_bridge.analysis.compare import compare
    from daw_bridge.analysis.engine import analyze_audio
    from daw_bridge.analysis.measurement import Measurement
    from tests.support import music
    from tests.support.signals import apply_sos, rbj_sos

    why = music.missing_tools()
    if why is not None:
        print(f"   real recordings: skipped ({why})")
        return
    rate, base_db = music.RATE, -10.0

    def measure(audio: np.ndarray) -> Measurement:
        return analyze_audio(audio.astype(np.float32), rate)

    signs, total = 0, 0
    up6: list[float] = []
    down3: list[float] = []
    shelf: list[float] = []
    spread: list[float] = []
    rt_rows: list[tuple[float | None, float, float, str]] = []
    mono_ok, findings_self = 0, 0
    bases: dict[tuple[int, str], Measurement] = {}
    for spec in music.SONGS:
        for reverb in ("sox50", "conv1.5", "conv2.5"):
            base = measure(music.song_mix(spec, reverb, base_db))
            bases[(spec.seed, reverb)] = base

            def dev(m: Measurement, base: Measurement = base) -> float:
                return float(compare(m, [base]).deviation.reverb_db or 0.0)

            for change in (2.0, -2.0):
                d = dev(measure(music.song_mix(spec, reverb, base_db + change)))
                total += 1
                signs += int(np.sign(d) == np.sign(change) and abs(d) > 0.3)
            up6.append(dev(measure(music.song_mix(spec, reverb, base_db + 6.0))))
            down3.append(dev(measure(music.song_mix(spec, reverb, base_db - 3.0))))
            x = music.song_mix(spec, reverb, base_db)
            shelf.append(dev(measure(apply_sos(x, rbj_sos("highshelf", 4000.0, 3.0, 0.7, rate)))))
            spread += [dev(measure(music.song_mix(spec, reverb, base_db, spread=k))) for k in (1.6, 0.5)]
            levels = [measure(music.song_mix(spec, reverb, s)).reverb.reverb_db for s in range(-18, 7, 3)]
            mono_ok += int(bool(np.all(np.diff(np.asarray(levels, dtype=float)) > 0)))
            quiet = compare(measure(x * 10 ** (-6 / 20)), [base])
            findings_self += len(compare(base, [base]).findings) + len([f for f in quiet.findings if f.area != "level"])
            ir = music.reverb_ir(reverb)
            for band in base.reverb.bands:
                truth = music.ir_rt60_s(ir, (band.low_hz, band.high_hz))
                rt_rows.append((band.rt60_s, truth, band.confidence, band.rt60_source))
    n = len(up6)
    print(f"   real: +6 dB send reads {min(up6):+.2f}..{max(up6):+.2f} (median {np.median(up6):+.2f}); "
          f"-3 dB reads {min(down3):+.2f}..{max(down3):+.2f} (median {np.median(down3):+.2f}); {n} song/reverb pairs")
    print(f"   real: +-2 dB right sign (> 0.3 dB) {signs}/{total}; monotonic -18..+6 dB in 3 dB steps {mono_ok}/{n}")
    print(f"   real: +3 dB high shelf moves reverb_db by at most {max(abs(v) for v in shelf):.2f} dB; "
          f"pan spread x1.6/x0.5 at most {max(abs(v) for v in spread):.2f} dB")
    print(f"   real: findings other than level for self and -6 dB copies: {findings_self}")
    known = [(e, t, c, s) for e, t, c, s in rt_rows if e is not None]
    within = sum(abs(e / t - 1.0) <= 0.2 for e, t, _, _ in known)
    print(f"   real: RT60 per band given for {len(known)}/{len(rt_rows)} bands, within 20 % in {within}; "
          + "; ".join(f"{e:.2f}/{t:.2f} s ({s}, conf {c:.2f})" for e, t, c, s in known))
    for reverb in ("sox50", "conv1.5"):
        for spec in music.SONGS:
            others = [bases[(o.seed, reverb)] for o in music.SONGS if o.seed != spec.seed]
            result = compare(bases[(spec.seed, reverb)], others)
            areas = [f"{f.area} {f.start_s:.0f}-{f.end_s:.0f} s {f.value:+.1f}" for f in result.findings]
            print(f"   real: song {spec.seed} vs the other three, same {reverb} at {base_db:g} dB: "
                  f"{'; '.join(areas) or 'no findings'}")
    spec = music.SONGS[1]
    t = np.arange(int(round(spec.duration_s * rate))) / rate
    for reverb in ("sox50", "conv1.5"):
        curve = np.where((t >= 10.0) & (t < 20.0), 9.0, 0.0)
        wet = measure(music.song_mix(spec, reverb, base_db, send_curve=curve))
        found = compare(wet, [bases[(spec.seed, reverb)]]).findings
        print(f"   real: +9 dB 10-20 s in song 2 ({reverb}): "
              + "; ".join(f"{f.area} {f.start_s:.0f}-{f.end_s:.0f} s {f.value:+.1f}" for f in found))


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.support holds the signal generators
    _loudness()
    _balance()
    _width()
    _level_independence()
    _reverb()
    _real()


if __name__ == "__main__":
    main()
