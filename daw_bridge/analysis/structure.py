"""Song structure from the audio alone: where sections start, which ones repeat, and what role each plays.

Used for references (files have no markers) and for mixes without regions, so a chorus is compared with the
references' choruses rather than with a whole-song average.

The method is the classic one (Foote 2000, "Automatic audio segmentation using a measure of audio novelty";
Paulus, Müller & Klapuri 2010 review the family):

1. Features per frame of the analysis pass's own STFT (:mod:`.spectrum`: 43 ms frames every 32 ms, of the mono
   downmix): a 12-bin chroma (harmony) and 12 log-spaced band energies (timbre, and from them the level),
   averaged over blocks of about a third of a second (``BLOCK_S``) and smoothed over ``SMOOTH_S``.
   :class:`SongBands` sums them inside the transform jobs, so sections cost no transform of their own.
2. A self-similarity matrix of the blocks (cosine similarity of the standardized features).
3. Novelty: the matrix correlated along its diagonal with a Gaussian-tapered checkerboard kernel (``kernel_s``
   each side); section starts are novelty peaks above an adaptive threshold, at least ``min_section_s`` apart,
   refined to the strongest onset within half a beat.
4. Tempo from the onset envelope's autocorrelation (the beat period, for refining and for bar units); the onsets
   come from the downmix's first difference every 5 ms (:class:`StructureFeed`).
5. Labels: sections whose blocks are alike (mean similarity) share a letter (A, B, ...). Repeated groups are
   "chorus-like" (the loudest repeated group) or "verse-like"; a quieter unique first section is the "intro", a
   unique last one the "outro"; the rest keep their letter ("section C"), which is what we say when unsure.

Everything is plain numpy on the ``(frames, channels)`` array; no model is downloaded or trained.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..errors import InvalidAudio

#: Feature frames are averaged into blocks of the similarity matrix about this long (s): a whole number of
#: STFT hops (11 of 32 ms at 48 kHz: 0.352 s).
BLOCK_S = 0.34
#: Shorter audio has no sections worth finding (s).
MIN_DURATION_S = 15.0
#: Block size (frames) in which :func:`find_structure` feeds the STFT, as the analysis pass reads files.
FEED_FRAMES = 1 << 18
#: Onset envelope hop at 48 kHz (samples), for tempo and boundary refinement.
ONSET_HOP_48K = 256
#: Features are averaged over this long a window (s) before comparing blocks.
SMOOTH_S = 3.0
#: Each side of a coarse boundary, the raw texture before and after is compared over this long (s).
REFINE_KERNEL_S = 2.0
#: Two sections are the same material when their cross-similarity is at least this share of their self-similarity.
SAME_MATERIAL = 0.8
#: A last section this far below the song's mean level (dB) is the fade or tail of the one before.
TAIL_DB = -20.0
TEMPO_RANGE_BPM = (60.0, 180.0)
CHROMA_RANGE_HZ = (80.0, 5000.0)
TIMBRE_EDGES_HZ = np.geomspace(40.0, 16000.0, 13)


@dataclass(frozen=True)
class SongSection:
    """One section: ``start_s``-``end_s``, its ``letter`` (same letter = same material), a ``role`` (``intro``,
    ``verse-like``, ``chorus-like``, ``outro`` or ``section X`` when unsure), its level (dB re the song's mean
    energy; ``loud`` when above it) and how many times its material occurs."""

    start_s: float
    end_s: float
    letter: str
    role: str
    level_db: float
    loud: bool
    repeats: int

    @property
    def name(self) -> str:
        return self.role


@dataclass(frozen=True)
class Structure:
    """The song's sections and the estimated tempo (BPM; None when no steady beat was found)."""

    sections: tuple[SongSection, ...]
    tempo_bpm: float | None

    @property
    def boundaries_s(self) -> tuple[float, ...]:
        """Section starts after the first (s)."""
        return tuple(s.start_s for s in self.sections[1:])


