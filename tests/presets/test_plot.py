"""The correction PNG is written and is a real image of a sensible size."""

from __future__ import annotations

from pathlib import Path

import matplotlib.image

from daw_bridge.dsp.correction import build
from daw_bridge.presets.catalog import find_preset
from daw_bridge.presets.plot import plot_correction


def test_png_is_written(tmp_path: Path) -> None:
    preset = find_preset("Focal Utopia")
    corr = build(preset.eq.filters, file_preamp_db=preset.eq.preamp_db, sample_rate=48000)
    out = plot_correction(preset, corr, tmp_path / "sub" / "utopia.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    image = matplotlib.image.imread(out)
    assert image.shape[0] > 300 and image.shape[1] > 600
