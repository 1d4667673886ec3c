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
    """The references' median as a line and, with two or more, their spread as a band (10-90 % from three
    references on, else lowest to highest) drawn with an edge, so band and legend entry show even when narrow."""
    med, lo, hi = _ref_range(refs)
    known = int(np.sum(np.any(np.isfinite(refs), axis=1))) if refs.size else 0
    if known >= 2:
        if known < 3:
            lo, hi = np.nanmin(refs, axis=0), np.nanmax(refs, axis=0)
        ax.fill_between(x, lo, hi, facecolor=REF_COLOR, alpha=0.25, edgecolor=REF_COLOR, linewidth=0.8,
                        label="references 10-90 %" if known >= 3 else f"references' range ({known})")
    ax.plot(x, med, "o-", color=REF_COLOR, label=label)


def band_balance_png(mix: Measurement, refs: Sequence[Measurement]) -> bytes:
    """Band levels (dB re track) of the mix against the references' median and range."""
    x = np.arange(len(BANDS))
    fig, ax = plt.subplots(figsize=(8, 3.6))
    ref_vals = np.array([[_num(b.level_db) for b in r.balance.bands] for r in refs]).reshape(len(refs), len(BANDS))
    _ref_series(ax, x, ref_vals, "references (median)")
    ax.plot(x, [_num(b.level_db) for b in mix.balance.bands], "s-", color=MIX_COLOR, label="mix")
    _band_axis(ax, "level re track (dB)", "Band balance: level per band re the whole track (dB)")
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
    _band_axis(ax, "side/mid (dB)", "Width per band: side/mid (dB; higher = wider)")
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


def decay_bands(mix: Measurement, refs: Sequence[Measurement]) -> list[int]:
    """Indices of the broad bands where the mix or a reference has a median free decay to draw."""
    return [i for i, band in enumerate(mix.reverb.bands)
            if band.decay_db or any(r.reverb.bands[i].decay_db for r in refs if i < len(r.reverb.bands))]


def decay_png(mix: Measurement, refs: Sequence[Measurement]) -> bytes | None:
    """Median free decay per broad band (dB re peak against seconds after it): mix against each reference.

    Only bands with a decay get a panel; None when no band has one (the report says so in a line of text)."""
    drawn_bands = decay_bands(mix, refs)
    if not drawn_bands:
        return None
    fig, axes = plt.subplots(1, len(drawn_bands), figsize=(2.9 * len(drawn_bands) + 0.6, 3.2), sharey=True,
                             squeeze=False)
    for k, (ax, i) in enumerate(zip(axes[0], drawn_bands, strict=True)):
        band = mix.reverb.bands[i]
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
        else:
            ax.text(0.5, 0.92, "mix: no free decays", transform=ax.transAxes, ha="center", color="#555555",
                    fontsize=8)
        ax.set_title(f"{band.name} {_hz(band.low_hz)}-{_hz(band.high_hz)} Hz", fontsize=9)
        ax.set_xlabel("time after peak (s)")
        ax.set_ylim(-60.0, 3.0)
        ax.grid(alpha=0.3)
        if k == 0:
            ax.set_ylabel("level re peak (dB)")
        ax.legend(fontsize=7, loc="lower left")
    return _png(fig)


#: Timeline rows, top to bottom, after the sections row.
TIMELINE_AREAS = ("level", "highs", "width", "reverb")
TIMELINE_LABELS = {"level": "level (LU)", "highs": "highs (dB)", "width": "width (dB)", "reverb": "reverb (dB)"}
NEUTRAL_COLOR = "#e4e4e4"
_TIMELINE_WIDTH_IN = 9.0
_AXES_SHARE = 0.85  # of the figure width, after the row labels


def _fits(text: str, span_s: float, total_s: float, fontsize: float = 8.5) -> bool:
    """Whether ``text`` fits in a span of ``span_s`` seconds of a ``total_s``-second axis."""
    width_in = span_s / max(total_s, 1e-9) * _TIMELINE_WIDTH_IN * _AXES_SHARE
    return len(text) * fontsize * 0.62 / 72.0 <= width_in * 0.92


