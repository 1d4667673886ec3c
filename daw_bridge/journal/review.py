"""Reading the journal back: the notes to reread before a session (text or a self-contained HTML page) and exports.

The HTML page needs nothing but a browser: inline CSS and inline SVG bars, no scripts, no network. Each headphone
set-up gets a table of its subjects, one row each: songs heard weaker than expected to the left (blue), stronger to
the right (orange), as expected in grey, the verdict, the measurement where there is one, and the advice.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Sequence
from html import escape
from typing import Any

from .patterns import Pattern, check_offsets
from .schema import DIRECTION_WORDS
from .store import Note

#: Notes listed under "to reread", newest first.
REREAD_LIMIT = 20
_STRENGTH_WORDS = {1: "slight", 2: "clear", 3: "strong"}


def headphone_label(model: str, corrected: bool) -> str:
    return f"{model} (corrected)" if corrected else model


def note_line(n: Note) -> str:
    """One note as a line of text."""
    subject = f"{n.band} band" if n.band else n.aspect
    where = f" at {_clock(n.position_s)}" if n.position_s is not None else ""
    song = n.title + (f" ({n.artist})" if n.artist else "") if n.title else f"session {n.session_id}"
    text = f": {n.text}" if n.text else ""
    return (f"{n.created_at[:10]} {song}{where} - {subject} {DIRECTION_WORDS[n.direction]} "
            f"({_STRENGTH_WORDS[n.strength]}){text}")


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes}:{secs:02d}"


def to_reread(notes: Sequence[Note], patterns: Sequence[Pattern]) -> list[Note]:
    """Notes on subjects that show a pattern or a leaning, and notes with words, newest first."""
    live = {(p.headphones, p.corrected, p.aspect, p.band) for p in patterns if p.status != "none"}
    picked = [n for n in notes if (n.model, n.correction, n.aspect, n.band) in live or n.text]
    return sorted(picked, key=lambda n: (n.created_at, n.id), reverse=True)[:REREAD_LIMIT]


def blind_summary(blind: Sequence[dict[str, Any]]) -> str:
    """"Blind A/B: 7 of 10 rounds right (last 5: 4)" or "" when none were played."""
    if not blind:
        return ""
    right = sum(bool(b["correct"]) for b in blind)
    recent = blind[-5:]
    tail = f" (last {len(recent)}: {sum(bool(b['correct']) for b in recent)})" if len(blind) > len(recent) else ""
    return f"Blind A/B: {right} of {len(blind)} rounds right{tail}"


def review_text(notes: Sequence[Note], patterns: Sequence[Pattern], *, reread: bool = True,
                blind: Sequence[dict[str, Any]] = ()) -> str:
    """What to reread before the next session, per headphone set-up (``reread`` False: the patterns only)."""
    if not notes:
        return "The journal is empty: take notes with `daw-bridge journal session --headphones MODEL`."
    lines: list[str] = [blind_summary(blind)] if blind else []
    for label, group in _by_headphone(patterns).items():
        songs = len({n.reference_key for n in notes if headphone_label(n.model, n.correction) == label})
        lines.append(f"{label}: {songs} song(s)")
        shown = [p for p in group if p.status != "none"]
        for p in shown:
            lines.append(f"  {p.status.upper():8} {p.summary} (sign test p = {p.p_value:.3f})")
            if p.measurement:
                lines.append(f"           {p.measurement}")
            if p.advice:
                lines.append(f"           {p.advice}")
            if p.change is not None and p.change.changed:
                lines.append(f"           changed over time: {_change_text(p)}")
        if not shown:
            lines.append("  no pattern yet: listen to more songs (a pattern needs at least 5 songs agreeing)")
    picked = to_reread(notes, patterns) if reread else []
    if picked:
        lines += ["", "Notes to reread:"] + [f"  {note_line(n)}" for n in picked]
    return "\n".join(lines)


def _change_text(p: Pattern) -> str:
    assert p.change is not None
    (em, el, _es), (lm, ll, _ls) = p.change.earlier, p.change.later
    return f"earlier {em} more / {el} less, lately {lm} more / {ll} less (Fisher p = {p.change.p_value:.3f})"


def _by_headphone(patterns: Sequence[Pattern]) -> dict[str, list[Pattern]]:
    out: dict[str, list[Pattern]] = {}
    for p in patterns:
        out.setdefault(headphone_label(p.headphones, p.corrected), []).append(p)
    return out


def pattern_json(p: Pattern) -> dict[str, Any]:
    data = dataclasses.asdict(p)
    data["subject"] = p.subject
    return data


def note_json(n: Note) -> dict[str, Any]:
    data = dataclasses.asdict(n)
    data["direction_word"] = DIRECTION_WORDS[n.direction]
    return data


# export ------------------------------------------------------------------------------------------------------
def export_json(notes: Sequence[Note], patterns: Sequence[Pattern], blind: Sequence[dict[str, Any]]) -> str:
    return json.dumps({"notes": [note_json(n) for n in notes], "patterns": [pattern_json(p) for p in patterns],
                       "check_offsets": check_offsets(patterns), "blind_results": list(blind)}, indent=2)


CSV_COLUMNS: tuple[str, ...] = ("id", "created_at", "model", "preset", "correction", "crossfeed", "amp", "title",
                                "artist", "file_hash", "aspect", "band", "direction", "strength", "position_s", "text")


def export_csv(notes: Sequence[Note]) -> str:
    """One row per note; ``direction`` as the word (less / as expected / more)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for n in notes:
        row = note_json(n)
        row["direction"] = row["direction_word"]
        writer.writerow(["" if row[c] is None else row[c] for c in CSV_COLUMNS])
    return out.getvalue()


