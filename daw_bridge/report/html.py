"""The bounce-and-check report: one self-contained HTML file (plots inline as PNG) a person can open beside the
bounce, read on a laptop and print.

It answers "what do I change, where, by how much" first (findings with their amounts, the change to make and its
uncertainty), then shows the timeline of sections, the monitoring at bounce time, loudness (as heard and as
rendered) and the per-band detail. Each part is one function returning HTML, so parts can be added (``extra``)
without touching the others.
"""

from __future__ import annotations

import base64
import html
import math
import statistics
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ReportError

if TYPE_CHECKING:
    from ..analysis.measurement import Measurement

AREA_LABEL = {"reverb": "Reverb", "width": "Width", "highs": "Highs", "level": "Level"}

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:980px;margin:1.5em auto;color:#222;
padding:0 1em;line-height:1.35}
h1{font-size:1.5em;margin-bottom:.2em} h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ddd}
.meta{color:#555;font-size:.9em} table{border-collapse:collapse;margin:.6em 0;font-size:.92em}
td,th{padding:.25em .7em;border-bottom:1px solid #eee;text-align:right;vertical-align:top}
th:first-child,td:first-child{text-align:left} th{font-weight:600}
.finding{padding:.45em .8em;margin:.4em 0;border-left:6px solid #999;background:#fafafa}
.reverb{border-color:#3399ff}.width{border-color:#aa66ff}.highs{border-color:#e6b800}.level{border-color:#ff4444}
.change{margin:.2em 0;font-weight:600} .amount{font-size:1.1em;white-space:nowrap}
.ok{color:#2a7a2a} .why,.note{color:#555;font-size:.9em}
figure{margin:.8em 0} figure img{max-width:100%;height:auto;display:block}
figcaption{font-size:.88em;color:#444;margin-top:.2em}
.monitoring td{text-align:left}
@media print{
 body{max-width:none;margin:0;padding:0;font-size:10pt;color:#000}
 h2{break-after:avoid} .finding,figure,table,tr{break-inside:avoid}
 .finding{background:none}
}
@page{margin:14mm}
"""


def _fmt(value: Any, unit: str = "", digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if isinstance(value, int | float):
        value = round(float(value), digits) + 0.0  # no "-0.0"
        return f"{value:+.{digits}f}{unit}" if unit in (" dB", " LU") else f"{value:.{digits}f}{unit}"
    return html.escape(str(value))


def _figure(png: bytes, caption: str) -> str:
    """A PNG inline, its caption (title with units) as alt text and visible caption."""
    data = base64.b64encode(png).decode()
    return (f'<figure><img alt="{html.escape(caption)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>")


def _known(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def section_names(mix: Measurement, start_s: float, end_s: float) -> str:
    """Names of the mix's sections lying mostly within ``start_s``-``end_s``."""
    names = [s.name for s in mix.sections
             if min(s.end_s, end_s) - max(s.start_s, start_s) >= 0.5 * (s.end_s - s.start_s)]
    return ", ".join(dict.fromkeys(names))


def header_part(title: str, bounce: Path, mix: Measurement, references: Sequence[Measurement]) -> str:
    return (
        f"<h1>{html.escape(title)}: {html.escape(bounce.name)}</h1>"
        f"<p class='meta'>{html.escape(str(bounce))} · {datetime.now():%Y-%m-%d %H:%M} · "
        f"{mix.duration_s:.1f} s · {mix.rate} Hz · {mix.channels} channel(s) · against {len(references)} "
        f"reference(s): {html.escape(', '.join(r.name for r in references))}</p>"
    )


def findings_part(mix: Measurement, findings: Sequence[Any], advice: Sequence[Any]) -> str:
    """What to change, where, by how much: one block per finding (``advice`` in the same order)."""
    out = ["<h2>What to change</h2>"]
    if not findings:
        out.append("<p class='ok'>No section deviates beyond the thresholds: the mix sits within the "
                   "references. Nothing to change.</p>")
        return "\n".join(out)
    for f, tip in zip(findings, advice, strict=True):
        names = section_names(mix, f.start_s, f.end_s) if f.area != "level" else "whole song"
        where = f"{f.start_s:.1f}-{f.end_s:.1f} s" + (f" ({html.escape(names)})" if names else "")
        out.append(
            f"<div class='finding {html.escape(f.area)}'><b>{AREA_LABEL.get(f.area, f.area)}</b> · {where} · "
            f"{html.escape(f.message)}"
            f"<div class='change'>{html.escape(tip.action)}</div><div class='why'>{html.escape(tip.why)}</div></div>"
        )
    return "\n".join(out)


def timeline_part(mix: Measurement, references: Sequence[Measurement], findings: Sequence[Any],
                  deviation: Mapping[str, Any]) -> str:
    from ..analysis.compare import section_deviations
    from . import plots  # matplotlib only when drawing (commands that never draw start faster)

    level = deviation.get("loudness_lu")
    png = plots.timeline_png(mix, findings, section_deviations(mix, references), level)
    return _figure(png, "Timeline: mix minus references per section and area (dB; level in LU, whole song)")


def dynamics_part(mix: Measurement, references: Sequence[Measurement]) -> str:
    """Short-term loudness over the song's sections and each section's peak-to-loudness ratio vs the references."""
    from . import plots  # matplotlib only when drawing

    if getattr(mix, "dynamics", None) is None:
        return ""
    return "<h2>Dynamics</h2>" + _figure(
        plots.dynamics_png(mix, references),
        "Dynamics: short-term loudness (LUFS, 3 s windows) and peak-to-loudness ratio per section (dB) against "
        "the references' sections of the same role")


def monitoring_part(monitoring: Sequence[str]) -> str:
    """The headphone and monitoring chain in use when the bounce was made."""
    if not monitoring:
        return ""
    rows = "".join(f"<tr><td>{html.escape(line)}</td></tr>" for line in monitoring)
    return f"<h2>Monitoring at bounce time</h2><table class='monitoring'>{rows}</table>"


def heard_difference_lu(
    heard_lufs: Mapping[str, float | None], mix_name: str, ref_names: Sequence[str]
) -> float | None:
    """The mix's loudness as heard minus the references' median as heard (LU), or None when not measured."""
    mix_heard = heard_lufs.get(mix_name)
    ref_heard = [v for n in ref_names if (v := heard_lufs.get(n)) is not None and math.isfinite(v)]
    if not ref_heard or mix_heard is None or not math.isfinite(mix_heard):
        return None
    return mix_heard - float(statistics.median(ref_heard))


def overall_part(deviation: Mapping[str, Any], heard_lu: float | None) -> str:
    rows = []
    if _known(heard_lu):
        rows.append(("Loudness as heard (through the monitoring chain)", heard_lu, " LU"))
    rows += [
        ("Loudness (renders)", deviation.get("loudness_lu"), " LU"),
        ("Highs (5-20 kHz vs 300 Hz-3 kHz)", deviation.get("highs_db"), " dB"),
        ("Width (side/mid)", deviation.get("width_db"), " dB"),
        ("Reverb level (ambient/direct)", deviation.get("reverb_db"), " dB"),
    ]
    body = "".join(f"<tr><td>{name}</td><td>{_fmt(v, unit)}</td></tr>" for name, v, unit in rows)
    return f"<h2>Whole song (mix minus references)</h2><table>{body}</table>"


def loudness_part(mix: Measurement, references: Sequence[Measurement], heard: Mapping[str, float | None],
                  monitoring_known: bool) -> str:
    """Loudness of every file. With a monitoring chain on, levels as heard through it come first (what level
    matching matches) and the renders' beside them; otherwise the renders' levels, said to be the renders'."""
    has_heard = any(_known(v) for v in heard.values())
    out = ["<h2>Loudness</h2><table><tr><th></th>"]
    if has_heard:
        out.append("<th>as heard (LUFS)</th><th>as heard re mix (LU)</th>")
    out.append("<th>render (LUFS)</th><th>render re mix (LU)</th><th>LRA (LU)</th>"
               "<th>short-term max (LUFS)</th><th>true peak (dBTP)</th></tr>")
    mix_heard = heard.get(mix.name)
    for m in (mix, *references):
        lo = m.loudness
        h = heard.get(m.name)
        cells = ""
        if has_heard:
            rel = _rel(h, mix_heard) if m is not mix else None
            cells += f"<td>{_fmt(h, ' LUFS')}</td><td>{_fmt(rel, ' LU') if m is not mix else '0 (mix)'}</td>"
        rel_render = _rel(lo.integrated_lufs, mix.loudness.integrated_lufs) if m is not mix else None
        cells += (f"<td>{_fmt(lo.integrated_lufs, ' LUFS')}</td>"
                  f"<td>{_fmt(rel_render, ' LU') if m is not mix else '0 (mix)'}</td>"
                  f"<td>{_fmt(lo.lra_lu, ' LU').lstrip('+')}</td><td>{_fmt(lo.short_term_max_lufs, ' LUFS')}</td>"
                  f"<td>{_fmt(lo.true_peak_dbtp, ' dBTP')}</td>")
        out.append(f"<tr><td>{html.escape(m.name)}</td>{cells}</tr>")
    out.append("</table>")
    render_rel = [v for r in references if (v := _rel(r.loudness.integrated_lufs, mix.loudness.integrated_lufs))
                  is not None]
    span = _span(render_rel)
    if has_heard:
        heard_rel = [v for r in references if (v := _rel(heard.get(r.name), mix_heard)) is not None]
        out.append(
            f"<p class='note'>As heard through the monitoring chain at bounce time, the references sit "
            f"{_span(heard_rel)} from the mix: this is what level matching matches and what the A/B plays. The "
            f"renders (no monitoring chain) sit {span} from the mix: the chain (headphone correction, crossfeed) "
            "changes each file by a slightly different amount, because their spectra and width differ. "
            "LRA, short-term max and true peak are the renders'.</p>"
        )
    elif monitoring_known:
        out.append(f"<p class='note'>Levels of the renders; the references sit {span} from the mix. No "
                   "correction, crossfeed, simulation or band solo was on at bounce time, so this is also how they "
                   "were heard (apart from the constant monitoring headroom, the same for all).</p>")
    else:
        out.append(f"<p class='note'>Levels of the renders (not as heard: the monitoring at bounce time could not "
                   f"be read or applied, see above); the references sit {span} from the mix.</p>")
    return "\n".join(out)


def _rel(level: float | None, mix_level: float | None) -> float | None:
    """``level`` minus ``mix_level`` as the table shows them (0.1 steps), so the printed numbers add up."""
    if level is None or mix_level is None or not (math.isfinite(level) and math.isfinite(mix_level)):
        return None
    return round(round(level, 1) - round(mix_level, 1), 1) + 0.0


def _span(values: Sequence[float]) -> str:
    if not values:
        return "at an unknown distance"
    lo, hi = (round(v, 1) + 0.0 for v in (min(values), max(values)))
    if abs(hi - lo) < 0.05:
        return f"{lo:+.1f} LU"
    return f"{lo:+.1f} to {hi:+.1f} LU"


def balance_part(mix: Measurement, references: Sequence[Measurement]) -> str:
    from . import plots  # matplotlib only when drawing (commands that never draw start faster)

    return "<h2>Band balance</h2>" + _figure(
        plots.band_balance_png(mix, references), "Band balance: level per band re the whole track (dB)")


def width_part(mix: Measurement, references: Sequence[Measurement]) -> str:
    from . import plots  # matplotlib only when drawing (commands that never draw start faster)

    out = "<h2>Width per band</h2>" + _figure(
        plots.width_png(mix, references), "Width per band: side/mid (dB; higher = wider)")
    if mix.width is not None and mix.width.mono_bass_warning:
        out += "<p><b>Mono compatibility:</b> side energy below 100 Hz is high; bass may cancel in mono.</p>"
    return out


def reverb_part(mix: Measurement, references: Sequence[Measurement]) -> str:
    from . import plots  # matplotlib only when drawing (commands that never draw start faster)

    parts = ["<h2>Reverb</h2>", _figure(plots.reverb_png(mix, references),
                                        "Reverb per broad band: level ambient/direct (dB) and RT60 (s)")]
    heads = "".join(f"<th>{html.escape(b.name)} level (dB)</th><th>{html.escape(b.name)} RT60 (s)</th>"
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
    decays = plots.decay_png(mix, references)
    if decays is None:
        parts.append("<p class='note'>No free decays (a sound stopping and its reverb ringing out) in any band of "
                     "the mix or the references, so no decay curves to show.</p>")
    else:
        parts.append(_figure(decays, "Median free decay per broad band: level re peak (dB) against time (s)"))
    reasons = [f"{b.name}: {b.reason}" for b in mix.reverb.bands if b.rt60_s is None and b.reason]
    if reasons:
        parts.append("<p class='note'>Mix RT60 " + html.escape("; ".join(reasons)) + "</p>")
    return "\n".join(parts)


def notes_part(mix: Measurement) -> str:
    if not mix.notes:
        return ""
    return "<h2>Notes</h2><ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in mix.notes) + "</ul>"


def render_report(
    *,
    bounce: Path,
    mix: Measurement,
    references: Sequence[Measurement],
    deviation: Mapping[str, Any],
    findings: Sequence[Any],
    advice: Sequence[Any],
    monitoring: Sequence[str] = (),
    monitoring_known: bool = False,
    heard_lufs: Mapping[str, float | None] | None = None,
    extra: Sequence[str] = (),
    after_findings: Sequence[str] = (),
    title: str = "Bounce-and-check",
) -> str:
    """The report's HTML text. ``advice`` has one :class:`~daw_bridge.workflows.advice.Advice` per finding;
    ``monitoring`` describes the monitoring at bounce time (one line each); ``heard_lufs`` maps file names to
    their integrated loudness through that chain; ``extra`` are further HTML parts, placed before the notes, and
    ``after_findings`` parts placed right after what to change (the Before/Now tables)."""
    heard = dict(heard_lufs or {})
    heard_lu = heard_difference_lu(heard, mix.name, [r.name for r in references])
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{html.escape(title)}: {html.escape(bounce.name)}</title><style>{_CSS}</style></head><body>",
        header_part(title, bounce, mix, references),
        findings_part(mix, findings, advice),
        *after_findings,
        timeline_part(mix, references, findings, deviation),
        dynamics_part(mix, references),
        monitoring_part(monitoring),
        overall_part(deviation, heard_lu),
        loudness_part(mix, references, heard, monitoring_known),
        balance_part(mix, references),
        width_part(mix, references),
        reverb_part(mix, references),
        *extra,
        notes_part(mix),
        "</body></html>",
    ]
    return "\n".join(p for p in parts if p)


def write_report(path: Path, **kwargs: Any) -> Path:
    """Write the report to ``path`` (refuses to overwrite: reports are versioned like bounces)."""
    if path.exists():
        raise ReportError(f"{path} exists; reports are never overwritten")
    text = render_report(**kwargs)
    tmp = path.with_suffix(".html.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path
