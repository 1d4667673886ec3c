"""Pictures for the bounce-and-check report: band balance, width per band, reverb per band, findings timeline.

Each function takes measurements and returns PNG bytes (matplotlib, Agg backend: no display needed).
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from ..bands import BANDS  # noqa: E402

if TYPE_CHECKING:
    from ..analysis.measurement import Measurement

MIX_COLOR = "#d62728"
REF_COLOR = "#1f77b4"
AREA_COLORS = {"reverb": "#3399ff", "width": "#aa66ff", "highs": "#e6b800", "level": "#ff4444"}


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    return buf.getvalue()


def _num(value: float | None) -> float:
    return float(value) if value is not None and np.isfinite(value) else np.nan


def _ref_range(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Median and 10th-90th percentile over references (axis 0), ignoring NaN."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns (a band no reference could measure)
        if values.shape[0] == 0 or np.all(np.isnan(values)):
            nan = np.full(values.shape[1:], np.nan)
            return nan, nan, nan
        return (
            np.nanmedian(values, axis=0),
            np.nanpercentile(values, 10, axis=0),
            np.nanpercentile(values, 90, axis=0),
        )


def _band_axis(ax: Any, ylabel: str, title: str) -> None:
    ax.set_xticks(range(len(BANDS)))
    ax.set_xticklabels([f"{b.name}\n{_hz(b.low_hz)}-{_hz(b.high_hz)}" for b in BANDS], fontsize=8)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)


def _hz(freq: float) -> str:
    return f"{freq / 1000:g}k" if freq >= 1000 else f"{freq:g}"


def _ref_series(ax: Any, x: np.ndarray, refs: np.ndarray, label: str) -> None:
    med, lo, hi = _ref_range(refs)
    if refs.shape[0] >= 2:
        ax.fill_between(x, lo, hi, color=REF_COLOR, alpha=0.18, label="references 10-90 %")
    ax.plot(x, med, "o-", color=REF_COLOR, label=label)


def band_balance_png(mix: Measurement, refs: Sequence[Measurement]) -> bytes:
    """Band levels (dB re track) of the mix against the references' median and range."""
    x = np.arange(len(BANDS))
    fig, ax = plt.subplots(figsize=(8, 3.6))
    ref_vals = np.array([[_num(b.level_db) for b in r.balance.bands] for r in refs]).reshape(len(refs), len(BANDS))
    _ref_series(ax, x, ref_vals, "references (median)")
    ax.plot(x, [_num(b.level_db) for b in mix.balance.bands], "s-", color=MIX_COLOR, label="mix")
    _band_axis(ax, "level re track (dB)", "Band balance")
    return _png(fig)


def width_png(mix: Measurement, refs: Sequence[Measurement]) -> bytes:
    """Side/mid ratio per band (dB): higher is wider."""
    x = np.arange(len(BANDS))
    fig, ax = plt.subplots(figsize=(8, 3.6))
    ref_vals = np.array(
        [[_num(b.side_mid_db) for b in r.width.bands] if r.width else [np.nan] * len(BANDS) for r in refs]
    ).reshape(len(refs), len(BANDS))
    _ref_series(ax, x, ref_vals, "references (median)")
    if mix.width is not None:
        ax.plot(x, [_num(b.side_mid_db) for b in mix.width.bands], "s-", color=MIX_COLOR, label="mix")
    _band_axis(ax, "side/mid (dB)", "Width per band (higher = wider)")
    return _png(fig)


def missing_estimates(mix: np.ndarray, refs: np.ndarray) -> list[tuple[int, str]]:
    """``(band index, note)`` for every band where the mix ``(n_bands,)`` or all references ``(n_refs, n_bands)``
    have no value (NaN), e.g. ``"mix & refs:\\nno estimate"``."""
    out = []
    for i, value in enumerate(mix):
        who = [name for name, gone in (("mix", np.isnan(value)), ("refs", bool(np.all(np.isnan(refs[:, i]))))) if gone]
        if who:
            out.append((i, f"{' & '.join(who)}:\nno estimate"))
    return out


def reverb_png(mix: Measurement, refs: Sequence[Measurement]) -> bytes:
    """Reverb level (ambient-to-direct for stereo, reverberant-to-direct from free decays for mono, dB) and RT60
    (s) per broad band, mix against references."""
    names = [b.name for b in mix.reverb.bands]
    x = np.arange(len(names))
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8, 3.4))
    for ax, attr, label in ((ax1, "reverb_db", "reverb level: ambient/direct (dB)"), (ax2, "rt60_s", "RT60 (s)")):
        ref_vals = np.array([[_num(getattr(b, attr)) for b in r.reverb.bands] for r in refs]).reshape(
            len(refs), len(names)
        )
        _ref_series(ax, x, ref_vals, "references")
        mix_vals = [_num(getattr(b, attr)) for b in mix.reverb.bands]
        ax.plot(x, mix_vals, "s-", color=MIX_COLOR, label="mix")
        for i, note in missing_estimates(np.asarray(mix_vals), ref_vals):  # say so instead of leaving a gap
            ax.text(i, 0.03, note, transform=ax.get_xaxis_transform(), ha="center", va="bottom", fontsize=7,
                    color="#777777")
        ax.set_xlim(-0.5, len(names) - 0.5)
        ax.set_xticks(x)
        ax.set_xticklabels(
            [f"{b.name}\n{_hz(b.low_hz)}-{_hz(b.high_hz)}" for b in mix.reverb.bands], fontsize=8
        )
        ax.set_title(label)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    return _png(fig)