def export_markdown(notes: Sequence[Note], patterns: Sequence[Pattern]) -> str:
    lines = ["# Listening journal", ""]
    for label, group in _by_headphone(patterns).items():
        lines += [f"## {label}", "", "| subject | songs | more | less | as expected | verdict | p | measured |",
                  "|---|---|---|---|---|---|---|---|"]
        for p in group:
            measured = f"{p.measured_db:+.1f} dB" if p.measured_db is not None else ""
            lines.append(f"| {p.subject} | {p.references} | {p.more} | {p.less} | {p.same} | {p.status} | "
                         f"{p.p_value:.3f} | {measured} |")
        advice = [p.advice for p in group if p.advice]
        lines += [""] + [f"- {a}" for a in advice] + ([""] if advice else [])
    lines += ["## Notes", ""] + [f"- {_md(note_line(n))}" for n in notes]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|")


# HTML ----------------------------------------------------------------------------------------------------------
_CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:1000px;color:#222;
padding:0 1em}h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:1.6em;border-bottom:2px solid #ddd}
.lede{color:#555}table{border-collapse:collapse;width:100%}td,th{padding:.35em .5em;border-bottom:1px solid #eee;
text-align:left;vertical-align:middle}td:first-child{white-space:nowrap}th{font-size:.85em;color:#666;font-weight:600}
.badge{display:inline-block;border-radius:.8em;padding:0 .6em;font-size:.85em;font-weight:600}
.pattern{background:#c0392b;color:#fff}.leaning{background:#f0b429;color:#222}.none{background:#e4e4e4;color:#555}
.advice{background:#fff6e0;border-left:4px solid #f0b429;padding:.4em .8em;margin:.3em 0}
.small{font-size:.85em;color:#666}ul.notes li{margin:.2em 0}.legend span{margin-right:1.2em}
.sw{display:inline-block;width:.9em;height:.9em;vertical-align:-.1em;margin-right:.3em}
"""
_BAR_W, _BAR_H = 260, 18
_LESS, _MORE, _SAME = "#2b7bb9", "#e67e22", "#bbbbbb"


def _bar(p: Pattern, scale: int) -> str:
    """Diverging bar, one block per song: heard less (left of centre), more (right), as expected (grey, centred)."""
    unit = (_BAR_W / 2 - 4) / max(scale, 1)
    mid = _BAR_W / 2
    start = mid - p.same * unit / 2 - p.less * unit
    colours = [_LESS] * p.less + [_SAME] * p.same + [_MORE] * p.more
    parts = [f'<rect x="{start + i * unit + 0.5:.1f}" y="2" width="{max(unit - 1.0, 1.0):.1f}" height="14" '
             f'fill="{c}"/>' for i, c in enumerate(colours)]
    parts.append(f'<line x1="{mid}" y1="0" x2="{mid}" y2="{_BAR_H}" stroke="#333" stroke-width="1"/>')
    label = f"{p.less} less, {p.same} as expected, {p.more} more"
    return (f'<svg width="{_BAR_W}" height="{_BAR_H}" role="img" aria-label="{label}"><title>{label}</title>'
            + "".join(parts) + "</svg>")


def _band_chart(group: Sequence[Pattern]) -> str:
    """The seven bands side by side: what the measurement says (dB vs target) and what the notes say (share of
    songs heard more minus share heard less; a band without notes of its own borrows its aspect's)."""
    from ..bands import BAND_NAMES
    from .measured import band_deviation_db
    from .notes import band_aspect

    model, corrected = group[0].headphones, group[0].corrected
    measured = None if corrected else band_deviation_db(model)
    by_band = {p.band: p for p in group if p.band}
    by_aspect = {p.aspect: p for p in group if p.band is None}
    heard = {b: by_band.get(b) or by_aspect.get(band_aspect(b)) for b in BAND_NAMES}
    if not measured and not any(heard.values()):
        return ""
    col, top, half = 96, 36, 40
    rows = [("measured vs target", 0), ("your notes", 2 * half + 40)]
    out = [f'<svg width="{col * 7 + 150}" height="{2 * (2 * half + 40) + 24}" role="img" '
           'aria-label="per band: measurement and notes">']
    for label, y0 in rows:
        mid = y0 + top + half
        out.append(f'<text x="0" y="{mid + 4}" font-size="12" fill="#555">{label}</text>')
        out.append(f'<line x1="150" y1="{mid}" x2="{150 + col * 7}" y2="{mid}" stroke="#999"/>')
    for i, band in enumerate(BAND_NAMES):
        x = 150 + i * col
        out.append(f'<text x="{x + col / 2}" y="14" font-size="12" text-anchor="middle" fill="#333">{band}</text>')
        if measured:
            db = measured[band]
            h = min(abs(db), 6.0) / 6.0 * half
            mid = top + half
            out.append(f'<rect x="{x + 28}" y="{mid - h if db > 0 else mid:.1f}" width="{col - 56}" height="{h:.1f}" '
                       f'fill="{_MORE if db > 0 else _LESS}" opacity="0.55"/>'
                       f'<text x="{x + col / 2}" y="{mid + (half + 14 if db <= 0 else -half - 2) + 0:.0f}" '
                       f'font-size="11" text-anchor="middle" fill="#555">{db:+.1f} dB</text>')
        p = heard[band]
        if p is not None and p.references:
            share = (p.more - p.less) / p.references
            mid = rows[1][1] + top + half
            h = abs(share) * half
            style = "" if p.status == "pattern" else ' opacity="0.45"'
            out.append(f'<rect x="{x + 28}" y="{mid - h if share > 0 else mid:.1f}" width="{col - 56}" '
                       f'height="{h:.1f}" fill="{_MORE if share > 0 else _LESS}"{style}/>'
                       f'<text x="{x + col / 2}" y="{mid + (half + 14 if share <= 0 else -half - 2):.0f}" '
                       f'font-size="11" text-anchor="middle" fill="#555">{p.more - p.less:+d}/{p.references}</text>')
    out.append("</svg>")
    return ('<p class="small">Per band: the measurement (bars, up = louder than the target, scale &plusmn;6 dB) and '
            "your notes (songs heard stronger minus weaker, of all songs; faint where it is not a pattern).</p>"
            + "".join(out))


def review_html(notes: Sequence[Note], patterns: Sequence[Pattern], *, title: str = "Your headphones",
                blind: Sequence[dict[str, Any]] = ()) -> str:
    """A self-contained page: per headphone, every subject's songs as bars, verdicts, measurement and advice."""
    body = [f"<h1>{escape(title)}</h1>",
            f'<p class="lede">{len(notes)} note(s) on {len({n.reference_key for n in notes})} song(s). A pattern is '
            "what holds across different songs (exact sign test, p &le; 0.05, at least 5 songs); one-off impressions "
            "are not patterns.</p>",
            f'<p class="legend small"><span><i class="sw" style="background:{_LESS}"></i>heard weaker than expected'
            f'</span><span><i class="sw" style="background:{_SAME}"></i>as expected</span><span><i class="sw" '
            f'style="background:{_MORE}"></i>heard stronger than expected</span>(one block per song)</p>']
    if blind:
        body.append(f'<p class="small">{escape(blind_summary(blind))}</p>')
    offsets = check_offsets(patterns)
    for label, group in _by_headphone(patterns).items():
        scale = max(max(p.more, p.less) + (p.same + 1) // 2 for p in group)
        body.append(f"<h2>{escape(label)}</h2>")
        body += [f'<div class="advice">{escape(p.advice)}</div>' for p in group if p.advice]
        body.append(_band_chart(group))
        body.append("<table><tr><th>subject</th><th>songs: weaker &larr; &rarr; stronger</th><th>verdict</th>"
                    "<th>measured vs target</th></tr>")
        for p in group:
            measured = escape(p.measurement) if p.measurement else '<span class="small">no measurement</span>'
            change = ""
            if p.change is not None and p.change.changed:
                change = f'<br><span class="small">changed over time: {escape(_change_text(p))}</span>'
            body.append(
                f"<tr><td><b>{escape(p.subject)}</b></td><td>{_bar(p, scale)}</td>"
                f'<td><span class="badge {p.status}">{p.status}</span><br><span class="small">'
                f"{escape(p.summary)}; p = {p.p_value:.3f}</span>{change}</td><td>{measured}</td></tr>")
        body.append("</table>")
        if label in offsets:
            items = ", ".join(f"{k.removesuffix('_db')} {v:+.1f} dB" for k, v in offsets[label].items())
            body.append(f'<p class="small">Bounce-and-check: mixes made on these tend to land at {escape(items)} '
                        "from the references; read findings of that size and sign as possibly your headphones.</p>")
    reread = to_reread(notes, patterns)
    if reread:
        body.append("<h2>Notes to reread</h2><ul class=\"notes\">")
        body += [f"<li>{escape(note_line(n))}</li>" for n in reread]
        body.append("</ul>")
    return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
            f"content=\"width=device-width\"><title>{escape(title)}</title><style>{_CSS}</style></head><body>"
            + "\n".join(body) + "</body></html>\n")
