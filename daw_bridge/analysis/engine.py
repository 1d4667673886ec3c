"""One streaming pass over a file feeding every measure; progress callback; optional result cache.

Blocks are read on a helper thread; each is queued to the peak/energy-trace meter (one worker, in order) and,
in two halves, to the STFT band meter (two workers); the caller waits only when a few blocks are pending, so
reading, peak and transforms overlap on two cores (numpy, pocketfft and file reads release the GIL). Only per-100 ms
loudness powers and per-32 ms band energies are kept, so memory does not grow with anything but file length
in those small rows (an hour of stereo ≈ 30 MB).
"""

from __future__ import annotations

import dataclasses
import math
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from ..audio import audio_info, iter_blocks
from ..errors import InvalidAudio, InvalidParameter
from .balance import balance_from_energy
from .dynamics import PeakTrace, section_dynamics, whole_dynamics
from .loudness import (
    ABSOLUTE_GATE_LUFS,
    MOMENTARY_SUBBLOCKS,
    SHORT_TERM_SUBBLOCKS,
    SUBBLOCK_S,
    EnergyTrace,
    block_loudness,
    kweighted_subblock_power,
    relative_gate_lufs,
    stats_from_subblocks,
)
from .measurement import Measurement
from .peak import PeakMeter
from .reverb import analyse_reverb
from .sections import Region, label_sections, measure_sections, section_windows
from .spectrum import BandFrames, SpectralMeter
from .structure import MIN_DURATION_S as STRUCTURE_MIN_S
from .structure import SongSection, StructureFeed
from .version import ANALYSIS_VERSION  # bumped there: 'daw-bridge --version' reads it without numpy
from .width import width_from_energy

if TYPE_CHECKING:
    from .cache import AnalysisCache

#: ``progress(fraction 0..1, message)``.
Progress = Callable[[float, str], None]
BLOCK_FRAMES = 1 << 18  # ≈ 5.5 s at 48 kHz
MIN_DURATION_S = 1.0
#: Longest file analysed (s): 12 hours streams in about a minute here; a header claiming more (4 GB of 8 kHz
#: 8-bit mono is 149 hours) is refused at once instead of running for hours.
MAX_DURATION_S = 12 * 3600.0
MIN_RATE_HZ = 8000
#: Longest file whose song structure is found (s): its similarity matrix grows with the square of the length
#: (20 min ≈ 3500 blocks ≈ 100 MB); longer files keep fixed windows without roles.
MAX_STRUCTURE_S = 20 * 60.0


