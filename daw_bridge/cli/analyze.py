"""``daw-bridge analyze MIX [--ref REF ...] [--refs-dir DIR] [--profile NAME]``: measure a mix, compare it with
references."""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from ..analysis.cache import AnalysisCache
from ..analysis.compare import Comparison, Thresholds, compare
from ..analysis.engine import analyze_file
from ..analysis.measurement import Measurement, to_plain
from ..analysis.sections import Region
from ..audio import audio_info
from ..errors import InvalidAudio, InvalidParameter
from .output import echo_json, json_option, stderr_progress

#: Extensions picked up by ``--refs-dir``.
AUDIO_EXTENSIONS = (".wav", ".flac", ".aif", ".aiff", ".ogg", ".mp3", ".w64", ".caf")
#: Files longer than this show progress on stderr (s).
PROGRESS_MIN_S = 20.0


def _parse_region(text: str) -> Region:
    span, _, name = text.partition(":")
    start, sep, end = span.partition("-")
    try:
        if not sep:
            raise ValueError
        return float(start), float(end), name or span
    except ValueError:
        raise InvalidParameter(f"region {text!r} is not START-END[:NAME] in seconds (e.g. 30-60:chorus)") from None


def collect_references(refs: Sequence[Path], refs_dir: Path | None, mix: Path | None) -> list[Path]:
    """``--ref`` files plus the audio files of ``--refs-dir`` (the mix itself left out). A ``--refs-dir`` file that
    is not readable audio (a folder, a FIFO, corrupt, unreadable) is skipped with a warning naming it; an error
    only when none is left."""
    out = list(refs)
    if refs_dir is not None:
        if not refs_dir.is_dir():
            raise InvalidParameter(f"--refs-dir {refs_dir}: not a folder")
        named = sorted(p for p in refs_dir.iterdir() if p.suffix.lower() in AUDIO_EXTENSIONS)
        named = [p for p in named if mix is None or p.resolve() != mix.resolve()]
        if not named:
            raise InvalidParameter(f"--refs-dir {refs_dir}: no audio files ({', '.join(AUDIO_EXTENSIONS)})")
        found: list[Path] = []
        skipped: list[str] = []
        for path in named:
            try:
                audio_info(path)  # refuses folders, FIFOs and unreadable files before anything is measured
            except InvalidAudio as exc:
                _skip_warning(exc)
                skipped.append(path.name)
                continue
            found.append(path)
        if not found:
            raise InvalidParameter(f"--refs-dir {refs_dir}: no readable reference left (skipped {', '.join(skipped)})")
        out.extend(found)
    return out


def _skip_warning(exc: InvalidAudio) -> None:
    click.echo(f"Warning: skipped reference {exc}", err=True)


def measure_references(paths: Sequence[Path], measure: Callable[[Path], Measurement], *,
                       may_skip: Collection[Path]) -> list[Measurement]:  # fmt: skip
    """Measure each reference; one of ``may_skip`` (found in a folder, not named by the user) that fails while
    measured (cut, corrupt data) is skipped with a warning naming it, so the others still count."""
    out: list[Measurement] = []
    for path in paths:
        try:
            out.append(measure(path))
        except InvalidAudio as exc:
            if path not in may_skip:
                raise
            _skip_warning(exc)
    return out


def _check_comparable(mix: Path, refs: Sequence[Path]) -> None:
    """Refuse pairs that cannot be compared (surround against a different layout), naming both files."""
    mix_ch = audio_info(mix).channels
    for ref in refs:
        ref_ch = audio_info(ref).channels
        if ref_ch != mix_ch and max(ref_ch, mix_ch) > 2:
            raise InvalidAudio(
                f"cannot compare {mix} ({mix_ch} channels) with {ref} ({ref_ch} channels): "
                "downmix one of them to the other's layout (mono and stereo mix freely)"
            )


