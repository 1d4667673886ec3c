"""Align two bounces of the same song in time, so an edit between them (a bar added or cut, a section moved, a
tempo change) does not pair a section of one with the wrong stretch of the other.

Each file becomes a sequence of feature frames (about every ``hop_s``, 0.2 s by default): a 12-bin chroma (what
chords and notes sound) and an onset strength (where notes start: positive spectral flux), from one short-time
Fourier transform of the mono downmix decimated to about 12 kHz (1024-point, a quarter-window hop). Dynamic time
warping finds the cheapest monotonic path through the frame-to-frame cost (chroma cosine distance plus the
onset-strength difference, weighted by :data:`ONSET_WEIGHT`), with unit steps right, down and diagonal, so
stretches present in only one file (an inserted bar) become straight runs of the path. Times of one file map to
the other through the path (:meth:`Alignment.to_now_s`), then to the sample by matching the waveforms around the
point (:func:`refine_s`).

numpy only: the row recurrence ``D[i, j] = C[i, j] + min(D[i-1, j-1], D[i-1, j], D[i, j-1])`` is solved a row at a
time with a running minimum (``D[i, j] = S[j] + min_{k<=j}(A[k] - S[k])``, ``S`` the row's cumulative cost), so
there is no Python loop over cells. Memory is one float64 matrix of frames x frames: 0.2 s frames keep a 10-min
song at 72 MB; longer songs get a longer hop (:data:`MAX_CELLS`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ..audio import audio_info, iter_blocks
from ..errors import InvalidParameter
from .fft import rfft_rows
from .structure import SongBands

#: Feature frame hop (s): fine enough to place a boundary well within a bar.
HOP_S = 0.2
#: STFT window length (s) before rounding to a power of two (1024 points at 12 kHz).
WINDOW_S = 0.085
#: The mono downmix is decimated (by an integer factor, boxcar-averaged) to about this rate (Hz) first: chroma
#: (:class:`.structure.SongBands`, up to 5 kHz) needs nothing above that, and both files are treated alike, so the
#: aliasing left does not bias the path.
FEATURE_RATE_HZ = 11025
#: Weight of the onset-strength difference (0..2 after normalizing) against the chroma distance (0..2).
ONSET_WEIGHT = 0.5
#: The DTW matrix is kept under this many cells; longer songs get a longer hop.
MAX_CELLS = 9_000_000
#: Waveform stretch (s, either side of a boundary) matched by :func:`refine_s`, and the weakest match it trusts.
REFINE_WINDOW_S = 0.5
REFINE_MIN_CORRELATION = 0.5
#: STFT frames transformed at once (bounds memory on long files).
_CHUNK_FRAMES = 256


@dataclass(frozen=True)
class Features:
    """Per feature frame of ``hop_s`` seconds: ``chroma`` (frames, 12), L2-normalized (zero where silent), and
    ``onset`` (frames,), the positive spectral flux divided by the file's 95th percentile and clipped to 0..2."""

    chroma: npt.NDArray[np.float64]
    onset: npt.NDArray[np.float64]
    hop_s: float


@dataclass(frozen=True)
class Alignment:
    """The warping path between BEFORE and NOW as ``(before_frame, now_frame)`` pairs, shape (steps, 2), both
    increasing, frames of ``hop_s`` seconds in BEFORE and ``now_hop_s`` in NOW (they differ slightly when the
    sample rates do); ``before_s``/``now_s`` are the files' durations."""

    path: npt.NDArray[np.int64]
    hop_s: float
    before_s: float
    now_s: float
    now_hop_s: float = 0.0

    def __post_init__(self) -> None:
        if self.now_hop_s <= 0.0:
            object.__setattr__(self, "now_hop_s", self.hop_s)

    def to_now_s(self, before_s: float) -> float:
        """The time in NOW (s) of BEFORE's time ``before_s``: the last NOW frame the path pairs with BEFORE's frame
        there (so a stretch only NOW has, just before that point, belongs to what comes before it), plus the
        offset within the frame; clipped to NOW."""
        if before_s <= 0.0:
            return 0.0
        if before_s >= self.before_s:
            return self.now_s
        frame = min(int(before_s / self.hop_s), int(self.path[-1, 0]))
        rows = self.path[self.path[:, 0] == frame]
        now_frame = int(rows[-1, 1]) if len(rows) else int(np.interp(frame, self.path[:, 0], self.path[:, 1]))
        return float(min(self.now_s, now_frame * self.now_hop_s + (before_s - frame * self.hop_s)))

    def shift_s(self, times_s: list[float]) -> float:
        """The largest ``|to_now_s(t) - t|`` over ``times_s`` (s): how far timing moved at those points."""
        return max((abs(self.to_now_s(t) - t) for t in times_s), default=0.0)