class _Pass:
    """The meters of one analysis pass: STFT bands + K-weighted energies, and sample/true peak."""

    def __init__(self, rate: int, channels: int, *, structure: bool = False) -> None:
        if rate < MIN_RATE_HZ:
            raise InvalidParameter(f"sample rate {rate} Hz is too low to analyse (need >= {MIN_RATE_HZ} Hz)")
        self.rate = rate
        self.channels = channels
        self.samples = 0
        self.peak = PeakMeter(rate, channels)
        # with the song's sections, the transform jobs also sum each frame's chroma and timbre bands
        self.spectral = SpectralMeter(rate, channels, song=structure)
        self.trace = EnergyTrace(rate, channels, self.spectral.hop)
        self.peaks = PeakTrace(rate)
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="stft")
        # peak and trace keep state from block to block: one worker runs them in order
        self._serial = ThreadPoolExecutor(max_workers=1, thread_name_prefix="peak")
        self._time_jobs: deque[Future[None]] = deque()
        # the song structure's onset energies, fed on the serial worker (in order)
        self._song = StructureFeed(rate) if structure else None

    def feed(self, block: npt.NDArray[np.floating]) -> None:
        """Queue ``block`` for every meter; returns once at most a few blocks' work is still pending."""
        self._time_jobs.append(self._serial.submit(self._time_domain, block))
        self.spectral.feed(block, pool=self._pool)
        while len(self._time_jobs) > 2:
            self._time_jobs.popleft().result()
        self.samples += block.shape[0]

    def _time_domain(self, block: npt.NDArray[np.floating]) -> None:
        self.peak.feed(block)
        self.trace.feed(block)
        self.peaks.feed(block)
        if self._song is not None:
            self._song.feed(block)

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)
        self._serial.shutdown(cancel_futures=True)

    def _structure(self, frames: BandFrames, notes: list[str]) -> tuple[SongSection, ...]:
        if self._song is None or frames.song is None:
            return ()
        try:
            return self._song.finish(frames.song, frames.hop).sections
        except InvalidAudio as exc:
            notes.append(f"song sections: {exc}")
            return ()
        finally:
            self._song = None

    def finish(
        self, *, name: str, path: str | None, duration_s: float, windows: list[Region], regions: bool = False,
        song_windows: bool = False,
    ) -> Measurement:
        """``regions``: the windows are the DAW's (their names may state roles); ``song_windows``: measure the
        song sections found instead of ``windows`` (when any are found)."""
        while self._time_jobs:
            self._time_jobs.popleft().result()
        notes: list[str] = []
        frames = self.spectral.finish()
        song = self._structure(frames, notes)
        self.close()
        if song_windows and song and not regions:
            windows = [(g.start_s, g.end_s, g.role) for g in song]
        power = kweighted_subblock_power(self.trace, frames.kweighted[:, 0], frames.kweighted[:, 1])
        stats = stats_from_subblocks(power, self.peak)
        if stats.integrated_lufs == -math.inf:
            raise InvalidAudio(f"{name}: silent (integrated loudness -inf LUFS); nothing to analyse")
        gate = _frame_gate(power, frames.left.shape[0], frames.hop_s)
        use = gate if gate.any() else np.ones_like(gate)
        balance = balance_from_energy(
            frames.total[use].sum(axis=0, dtype=np.float64),
            frames.tilt[use].sum(axis=0, dtype=np.float64),
            frames.tilt_valid,
        )
        width = None
        if frames.right is not None and frames.cross is not None:
            width = width_from_energy(
                frames.left[use].sum(axis=0, dtype=np.float64),
                frames.right[use].sum(axis=0, dtype=np.float64),
                frames.cross[use].sum(axis=0, dtype=np.float64),
                None
                if frames.ambient is None
                else frames.ambient[use, : frames.left.shape[1]].sum(axis=0, dtype=np.float64),
            )
        else:
            notes.append(f"{self.channels}-channel file: width is measured on stereo files only")
            notes.append(
                f"{self.channels}-channel file: the reverb level from the stereo field (ambience) needs two "
                "channels; reverb level and RT60 come from free decays alone, so dense material without gaps "
                "gets none"
            )
        if self.rate < 40000:
            notes.append(f"{self.rate} Hz sample rate: bands above {self.rate / 2:.0f} Hz are empty")
        reverb, decays = analyse_reverb(
            frames.reverb, frames.hop_s, ambient=frames.ambient, totals=frames.total, gate=use
        )
        sections = label_sections(
            measure_sections(windows, subblock_power=power, frames=frames, frame_gate=use, decays=decays),
            song,
            by_name=regions,
        )
        # dynamics: unweighted energy per sub-block (the trace with unit gain), peaks per sub-block
        ones = np.ones(max(1, frames.left.shape[0]))
        plain = kweighted_subblock_power(self.trace, ones, ones)
        peaks = self.peaks.peaks()[: plain.size]
        short = block_loudness(power, SHORT_TERM_SUBBLOCKS)
        with_dynamics = []
        for s in sections:
            crest, plr, lra = section_dynamics(s.start_s, s.end_s, s.loudness_lufs, peaks=peaks, power=plain,
                                               channels=self.channels, short_term_lufs=short)
            with_dynamics.append(dataclasses.replace(s, crest_db=crest, plr_db=plr, lra_lu=lra))
        sections = tuple(with_dynamics)
        energy = float(self.trace.edges()[1][-1])
        dynamics = whole_dynamics(
            sample_peak_dbfs=stats.sample_peak_dbfs, true_peak_dbtp=stats.true_peak_dbtp,
            integrated_lufs=stats.integrated_lufs, lra_lu=stats.lra_lu,
            mean_square=energy / max(1, self.trace.samples * self.channels), short_term_lufs=short,
        )
        return Measurement(
            name=name,
            path=path,
            rate=self.rate,
            channels=self.channels,
            duration_s=duration_s,
            loudness=stats,
            balance=balance,
            width=width,
            reverb=reverb,
            sections=sections,
            notes=tuple(notes),
            structure=song,
            dynamics=dynamics,
        )


def _prefetched(blocks: Iterator[npt.NDArray[np.floating]]) -> Iterator[npt.NDArray[np.floating]]:
    """Yield ``blocks`` while the next one is read on a helper thread (libsndfile releases the GIL)."""
    with ThreadPoolExecutor(max_workers=1) as reader:
        pending = reader.submit(next, blocks, None)
        while (block := pending.result()) is not None:
            pending = reader.submit(next, blocks, None)
            yield block


