"""A room's binaural response: what each input (left, right) becomes at each ear, as one ``(frames, 2, 2)`` array.

For every speaker, each image source (:mod:`.image_source`, the direct sound included) contributes the
head-related response of its direction of arrival (:class:`~.hrir.HrirSet`, diffuse-field equalized), scaled by
its gain (the walls' reflection factors, moving from their low- to their high-frequency values between 500 Hz and
4 kHz) and placed at its delay with sub-sample precision. After ``tail_start_ms`` a diffuse tail takes over:
noise decaying by 60 dB in ``rt60_s``, starting at the energy density the image sources had just before it,
coherent between the ears below ``TAIL_COHERENT_HZ`` (long wavelengths reach both ears alike) and independent
above, low-passed at ``tail_lowpass_hz``. The room's playback ``system`` curve (phone, laptop, car, cube; from
:mod:`daw_bridge.dsp.simulation`) then colours each speaker. Time starts at the earliest direct sound.

The response is scaled by the loudness compensation every monitoring effect gets (K-weighted music spectrum,
typical inter-channel correlation; :func:`loudness_compensation_db`), so switching rooms keeps the perceived
level, and rounded to float32, exactly what the response files hold, so the Python convolution and the JSFX
convolve with the same numbers.
"""

from __future__ import annotations

import functools
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy import signal

from ..dsp.biquad import design_chain
from ..dsp.compensation import TYPICAL_CORRELATION, WEIGHT_FREQS_HZ, compensation_db
from ..dsp.simulation import system
from ..errors import InvalidParameter
from ..units import db_to_gain
from .hrir import ALIGN_LEAD, HrirSet, equalized, fractional_shift, third_octave_smooth
from .image_source import Images, image_sources
from .rooms import Room, room
from .sofa import Hrtf, default_sofa_path, read_sofa

#: Below this the diffuse tail is the same at both ears, Hz.
TAIL_COHERENT_HZ = 250.0
#: Fade-in of the tail and fade-out at the response's end, ms.
TAIL_FADE_MS = 10.0
END_FADE_MS = 5.0
#: Where a wall's ``absorption`` (below) and ``absorption_hf`` (above) apply, Hz.
ABSORPTION_BANDS_HZ = (500.0, 4000.0)
#: Images this long before the tail start set its level, ms.
TAIL_MATCH_MS = 10.0


@dataclass(frozen=True)
class Response:
    """``ir`` ``(frames, 2 inputs, 2 ears)`` float64 (float32-exact) at ``sample_rate`` Hz for ``room``.

    ``images`` holds each speaker's image sources (delays relative to the earliest direct sound); an image of
    delay ``d`` s starts at frame ``d * sample_rate + lead_frames`` plus its direction's head-related onset.
    """

    room: Room
    sample_rate: int
    ir: npt.NDArray[np.float64]
    images: tuple[Images, ...]
    lead_frames: int
    scale: float
    sofa: str

    @property
    def length_s(self) -> float:
        """Length of the response, s."""
        return self.ir.shape[0] / self.sample_rate


@functools.lru_cache(maxsize=4)
def _hrirs(sofa: str, sample_rate: int) -> HrirSet:
    return HrirSet(equalized(read_sofa(sofa, sample_rate=sample_rate)))


def hrir_set(sample_rate: int, *, sofa: str | Path | None = None) -> HrirSet:
    """The diffuse-field-equalized responses of ``sofa`` (default: the system's KEMAR set) at ``sample_rate``;
    cached, as reading and aligning takes a second or two."""
    return _hrirs(str(sofa if sofa is not None else default_sofa_path()), int(sample_rate))


