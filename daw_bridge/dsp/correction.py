"""Headphone correction: an AutoEq filter list -> the filters, preamp and slider values (the same at every rate).

AutoEq files are RBJ biquads designed at 44.1 kHz; their *intended response* is that 44.1 kHz response. Simply
recomputing the same Fc/gain/Q at 96 kHz misses it by up to ~1.8 dB near 20 kHz (bilinear warping differs). The
effect therefore receives the filters *as designed* plus their design rate (``design_hz``) and re-fits them for the
rate it runs at itself (:mod:`daw_bridge.dsp.rate_match`, the same steps in the JSFX's @init), so a device-rate
change needs no bridge. :func:`build` reports the fit's error at a given rate (< 0.05 dB for the shipped presets).
For a host that designs plain RBJ filters from Fc/gain/Q at its rate (Ardour's Lua DSP), :func:`adapt_to_rate`
re-fits Fc/gain/Q jointly (least squares on the dB response, 20 Hz-20 kHz).

User options: ``strength_pct`` (0-100 %) scales every peak/shelf gain; ``bass_trim_db`` adds a low shelf at
:data:`BASS_TRIM_HZ`. The preamp is the file's (scaled) preamp, lowered further if the curve would still boost
anywhere in 20 Hz-20 kHz, so the correction never adds gain (clip-free).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from ..errors import InvalidParameter
from .biquad import Biquad, design_chain, log_freqs, response_db
from .compensation import compensation_db, sos_power
from .params import CORRECTION_BANDS, resolve
from .rate_match import design_at

#: Centre of the bass-trim low shelf (Hz) and its Q: AutoEq's own bass shelf.
BASS_TRIM_HZ = 105.0
BASS_TRIM_Q = 0.7
#: Accuracy goal of the applied response against the intended one, 20 Hz-20 kHz (dB).
MATCH_TOLERANCE_DB = 0.1
#: Extra headroom on top of the curve's peak when the preamp is computed (dB): grid-resolution safety.
PREAMP_MARGIN_DB = 0.02
_FIT_FREQS = log_freqs(points=200)
_GAIN_KINDS = ("peak", "lowshelf", "highshelf")
_KIND_CODE = {"peak": 0, "lowshelf": 1, "highshelf": 2, "lowpass": 3, "highpass": 4}


@dataclass(frozen=True)
class Correction:
    """The correction's settings: ``filters`` as designed at ``design_rate`` Hz, ``preamp_db``, ``gain_db``
    (loudness compensation), and at ``sample_rate`` Hz ``fit_error_db`` (max deviation of the re-fitted filters
    from the intended response, 20 Hz-20 kHz)."""

    filters: tuple[Biquad, ...]
    preamp_db: float
    gain_db: float
    sample_rate: int
    fit_error_db: float
    design_rate: int = 44100


def user_filters(filters: Sequence[Biquad], *, strength_pct: float = 100.0, bass_trim_db: float = 0.0) -> list[Biquad]:
    """``filters`` with gains scaled by ``strength_pct`` and the bass trim shelf appended (if non-zero)."""
    if not 0.0 <= strength_pct <= 100.0:
        raise InvalidParameter(f"strength {strength_pct:g} % is outside 0..100 %")
    if not -12.0 <= bass_trim_db <= 12.0:
        raise InvalidParameter(f"bass trim {bass_trim_db:g} dB is outside -12..12 dB")
    scale = strength_pct / 100.0
    out = [replace(f, gain_db=f.gain_db * scale) if f.kind in _GAIN_KINDS else f for f in filters]
    if scale == 0.0:
        out = []
    if bass_trim_db:
        out.append(Biquad("lowshelf", BASS_TRIM_HZ, bass_trim_db, BASS_TRIM_Q))
    if len(out) > CORRECTION_BANDS:
        raise InvalidParameter(f"{len(out)} filters exceed the {CORRECTION_BANDS} correction bands")
    return out


def intended_response_db(
    filters: Sequence[Biquad], freqs_hz: npt.ArrayLike, *, design_rate: int
) -> npt.NDArray[np.float64]:
    """The response the filters are meant to have: their RBJ response at ``design_rate`` Hz (dB)."""
    return response_db(design_chain(filters, sample_rate=design_rate), freqs_hz, sample_rate=design_rate)


def clip_free_preamp_db(filters: Sequence[Biquad], *, file_preamp_db: float, design_rate: int) -> float:
    """``min(file_preamp_db, -max boost over 20 Hz-20 kHz)``: the correction never adds gain (dB)."""
    peak = float(np.max(intended_response_db(filters, log_freqs(points=4000), design_rate=design_rate)))
    return min(file_preamp_db, -max(peak + PREAMP_MARGIN_DB, 0.0))


def adapt_to_rate(filters: Sequence[Biquad], *, design_rate: int, sample_rate: int) -> tuple[list[Biquad], float]:
    """Filters at ``sample_rate`` whose response matches the ``design_rate`` one; returns (filters, max error dB).

    Same rate: unchanged. Otherwise Fc/gain/Q are fitted jointly; low/high-pass keep their kind and are fitted too.
    """
    if sample_rate < 40000:
        raise InvalidParameter(f"sample rate {sample_rate} Hz is too low for 20 Hz-20 kHz correction (use >= 44.1 kHz)")
    if not filters:
        return [], 0.0
    fitted = _fit(tuple(filters), design_rate, sample_rate)
    check = log_freqs(points=2000)
    err = np.abs(
        response_db(design_chain(fitted, sample_rate=sample_rate), check, sample_rate=sample_rate)
        - intended_response_db(filters, check, design_rate=design_rate)
    )
    return list(fitted), float(np.max(err))


@functools.lru_cache(maxsize=64)
def _fit(filters: tuple[Biquad, ...], design_rate: int, sample_rate: int) -> tuple[Biquad, ...]:
    if sample_rate == design_rate:
        return filters
    target = intended_response_db(filters, _FIT_FREQS, design_rate=design_rate)
    codes = np.array([_KIND_CODE[f.kind] for f in filters])
    x0 = np.array([[math.log(f.freq_hz), f.gain_db, math.log(f.q)] for f in filters]).ravel()
    nyq_log = math.log(sample_rate * 0.49)
    z1 = np.exp(-2j * np.pi * _FIT_FREQS / sample_rate)

    def residual(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        p = x.reshape(-1, 3)
        sos = _vector_sos(codes, np.exp(np.minimum(p[:, 0], nyq_log)), p[:, 1], np.exp(p[:, 2]), sample_rate)
        num = sos[:, 0:1] + sos[:, 1:2] * z1 + sos[:, 2:3] * z1 * z1
        den = 1.0 + sos[:, 4:5] * z1 + sos[:, 5:6] * z1 * z1
        mag = np.abs(np.prod(num / den, axis=0))
        return np.asarray(20.0 * np.log10(np.maximum(mag, 1e-12)) - target)

    from scipy.optimize import least_squares  # on first use (start-up time of commands that never fit)

    result = least_squares(residual, x0, method="lm", max_nfev=20 * (x0.size + 1), xtol=1e-6, ftol=1e-5)
    p = result.x.reshape(-1, 3)
    return tuple(
        Biquad(f.kind, float(math.exp(min(p[i, 0], nyq_log))), float(p[i, 1]) if f.kind in _GAIN_KINDS else 0.0,
               float(math.exp(p[i, 2])))
        for i, f in enumerate(filters)
    )  # fmt: skip


def _vector_sos(
    codes: npt.NDArray[np.int64],
    f0: npt.NDArray[np.float64],
    gain_db: npt.NDArray[np.float64],
    q: npt.NDArray[np.float64],
    sample_rate: float,
) -> npt.NDArray[np.float64]:
    """RBJ rows for many filters at once (same formulas as :func:`biquad.design`), shape (n, 6)."""
    w0 = 2.0 * np.pi * f0 / sample_rate
    cw, alpha = np.cos(w0), np.sin(w0) / (2.0 * q)
    a = 10.0 ** (np.where(codes <= 2, gain_db, 0.0) / 40.0)
    sq = 2.0 * np.sqrt(a) * alpha
    s = np.where(codes == 1, 1.0, -1.0)
    shelf_b = (a * ((a + 1) - s * (a - 1) * cw + sq), s * 2 * a * ((a - 1) - s * (a + 1) * cw),
               a * ((a + 1) - s * (a - 1) * cw - sq))  # fmt: skip
    shelf_a = ((a + 1) + s * (a - 1) * cw + sq, -s * 2 * ((a - 1) + s * (a + 1) * cw), (a + 1) + s * (a - 1) * cw - sq)
    lp_b = ((1 - cw) / 2, 1 - cw, (1 - cw) / 2)
    hp_b = ((1 + cw) / 2, -(1 + cw), (1 + cw) / 2)
    pass_a = (1 + alpha, -2 * cw, 1 - alpha)
    rows = []
    for j in range(3):
        b = np.select(
            [codes == 0, codes <= 2, codes == 3],
            [(1 + alpha * a, -2 * cw, 1 - alpha * a)[j], shelf_b[j], lp_b[j]],
            hp_b[j],
        )
        d = np.select([codes == 0, codes <= 2], [(1 + alpha / a, -2 * cw, 1 - alpha / a)[j], shelf_a[j]], pass_a[j])
        rows.append((b, d))
    a0 = rows[0][1]
    return np.stack(
        [rows[0][0] / a0, rows[1][0] / a0, rows[2][0] / a0, np.ones_like(a0), rows[1][1] / a0, rows[2][1] / a0], axis=1
    )


def build(
    filters: Sequence[Biquad],
    *,
    file_preamp_db: float,
    sample_rate: int,
    design_rate: int = 44100,
    strength_pct: float = 100.0,
    bass_trim_db: float = 0.0,
) -> Correction:
    """Everything the correction effect needs for these user options (the same at every rate; ``sample_rate`` Hz
    only sets where :attr:`Correction.fit_error_db` is measured)."""
    chosen = user_filters(filters, strength_pct=strength_pct, bass_trim_db=bass_trim_db)
    preamp = (
        clip_free_preamp_db(chosen, file_preamp_db=file_preamp_db * strength_pct / 100.0, design_rate=design_rate)
        if chosen
        else 0.0
    )
    if sample_rate < 40000:
        raise InvalidParameter(f"sample rate {sample_rate} Hz is too low for 20 Hz-20 kHz correction (use >= 44.1 kHz)")
    err = rate_match_error_db(chosen, design_rate=design_rate, sample_rate=sample_rate)
    intended = design_chain(chosen, sample_rate=design_rate)  # compensation of the intended response: rate-free
    gain = compensation_db(sos_power(intended, sample_rate=design_rate)) - preamp if chosen else 0.0
    return Correction(tuple(chosen), preamp, gain, sample_rate, err, design_rate)


def rate_match_error_db(filters: Sequence[Biquad], *, design_rate: int, sample_rate: int) -> float:
    """Max deviation (dB, 20 Hz-20 kHz) of ``filters`` re-fitted for ``sample_rate`` (as the effect does) from their
    response at ``design_rate``."""
    if not filters:
        return 0.0
    check = log_freqs(points=2000)
    fitted = design_at(filters, design_rate=design_rate, sample_rate=sample_rate)
    error = response_db(fitted, check, sample_rate=sample_rate) - intended_response_db(
        filters, check, design_rate=design_rate
    )
    return float(np.max(np.abs(error)))


def slider_params(corr: Correction) -> dict[str, float | str]:
    """The correction effect's parameters (see ``params.PARAMS['correction']``) for ``corr``."""
    out: dict[str, float | str] = {"preamp_db": round(corr.preamp_db, 4), "gain_db": round(corr.gain_db, 4),
                                   "design_hz": float(corr.design_rate)}  # fmt: skip
    return out | _band_params(corr.filters)


