"""The bounce-and-check report: one self-contained HTML file (plots embedded) a person can open beside the bounce."""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ReportError
from . import plots

if TYPE_CHECKING:
    from ..analysis.measurement import Measurement

AREA_LABEL = {"reverb": "Reverb", "width": "Width", "highs": "Highs", "level": "Level"}

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:980px;margin:2em auto;color:#222;padding:0 1em}
h1{font-size:1.5em;margin-bottom:.2em} h2{font-size:1.15em;margin-top:1.8em;border-bottom:1px solid #ddd}
.meta{color:#666;font-size:.9em} table{border-collapse:collapse;margin:.6em 0;font-size:.92em}
td,th{padding:.25em .8em;border-bottom:1px solid #eee;text-align:right} th:first-child,td:first-child{text-align:left}
.finding{padding:.4em .7em;margin:.3em 0;border-left:6px solid #999;background:#fafafa}
.reverb{border-color:#3399ff}.width{border-color:#aa66ff}.highs{border-color:#e6b800}.level{border-color:#ff4444}
.ok{color:#2a7a2a} img{max-width:100%} .advice{color:#444;font-size:.92em}
"""


def _fmt(value: Any, unit: str = "", digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if isinstance(value, int | float):
        return f"{value:+.{digits}f}{unit}" if unit in (" dB", " LU") else f"{value:.{digits}f}{unit}"
    return html.escape(str(value))


def _img(png: bytes, alt: str) -> str:
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'


def render_report(
    *,
    bounce: Path,
    mix: Measurement,
    references: Sequence[Measurement],
    deviation: dict[str, Any],
    findings: Sequence[Any],
    advice: Callable[[Any], str],
    title: str = "Bounce-and-check",
) -> str:
    """The report's HTML text."""
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}: {html.escape(bounce.name)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p class='meta'>{html.escape(str(bounce))} · {datetime.now():%Y-%m-%d %H:%M} · "
        f"{mix.duration_s:.1f} s · {mix.rate} Hz · against {len(references)} reference(s): "
        f"{html.escape(', '.join(r.name for r in references))}</p>",
        "<h2>Findings</h2>",
    ]
    if findings:
        for f in findings:
            tip = advice(f)
            parts.append(
                f"<div class='finding {html.escape(f.area)}'><b>{f.start_s:.1f}-{f.end_s:.1f} s</b> · "
                f"{html.escape(f.message)}<div class='advice'>{html.escape(tip)}</div></div>"
            )
    else:
        parts.append("<p class='ok'>No section deviates beyond the thresholds. The mix sits within the references.</p>")
    parts.append(_img(plots.timeline_png(mix, references, findings), "findings timeline"))
    parts.append(_img(plots.dynamics_png(mix, references), "dynamics per section"))
    parts += ["<h2>Overall deviation (mix minus references)</h2>", "<table>"]
    rows = [
        ("Loudness", deviation.get("loudness_lu"), " LU"),
        ("Highs (5-20 kHz vs 300 Hz-3 kHz)", deviation.get("highs_db"), " dB"),
        ("Width (side/mid)", deviation.get("width_db"), " dB"),
        ("Reverb level (ambient/direct)", deviation.get("reverb_db"), " dB"),
    ]
    parts += [f"<tr><td>{name}</td><td>{_fmt(v, unit)}</td></tr>" for name, v, unit in rows]
    parts.append("</table>")
    parts += ["<h2>Loudness</h2>", "<table><tr><th></th><th>integrated</th><th>LRA</th><th>short-term max</th>"
              "<th>true peak</th></tr>"]
    for m in (mix, *references):
        lo = m.loudness
        parts.append(
            f"<tr><td>{html.escape(m.name)}</td><td>{_fmt(lo.integrated_lufs, ' LUFS')}</td>"
            f"<td>{_fmt(lo.lra_lu, ' LU', 1).lstrip('+')}</td><td>{_fmt(lo.short_term_max_lufs, ' LUFS')}</td>"
            f"<td>{_fmt(lo.true_peak_dbtp, ' dBTP')}</td></tr>"
        )
    parts.append("</table>")
    parts += ["<h2>Band balance</h2>", _img(plots.band_balance_png(mix, references), "band balance")]
    parts += ["<h2>Width per band</h2>", _img(plots.width_png(mix, references), "width per band")]
    if mix.width is not None and mix.width.mono_bass_warning:
        parts.append("<p><b>Mono compatibility:</b> side energy below 100 Hz is high; bass may cancel in mono.</p>")
    parts += ["<h2>Reverb</h2>", _img(plots.reverb_png(mix, references), "reverb per band")]
    heads = "".join(f"<th>{html.escape(b.name)} level</th><th>{html.escape(b.name)} RT60</th>"
                    for b in mix.reverb.bands)
    parts.append(f"<table><tr><th></th>{heads}</tr>")
    for m in (mix, *references):
        cells = "".join(
            f"<td>{_fmt(b.reverb_db, ' dB')}</td><td>"
            + (f"{b.rt60_s:.2f} s ({html.escape(b.rt60_source)}, conf {b.confidence:.2f})" if b.rt60_s else "none")
            + "</td>"
            for b in m.reverb.bands
        )
        parts.append(f"<tr><td>{html.escape(m.name)}</td>{cells}</tr>")
    parts.append("</table>")
    parts += [_img(plots.decay_png(mix, references), "median free decay per band")]
    reasons = [f"{b.name}: {b.reason}" for b in mix.reverb.bands if b.rt60_s is None and b.reason]
    if reasons:
        parts.append("<p class='advice'>" + html.escape("; ".join(reasons)) + "</p>")
    if mix.notes:
        parts += ["<h2>Notes</h2><ul>", *[f"<li>{html.escape(n)}</li>" for n in mix.notes], "</ul>"]
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(path: Path, **kwargs: Any) -> Path:
    """Write the report to ``path`` (refuses to overwrite: reports are versioned like bounces)."""
    if path.exists():
        raise ReportError(f"{path} exists; reports are never overwritten")
    text = render_report(**kwargs)
    tmp = path.with_suffix(".html.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path