class SongBands:
    """Per-frame chroma (12 pitch classes, :data:`CHROMA_RANGE_HZ`) and timbre-band (12, :data:`TIMBRE_EDGES_HZ`)
    powers of ``n_fft``-point spectra at ``rate`` Hz, given as interleaved ``(re², im²)`` rows ``(n_frames,
    2·n_bins)``: the squared spectra of :class:`.spectrum.SpectralMeter`'s frames (of the downmix ``L+R`` for
    stereo), so the song's sections need no transform of their own.

    Neighbouring bins of one pitch class and band form a run; one ``reduceat`` sums the runs, two more fold them
    into pitch classes and bands. Sums over runs are exact and the same for any number of rows (unlike a matrix
    product, which also wakes BLAS threads on a busy machine)."""

    #: Columns of a row: 12 pitch classes, then the timbre bands.
    width = 12 + len(TIMBRE_EDGES_HZ) - 1

    def __init__(self, rate: float, n_fft: int) -> None:
        freqs = np.fft.rfftfreq(n_fft, 1.0 / rate)
        pitch = np.full(freqs.size, -1)
        in_range = (freqs >= CHROMA_RANGE_HZ[0]) & (freqs <= CHROMA_RANGE_HZ[1])
        pitch[in_range] = np.round(12 * np.log2(freqs[in_range] / 440.0) + 69).astype(int) % 12
        band = np.searchsorted(TIMBRE_EDGES_HZ, freqs) - 1
        band[(band < 0) | (band >= len(TIMBRE_EDGES_HZ) - 1)] = -1
        used = np.flatnonzero((pitch >= 0) | (band >= 0))
        first, stop = int(used[0]), int(used[-1]) + 1
        key = (pitch[first:stop] + 1) * 16 + band[first:stop] + 1
        starts = first + np.flatnonzero(np.diff(key, prepend=-1) != 0)
        #: Interleaved columns read: the bins up to the last one used.
        self.columns = 2 * stop
        self._cuts = 2 * starts
        self._chroma = _Fold(pitch[starts], 12)
        self._timbre = _Fold(band[starts], len(TIMBRE_EDGES_HZ) - 1)

    def __call__(self, power: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """``(n_frames, width)``: chroma then timbre-band power of each row of ``power``."""
        runs = np.add.reduceat(power[:, : self.columns], self._cuts, axis=1)
        return np.hstack([self._chroma(runs), self._timbre(runs)])


class _Fold:
    """Sums of the columns of ``runs`` per target (``targets[k]`` for run ``k``; -1 for none) by ``reduceat``."""

    def __init__(self, targets: npt.NDArray[np.intp], count: int) -> None:
        self.count = count
        self.order = np.flatnonzero(targets >= 0)[np.argsort(targets[targets >= 0], kind="stable")]
        ordered = targets[self.order]
        self.present = np.unique(ordered)  # targets with at least one run (bands can be empty at low rates)
        self.starts = np.searchsorted(ordered, self.present)
        self.identity = bool(self.order.size == targets.size and np.all(np.diff(self.order) == 1))

    def __call__(self, runs: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        if self.present.size == 0:
            return np.zeros((runs.shape[0], self.count), dtype=np.float32)
        sums = np.add.reduceat(runs if self.identity else runs[:, self.order], self.starts, axis=1)
        if self.present.size == self.count:
            return sums
        out = np.zeros((runs.shape[0], self.count), dtype=np.float32)
        out[:, self.present] = sums
        return out


class StructureFeed:
    """The time-domain half of :func:`find_structure`, fed the signal block by block (any block sizes give the
    same figures as the whole signal at once): per onset hop (5.3 ms) the energy of the mono downmix's first
    difference. :meth:`finish` takes the per-frame :class:`SongBands` rows of the same signal's STFT and returns
    the :class:`Structure`. Memory: 8 bytes per onset hop, so only the caller's duration limit matters."""

    def __init__(self, rate: int) -> None:
        if rate <= 0:
            raise InvalidAudio(f"sample rate {rate} Hz: must be positive")
        self.rate = rate
        self.hop = max(32, int(ONSET_HOP_48K * rate / 48000))
        self.samples = 0
        self.heard = False
        self._onset_tail = np.zeros(0, dtype=np.float32)
        self._onsets: list[npt.NDArray[np.float64]] = []

    def feed(self, block: npt.NDArray[np.floating]) -> None:
        """Add the next samples: ``(frames, channels)`` or mono ``(frames,)``."""
        x = np.asarray(block)
        frames = x.shape[0]
        if frames == 0:
            return
        self.samples += frames
        tail = self._onset_tail.size
        # tail and the channel sum in one buffer; the 1/channels of the mean is applied to the energies below
        # (a power of two for mono and stereo, so exactly as if applied to the samples)
        buf = np.empty(tail + frames, dtype=np.float32)
        buf[:tail] = self._onset_tail
        if x.ndim == 1 or x.shape[1] == 1:
            buf[tail:] = x.reshape(frames)
        else:
            np.add(x[:, 0], x[:, 1], out=buf[tail:], dtype=np.float32)
            for ch in range(2, x.shape[1]):
                buf[tail:] += x[:, ch]
        channels = 1 if x.ndim == 1 else x.shape[1]
        self.heard = self.heard or bool(np.any(x))
        full = (buf.size - 1) // self.hop
        if full > 0:
            bright = np.diff(buf[: full * self.hop + 1]).reshape(full, self.hop)  # first difference: attacks, highs
            energy = np.einsum("ij,ij->i", bright, bright).astype(np.float64)
            self._onsets.append(energy / channels**2)
            self._onset_tail = buf[full * self.hop :]
        else:
            self._onset_tail = buf

    def finish(
        self, bands: npt.NDArray[np.float32], hop: int, *, kernel_s: float = 8.0, min_section_s: float = 6.0,
    ) -> Structure:
        """The song's sections (see :func:`find_structure`) from ``bands``, the :class:`SongBands` rows of frames
        ``hop`` samples apart (frame ``k`` centred at sample ``k·hop``) of the signal fed."""
        if self.samples < MIN_DURATION_S * self.rate:
            raise InvalidAudio(f"too short to find sections ({self.samples / self.rate:.1f} s; need about 15 s)")
        if not self.heard:
            raise InvalidAudio("silent audio has no sections")
        onset_energy = np.concatenate(self._onsets) if self._onsets else np.zeros(0)
        return _structure(bands, onset_energy, self, hop, kernel_s=kernel_s, min_section_s=min_section_s)


def _features(
    bands: npt.NDArray[np.float32], hop: int, rate: int,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64], float]:
    """(smoothed and raw standardized block features, block energies, block duration s) from the per-frame
    :class:`SongBands` rows of frames ``hop`` samples apart. Block ``b`` starts at ``b·block_s`` (less half a hop,
    as frame ``k`` is centred at ``k·hop``: 16 ms at 48 kHz, well inside the onset refinement)."""
    per_block = max(1, int(round(BLOCK_S * rate / hop)))
    blocks = len(bands) // per_block

    def pool(a: npt.NDArray[np.floating]) -> npt.NDArray[np.float64]:
        trimmed = a[: blocks * per_block]
        return trimmed.reshape(blocks, per_block, *a.shape[1:]).mean(axis=1).astype(np.float64)

    c, t = pool(bands[:, :12]), pool(bands[:, 12:])
    e = t.sum(axis=1)  # the energy of the 40 Hz-16 kHz bands
    block_s = hop * per_block / rate
    c = c / (c.sum(axis=1, keepdims=True) + 1e-12)
    t = np.log10(t + 1e-10)
    level = t.mean(axis=1, keepdims=True)
    t = t - level  # timbre shape apart from level
    # the texture alone (timbre and level, standardized; level counts as much as the 12 timbre bands together)
    raw = np.hstack([_standard(t) / np.sqrt(t.shape[1]), _standard(level)])
    feats = np.hstack([c, t, level])
    # smooth over about two bars, so a chord cycle inside a section reads as one texture
    feats = _smooth(feats, max(1, int(round(SMOOTH_S / block_s))))
    # harmony, timbre and level weigh the same in the comparison, whatever their number of dimensions
    feats = np.hstack([_standard(feats[:, :12]) / np.sqrt(12), _standard(feats[:, 12:-1]) / np.sqrt(t.shape[1]),
                       _standard(feats[:, -1:])])
    return feats, raw, e, block_s


def _smooth(a: npt.NDArray[np.float64], width: int) -> npt.NDArray[np.float64]:
    """Centred moving average over ``width`` rows (edges held)."""
    kernel = np.ones(width) / width
    padded = np.pad(a, ((width // 2, width - 1 - width // 2), (0, 0)), mode="edge")
    return np.stack([np.convolve(padded[:, j], kernel, mode="valid") for j in range(a.shape[1])], axis=1)


def _standard(a: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Each column to zero mean and unit variance."""
    return (a - a.mean(axis=0)) / (a.std(axis=0) + 1e-9)


def _similarity(feats: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Cosine similarity of every pair of rows."""
    unit = feats / (np.linalg.norm(feats, axis=1, keepdims=True) + 1e-12)
    # a few rows per product: OpenBLAS computes a product of m·n·k under 262144 (4 × its SMP_THRESHOLD_MIN) on the
    # calling thread; the whole matrix at once woke its thread pool, which doubled the CPU time of finding the
    # sections (the pool spins) and took a core from the rest of a busy machine
    rows = max(1, (1 << 18) // max(1, unit.shape[0] * unit.shape[1]) - 1)
    out = np.empty((unit.shape[0], unit.shape[0]))
    for start in range(0, unit.shape[0], rows):
        np.matmul(unit[start : start + rows], unit.T, out=out[start : start + rows])
    return out


def _novelty(ssm: npt.NDArray[np.float64], half: int) -> npt.NDArray[np.float64]:
    """Checkerboard-kernel novelty along the diagonal (zero padding at the ends)."""
    n = len(ssm)
    idx = np.arange(-half, half)
    taper = np.exp(-0.5 * ((idx + 0.5) / (0.5 * half)) ** 2)
    sign = np.where(idx < 0, -1.0, 1.0)
    kernel = np.outer(sign * taper, sign * taper)
    padded = np.zeros((n + 2 * half, n + 2 * half))
    padded[half : half + n, half : half + n] = ssm
    step, col = padded.strides
    # the (2·half)² windows along the diagonal, as a view: one contraction instead of a loop over the blocks
    windows = np.lib.stride_tricks.as_strided(
        padded, shape=(n, 2 * half, 2 * half), strides=(step + col, step, col), writeable=False)
    return np.maximum(np.einsum("ijk,jk->i", windows, kernel), 0.0)


def _onsets(energy_sq: npt.NDArray[np.float64], hop: int, rate: int) -> tuple[npt.NDArray[np.float64], float]:
    """Onset envelope (rises of the log energy of the signal's first difference, from its per-hop energies) and its
    hop (s)."""
    energy = np.log10(energy_sq + 1e-10)
    flux = np.maximum(np.diff(energy, prepend=energy[0]), 0.0)
    return flux - np.convolve(flux, np.ones(32) / 32, mode="same"), hop / rate


def _tempo(onset: npt.NDArray[np.float64], hop_s: float) -> float | None:
    """Beat period from the onset autocorrelation, preferring ~120 BPM (log-Gaussian weight); None if no beat."""
    x = onset - onset.mean()
    if not np.any(x):
        return None
    n = 1 << int(np.ceil(np.log2(2 * len(x))))
    spec = np.fft.rfft(x, n)
    ac = np.fft.irfft(spec * np.conj(spec), n)[: len(x)]
    ac /= ac[0]
    lags = np.arange(len(ac)) * hop_s
    bpm = np.full(len(ac), np.inf)
    bpm[1:] = 60.0 / lags[1:]
    ok = (bpm >= TEMPO_RANGE_BPM[0]) & (bpm <= TEMPO_RANGE_BPM[1])
    if not np.any(ok):
        return None
    weight = np.exp(-0.5 * (np.log2(bpm[ok] / 120.0) / 1.0) ** 2)
    scores = ac[ok] * weight
    best = int(np.argmax(scores))
    if ac[ok][best] < 0.05:
        return None
    return float(bpm[ok][best])


def _peaks(novelty: npt.NDArray[np.float64], min_gap: int) -> list[int]:
    """Local maxima at least ``min_gap`` apart, above the median + half the spread, strongest first kept."""
    if not np.any(novelty):
        return []
    threshold = float(np.median(novelty) + 0.5 * np.std(novelty))
    candidates = [
        i for i in range(1, len(novelty) - 1)
        if novelty[i] >= novelty[i - 1] and novelty[i] > novelty[i + 1] and novelty[i] > threshold
    ]
    kept: list[int] = []
    for i in sorted(candidates, key=lambda k: -novelty[k]):
        if all(abs(i - k) >= min_gap for k in kept):
            kept.append(i)
    return sorted(kept)


def _label(ssm: npt.NDArray[np.float64], spans: list[tuple[int, int]], energy_db: list[float]) -> list[tuple[str, str]]:
    """(letter, role) per span."""
    count = len(spans)
    sim = np.zeros((count, count))
    for i, (a0, a1) in enumerate(spans):
        for j, (b0, b1) in enumerate(spans):
            sim[i, j] = float(ssm[a0:a1, b0:b1].mean())
    self_sim = np.sqrt(np.maximum(np.outer(np.diag(sim), np.diag(sim)), 1e-12))
    alike = sim / self_sim  # 1 when two sections are as alike as each is to itself
    letters: list[int] = []
    groups: list[list[int]] = []
    for i in range(count):
        best, best_sim = -1, SAME_MATERIAL
        for g, members in enumerate(groups):
            score = float(np.mean([alike[i, m] for m in members]))
            if score >= best_sim and min(sim[i, m] for m in members) > 0.0:
                best, best_sim = g, score
        if best < 0:
            groups.append([i])
            letters.append(len(groups) - 1)
        else:
            groups[best].append(i)
            letters.append(best)
    repeated = [g for g, members in enumerate(groups) if len(members) > 1]
    group_level = {g: float(np.mean([energy_db[m] for m in groups[g]])) for g in range(len(groups))}
    chorus = max(repeated, key=lambda g: group_level[g]) if repeated else None
    median_level = float(np.median(energy_db))
    out = []
    for i, g in enumerate(letters):
        letter = chr(ord("A") + g) if g < 26 else f"S{g}"
        if g == chorus:
            role = "chorus-like"
        elif g in repeated:
            role = "verse-like"
        elif i == 0 and energy_db[i] < median_level:
            role = "intro"
        elif i == count - 1 and count > 1:
            role = "outro"
        else:
            role = f"section {letter}"
        out.append((letter, role))
    return out


def find_structure(
    audio: npt.NDArray[np.floating],
    rate: int,
    *,
    kernel_s: float = 8.0,
    min_section_s: float = 6.0,
) -> Structure:
    """Sections of ``audio`` (frames, channels) at ``rate`` Hz found from the audio alone.

    ``kernel_s`` is how much music each side of a candidate boundary is compared (s); sections are at least
    ``min_section_s`` long. Raises InvalidAudio for audio too short (under about 15 s) or silent. Runs the
    analysis pass's STFT (:class:`.spectrum.SpectralMeter`, which sums the :class:`SongBands`) beside a
    :class:`StructureFeed`, block by block as the analysis does, so it finds what the analysis finds.
    """
    from .spectrum import SpectralMeter  # here: spectrum imports this module

    x = np.asarray(audio)
    x = x[:, None] if x.ndim == 1 else x
    feed = StructureFeed(rate)
    meter = SpectralMeter(rate, x.shape[1], song=True)
    for start in range(0, x.shape[0], FEED_FRAMES):
        block = np.asarray(x[start : start + FEED_FRAMES], dtype=np.float32)
        meter.feed(block)
        feed.feed(block)
    frames = meter.finish()
    assert frames.song is not None
    return feed.finish(frames.song, frames.hop, kernel_s=kernel_s, min_section_s=min_section_s)


def _structure(
    bands: npt.NDArray[np.float32], onset_energy: npt.NDArray[np.float64], feed: StructureFeed, hop: int, *,
    kernel_s: float, min_section_s: float,
) -> Structure:
    rate = feed.rate
    feats, raw, energy, block_s = _features(bands, hop, rate)
    ssm = _similarity(feats)  # harmony and texture: which sections are the same material
    texture = _similarity(_smooth(raw, max(1, int(round(SMOOTH_S / block_s)))))  # where the arrangement changes
    half = max(2, int(round(kernel_s / block_s)))
    novelty = _novelty(texture, half)
    onset, onset_hop_s = _onsets(onset_energy, feed.hop, rate)
    tempo = _tempo(onset, onset_hop_s)
    min_gap = max(2, int(round(min_section_s / block_s)))
    starts = [p for p in _peaks(novelty, min_gap) if min_gap <= p <= len(novelty) - min_gap // 2]
    duration_s = feed.samples / rate
    # refine each block boundary to the strongest onset within half a beat (or a quarter second)
    reach_s = 0.5 * 60.0 / tempo if tempo else 0.25
    times = []
    fine = max(2, int(round(REFINE_KERNEL_S / block_s)))
    sums = np.concatenate([np.zeros((1, raw.shape[1])), np.cumsum(raw, axis=0)])  # running sums of the texture
    for p in starts:
        lo_b, hi_b = max(fine, p - fine), min(len(raw) - fine, p + fine)
        if hi_b > lo_b:  # the block where the unsmoothed texture changes most, near the coarse peak
            b = np.arange(lo_b, hi_b + 1)
            jumps = np.linalg.norm(sums[b + fine] - 2.0 * sums[b] + sums[b - fine], axis=1)  # fine x (after - before)
            p = lo_b + int(np.argmax(jumps))
        centre = p * block_s
        lo = max(0, int((centre - reach_s) / onset_hop_s))
        hi = min(len(onset), int((centre + reach_s) / onset_hop_s) + 1)
        times.append(float((lo + int(np.argmax(onset[lo:hi]))) * onset_hop_s) if hi > lo else centre)
    edges_s = [0.0, *times, duration_s]
    spans = [
        (int(round(a / block_s)), max(int(round(a / block_s)) + 1, int(round(b / block_s))))
        for a, b in zip(edges_s[:-1], edges_s[1:], strict=True)
    ]
    spans = [(a, min(b, len(ssm))) for a, b in spans]
    mean_energy = float(np.mean(energy)) + 1e-20
    energy_db = [10.0 * np.log10(float(np.mean(energy[a:b])) / mean_energy + 1e-12) for a, b in spans]
    if len(spans) > 1 and energy_db[-1] < TAIL_DB:  # a release tail after the music: part of the last section
        spans[-2:] = [(spans[-2][0], spans[-1][1])]
        edges_s.pop(-2)
        energy_db[-2:] = [10.0 * np.log10(float(np.mean(energy[spans[-1][0] : spans[-1][1]])) / mean_energy + 1e-12)]
    labels = _label(ssm, spans, energy_db)
    counts = {letter: sum(1 for lt, _ in labels if lt == letter) for letter, _ in labels}
    sections = tuple(
        SongSection(start_s=float(a), end_s=float(b), letter=letter, role=role, level_db=float(level),
                    loud=bool(level > 0.0), repeats=counts[letter])
        for (a, b), (letter, role), level in zip(zip(edges_s[:-1], edges_s[1:], strict=True), labels, energy_db,
                                                  strict=True)
    )
    return Structure(sections=sections, tempo_bpm=tempo)




__all__ = ["SongBands", "SongSection", "Structure", "StructureFeed", "find_structure"]