def _speaker_ears(rm: Room, index: int, hrirs: HrirSet, *, t0: float, frames: int, seed: int) -> tuple[
        npt.NDArray[np.float64], Images]:  # fmt: skip
    """One speaker's ``(frames, 2)`` ear responses and its images (delays relative to ``t0``)."""
    fs = hrirs.sample_rate
    sp = rm.speakers[index]
    tail_s = rm.tail_start_ms / 1000.0 if rm.size_m is not None else 0.0
    imgs = image_sources(room_m=rm.size_m, source_m=sp.position_m, listener_m=rm.listener_m,
                         absorption=rm.absorption, max_delay_s=tail_s)  # fmt: skip
    imgs = Images(delay_s=imgs.delay_s - t0, gain=imgs.gain, azimuth_deg=imgs.azimuth_deg,
                  elevation_deg=imgs.elevation_deg, order=imgs.order, distance_m=imgs.distance_m)  # fmt: skip
    out = np.zeros((frames + hrirs.taps + 2, 2))
    responses, _ = hrirs.at(imgs.azimuth_deg, imgs.elevation_deg)
    pos = imgs.delay_s * fs
    base = np.floor(pos).astype(int)
    hf = imgs.gain  # the same images, in the same order, with the walls' high-frequency absorption
    if rm.size_m is not None and rm.absorption_hf is not None and rm.absorption_hf != rm.absorption:
        hf = image_sources(room_m=rm.size_m, source_m=sp.position_m, listener_m=rm.listener_m,
                           absorption=rm.absorption_hf, max_delay_s=tail_s).gain  # fmt: skip
    ratio = np.divide(hf, imgs.gain, out=np.zeros_like(hf), where=imgs.gain > 0)[:, None, None]

    def walls(f: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return np.asarray(1.0 + (ratio - 1.0) * hf_weight(f * fs))

    placed = fractional_shift(responses * imgs.gain[:, None, None], (pos - base)[:, None], hrirs.taps + 1,
                              weight=walls)  # fmt: skip
    for k in range(base.size):
        if base[k] < frames:
            out[base[k] : base[k] + placed.shape[2], :] += placed[k].T
    out = out[:frames]
    if rm.size_m is not None:
        out += _tail(rm, imgs, fs, frames=frames, seed=seed)
    return out, imgs


def hf_weight(freqs_hz: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """How far a reflection's gain has moved from its low- to its high-frequency value: 0 up to
    ``ABSORPTION_BANDS_HZ[0]``, 1 from ``ABSORPTION_BANDS_HZ[1]``, a raised cosine in log frequency between."""
    lo, hi = ABSORPTION_BANDS_HZ
    t = np.clip(np.log2(np.maximum(freqs_hz, 1.0) / lo) / np.log2(hi / lo), 0.0, 1.0)
    return np.asarray(0.5 - 0.5 * np.cos(np.pi * t))


def _tail(rm: Room, imgs: Images, fs: int, *, frames: int, seed: int) -> npt.NDArray[np.float64]:
    """The diffuse tail ``(frames, 2)`` continuing the image sources' energy density (see the module doc)."""
    start, span = rm.tail_start_ms / 1000.0, TAIL_MATCH_MS / 1000.0
    reflected = (imgs.order > 0) & (imgs.delay_s < start)
    window = reflected & (imgs.delay_s >= start - span)
    if not np.any(window):  # no reflection just before the tail: use all of them before it
        window, span = reflected, start
    density = float(np.sum(imgs.gain[window] ** 2)) / max(span * fs, 1.0)  # energy per frame
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal((frames, 3))
    lo = signal.butter(4, TAIL_COHERENT_HZ, "lowpass", fs=fs, output="sos")
    hi = signal.butter(4, TAIL_COHERENT_HZ, "highpass", fs=fs, output="sos")
    common = signal.sosfiltfilt(lo, noise[:, 0])
    ears = np.stack([common + signal.sosfiltfilt(hi, noise[:, 1]), common + signal.sosfiltfilt(hi, noise[:, 2])], 1)
    lp = signal.butter(2, min(rm.tail_lowpass_hz, 0.45 * fs), "lowpass", fs=fs, output="sos")
    ears = signal.sosfilt(lp, ears, axis=0)
    ears /= np.sqrt(np.mean(ears**2))
    t = np.arange(frames) / fs
    fade_s = TAIL_FADE_MS / 1000.0
    env = np.sqrt(density) * np.exp(-6.907755 * np.maximum(t - start, 0.0) / rm.rt60_s)
    ramp = np.clip((t - (start - fade_s)) / fade_s, 0.0, 1.0)
    env *= 0.5 - 0.5 * np.cos(np.pi * ramp)
    return np.asarray(ears * env[:, None])


def render(rm: Room | str, sample_rate: int, *, sofa: str | Path | None = None) -> Response:
    """The binaural response of room ``rm`` (a :class:`Room` or a shipped room's name) at ``sample_rate`` Hz,
    through the SOFA file ``sofa`` (default: the system's MIT KEMAR set)."""
    if isinstance(rm, str):
        rm = room(rm)
    if not 8000 <= int(sample_rate) <= 384000:
        raise InvalidParameter(f"sample rate {sample_rate} Hz must be within 8-384 kHz")
    hrirs = hrir_set(int(sample_rate), sofa=sofa)
    fs = hrirs.sample_rate
    frames = int(round(rm.length_ms * fs / 1000.0))
    t0 = min(float(np.linalg.norm(np.subtract(s.position_m, rm.listener_m))) for s in rm.speakers) / 343.0
    seed = zlib.crc32(rm.name.encode())
    first, first_imgs = _speaker_ears(rm, 0, hrirs, t0=t0, frames=frames, seed=seed)
    per_speaker = [first]
    images = [first_imgs]
    if len(rm.speakers) == 2:
        if rm.mirrored:
            per_speaker.append(first[:, ::-1].copy())
            images.append(first_imgs)
        else:
            second, second_imgs = _speaker_ears(rm, 1, hrirs, t0=t0, frames=frames, seed=seed + 1)
            per_speaker.append(second)
            images.append(second_imgs)
    if rm.system is not None:
        sos = design_chain(system(rm.system).filters, sample_rate=fs)
        per_speaker = [signal.sosfilt(sos, ears, axis=0) for ears in per_speaker]
    ir = np.zeros((frames, 2, 2))
    for sp, ears in zip(rm.speakers, per_speaker, strict=True):
        for i, feed in enumerate(sp.feeds):
            ir[:, i, :] += feed * ears
    n_fade = max(1, int(END_FADE_MS / 1000.0 * fs))
    ir[-n_fade:] *= (0.5 + 0.5 * np.cos(np.linspace(0.0, np.pi, n_fade)))[:, None, None]
    scale = db_to_gain(loudness_compensation_db(ir, fs))
    ir = (ir * scale).astype(np.float32).astype(np.float64)
    return Response(room=rm, sample_rate=fs, ir=ir, images=tuple(images), lead_frames=ALIGN_LEAD, scale=scale,
                    sofa=hrirs.hrtf.source)  # fmt: skip


def loudness_compensation_db(ir: npt.NDArray[np.float64], sample_rate: int, *,
                             correlation: float = TYPICAL_CORRELATION) -> float:  # fmt: skip
    """The gain (dB) that keeps a typical mix's loudness when heard through ``ir`` ``(frames, 2, 2)``: the same
    K-weighted music-spectrum method as every other monitoring effect (:mod:`daw_bridge.dsp.compensation`), for
    inputs of equal power and inter-channel ``correlation``, averaged over the ears; the power response is
    smoothed over 1/3 octave first (a room's comb filtering is finer than loudness hears)."""
    n = 1 << int(np.ceil(np.log2(max(ir.shape[0], 4096) * 2)))
    spec = np.fft.rfft(ir, n=n, axis=0)  # (bins, inputs, ears)
    left, right = spec[:, 0, :], spec[:, 1, :]
    power = np.abs(left) ** 2 + np.abs(right) ** 2 + 2.0 * correlation * np.real(left * np.conj(right))
    per_ear = np.mean(power, axis=1)  # relative to the dry path, where each ear hears its own channel
    freqs = np.fft.rfftfreq(n, 1.0 / sample_rate)
    smooth = third_octave_smooth(per_ear, np.maximum(freqs, freqs[1]))
    return compensation_db(np.interp(WEIGHT_FREQS_HZ, freqs, smooth, right=0.0))


@functools.lru_cache(maxsize=16)
def _cached(name: str, sample_rate: int, sofa: str) -> Response:
    return render(name, sample_rate, sofa=sofa)


def response(name: str, sample_rate: int, *, sofa: str | Path | None = None) -> Response:
    """:func:`render` of a shipped room, cached per (room, rate, SOFA file)."""
    return _cached(room(name).name, int(sample_rate), str(sofa if sofa is not None else default_sofa_path()))


def synthetic_hrtf(sample_rate: int, *, taps: int = 32) -> Hrtf:
    """A head that is not there: a unit impulse at both ears from 26 directions (for tests and diagnostics)."""
    az = np.concatenate([np.arange(0, 360, 45.0), np.arange(0, 360, 45.0), np.arange(0, 360, 45.0), [0.0, 0.0]])
    el = np.concatenate([np.zeros(8), np.full(8, 45.0), np.full(8, -45.0), [90.0, -90.0]])
    ir = np.zeros((az.size, 2, taps))
    ir[:, :, 0] = 1.0
    return Hrtf(ir=ir, azimuth_deg=az, elevation_deg=el, sample_rate=int(sample_rate), source="synthetic")