def features(path: str | Path, *, hop_s: float = HOP_S) -> Features:
    """Chroma and onset strength of ``path``'s mono downmix every ``hop_s`` seconds."""
    if not hop_s > 0:
        raise InvalidParameter(f"hop_s {hop_s} must be > 0")
    info = audio_info(path)
    factor = max(1, info.rate // FEATURE_RATE_HZ)
    rate = info.rate / factor
    n_fft = 1 << max(8, round(math.log2(WINDOW_S * rate)))
    step = n_fft // 4
    per = max(1, round(hop_s * rate / step))  # STFT frames per feature frame
    bands = SongBands(rate, n_fft)  # the song sections' chroma fold (its first 12 columns)
    window = np.hanning(n_fft).astype(np.float32)

    # channel sums and the boxcar as sums of strided columns: a reduction over a short axis is slow in numpy
    mono = np.concatenate([sum((b[:, c] for c in range(1, b.shape[1])), b[:, 0].copy())
                           for b in iter_blocks(path, factor << 16, dtype="float32")])
    mono = mono[: len(mono) // factor * factor]
    mono = sum((mono[k::factor] for k in range(1, factor)), mono[0::factor].copy()) / (factor * info.channels)
    mono = np.concatenate([np.zeros(n_fft // 2, np.float32), mono.astype(np.float32), np.zeros(n_fft, np.float32)])
    n_frames = max(1, (len(mono) - n_fft) // step + 1)
    frames_view = np.lib.stride_tricks.sliding_window_view(mono, n_fft)[::step]
    chroma = np.zeros((n_frames, 12), dtype=np.float64)
    flux = np.zeros(n_frames, dtype=np.float64)
    previous: npt.NDArray[np.float32] | None = None
    for first in range(0, n_frames, _CHUNK_FRAMES):
        count = min(_CHUNK_FRAMES, n_frames - first)
        squares = np.square(rfft_rows(frames_view[first:first + count] * window).view(np.float32))
        chroma[first:first + count] = bands(squares)[:, :12]
        log_mag = np.log1p(np.sqrt(squares[:, 0::2] + squares[:, 1::2]))
        before = np.vstack([log_mag[:1] if previous is None else previous, log_mag[:-1]])
        flux[first:first + count] = np.maximum(log_mag - before, 0.0).sum(axis=1)
        previous = log_mag[-1:]

    n_out = max(1, math.ceil(n_frames / per))
    pad = n_out * per - n_frames
    chroma_f = np.vstack([chroma, np.zeros((pad, 12))]).reshape(n_out, per, 12).sum(axis=1)
    onset = np.concatenate([flux, np.zeros(pad)]).reshape(n_out, per).sum(axis=1)
    chroma_f = np.log1p(100.0 * chroma_f / max(float(chroma_f.max()), 1e-12))
    norms = np.linalg.norm(chroma_f, axis=1, keepdims=True)
    chroma_f = np.divide(chroma_f, norms, out=np.zeros_like(chroma_f), where=norms > 1e-9)
    scale = float(np.percentile(onset, 95)) if onset.size else 0.0
    onset = np.clip(onset / scale, 0.0, 2.0) if scale > 0 else np.zeros_like(onset)
    return Features(chroma_f, onset, per * step / rate)


def cost_matrix(a: Features, b: Features) -> npt.NDArray[np.float64]:
    """Frame-to-frame cost, shape (len(a), len(b)): chroma cosine distance + ONSET_WEIGHT x onset difference."""
    chroma = 1.0 - a.chroma @ b.chroma.T
    return np.asarray(chroma + ONSET_WEIGHT * np.abs(a.onset[:, None] - b.onset[None, :]), dtype=np.float64)


def dtw_path(cost: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    """The cheapest path from (0, 0) to the last cell with steps (1, 0), (0, 1), (1, 1), as (row, column) pairs.

    Parameters
    ----------
    cost : np.ndarray [shape=(n, m)], finite and >= 0
    """
    if cost.ndim != 2 or 0 in cost.shape:
        raise InvalidParameter(f"cost must be a non-empty 2-D matrix, not shape {cost.shape}")
    n, m = cost.shape
    total = np.empty((n, m), dtype=np.float64)
    total[0] = np.cumsum(cost[0])
    for i in range(1, n):
        prefix = np.cumsum(cost[i])
        above = total[i - 1]
        entry = cost[i] + np.minimum(above, np.concatenate(([np.inf], above[:-1])))  # from up or diagonal
        total[i] = prefix + np.minimum.accumulate(entry - prefix)  # ... then any run to the right along row i
    i, j = n - 1, m - 1
    steps = [(i, j)]
    while i > 0 or j > 0:
        if i == 0:
            j -= 1
        elif j == 0:
            i -= 1
        else:
            options = (total[i - 1, j - 1], total[i - 1, j], total[i, j - 1])
            k = int(np.argmin(options))
            i, j = (i - 1, j - 1) if k == 0 else (i - 1, j) if k == 1 else (i, j - 1)
        steps.append((i, j))
    return np.asarray(steps[::-1], dtype=np.int64)


def _mono(path: str | Path, start: int, stop: int) -> npt.NDArray[np.float64]:
    import soundfile as sf

    start = max(0, start)
    data, _ = sf.read(str(path), start=start, stop=max(start, stop), dtype="float64", always_2d=True)
    return np.asarray(data.mean(axis=1))


def refine_s(
    before: str | Path, now: str | Path, before_s: float, now_s: float, *, search_s: float = HOP_S * 1.5,
    window_s: float = REFINE_WINDOW_S,
) -> float:
    """``now_s`` (BEFORE's ``before_s`` mapped by the frame-level path) moved by up to ``search_s`` to where the
    waveforms around it match best (normalized cross-correlation of the mono downmixes over ``window_s`` either
    side), to the sample. Unchanged where the match is weak (< :data:`REFINE_MIN_CORRELATION`) or silent.

    A section's sample peak is decided by single samples: a boundary a frame late can take the next section's
    first drum hit into this one, so frame resolution (0.2 s) is not enough for dynamics."""
    rate = audio_info(before).rate
    if audio_info(now).rate != rate:
        return now_s
    w, s = round(window_s * rate), round(search_s * rate)
    tb, tn = round(before_s * rate), round(now_s * rate)
    ref = _mono(before, tb - w, tb + w)
    seg = _mono(now, tn - w - s, tn + w + s + 1)
    if tb - w < 0 or tn - w - s < 0 or len(ref) < 2 * w or len(seg) < 2 * w + 2 * s + 1:
        return now_s
    ref = ref - ref.mean()
    energy = float(ref @ ref)
    if energy <= 1e-12:
        return now_s
    size = 1 << (len(seg) + len(ref)).bit_length()
    corr = np.fft.irfft(np.fft.rfft(seg, size) * np.conj(np.fft.rfft(ref, size)), size)[: 2 * s + 1]
    csum = np.concatenate(([0.0], np.cumsum(seg)))
    csq = np.concatenate(([0.0], np.cumsum(seg * seg)))
    n = len(ref)
    local = (csq[n:n + 2 * s + 1] - csq[: 2 * s + 1]) - (csum[n:n + 2 * s + 1] - csum[: 2 * s + 1]) ** 2 / n
    score = corr / np.sqrt(np.maximum(local, 1e-12) * energy)
    best = int(np.argmax(score))
    if score[best] < REFINE_MIN_CORRELATION:
        return now_s
    return (tn - s + best) / rate


def align_files(before: str | Path, now: str | Path, *, hop_s: float = HOP_S) -> Alignment:
    """Align NOW to BEFORE (two bounces of the same song): the DTW path between their chroma/onset frames."""
    before_s, now_s = audio_info(before).duration_s, audio_info(now).duration_s
    frames = (max(before_s, now_s) / hop_s) ** 2
    if frames > MAX_CELLS:
        hop_s *= math.sqrt(frames / MAX_CELLS)
    a, b = features(before, hop_s=hop_s), features(now, hop_s=hop_s)
    return Alignment(dtw_path(cost_matrix(a, b)), a.hop_s, before_s, now_s, now_hop_s=b.hop_s)


__all__ = ["HOP_S", "ONSET_WEIGHT", "Alignment", "Features", "align_files", "cost_matrix", "dtw_path", "features",
           "refine_s"]