def measure_file(path: Path, cache: AnalysisCache | None, regions: list[Region] | None, section_s: float,
                 quiet: bool) -> Measurement:
    """Analyze ``path`` (cached), with progress on stderr for long files unless ``quiet``."""
    long = audio_info(path).duration_s >= PROGRESS_MIN_S
    progress = stderr_progress("analyze") if long and not quiet else None
    return analyze_file(path, sections=regions, section_s=section_s, progress=progress, cache=cache)


def _fmt(value: float | None, unit: str, signed: bool = False) -> str:
    if value is None or not math.isfinite(value):
        return "n/a"
    return f"{value:+.1f} {unit}" if signed else f"{value:.1f} {unit}"


def summary(m: Measurement) -> list[str]:
    """Readable lines for one measurement."""
    lines = [
        f"{m.name}: {m.duration_s:.1f} s, {m.rate} Hz, {m.channels} ch",
        f"  loudness {_fmt(m.loudness.integrated_lufs, 'LUFS')}, LRA {_fmt(m.loudness.lra_lu, 'LU')}, "
        f"short-term max {_fmt(m.loudness.short_term_max_lufs, 'LUFS')}, "
        f"true peak {_fmt(m.loudness.true_peak_dbtp, 'dBTP')}",
        "  bands (dB re track): " + ", ".join(f"{b.name} {b.level_db:.1f}" for b in m.balance.bands),
        f"  highs/mid {_fmt(m.balance.highs_db, 'dB')}, tilt {_fmt(m.balance.tilt_db_per_oct, 'dB/oct')}",
    ]
    if m.width is None:
        lines.append("  width: n/a (not stereo)")
    else:
        warn = "  ! side energy below 100 Hz (mono compatibility)" if m.width.mono_bass_warning else ""
        lines.append(f"  width side/mid {_fmt(m.width.side_mid_db, 'dB')}, correlation {m.width.correlation:.2f}{warn}")
    r = m.reverb
    label = "ambient/direct" if r.method == "ambience" else "reverberant/direct"
    level = f"  reverb {label} {_fmt(r.reverb_db, 'dB')}"
    known = [b for b in r.bands if b.reverb_db is not None]
    if known:
        level += " (" + ", ".join(f"{b.name} {b.reverb_db:.1f}" for b in known) + ")"
    lines.append(level)
    if r.rt60_s is None:
        lines.append(f"  RT60: {r.reason}")
    else:
        per_band = ", ".join(
            f"{b.name} {b.rt60_s:.2f} s ({b.rt60_source}, conf {b.confidence:.2f})" for b in r.bands
            if b.rt60_s is not None
        )
        lines.append(f"  RT60 {r.rt60_s:.2f} s (confidence {r.confidence:.2f}): {per_band}")
    if m.dynamics is not None:
        lines.append(f"  dynamics: crest {_fmt(m.dynamics.crest_db, 'dB')}, PLR {_fmt(m.dynamics.plr_db, 'dB')}, "
                     f"LRA {_fmt(m.dynamics.lra_lu, 'LU')}")
    if m.structure:
        lines.append("  song sections: " + ", ".join(f"{g.start_s:.0f}-{g.end_s:.0f} s {g.role}" for g in m.structure))
    lines.extend(f"  note: {n}" for n in m.notes)
    return lines


def comparison_summary(c: Comparison) -> list[str]:
    """Readable lines for a comparison."""
    d = c.deviation
    lines: list[str] = []
    for m in (c.mix, *c.references):  # one block per file, a blank line after each
        lines += [*summary(m), ""]
    lines.append(
        f"mix vs references: loudness {_fmt(d.loudness_lu, 'LU', True)}, highs {_fmt(d.highs_db, 'dB', True)}, "
        f"width {_fmt(d.width_db, 'dB', True)}, reverb {_fmt(d.reverb_db, 'dB', True)}"
    )
    lines.append("  bands: " + ", ".join(f"{b.name} {b.level_db:+.1f}" for b in d.bands))
    if not c.findings:
        lines.append("no findings: the mix sits within the thresholds of the references")
    for f in c.findings:
        lines.append(f"  {f.start_s:7.1f}-{f.end_s:7.1f} s  {f.message}" + (f" ({f.role})" if f.role else ""))
    lines.extend(f"note: {n}" for n in c.notes)
    return lines


