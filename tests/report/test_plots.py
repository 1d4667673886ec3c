"""Report plots: bands without an estimate are labelled, and every plot renders to a PNG."""

from __future__ import annotations

import numpy as np

from daw_bridge.analysis.engine import analyze_audio
from daw_bridge.report.plots import missing_estimates, reverb_png
from tests.support.signals import add_reverb, music_like

RATE = 48000
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_missing_estimates_names_who_lacks_a_value() -> None:
    nan = np.nan
    mix = np.array([1.0, nan, nan, 2.0])
    refs = np.array([[nan, 1.0, nan, 3.0], [nan, nan, nan, nan]])
    assert missing_estimates(mix, refs) == [
        (0, "refs:\nno estimate"),
        (1, "mix:\nno estimate"),
        (2, "mix & refs:\nno estimate"),
    ]
    assert missing_estimates(mix, np.zeros((0, 4))) == [
        (0, "refs:\nno estimate"), (1, "mix & refs:\nno estimate"), (2, "mix & refs:\nno estimate"),
        (3, "refs:\nno estimate"),
    ]


def test_reverb_plot_renders_with_a_dry_mix_against_a_wet_reference() -> None:
    dry = analyze_audio(music_like(10.0, RATE, seed=1), RATE)
    wet = analyze_audio(add_reverb(music_like(10.0, RATE, seed=2), RATE, rt60_s=0.8, send_db=-8.0), RATE)
    assert dry.reverb.rt60_s is None and wet.reverb.rt60_s is not None
    png = reverb_png(dry, [wet])
    assert png.startswith(PNG_MAGIC) and len(png) > 5000


def test_decay_plot_draws_only_bands_with_decays_and_nothing_without_any() -> None:
    from daw_bridge.report.plots import decay_bands, decay_png

    wet = analyze_audio(add_reverb(music_like(10.0, RATE, seed=2), RATE, rt60_s=0.8, send_db=-8.0), RATE)
    dry = analyze_audio(music_like(10.0, RATE, seed=1), RATE)
    assert any(b.decay_db for b in wet.reverb.bands) and not any(b.decay_db for b in dry.reverb.bands)
    with_decays = [i for i, b in enumerate(wet.reverb.bands) if b.decay_db]
    assert decay_bands(wet, [wet]) == decay_bands(dry, [wet]) == with_decays
    for mix, refs in ((wet, [wet]), (dry, [wet])):
        png = decay_png(mix, refs)
        assert png is not None and png.startswith(PNG_MAGIC) and len(png) > 5000
    assert decay_bands(dry, [dry]) == [] and decay_png(dry, []) is None  # no empty panels


def test_timeline_values_carry_units_and_no_label_collides_or_leaves_its_band() -> None:
    import matplotlib.pyplot as plt

    from daw_bridge.analysis.compare import compare, section_deviations
    from daw_bridge.report.plots import timeline_figure

    for seconds in (24.0, 100.0):  # 6 sections with a value each; 25, where only the findings carry one
        dry = music_like(seconds, RATE, seed=1)
        mix = dry.copy()
        wet = add_reverb(music_like(seconds, RATE, seed=2), RATE, rt60_s=0.8, send_db=-8.0)
        mix[8 * RATE : 16 * RATE] = wet[8 * RATE : 16 * RATE]
        m, r = analyze_audio(mix, RATE), analyze_audio(dry, RATE)
        result = compare(m, [r])
        assert result.findings
        deviations = section_deviations(m, [r])
        fig = timeline_figure(m, result.findings, deviations, result.deviation.loudness_lu)
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        ax = fig.axes[0]
        labels = [t for t in ax.texts if t.get_text()]
        values = [t.get_text() for t in labels if t.get_text()[:1] in "+-"]
        assert values and all(v.endswith((" dB", " LU", "renders)")) for v in values), values
        if seconds < 30:  # every section of every area carries its value
            expected = [f"{round(v, 1) + 0.0:+.1f} dB"
                        for area in ("highs", "width", "reverb") for v in deviations[area] if v is not None]
        else:
            expected = [f"{f.value:+.1f} dB" for f in result.findings]
        assert sorted(v for v in values if v.endswith(" dB")) == sorted(expected)
        boxes = [t.get_window_extent(renderer) for t in labels]
        for i, a in enumerate(boxes):
            assert a.x0 >= ax.get_window_extent(renderer).x0 - 1 and a.x1 <= ax.get_window_extent(renderer).x1 + 1
            for b in boxes[i + 1 :]:
                assert not a.overlaps(b), "two timeline labels overlap"
        plt.close(fig)