def timeline_png(
    mix: Measurement,
    findings: Sequence[Any],
    deviations: dict[str, list[float | None]],
    level_lu: float | None,
) -> bytes:
    """:func:`timeline_figure` as PNG bytes."""
    return _png(timeline_figure(mix, findings, deviations, level_lu))


def timeline_figure(
    mix: Measurement,
    findings: Sequence[Any],
    deviations: dict[str, list[float | None]],
    level_lu: float | None,
) -> Any:
    """The song's sections (top row) and, per area, each section's deviation from the references as a coloured
    band with its value and unit: the area's colour where a finding covers it, grey where it is within the
    references. ``deviations`` is :func:`~daw_bridge.analysis.compare.section_deviations`; ``level_lu`` the whole
    song's loudness deviation (renders)."""
    sections = mix.sections
    end = max((s.end_s for s in sections), default=mix.duration_s) or mix.duration_s
    rows = ["sections", *TIMELINE_AREAS]
    fig, ax = plt.subplots(figsize=(_TIMELINE_WIDTH_IN, 0.5 * len(rows) + 0.9))
    y_of = {name: len(rows) - 1 - i for i, name in enumerate(rows)}
    label_all = all(_fits("-88.8 dB", s.end_s - s.start_s, end) for s in sections)
    for k, s in enumerate(sections):
        y = y_of["sections"]
        ax.broken_barh([(s.start_s, s.end_s - s.start_s)], (y - 0.4, 0.8),
                       facecolors="#f4f4f4" if k % 2 else "#dcdcdc", edgecolor="white")
        if _fits(s.name, s.end_s - s.start_s, end):
            ax.text((s.start_s + s.end_s) / 2, y, s.name, ha="center", va="center", fontsize=8.5)
    for area in ("highs", "width", "reverb"):
        y = y_of[area]
        hits = [f for f in findings if f.area == area]
        for s, value in zip(sections, deviations.get(area, []), strict=False):
            covered = any(f.start_s < s.end_s and s.start_s < f.end_s for f in hits)
            color = AREA_COLORS[area] if covered else NEUTRAL_COLOR
            ax.broken_barh([(s.start_s, s.end_s - s.start_s)], (y - 0.4, 0.8), facecolors=color,
                           edgecolor="white")
            if label_all:
                text = "no figure" if value is None else f"{round(value, 1) + 0.0:+.1f} dB"  # never "-0.0"
                ax.text((s.start_s + s.end_s) / 2, y, text, ha="center", va="center", fontsize=8.5,
                        color="#777777" if value is None else "#111111")
        if not label_all:  # too many sections for a value in each: label the findings
            for f in hits:
                ax.text((f.start_s + f.end_s) / 2, y, f"{f.value:+.1f} dB", ha="center", va="center",
                        fontsize=8.5, bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.0})
    y = y_of["level"]
    level_hit = any(f.area == "level" for f in findings)
    ax.broken_barh([(0.0, end)], (y - 0.4, 0.8), facecolors=AREA_COLORS["level"] if level_hit else NEUTRAL_COLOR,
                   edgecolor="white")
    level_text = "no figure" if level_lu is None else f"{round(level_lu, 1) + 0.0:+.1f} LU (whole song, renders)"
    ax.text(end / 2, y, level_text, ha="center", va="center", fontsize=8.5)
    ax.set_yticks([y_of[r] for r in rows])
    ax.set_yticklabels(["section", *(TIMELINE_LABELS[a] for a in TIMELINE_AREAS)], fontsize=8)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlim(0, end)
    ax.set_xlabel("time (s)")
    ax.set_title("Mix minus references per section (dB; coloured = finding, grey = within the references)",
                 fontsize=9)
    ax.grid(alpha=0.3, axis="x")
    ax.set_axisbelow(True)
    fig.tight_layout()
    return fig


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
