"""Picture of a headphone correction curve (PNG, matplotlib Agg): each filter, the sum, and the applied curve."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FixedLocator, NullFormatter  # noqa: E402

from ..dsp.biquad import design, log_freqs, response_db  # noqa: E402
from ..dsp.correction import Correction, intended_response_db  # noqa: E402
from ..dsp.rate_match import design_at  # noqa: E402
from .catalog import Preset  # noqa: E402

_TICKS_HZ = (20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000)


def plot_correction(preset: Preset, corr: Correction, path: Path) -> Path:
    """Write a PNG of ``preset``'s correction as applied by ``corr`` to ``path``; returns ``path``."""
    freqs = log_freqs(points=800)
    rate = preset.eq.design_rate_hz
    fig, ax = plt.subplots(figsize=(9, 4.8), dpi=110)
    for f in preset.eq.filters:
        ax.semilogx(freqs, response_db(design(f, sample_rate=rate), freqs, sample_rate=rate), color="0.75", lw=0.8)
    ax.semilogx(
        freqs, intended_response_db(preset.eq.filters, freqs, design_rate=rate), color="tab:blue", lw=2.0,
        label="correction (AutoEq filters)",
    )  # fmt: skip
    fitted = design_at(corr.filters, design_rate=corr.design_rate, sample_rate=corr.sample_rate)
    applied = response_db(fitted, freqs, sample_rate=corr.sample_rate) + corr.preamp_db
    ax.semilogx(freqs, applied, color="tab:orange", lw=1.6, ls="--",
                label=f"applied at {corr.sample_rate / 1000:g} kHz incl. preamp {corr.preamp_db:+.1f} dB")  # fmt: skip
    ax.axhline(0.0, color="0.4", lw=0.8)
    ax.set_xlim(20, 20000)
    ax.xaxis.set_major_locator(FixedLocator(list(_TICKS_HZ)))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xticklabels([f"{t / 1000:g}k" if t >= 1000 else str(t) for t in _TICKS_HZ])
    ax.set_xlabel("Frequency (Hz)")
    ax.set_ylabel("Gain (dB)")
    ax.grid(True, which="both", alpha=0.3)
    target = preset.source.get("target", "unknown target")
    ax.set_title(f"{preset.name}: correction to {target}", fontsize=10)
    ax.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png")
    plt.close(fig)
    return path
