"""Level matching: every reference sits at the mix's perceived level, as heard.

``loudness`` mode matches integrated BS.1770 loudness (LUFS); ``midrange`` mode matches the level of the
300 Hz-3 kHz band ("your midrange should be at the same level"). Each source is rendered through its own track
(track FX, volume, pan included), optionally through the current monitoring chain (as heard), measured, and each
reference track's volume is moved by the difference. Track volume is linear, so one pass lands on target; the
gains are stored in the project so the in-DAW A/B toggle stays matched without the controller.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ..analysis.loudness import integrated_loudness, midrange_loudness
from ..audio import read_audio
from ..config import Config
from ..daw import Daw, MonitorFx, Progress, TrackChange
from ..errors import InvalidAudio, InvalidParameter
from .renders import render_source, safe_stem
from .roles import MIX, find_roles, load_ab_state, save_ab_state

MODES = ("loudness", "midrange")

#: Level matching refuses gains beyond this (dB): a reference 40 dB quieter than the mix is a set-up problem.
MAX_GAIN_CHANGE_DB = 40.0


@dataclass(frozen=True)
class SourceLevel:
    """One source's level before matching and the track volume that matches it (dB).

    ``heard_level`` is through the monitoring chain (what the gains match; equal to ``level`` without a chain),
    ``level`` is the raw render's.
    """

    name: str
    level: float
    volume_before_db: float
    volume_after_db: float
    heard_level: float

    @property
    def change_db(self) -> float:
        return self.volume_after_db - self.volume_before_db


@dataclass(frozen=True)
class MatchResult:
    """What level matching measured and set. ``unit`` is ``LUFS`` or ``dB`` (midrange).

    ``mix_heard_level`` and each reference's ``heard_level`` are what the gains were computed from (through the
    monitoring chain when ``as_heard``); ``mix_level`` and ``level`` are the raw renders'.
    """

    mode: str
    unit: str
    mix_level: float
    references: tuple[SourceLevel, ...]
    as_heard: bool
    renders: tuple[Path, ...]
    mix_heard_level: float


def measure_level(audio: np.ndarray, rate: int, mode: str) -> float:
    """Level of ``audio`` (frames, channels) in LUFS (``loudness``) or dB (``midrange``)."""
    if mode == "loudness":
        return float(integrated_loudness(audio, rate))
    if mode == "midrange":
        return float(midrange_loudness(audio, rate))
    raise InvalidParameter(f"level-match mode {mode!r}: choose loudness or midrange")


def apply_chain_offline(audio: np.ndarray, rate: int, chain: Sequence[MonitorFx]) -> np.ndarray:
    """``audio`` through the monitoring ``chain`` (what the listener hears), blockwise."""
    from ..dsp.chain import make_processor

    active = [make_processor(fx.kind, dict(fx.params), rate) for fx in chain if fx.enabled]
    if not active:
        return audio
    stereo = audio if audio.ndim == 2 and audio.shape[1] == 2 else np.repeat(audio.reshape(len(audio), -1)[:, :1], 2, 1)
    out = np.empty_like(stereo)
    block = 8192
    for start in range(0, len(stereo), block):
        chunk = stereo[start : start + block]
        for proc in active:
            chunk = proc.process(chunk)
        out[start : start + block] = chunk
    return out


def match_levels(
    daw: Daw,
    cfg: Config,
    *,
    mode: str = "loudness",
    monitor_chain: Sequence[MonitorFx] = (),
    start_s: float | None = None,
    end_s: float | None = None,
    progress: Progress | None = None,
    measure: Callable[[Path], tuple[np.ndarray, int]] = read_audio,
) -> MatchResult:
    """Render mix and each reference through their tracks, set each reference's volume to match the mix.

    ``monitor_chain`` (the active monitoring effects) is applied offline before measuring, so matching is done
    as heard; renders themselves never contain it. ``start_s``/``end_s`` limit the renders to a range (e.g. the
    loop). Returns what was measured and set; the gains are also stored in the project's A/B state.
    """
    if mode not in MODES:
        raise InvalidParameter(f"level-match mode {mode!r}: choose loudness or midrange")
    roles = find_roles(daw, cfg)
    state = load_ab_state(daw, roles)
    directory = cfg.bounce_dir / "match"
    report = progress or (lambda _f, _m: None)
    sources = (MIX, *roles.references)
    levels: dict[str, float] = {}  # as rendered (what is reported)
    heard: dict[str, float] = {}  # through the monitoring chain (what is matched)
    renders: list[Path] = []
    for i, source in enumerate(sources):
        name = roles.mix if source == MIX else source
        report(i / (len(sources) + 1), f"rendering {name}")
        result = render_source(daw, state, source, directory, f"match-{safe_stem(name)}", start_s=start_s, end_s=end_s)
        if not result.files:
            raise InvalidAudio(f"the render of {name!r} wrote no file")
        path = result.files[0]
        renders.append(path)
        audio, rate = measure(path)
        level = measure_level(audio, rate, mode)
        if not math.isfinite(level):
            raise InvalidAudio(f"{path}: {name!r} is silent in the rendered range; nothing to match")
        levels[source] = level
        if monitor_chain:
            level = measure_level(apply_chain_offline(audio, rate, monitor_chain), rate, mode)
        heard[source] = level
    mix_level = levels[MIX]
    results = []
    gains = dict(state.gains_db)
    for ref in roles.references:
        before = daw.track(ref).volume_db
        change = heard[MIX] - heard[ref]
        if abs(change) > MAX_GAIN_CHANGE_DB:
            raise InvalidParameter(
                f"reference {ref!r} would need {change:+.1f} dB to match the mix: check its track and file"
            )
        after = before + change
        gains[ref] = after
        results.append(SourceLevel(ref, levels[ref], before, after, heard[ref]))
    new_state = replace(state, gains_db=gains, mode=mode, mix_loudness=mix_level)
    daw.apply([TrackChange(r.name, volume_db=r.volume_after_db) for r in results])
    save_ab_state(daw, new_state)
    report(1.0, "matched")
    return MatchResult(
        mode=mode,
        unit="LUFS" if mode == "loudness" else "dB",
        mix_level=mix_level,
        references=tuple(results),
        as_heard=bool(monitor_chain),
        renders=tuple(renders),
        mix_heard_level=heard[MIX],
    )