def _band_params(filters: Sequence[Biquad]) -> dict[str, float | str]:
    """``band{i}_type/_freq/_gain/_q`` of ``filters`` (band 1 first)."""
    out: dict[str, float | str] = {}
    for i, f in enumerate(filters, start=1):
        out |= {f"band{i}_type": f.kind, f"band{i}_freq": f.freq_hz, f"band{i}_gain": f.gain_db, f"band{i}_q": f.q}
    return out


def filters_from_params(
    params: Mapping[str, float | str], *, bands: int = CORRECTION_BANDS, prefix: str = "band"
) -> list[Biquad]:
    """The active EQ bands of a resolved parameter map, in band order."""
    out = []
    for i in range(1, bands + 1):
        kind = str(params[f"{prefix}{i}_type"])
        if kind != "off":
            out.append(
                Biquad(
                    kind,
                    float(params[f"{prefix}{i}_freq"]),
                    float(params[f"{prefix}{i}_gain"]),
                    float(params[f"{prefix}{i}_q"]),
                )
            )
    return out


def params_at_rate(params: Mapping[str, float | str], *, sample_rate: int) -> dict[str, float | str]:
    """The correction's parameters with its bands re-fitted (:func:`adapt_to_rate`) as plain RBJ filters at
    ``sample_rate`` Hz and ``design_hz`` 0: for a host that designs Fc/gain/Q at its own rate and does not re-fit
    (Ardour's Lua DSP). Parameters already at that rate (or at 0) come back unchanged."""
    p = resolve("correction", params)
    design_rate = int(float(p["design_hz"]))
    if design_rate in (0, sample_rate):
        return dict(params)
    fitted, _ = adapt_to_rate(filters_from_params(p), design_rate=design_rate, sample_rate=sample_rate)
    out = {k: v for k, v in p.items() if not k.startswith("band")} | {"design_hz": 0.0}
    for i in range(1, CORRECTION_BANDS + 1):
        out[f"band{i}_type"] = "off"
    return out | _band_params(fitted)
