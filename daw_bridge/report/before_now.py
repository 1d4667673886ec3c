"""The report's Before/Now part: per song section, each area's figure in the earlier bounce, in this one and the
change, with the changes beyond the thresholds marked (the same changes ``compare`` and ``check
--against-previous`` list in text and ``--json``).

One table per section (class ``before-now``, ``data-section`` its name): rows loudness (LUFS), reverb (ambient/
direct, dB), width (side/mid, dB), highs (5-20 kHz vs 300 Hz-3 kHz, dB) and dynamics (peak to loudness, dB);
columns Before, Now, Change and whether it counts. A changed row has class ``changed`` and ``data-area``.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

from .html import _CSS, _fmt

if TYPE_CHECKING:
    from ..analysis.before_now import BeforeNow
    from ..analysis.sections import Section

#: (area, row label, Section field, unit) in table order; the area names are :data:`..analysis.before_now.AREAS`.
ROWS = (
    ("level", "Loudness (LUFS)", "loudness_lufs", " LUFS"),
    ("reverb", "Reverb level (ambient/direct, dB)", "reverb_db", " dB"),
    ("width", "Width (side/mid, dB)", "width_db", " dB"),
    ("highs", "Highs (5-20 kHz vs 300 Hz-3 kHz, dB)", "highs_db", " dB"),
    ("dynamics", "Dynamics (peak to loudness, dB)", "plr_db", " dB"),
)
MARK = "<span class='mark'>changed</span>"
_STYLE = (".before-now caption{text-align:left;font-weight:600;padding:.2em 0}"
          ".before-now tr.changed td{background:#fff3cd;font-weight:600}"
          ".before-now .mark{color:#b35900}")


def _value(section: Section, field: str, unit: str) -> str:
    return _fmt(getattr(section, field), unit).lstrip("+")


def _change_cell(before: float | None, now: float | None, unit: str) -> str:
    if before is None or now is None:
        return "–"
    return _fmt(now - before, " LU" if unit == " LUFS" else unit)


def before_now_part(result: BeforeNow) -> str:
    """The Before/Now tables of ``result`` (HTML), one per section, changes beyond the thresholds marked."""
    section_changes = result.changes[1:] if result.level_changed else result.changes
    counted = {(c.area, round(c.start_s, 3)) for c in section_changes}
    whole = result.level_changed
    out = [
        f"<style>{_STYLE}</style><h2>Before/Now</h2>",
        f"<p class='meta'>Before: {html.escape(result.before.name)} · Now: {html.escape(result.now.name)} · "
        f"whole song {_fmt(result.loudness_lu, ' LU')}"
        + (" <span class='mark'>(changed)</span>" if whole else "") + "</p>",
    ]
    if not result.changes:
        out.append("<p class='ok'>Nothing changed beyond the thresholds.</p>")
    else:
        items = "".join(f"<li>{c.start_s:.1f}-{c.end_s:.1f} s: {html.escape(c.message)}</li>" for c in result.changes)
        out.append(f"<ul class='before-now-changes'>{items}</ul>")
    for b, n in zip(result.before.sections, result.now.sections, strict=False):
        role = f" ({html.escape(b.role)})" if b.role and b.role != b.name else ""
        when = f"{b.start_s:.1f}-{b.end_s:.1f} s"
        if abs(n.start_s - b.start_s) > 0.05 or abs(n.end_s - b.end_s) > 0.05:
            when += f" before, {n.start_s:.1f}-{n.end_s:.1f} s now"
        rows = ["<tr><th></th><th>Before</th><th>Now</th><th>Change</th><th></th></tr>"]
        for area, label, field, unit in ROWS:
            changed = (area, round(b.start_s, 3)) in counted
            rows.append(
                f"<tr data-area='{area}'" + (" class='changed'" if changed else "") + f"><td>{label}</td>"
                f"<td>{_value(b, field, unit)}</td><td>{_value(n, field, unit)}</td>"
                f"<td>{_change_cell(getattr(b, field), getattr(n, field), unit)}</td>"
                f"<td>{MARK if changed else ''}</td></tr>"
            )
        out.append(f"<table class='before-now' data-section='{html.escape(b.name, quote=True)}'>"
                   f"<caption>{html.escape(b.name)}{role} · {when}</caption>{''.join(rows)}</table>")
    out.extend(f"<p class='note'>{html.escape(note)}</p>" for note in result.notes)
    return "\n".join(out)


def render_before_now(result: BeforeNow) -> str:
    """A self-contained page with only the Before/Now part (what ``compare --report`` writes)."""
    title = f"Before/Now: {result.before.name} → {result.now.name}"
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
            f"<h1>{html.escape(title)}</h1>{before_now_part(result)}</body></html>")


def write_before_now(path: Path, result: BeforeNow) -> Path:
    """Write :func:`render_before_now` to ``path`` (ReportError if it exists: reports are never overwritten)."""
    from ..errors import ReportError

    if path.exists():
        raise ReportError(f"{path} exists; reports are never overwritten")
    text = render_before_now(result)
    tmp = path.with_suffix(".html.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


__all__ = ["ROWS", "before_now_part", "render_before_now", "write_before_now"]