def decay_png(mix: Measurement, refs: Sequence[Measurement]) -> bytes:
    """Median free decay per broad band (dB re peak against seconds after it): mix against each reference."""
    bands = mix.reverb.bands
    fig, axes = plt.subplots(1, len(bands), figsize=(8.4, 3.2), sharey=True)
    for i, (ax, band) in enumerate(zip(np.atleast_1d(axes), bands, strict=True)):
        drawn = False
        for ref in refs:
            curve = ref.reverb.bands[i]
            if curve.decay_db:
                t = np.arange(len(curve.decay_db)) * curve.decay_step_s
                ax.plot(t, curve.decay_db, "-", color=REF_COLOR, alpha=0.6, lw=1.2,
                        label="references" if not drawn else None)
                drawn = True
        if band.decay_db:
            t = np.arange(len(band.decay_db)) * band.decay_step_s
            ax.plot(t, band.decay_db, "-", color=MIX_COLOR, lw=2.0, label="mix")
        elif not drawn:
            ax.text(0.5, 0.5, "no free decays", transform=ax.transAxes, ha="center", color="#777777", fontsize=8)
        ax.set_title(f"{band.name} {_hz(band.low_hz)}-{_hz(band.high_hz)} Hz", fontsize=9)
        ax.set_xlabel("time after peak (s)")
        ax.set_ylim(-60.0, 3.0)
        ax.grid(alpha=0.3)
        if i == 0:
            ax.set_ylabel("dB re peak")
        if band.decay_db or drawn:
            ax.legend(fontsize=7)
    return _png(fig)


def timeline_png(mix: Measurement, refs: Sequence[Measurement], findings: Sequence[Any]) -> bytes:
    """Mix loudness per section (top) and one lane per finding area (bottom), on a shared time axis."""
    fig, (top, lanes) = plt.subplots(
        2, 1, figsize=(9, 3.8), sharex=True, gridspec_kw={"height_ratios": [1.3, 1.0]}
    )
    end = max((s.end_s for s in mix.sections), default=mix.duration_s)
    for s in mix.sections:
        top.hlines(_num(s.loudness_lufs), s.start_s, s.end_s, color=MIX_COLOR, lw=3)
        top.text((s.start_s + s.end_s) / 2, _num(s.loudness_lufs), s.name, ha="center", va="bottom", fontsize=7)
    ref_loud = [v for v in (_num(r.loudness.integrated_lufs) for r in refs) if np.isfinite(v)]
    if ref_loud:
        top.axhline(float(np.median(ref_loud)), color=REF_COLOR, ls="--", label="references (integrated)")
        top.legend(fontsize=7, loc="lower right")
    top.set_ylabel("mix LUFS")
    top.set_title("Sections and findings")
    top.grid(alpha=0.3)
    areas = ["level", "highs", "width", "reverb"]
    for f in findings:
        row = areas.index(f.area) if f.area in areas else 0
        lanes.barh(row, f.end_s - f.start_s, left=f.start_s, height=0.6,
                   color=AREA_COLORS.get(f.area, "#ff8000"), alpha=0.85)
        lanes.text(f.start_s + 0.1, row, f"{f.value:+.1f}", va="center", fontsize=7)
    lanes.set_yticks(range(len(areas)))
    lanes.set_yticklabels(areas, fontsize=8)
    lanes.set_ylim(-0.6, len(areas) - 0.4)
    lanes.set_xlim(0, end)
    lanes.set_xlabel("time (s)")
    lanes.grid(alpha=0.3, axis="x")
    return _png(fig)


def dynamics_png(mix: Measurement, refs: Sequence[Measurement]) -> bytes:
    """Dynamics: the mix's short-term (3 s) loudness curve over its song sections (top), and per section its peak
    to loudness ratio against the range of the references' sections of the same role (bottom; all their sections
    where they have none of that role)."""
    fig, (top, low) = plt.subplots(2, 1, figsize=(9, 4.2), sharex=True, gridspec_kw={"height_ratios": [1.2, 1.0]})
    end = max((s.end_s for s in mix.sections), default=mix.duration_s)
    if mix.dynamics is not None and mix.dynamics.short_term_lufs:
        curve = np.array([_num(v) for v in mix.dynamics.short_term_lufs])
        curve[~np.isfinite(curve)] = np.nan
        t = np.arange(curve.size) * mix.dynamics.curve_step_s + 1.5  # each value at the centre of its 3 s window
        top.plot(t, curve, color=MIX_COLOR, lw=1.2, label="mix short-term (3 s)")
        top.legend(fontsize=7, loc="lower right")
    for k, g in enumerate(mix.structure):
        top.axvspan(g.start_s, g.end_s, color="#888888", alpha=0.08 if k % 2 else 0.0)
        top.text((g.start_s + g.end_s) / 2, 1.0, g.role, transform=top.get_xaxis_transform(), ha="center",
                 va="top", fontsize=7)
    top.set_ylabel("LUFS")
    top.set_title("Dynamics per section")
    top.grid(alpha=0.3)
    pools: dict[str, list[float]] = {}
    for r in refs:
        for s in r.sections:
            if s.plr_db is not None and np.isfinite(s.plr_db):
                pools.setdefault(s.role, []).append(s.plr_db)
                pools.setdefault("", []).append(s.plr_db)
    for s in mix.sections:
        pool = pools.get(s.role) or pools.get("")
        if pool:
            low.fill_between([s.start_s, s.end_s], min(pool), max(pool), color=REF_COLOR, alpha=0.2, lw=0)
        low.hlines(_num(s.plr_db), s.start_s, s.end_s, color=MIX_COLOR, lw=3)
    low.set_ylabel("PLR dB (peak - loudness)")
    low.set_xlabel("time (s)")
    low.set_xlim(0, end)
    low.grid(alpha=0.3)
    return _png(fig)