def _frame_gate(power: npt.NDArray[np.float64], n_frames: int, hop_s: float) -> npt.NDArray[np.bool_]:
    """Frames whose surrounding 400 ms block passes both BS.1770 gates."""
    momentary = block_loudness(power, MOMENTARY_SUBBLOCKS)
    if momentary.size == 0:
        return np.ones(n_frames, dtype=bool)
    gate = max(relative_gate_lufs(momentary), ABSOLUTE_GATE_LUFS)
    sub = (np.arange(n_frames) * hop_s / SUBBLOCK_S).astype(int)
    block = np.clip(sub - MOMENTARY_SUBBLOCKS // 2, 0, momentary.size - 1)
    return np.asarray(momentary[block] > gate)


def _structure_wanted(structure: bool, frames: int, rate: int) -> bool:
    """Whether to find the song's sections: asked for, and a length they can be found in."""
    return structure and STRUCTURE_MIN_S * rate <= frames <= MAX_STRUCTURE_S * rate


def _check_duration(name: str, duration_s: float) -> None:
    if duration_s < MIN_DURATION_S:
        raise InvalidAudio(
            f"{name}: too short to analyse ({duration_s:.2f} s; need at least {MIN_DURATION_S:.1f} s)"
        )
    if duration_s > MAX_DURATION_S:
        raise InvalidAudio(
            f"{name}: its header claims {duration_s / 3600:.1f} hours of audio; daw-bridge analyses at most "
            f"{MAX_DURATION_S / 3600:.0f} hours (a corrupt header, or a file to cut first)"
        )


def analyze_audio(
    audio: npt.ArrayLike,
    rate: int,
    *,
    name: str = "",
    sections: Sequence[Region] | None = None,
    section_s: float = 4.0,
    structure: bool = True,
    song_windows: bool = False,
) -> Measurement:
    """Measure ``audio`` ``(frames, channels)`` or ``(frames,)`` at ``rate`` Hz (same figures as a file).

    ``structure``: find the song's sections (:func:`.structure.find_structure`) and give every measured section
    its role; ``song_windows``: measure those song sections instead of fixed ``section_s`` windows."""
    arr = np.asarray(audio)
    if arr.ndim == 1:
        arr = arr[:, None]
    label = name or "<audio>"
    if arr.ndim != 2 or arr.shape[1] < 1:
        raise InvalidAudio(f"{label}: audio must be (frames, channels), got shape {arr.shape}")
    if not np.issubdtype(arr.dtype, np.floating):
        raise InvalidAudio(f"{label}: audio must be float, got {arr.dtype}")
    if not np.isfinite(arr).all():
        raise InvalidAudio(f"{label}: contains NaN or infinite samples")
    duration_s = arr.shape[0] / float(rate) if rate > 0 else 0.0
    if rate <= 0:
        raise InvalidParameter(f"rate {rate} Hz must be > 0")
    _check_duration(label, duration_s)
    windows = section_windows(duration_s, section_s=section_s, regions=sections)
    run = _Pass(rate, arr.shape[1], structure=_structure_wanted(structure, arr.shape[0], rate))
    try:
        for start in range(0, arr.shape[0], BLOCK_FRAMES):
            run.feed(arr[start : start + BLOCK_FRAMES])
        return run.finish(name=label, path=None, duration_s=duration_s, windows=windows,
                          regions=sections is not None, song_windows=song_windows)
    finally:
        run.close()


def analyze_file(
    path: str | Path,
    *,
    sections: Sequence[Region] | None = None,
    section_s: float = 4.0,
    progress: Progress | None = None,
    cache: AnalysisCache | None = None,
    structure: bool = True,
    song_windows: bool = False,
) -> Measurement:
    """Measure the file at ``path`` in one streaming pass; results are reused from ``cache`` when given.
    ``structure`` and ``song_windows`` as in :func:`analyze_audio`."""
    p = Path(path)
    info = audio_info(p)
    _check_duration(str(p), info.duration_s)
    windows = section_windows(info.duration_s, section_s=section_s, regions=sections)
    settings = {
        "version": ANALYSIS_VERSION,
        "sections": [list(w) for w in windows],
        "structure": structure,
        "song_windows": song_windows,
    }
    if cache is not None:
        hit = cache.load(p, settings)
        if hit is not None:
            if progress is not None:
                progress(1.0, f"{p.name}: cached")
            return hit
    run = _Pass(info.rate, info.channels, structure=_structure_wanted(structure, info.frames, info.rate))
    try:
        for block in _prefetched(iter_blocks(p, BLOCK_FRAMES, dtype="float32")):
            run.feed(block)
            if progress is not None:
                progress(
                    min(run.samples / info.frames, 0.99),
                    f"{p.name}: {run.samples / info.rate:.0f} of {info.duration_s:.0f} s",
                )
        result = run.finish(name=p.name, path=str(p), duration_s=info.duration_s, windows=windows,
                            regions=sections is not None, song_windows=song_windows)
    finally:
        run.close()
    if progress is not None:
        progress(1.0, f"{p.name}: done")
    if cache is not None:
        cache.store(p, settings, result)
    return result


__all__ = [
    "ANALYSIS_VERSION",
    "BLOCK_FRAMES",
    "MAX_DURATION_S",
    "MAX_STRUCTURE_S",
    "MIN_DURATION_S",
    "Progress",
    "analyze_audio",
    "analyze_file",
]
