"""Bounce-and-check: render the mix, analyze it against the references, mark the deviating sections in the DAW,
and write a report beside the bounce.

Every bounce gets a new versioned name (never overwritten). Markers are replaced in one undo point, so an
interrupted check leaves either the old findings or the new ones, never half of each. The advice is worded for
someone mixing on headphones, which exaggerate reverb, width and highs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..analysis.before_now import BeforeNow, compare_bounces, measure_bounces
from ..analysis.cache import AnalysisCache
from ..analysis.compare import Comparison, Thresholds, compare
from ..analysis.engine import analyze_file
from ..analysis.measurement import Measurement
from ..analysis.sections import MIN_SECTION_S, Region
from ..config import Config
from ..daw import Daw, MarkerInfo, MarkerSpec, MonitorFx, Progress
from ..errors import DawBridgeError, InvalidParameter, RenderError
from ..monitoring import MonitoringState, chain, load_state
from ..report.html import write_report
from .advice import ADVICE, Advice, advice_for, advise
from .markers import publish_findings
from .renders import render_source, safe_stem
from .roles import MIX, find_roles, load_ab_state

AREAS = ("reverb", "width", "highs", "level", "dynamics")

@dataclass(frozen=True)
class CheckResult:
    """What a check produced: the bounce, the report, the comparison, the markers, the failed areas, the change
    to make per finding (``advice``, in the findings' order), the monitoring at bounce time (one line each) and
    the files' integrated loudness as heard through it (``heard_lufs`` by file name; empty without a chain)."""

    bounce: Path
    report: Path
    comparison: Comparison
    markers: tuple[MarkerSpec, ...]
    failed_areas: tuple[str, ...]
    reference_files: tuple[Path, ...]
    advice: tuple[Advice, ...] = ()
    monitoring: tuple[str, ...] = ()
    heard_lufs: dict[str, float] = field(default_factory=dict)
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


def monitoring_lines(state: MonitoringState) -> list[str]:
    """The monitoring ``state`` as a person reads it: headphone, each effect on or off, headroom, ceiling."""
    lines = [
        f"Headphone correction: {state.headphones} at {state.strength_pct:.0f} %"
        + (f", bass trim {state.bass_trim_db:+.1f} dB" if state.bass_trim_db else "")
        if state.headphones else "Headphone correction: off (no headphone model chosen)",
        f"Crossfeed: {state.crossfeed}" + (f", centre {state.centre_db:+.1f} dB" if state.centre_db else "")
        if state.crossfeed else "Crossfeed: off",
        f"Playback simulation: {state.simulation}" if state.simulation else "Playback simulation: off",
        f"Band solo: {state.band}" if state.band else "Band solo: off",
        f"Virtual speakers: {state.speakers}" if state.speakers else "Virtual speakers: off",
        f"Monitoring headroom: {state.headroom_db:.0f} dB (constant, the same for every source)",
        f"Safety ceiling: {state.ceiling_db:.1f} dBTP" if state.ceiling_db is not None else "Safety ceiling: off",
    ]
    return lines


def _active_chain(state: MonitoringState, rate: int) -> list[MonitorFx]:
    """The effects that change what is heard beyond the constant headroom (empty when none is on)."""
    if state.headphones is None and not (state.crossfeed or state.band or state.simulation or state.speakers):
        return []
    return [fx for fx in chain(state, rate) if fx.enabled]


#: Frames per step when a file is streamed through the monitoring chain (as :func:`.levels.apply_chain_offline`).
HEARD_BLOCK_FRAMES = 8192


def heard_loudness(paths: Sequence[Path], state: MonitoringState) -> dict[str, float]:
    """Integrated loudness (LUFS) of each file through the monitoring chain of ``state``, by file name; empty
    when no effect beyond the constant headroom is on (then the renders' levels are what is heard).

    Streamed block by block (memory does not grow with the file); a mono file is fed to the chain as dual mono,
    as the monitoring path plays it."""
    import numpy as np

    from ..analysis.loudness import MOMENTARY_SUBBLOCKS, LoudnessMeter, block_loudness, gated_loudness
    from ..audio import audio_info, iter_blocks
    from ..dsp.chain import make_processor

    out: dict[str, float] = {}
    for path in paths:
        rate = audio_info(path).rate
        active = _active_chain(state, rate)
        if not active:
            return {}
        procs = [make_processor(fx.kind, dict(fx.params), rate) for fx in active]
        meter = LoudnessMeter(rate, 2, peaks=False)
        for block in iter_blocks(path, HEARD_BLOCK_FRAMES):
            chunk = block if block.shape[1] == 2 else np.repeat(block[:, :1], 2, axis=1)
            for proc in procs:
                chunk = proc.process(chunk)
            meter.feed(chunk)
        out[path.name] = float(gated_loudness(block_loudness(meter.subblock_power(), MOMENTARY_SUBBLOCKS)))
    return out


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
    monitoring: MonitoringState | None = None,
    against_previous: bool = False,
) -> CheckResult:
    """Render, analyze against the references, replace our findings markers, write the HTML report.

    References are ``reference_files`` when given (checked before anything is rendered), else each reference
    track rendered alone through its track. ``reference_measurements`` (e.g. a reference profile's) join them
    without any audio. ``monitoring`` is the monitoring in use (default: the saved state); the report names it
    and gives the files' loudness as heard through it. ``against_previous``: also report what changed since the
    previous bounce of the same project (:mod:`..analysis.before_now`). Raises RenderError if the render fails or
    writes no file.
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

    report(0.86, "loudness as heard through the monitoring chain")
    # the monitoring state or a preset it names may be unreadable: that must not cost the bounce, the report says
    # so, naming the file or preset at fault
    heard: dict[str, float] = {}
    lines: list[str] = []
    try:
        state_now = monitoring if monitoring is not None else load_state()
        lines = monitoring_lines(state_now)
        heard = heard_loudness([bounce, *ref_paths], state_now)
        known = True
    except DawBridgeError as exc:
        lines.append(f"Levels as heard not computed: {exc}" if lines else f"Monitoring state unknown: {exc}")
        known = False

    before_now: BeforeNow | None = None
    notes: tuple[str, ...] = ()
    extra: list[str] = []
    if against_previous:
        from ..report.before_now import before_now_part
        from .renders import previous_version

        previous = previous_version(bounce)
        if previous is None:
            notes = (f"no earlier bounce beside {bounce.name} to compare with",)
        else:
            report(0.88, f"comparing with {previous.name}")
            before_now = compare_bounces(*measure_bounces(previous, bounce, cache=cache), thresholds=thresholds)
            extra.append(before_now_part(before_now))

    report(0.9, "placing markers")
    markers = publish_findings(daw, comparison.findings)
    advice = tuple(advise(f, comparison.findings) for f in comparison.findings)
    report_path = bounce.with_suffix(".report.html")
    write_report(
        report_path,
        bounce=bounce,
        mix=mix,
        references=refs,
        deviation=comparison.to_dict().get("deviation", {}),
        findings=comparison.findings,
        advice=advice,
        monitoring=lines,
        monitoring_known=known,
        heard_lufs=heard,
        after_findings=extra,
    )
    failed = tuple(a for a in areas if any(f.area == a for f in comparison.findings))
    report(1.0, "done")
    return CheckResult(
        bounce=bounce,
        report=report_path,
        comparison=comparison,
        markers=tuple(markers),
        failed_areas=failed,
        reference_files=tuple(ref_paths),
        advice=advice,
        monitoring=tuple(lines),
        heard_lufs=heard,
        before_now=before_now,
        notes=notes,
    )


__all__ = ["ADVICE", "AREAS", "CheckResult", "advice_for", "bounce_and_check", "heard_loudness",
           "monitoring_lines", "parse_areas", "song_sections"]
