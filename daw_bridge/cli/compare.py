"""``daw-bridge compare BEFORE NOW``: what changed between two bounces of the same song, section by section."""

from __future__ import annotations

import math
from pathlib import Path

import click

from ..analysis.before_now import BeforeNow, compare_bounces, measure_bounces
from ..analysis.cache import AnalysisCache
from ..analysis.compare import Thresholds
from ..audio import audio_info
from .analyze import threshold_options
from .output import echo_json, json_option, stderr_progress


def _fmt(value: float | None) -> str:
    return "   n/a" if value is None or not math.isfinite(value) else f"{value:+6.1f}"


def before_now_summary(result: BeforeNow) -> list[str]:
    """Readable lines: the per-section table, then the changes that count."""
    lines = [
        f"before: {result.before.name}   now: {result.now.name}   loudness {result.loudness_lu:+.1f} LU",
        "section (role)                    time (s)   level LU  reverb dB  width dB  highs dB   PLR dB",
    ]
    for s in result.sections:
        label = f"{s.name} ({s.role})" if s.role and s.role != s.name else s.name
        moved = s.now_start_s is not None and s.now_end_s is not None and (
            abs(s.now_start_s - s.start_s) > 0.05 or abs(s.now_end_s - s.end_s) > 0.05)
        lines.append(
            f"{label[:30]:30s} {s.start_s:6.1f}-{s.end_s:6.1f}  {_fmt(s.level_lu)}     {_fmt(s.reverb_db)}    "
            f"{_fmt(s.width_db)}    {_fmt(s.highs_db)}   {_fmt(s.plr_db)}"
            + (f"   now at {s.now_start_s:.1f}-{s.now_end_s:.1f}" if moved else "")
        )
    if not result.changes:
        lines.append("no changes beyond the thresholds")
    for c in result.changes:
        lines.append(f"  {c.start_s:7.1f}-{c.end_s:7.1f} s  {c.message}")
    lines.extend(f"note: {n}" for n in result.notes)
    return lines


@click.command("compare")
@click.argument("before", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("now", type=click.Path(path_type=Path, dir_okay=False))
@threshold_options
@click.option("--no-align", is_flag=True,
              help="Compare sections at the same times, without aligning NOW to BEFORE first.")
@click.option("--report", "report_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Also write the Before/Now tables as an HTML page to this file (never overwritten).")
@json_option
def compare_cmd(
    before: Path, now: Path, reverb_db: float, width_db: float, highs_db: float, level_lu: float,
    dynamics_db: float, cache_dir: Path | None, no_cache: bool, no_align: bool, report_path: Path | None,
    as_json: bool,
) -> None:
    """What changed from BEFORE to NOW, two bounces of the same song, section by section.

    Both are measured over BEFORE's song sections: level, reverb, width, highs and dynamics. NOW is first aligned
    to BEFORE (chroma and onsets), so a bar added or cut, or a tempo change, still pairs each section with itself;
    without a timing change the sections are compared at the same times."""
    thresholds = Thresholds(reverb_db=reverb_db, width_db=width_db, highs_db=highs_db, level_lu=level_lu,
                            dynamics_db=dynamics_db)
    audio_info(before)
    audio_info(now)  # both refused by name before anything is measured
    if report_path is not None and report_path.exists():
        raise click.ClickException(f"{report_path} exists; reports are never overwritten (choose another name)")
    cache = None if no_cache else AnalysisCache(cache_dir)
    progress = None if as_json else stderr_progress("compare")
    b, n = measure_bounces(before, now, cache=cache, progress=progress, align=not no_align)
    result = compare_bounces(b, n, thresholds=thresholds)
    if report_path is not None:
        from ..report.before_now import write_before_now

        write_before_now(report_path, result)
    if as_json:
        echo_json(result.to_dict())
    else:
        click.echo("\n".join(before_now_summary(result)))


def register(cli: click.Group) -> None:
    cli.add_command(compare_cmd)
