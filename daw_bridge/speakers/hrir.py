"""Head-related impulse responses at any direction, and the diffuse-field headphone equalization.

**Interpolation.** Each measured response is split into its onset (the excess-phase delay, in fractional samples:
the lag of its cross-correlation with its own minimum-phase version) and the response advanced by that onset.
An unmeasured direction takes the spherical triangle of measured directions around it (the convex hull of the
measured unit vectors), mixes the three time-aligned responses and the three onsets with barycentric weights, and
delays the mix by the mixed onset. Mixing aligned responses avoids the comb filtering of mixing raw ones; mixing
onsets keeps the interaural time difference continuous. A measured direction returns its measurement unchanged.

**Headphone equalization.** A dummy head's responses include its ear-canal resonance and the measuring
loudspeaker; headphones already excite the listener's own ear. We divide every response by the dataset's
diffuse-field average (the power average over all directions, weighted by solid angle, smoothed to 1/3 octave,
inverted within +-``DF_LIMIT_DB``, made minimum-phase), as diffuse-field-equalized headphones expect: the
virtual speakers then do not add the ear's resonance a second time. The same filter is applied to both ears, so
interaural level and time differences are untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.spatial import ConvexHull

from ..errors import InvalidParameter
from .sofa import Hrtf, unit_vectors

#: Samples kept ahead of every aligned response (room for the fractional-delay kernel's pre-ringing).
ALIGN_LEAD = 16
#: Largest boost or cut of the diffuse-field equalization, dB.
DF_LIMIT_DB = 12.0
#: Band of the diffuse-field equalization (Hz): outside it the gain is held at the edge's value.
DF_BAND_HZ = (150.0, 12000.0)
#: Smoothing of the diffuse-field average, octaves: broad enough that the filter is nearly constant within any
#: third-octave band, so it cannot shift a band's interaural level difference (the same filter is on both ears).
DF_SMOOTHING_OCTAVES = 0.5
#: Length of the diffuse-field equalization filter, taps at 48 kHz (scaled with the rate).
DF_TAPS_48K = 512


def _next_pow2(n: int) -> int:
    return 1 << max(0, int(np.ceil(np.log2(max(n, 1)))))


def min_phase(magnitude: npt.NDArray[np.float64], n_fft: int) -> npt.NDArray[np.complex128]:
    """Minimum-phase spectrum (``n_fft // 2 + 1`` bins) with ``magnitude`` (homomorphic method)."""
    log_mag = np.log(np.maximum(magnitude, 1e-12))
    cep = np.fft.irfft(log_mag, n=n_fft, axis=-1)
    fold = np.zeros(n_fft)
    fold[0] = 1.0
    fold[1 : n_fft // 2] = 2.0
    fold[n_fft // 2] = 1.0
    return np.asarray(np.exp(np.fft.rfft(cep * fold, axis=-1)))


Weight = Callable[[npt.NDArray[np.float64]], npt.ArrayLike]


def fractional_shift(x: npt.NDArray[np.float64], shift: npt.ArrayLike, length: int, *,
                     weight: Weight | None = None) -> npt.NDArray[np.float64]:  # fmt: skip
    """``x`` ``(..., N)`` delayed by ``shift`` samples (fractional, per leading index; may be negative) into
    ``length`` samples, by a linear phase on a zero-padded transform (band-limited, no wrap for
    ``0 <= shift <= length - N``). ``weight(f)``, ``f`` in cycles per sample, multiplies the spectrum too (a
    zero-phase gain, broadcast against ``x``'s leading shape and the bins)."""
    n_fft = _next_pow2(max(length, x.shape[-1]) + x.shape[-1])
    spec = np.fft.rfft(x, n=n_fft, axis=-1)
    f = np.arange(spec.shape[-1]) / n_fft
    s = np.asarray(shift, dtype=np.float64)[..., None]
    spec = spec * np.exp(-2j * np.pi * f * s)
    if weight is not None:
        spec = spec * np.asarray(weight(f))
    out = np.fft.irfft(spec, n=n_fft, axis=-1)
    return np.asarray(out[..., :length])


def onsets(ir: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Excess-phase delay (fractional samples) of each response ``(..., N)``: the lag of its cross-correlation
    with its minimum-phase version, refined by a parabola through the peak."""
    n = ir.shape[-1]
    n_fft = 2 * _next_pow2(2 * n)
    spec = np.fft.rfft(ir, n=n_fft, axis=-1)
    mp = min_phase(np.abs(spec), n_fft)
    xc = np.fft.irfft(spec * np.conj(mp), n=n_fft, axis=-1)
    xc = np.concatenate([xc[..., -n:], xc[..., :n]], axis=-1)  # lags -n..n-1
    k = np.argmax(xc, axis=-1)
    k = np.clip(k, 1, 2 * n - 2)
    y0 = np.take_along_axis(xc, (k - 1)[..., None], -1)[..., 0]
    y1 = np.take_along_axis(xc, k[..., None], -1)[..., 0]
    y2 = np.take_along_axis(xc, (k + 1)[..., None], -1)[..., 0]
    den = y0 - 2 * y1 + y2
    frac = np.where(np.abs(den) > 1e-30, 0.5 * (y0 - y2) / np.where(den == 0, 1, den), 0.0)
    return np.asarray(k - n + np.clip(frac, -0.5, 0.5), dtype=np.float64)


@dataclass(frozen=True)
class _Aligned:
    aligned: npt.NDArray[np.float64]  # (M, 2, L) responses advanced by their onset, onset at ALIGN_LEAD
    onset: npt.NDArray[np.float64]  # (M, 2) samples
    faces: npt.NDArray[np.int64]  # (F, 3) measurement indices of each hull triangle
    inverse: npt.NDArray[np.float64]  # (F, 3, 3): barycentric weights = inverse @ direction


class HrirSet:
    """Responses at any direction, from one :class:`~daw_bridge.speakers.sofa.Hrtf` (set up once)."""

    def __init__(self, hrtf: Hrtf) -> None:
        if hrtf.ir.shape[0] < 4:
            raise InvalidParameter(f"{hrtf.source}: {hrtf.ir.shape[0]} directions; interpolation needs at least 4")
        self.hrtf = hrtf
        self.taps = hrtf.ir.shape[2] + 2 * ALIGN_LEAD
        onset = onsets(hrtf.ir)
        aligned = fractional_shift(hrtf.ir, ALIGN_LEAD - onset, self.taps)
        dirs = hrtf.directions
        hull = ConvexHull(dirs)
        faces = np.asarray(hull.simplices, dtype=np.int64)
        mats = np.transpose(dirs[faces], (0, 2, 1))  # columns are the corner vectors
        keep = np.abs(np.linalg.det(mats)) > 1e-12
        faces, mats = faces[keep], mats[keep]
        self._a = _Aligned(aligned, onset, faces, np.linalg.inv(mats))

    @property
    def sample_rate(self) -> int:
        """Rate of the responses, Hz."""
        return self.hrtf.sample_rate

    def weights(self, azimuth_deg: npt.ArrayLike, elevation_deg: npt.ArrayLike) -> tuple[
            npt.NDArray[np.int64], npt.NDArray[np.float64]]:  # fmt: skip
        """Measurement indices ``(K, 3)`` and barycentric weights ``(K, 3)`` (summing to 1) per direction."""
        d = unit_vectors(azimuth_deg, elevation_deg)
        w = np.einsum("fij,kj->kfi", self._a.inverse, d)  # (K, F, 3)
        best = np.argmax(np.min(w, axis=2), axis=1)  # the triangle the direction passes through
        wk = np.clip(w[np.arange(d.shape[0]), best], 0.0, None)
        wk /= np.sum(wk, axis=1, keepdims=True)
        return self._a.faces[best], wk

    def at(self, azimuth_deg: npt.ArrayLike, elevation_deg: npt.ArrayLike) -> tuple[
            npt.NDArray[np.float64], npt.NDArray[np.float64]]:  # fmt: skip
        """``(responses (K, 2, taps), onsets (K, 2))`` at the given directions (degrees, SOFA convention).

        Each response's own onset sits at ``ALIGN_LEAD + onset``; a measured direction gives its measurement
        (delayed by ``ALIGN_LEAD``) exactly.
        """
        idx, w = self.weights(azimuth_deg, elevation_deg)
        onset = np.einsum("kc,kce->ke", w, self._a.onset[idx])
        mixed = np.einsum("kc,kcen->ken", w, self._a.aligned[idx])
        out = fractional_shift(mixed, onset, self.taps)
        exact = np.max(w, axis=1) > 1.0 - 1e-9
        for k in np.flatnonzero(exact):
            m = idx[k, int(np.argmax(w[k]))]
            out[k] = 0.0
            out[k, :, ALIGN_LEAD : ALIGN_LEAD + self.hrtf.ir.shape[2]] = self.hrtf.ir[m]
        return out, onset


def diffuse_field_weights(hrtf: Hrtf) -> npt.NDArray[np.float64]:
    """Solid-angle weight of each measurement: cos(elevation) shared among the measurements of its ring."""
    ring = np.round(hrtf.elevation_deg, 1)
    _, inverse, counts = np.unique(ring, return_inverse=True, return_counts=True)
    w = np.cos(np.radians(hrtf.elevation_deg)).clip(0.01) / counts[inverse]
    return np.asarray(w / np.sum(w))


def third_octave_smooth(power: npt.NDArray[np.float64], freqs: npt.NDArray[np.float64], *,
                        octaves: float = 1 / 3) -> npt.NDArray[np.float64]:  # fmt: skip
    """``power`` (per bin) averaged over ``octaves`` (default 1/3 octave) around each bin."""
    out = np.empty_like(power)
    lo, hi = freqs * 2 ** (-octaves / 2), freqs * 2 ** (octaves / 2)
    cum = np.concatenate([[0.0], np.cumsum(power)])
    a = np.searchsorted(freqs, lo, side="left")
    b = np.maximum(np.searchsorted(freqs, hi, side="right"), a + 1)
    out[:] = (cum[b] - cum[a]) / (b - a)
    return out


def diffuse_field_filter(hrtf: Hrtf) -> npt.NDArray[np.float64]:
    """Minimum-phase FIR (taps) dividing by ``hrtf``'s diffuse-field average response (see the module doc)."""
    taps = _next_pow2(int(DF_TAPS_48K * hrtf.sample_rate / 48000))
    n_fft = max(_next_pow2(hrtf.ir.shape[2]), 4 * taps)
    spec = np.fft.rfft(hrtf.ir, n=n_fft, axis=-1)
    power = np.einsum("m,men->n", diffuse_field_weights(hrtf), np.abs(spec) ** 2) / 2.0
    freqs = np.fft.rfftfreq(n_fft, 1.0 / hrtf.sample_rate)
    smooth = third_octave_smooth(power, np.maximum(freqs, freqs[1]), octaves=DF_SMOOTHING_OCTAVES)
    lo, hi = DF_BAND_HZ
    hi = min(hi, 0.45 * hrtf.sample_rate)
    band = (freqs >= lo) & (freqs <= hi)
    ref = np.sqrt(np.mean(smooth[band]))
    gain_db = -10.0 * np.log10(np.maximum(smooth, 1e-20) / ref**2)
    gain_db = np.clip(gain_db, -DF_LIMIT_DB, DF_LIMIT_DB)
    gain_db[freqs < lo] = gain_db[np.argmax(freqs >= lo)]
    gain_db[freqs > hi] = gain_db[np.flatnonzero(freqs <= hi)[-1]]
    fir = np.fft.irfft(min_phase(10 ** (gain_db / 20.0), n_fft), n=n_fft)[:taps]
    fade = np.ones(taps)
    fade[taps // 2 :] = 0.5 + 0.5 * np.cos(np.linspace(0, np.pi, taps - taps // 2))
    return np.asarray(fir * fade)


def equalized(hrtf: Hrtf) -> Hrtf:
    """``hrtf`` with the diffuse-field equalization applied to every response (both ears alike)."""
    fir = diffuse_field_filter(hrtf)
    n = hrtf.ir.shape[2] + fir.size - 1
    n_fft = _next_pow2(n)
    ir = np.fft.irfft(np.fft.rfft(hrtf.ir, n=n_fft, axis=-1) * np.fft.rfft(fir, n=n_fft), n=n_fft, axis=-1)[..., :n]
    return Hrtf(ir=np.ascontiguousarray(ir), azimuth_deg=hrtf.azimuth_deg, elevation_deg=hrtf.elevation_deg,
                sample_rate=hrtf.sample_rate, source=hrtf.source)  # fmt: skip
