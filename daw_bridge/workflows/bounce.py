"""Bounce-and-check: render the mix, analyze it against the references, mark the deviating sections in the DAW,
and write a report beside the bounce.

Every bounce gets a new versioned name (never overwritten). Markers are replaced in one undo point, so an
interrupted check leaves either the old findings or the new ones, never half of each. The advice is worded for
someone mixing on headphones, which exaggerate reverb, width and highs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..analysis.before_now import BeforeNow, compare_bounces, measure_bounces
from ..analysis.cache import AnalysisCache
from ..analysis.compare import Comparison, Finding, Thresholds, compare
from ..analysis.engine import analyze_file
from ..analysis.measurement import Measurement
from ..analysis.sections import MIN_SECTION_S, Region
from ..config import Config
from ..daw import Daw, MarkerInfo, MarkerSpec, Progress
from ..errors import InvalidParameter, RenderError
from ..report.html import write_report
from .markers import publish_findings
from .renders import render_source, safe_stem
from .roles import MIX, find_roles, load_ab_state

AREAS = ("reverb", "width", "highs", "level", "dynamics")

#: What to do about a deviation, worded for headphone mixing: (mix has less, mix has more).
ADVICE: dict[str, tuple[str, str]] = {
    "reverb": (
        "Drier than the references: headphones exaggerate reverb, so what sounds right on them is too dry on "
        "speakers. Raise the reverb sends here.",
        "Wetter than the references: unusual for a headphone mix; check the sends in this section.",
    ),
    "width": (
        "Narrower than the references: headphones exaggerate width, so panning tends to end up too narrow. "
        "Pan wider here.",
        "Wider than the references: check mono compatibility and keep low end centred.",
    ),
    "highs": (
        "Duller than the references: headphones exaggerate highs (they sound nearer), so vocals and cymbals end "
        "up too dark on speakers. Brighten here.",
        "Brighter than the references: check for harshness on speakers.",
    ),
    "level": (
        "Quieter than the references in this section.",
        "Louder than the references in this section.",
    ),
    "dynamics": (
        "More compressed than the references' comparable sections (lower peak to loudness ratio): ease the bus "
        "compressor or limiter here.",
        "",
    ),
}


def advice_for(finding: Finding) -> str:
    """The headphone-aware advice for one finding (its ``value`` sign says which way the mix deviates)."""
    less, more = ADVICE.get(finding.area, ("", ""))
    return more if finding.value > 0 else less


@dataclass(frozen=True)
class CheckResult:
    """What a check produced: the bounce, the report, the comparison, the markers, and the failed areas."""

    bounce: Path
    report: Path
    comparison: Comparison
    markers: tuple[MarkerSpec, ...]
    failed_areas: tuple[str, ...]
    reference_files: tuple[Path, ...]
    #: What changed since the previous bounce (``against_previous``); None when not asked for or there is none.
    before_now: BeforeNow | None = None
    notes: tuple[str, ...] = ()


def song_sections(markers: Sequence[MarkerInfo], duration_s: float, *, offset_s: float = 0.0) -> list[Region] | None:
    """The song's own sections from the user's markers (ours ignored), in bounce time.

    Regions are used as they are; otherwise consecutive markers delimit sections (the last runs to the end).
    None when the project has fewer than two usable markers: the analyzer then uses fixed windows.
    """
    theirs = [m for m in markers if not m.ours]
    regions = [(m.time_s - offset_s, (m.end_s or 0.0) - offset_s, m.name) for m in theirs if m.end_s is not None]
    if not regions:
        starts = sorted({round(m.time_s - offset_s, 6): m.name for m in theirs if m.end_s is None}.items())
        starts = [(t, name) for t, name in starts if 0.0 <= t < duration_s - MIN_SECTION_S]
        if len(starts) < 2:
            return None
        if starts[0][0] > MIN_SECTION_S:
            starts.insert(0, (0.0, "intro"))
        ends = [t for t, _ in starts[1:]] + [duration_s]
        regions = [
            (t, end, name or f"section {i + 1}") for i, ((t, name), end) in enumerate(zip(starts, ends, strict=True))
        ]
    clipped = [(max(0.0, a), min(duration_s, b), n) for a, b, n in regions]
    usable = [(a, b, n) for a, b, n in clipped if b - a >= MIN_SECTION_S]
    return usable or None


def parse_areas(text: str | Sequence[str] | None) -> tuple[str, ...]:
    """``"reverb,width"`` -> ("reverb", "width"); ``all`` means every area; unknown names are refused."""
    if not text:
        return ()
    items = text.split(",") if isinstance(text, str) else list(text)
    names = [i.strip().lower() for i in items if i.strip()]
    if "all" in names:
        return AREAS
    bad = [n for n in names if n not in AREAS]
    if bad:
        raise InvalidParameter(f"unknown area(s) {', '.join(bad)}: choose from {', '.join(AREAS)} or all")
    return tuple(dict.fromkeys(names))


def bounce_and_check(
    daw: Daw,
    cfg: Config,
    *,
    reference_files: Sequence[Path] = (),
    reference_measurements: Sequence[Measurement] = (),
    fail_on: Sequence[str] = (),
    thresholds: Thresholds | None = None,
    progress: Progress | None = None,
    timeout_s: float = 300.0,
    cache: AnalysisCache | None = None,
    start_s: float | None = None,
    end_s: float | None = None,
    against_previous: bool = False,
) -> CheckResult:
    """Render, analyze against the references, replace our findings markers, write the HTML report.

    References are ``reference_files`` when given (checked before anything is rendered), else each reference
    track rendered alone through its track. ``reference_measurements`` (e.g. a reference profile's) join them
    without any audio. ``against_previous``: also report what changed since the previous bounce of the same
    project (:mod:`..analysis.before_now`). Raises RenderError if the render fails or writes no file.
    """
    report = progress or (lambda _f, _m: None)
    areas = parse_areas(list(fail_on))
    missing = [p for p in reference_files if not Path(p).is_file()]
    if missing:
        from ..errors import InvalidAudio

        raise InvalidAudio(f"reference file not found: {', '.join(str(p) for p in missing)}")
    roles = find_roles(daw, cfg) if not reference_files and not reference_measurements else None
    state = load_ab_state(daw, roles) if roles is not None else None
    info = daw.project_info()
    stem = safe_stem(Path(info.path).stem if info.path else "mix") + "-bounce"

    report(0.02, "rendering the mix")
    if state is None:  # references come from files: render the master as it is set up now
        from ..daw import RenderRequest
        from .renders import next_version_path

        path = next_version_path(cfg.bounce_dir, stem)
        rendered = daw.render(
            RenderRequest(directory=cfg.bounce_dir, file_name=path.name, start_s=start_s, end_s=end_s),
            timeout_s=timeout_s,
            progress=lambda f, m: report(0.02 + 0.3 * f, m),
        )
    else:
        rendered = render_source(
            daw, state, MIX, cfg.bounce_dir, stem, start_s=start_s, end_s=end_s, timeout_s=timeout_s,
            progress=lambda f, m: report(0.02 + 0.3 * f, m),
        )
    if not rendered.files or not rendered.files[0].is_file():
        raise RenderError(f"the render reported {list(rendered.files)} but no bounce file exists")
    bounce = rendered.files[0]

    ref_paths = [Path(p) for p in reference_files]
    if state is not None:
        for i, ref in enumerate(state.references):
            report(0.35 + 0.2 * i / len(state.references), f"rendering reference {ref}")
            result = render_source(
                daw, state, ref, cfg.bounce_dir / "references", safe_stem(ref), start_s=start_s, end_s=end_s,
                timeout_s=timeout_s,
            )
            if not result.files:
                raise RenderError(f"the render of reference {ref!r} wrote no file")
            ref_paths.append(result.files[0])

    report(0.55, "analyzing the mix")
    from ..audio import audio_info

    sections = song_sections(daw.markers(), audio_info(bounce).duration_s, offset_s=start_s or 0.0)
    mix = analyze_file(bounce, sections=sections, cache=cache)
    refs: list[Measurement] = list(reference_measurements)
    for i, path in enumerate(ref_paths):
        report(0.7 + 0.15 * i / max(1, len(ref_paths)), f"analyzing {path.name}")
        refs.append(analyze_file(path, cache=cache))
    comparison = compare(mix, refs, thresholds=thresholds or Thresholds())

    report(0.9, "placing markers")
    markers = publish_findings(daw, comparison.findings)
    report_path = bounce.with_suffix(".report.html")
    write_report(
        report_path,
        bounce=bounce,
        mix=mix,
        references=refs,
        deviation=comparison.to_dict().get("deviation", {}),
        findings=comparison.findings,
        advice=advice_for,
    )
    failed = tuple(a for a in areas if any(f.area == a for f in comparison.findings))
    before_now: BeforeNow | None = None
    notes: tuple[str, ...] = ()
    if against_previous:
        from .renders import previous_version

        previous = previous_version(bounce)
        if previous is None:
            notes = (f"no earlier bounce beside {bounce.name} to compare with",)
        else:
            report(0.95, f"comparing with {previous.name}")
            before_now = compare_bounces(*measure_bounces(previous, bounce, cache=cache), thresholds=thresholds)
    report(1.0, "done")
    return CheckResult(
        bounce=bounce,
        report=report_path,
        comparison=comparison,
        markers=tuple(markers),
        failed_areas=failed,
        reference_files=tuple(ref_paths),
        before_now=before_now,
        notes=notes,
    )