F = TypeVar("F", bound=Callable[..., Any])


def threshold_options(f: F) -> F:
    """``--reverb-db --width-db --highs-db --level-lu --dynamics-db`` (what becomes a finding) and ``--cache-dir
    --no-cache``."""
    for option in reversed((
        click.option("--reverb-db", type=float, default=Thresholds.reverb_db, show_default=True,
                     help="Reverb deviation that becomes a finding (dB)."),
        click.option("--width-db", type=float, default=Thresholds.width_db, show_default=True,
                     help="Width deviation that becomes a finding (dB)."),
        click.option("--highs-db", type=float, default=Thresholds.highs_db, show_default=True,
                     help="Highs deviation that becomes a finding (dB)."),
        click.option("--level-lu", type=float, default=Thresholds.level_lu, show_default=True,
                     help="Loudness deviation that becomes a finding (LU)."),
        click.option("--dynamics-db", type=float, default=Thresholds.dynamics_db, show_default=True,
                     help="How much lower a section's peak-to-loudness ratio may be before it counts (dB)."),
        click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False), default=None,
                     help="Where measurements are cached (default: the user cache dir)."),
        click.option("--no-cache", is_flag=True, help="Measure every file again."),
    )):
        f = option(f)
    return f


@click.command("analyze")
@click.argument("mix", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--ref", "refs", multiple=True, type=click.Path(path_type=Path, dir_okay=False),
              help="A reference track (repeatable).")
@click.option("--refs-dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="A folder of reference tracks.")
@click.option("--profile", default=None, metavar="NAME",
              help="Compare with a reference profile (a name from 'profile list' or a .json file).")
@click.option("--section-s", type=float, default=4.0, show_default=True, help="Length of the time sections (s).")
@click.option("--region", "regions", multiple=True, help="Measure this region instead: START-END[:NAME] seconds.")
@threshold_options
@json_option
def analyze(
    mix: Path, refs: tuple[Path, ...], refs_dir: Path | None, profile: str | None, section_s: float,
    regions: tuple[str, ...], reverb_db: float, width_db: float, highs_db: float, level_lu: float,
    dynamics_db: float, cache_dir: Path | None, no_cache: bool, as_json: bool,
) -> None:
    """Measure MIX (loudness, band balance, width, reverb over time) and compare it with references."""
    thresholds = Thresholds(reverb_db=reverb_db, width_db=width_db, highs_db=highs_db, level_lu=level_lu,
                            dynamics_db=dynamics_db)
    parsed = [_parse_region(r) for r in regions] or None
    ref_paths = collect_references(refs, refs_dir, mix)
    from_dir = set(ref_paths) - set(refs)  # these may be skipped; a --ref the user named may not
    audio_info(mix)
    _check_comparable(mix, ref_paths)
    cache = None if no_cache else AnalysisCache(cache_dir)
    measured = measure_file(mix, cache, parsed, section_s, as_json)
    references = measure_references(ref_paths, lambda p: measure_file(p, cache, None, section_s, as_json),
                                    may_skip=from_dir)  # fmt: skip
    if from_dir and not references:
        raise InvalidParameter(f"--refs-dir {refs_dir}: no reference could be measured")
    if profile is not None:
        from ..profiles.store import load_profile

        references.extend(load_profile(profile).references)
    if not references:
        if as_json:
            echo_json({"mix": to_plain(measured)})
        else:
            click.echo("\n".join(summary(measured)))
        return
    result = compare(measured, references, thresholds=thresholds)
    if as_json:
        echo_json(result.to_dict())
    else:
        click.echo("\n".join(comparison_summary(result)))


def register(cli: click.Group) -> None:
    cli.add_command(analyze)
