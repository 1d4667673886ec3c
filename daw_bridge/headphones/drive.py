"""Can this output drive this headphone? Pure formulas with units, and the drive check built on them.

Units: voltages in Vrms, impedances in ohm, power in mW, sensitivities in dB SPL/V or dB SPL/mW, levels in dB SPL.
Formulas (worked examples in ``docs/headphones.md``)::

    S_V   = S_mW + 10 log10(1000 / Z)              sensitivity per volt from per milliwatt
    V_L   = V_out * Z / (Z + Z_out)                voltage across the headphone (divider with the output impedance)
    SPL   = S_V + 20 log10(V_L / 1 V)              SPL at that voltage
    P     = V_L^2 / Z * 1000                       power in mW
    DF    = Z / Z_out                              damping factor; the 1/8 rule asks Z_out <= Z / 8
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..errors import InvalidParameter
from ..units import db_to_gain, gain_to_db, power_to_db

if TYPE_CHECKING:  # runtime imports would be circular (facts uses the conversions below)
    from .amps import AmpPreset, LoadLimit
    from .facts import HeadphoneFacts

#: Default average listening level, dB SPL (a steady, moderate level).
DEFAULT_LISTENING_SPL_DB = 75.0
#: Default peak margin above the average, dB (music peaks).
DEFAULT_PEAK_MARGIN_DB = 20.0
#: The output-impedance rule of thumb: Z_out at most this fraction of the headphone's impedance.
ONE_EIGHTH_RULE = 1.0 / 8.0


def _positive(value: float, name: str) -> None:
    if not math.isfinite(value) or value <= 0:
        raise InvalidParameter(f"{name} must be a positive number, not {value!r}")


def spl_per_mw_to_per_v(sens_db_per_mw: float, *, impedance_ohm: float) -> float:
    """dB SPL/V from dB SPL/mW: 1 Vrms into ``impedance_ohm`` dissipates 1000/Z mW."""
    _positive(impedance_ohm, "impedance_ohm")
    return sens_db_per_mw + power_to_db(1000.0 / impedance_ohm)


def spl_per_v_to_per_mw(sens_db_per_v: float, *, impedance_ohm: float) -> float:
    """dB SPL/mW from dB SPL/V (inverse of :func:`spl_per_mw_to_per_v`)."""
    _positive(impedance_ohm, "impedance_ohm")
    return sens_db_per_v - power_to_db(1000.0 / impedance_ohm)


def load_voltage_vrms(source_vrms: float, *, zout_ohm: float, impedance_ohm: float) -> float:
    """Vrms across the headphone when an output of ``source_vrms`` (unloaded) drives it through ``zout_ohm``."""
    _positive(impedance_ohm, "impedance_ohm")
    if not math.isfinite(zout_ohm) or zout_ohm < 0:
        raise InvalidParameter(f"zout_ohm must be >= 0 ohm, not {zout_ohm!r}")
    return source_vrms * impedance_ohm / (impedance_ohm + zout_ohm)


def spl_at_voltage_db(voltage_vrms: float, *, sens_db_per_v: float) -> float:
    """dB SPL for ``voltage_vrms`` across a headphone of ``sens_db_per_v``."""
    return sens_db_per_v + gain_to_db(voltage_vrms)


def voltage_for_spl_vrms(spl_db: float, *, sens_db_per_v: float) -> float:
    """Vrms needed across the headphone for ``spl_db``."""
    return db_to_gain(spl_db - sens_db_per_v)


def power_mw(voltage_vrms: float, *, impedance_ohm: float) -> float:
    """mW dissipated by ``voltage_vrms`` across ``impedance_ohm``."""
    _positive(impedance_ohm, "impedance_ohm")
    return voltage_vrms**2 / impedance_ohm * 1000.0


def spl_at_power_db(power_mw_: float, *, sens_db_per_mw: float) -> float:
    """dB SPL for ``power_mw_`` mW into a headphone of ``sens_db_per_mw``."""
    return sens_db_per_mw + power_to_db(power_mw_)


def damping_factor(impedance_ohm: float, *, zout_ohm: float) -> float:
    """Z / Z_out (infinite for an ideal 0-ohm output)."""
    _positive(impedance_ohm, "impedance_ohm")
    return math.inf if zout_ohm == 0 else impedance_ohm / zout_ohm


def meets_one_eighth_rule(impedance_ohm: float, *, zout_ohm: float) -> bool:
    """True when Z_out <= Z / 8 (damping factor >= 8)."""
    return zout_ohm <= impedance_ohm * ONE_EIGHTH_RULE


def limit_vrms_at(limits: tuple[LoadLimit, ...], impedance_ohm: float) -> float | None:
    """Rated maximum Vrms at ``impedance_ohm``: log-impedance interpolation between points, flat outside them."""
    if not limits:
        return None
    points = sorted(limits, key=lambda lim: lim.load_ohm)
    if impedance_ohm <= points[0].load_ohm:
        return points[0].vrms
    if impedance_ohm >= points[-1].load_ohm:
        return points[-1].vrms
    for lo, hi in zip(points, points[1:], strict=False):
        if lo.load_ohm <= impedance_ohm <= hi.load_ohm:
            t = math.log(impedance_ohm / lo.load_ohm) / math.log(hi.load_ohm / lo.load_ohm)
            return lo.vrms + t * (hi.vrms - lo.vrms)
    return None  # pragma: no cover - the loop covers every interior point


def max_voltage_at_load_vrms(
    amp: AmpPreset, *, impedance_ohm: float, vout_vrms: float | None = None, zout_ohm: float | None = None
) -> float | None:
    """Highest clean Vrms ``amp`` puts across ``impedance_ohm``; None when the preset has no output figure.

    ``vout_vrms``/``zout_ohm`` replace the preset's nominal figures (used for range ends). The unloaded voltage is
    divided by the output impedance (taken as 0 when unknown) and capped by the rated load limits.
    """
    vout = amp.vout_vrms if vout_vrms is None else vout_vrms
    zout = amp.zout_ohm if zout_ohm is None else zout_ohm
    candidates = []
    if vout is not None:
        candidates.append(load_voltage_vrms(vout, zout_ohm=zout or 0.0, impedance_ohm=impedance_ohm))
    limit = limit_vrms_at(amp.limits, impedance_ohm)
    if limit is not None:
        candidates.append(limit)
    return min(candidates) if candidates else None


@dataclass(frozen=True)
class DriveCheck:
    """Result of :func:`check_drive`; levels in dB SPL, voltages in Vrms, power in mW, impedances in ohm."""

    model: str
    amp_name: str
    amp_kind: str
    impedance_ohm: float
    sens_db_per_v: float
    sens_derived: bool
    listening_spl_db: float
    peak_margin_db: float
    target_peak_spl_db: float
    max_voltage_vrms: float | None
    max_spl_db: float | None
    limited_by: str
    max_spl_range_db: tuple[float, float] | None
    headroom_db: float | None
    power_at_max_mw: float | None
    zout_ohm: float | None
    damping_factor: float | None
    one_eighth_ok: bool | None
    verdict: tuple[str, ...]


def check_drive(
    headphone: HeadphoneFacts,
    amp: AmpPreset,
    *,
    listening_spl_db: float = DEFAULT_LISTENING_SPL_DB,
    peak_margin_db: float = DEFAULT_PEAK_MARGIN_DB,
    use_measured: bool = False,
) -> DriveCheck:
    """Maximum clean SPL of ``headphone`` on ``amp``, headroom over the listening peaks, 1/8 rule, verdict.

    Raises InvalidParameter when the headphone's impedance or sensitivity is missing (the message says which
    option supplies it) or when the levels are out of range.
    """
    from .facts import UNIT_PER_MW, UNIT_PER_V

    if not 20.0 <= listening_spl_db <= 120.0:
        raise InvalidParameter(f"listening level {listening_spl_db} dB SPL is outside 20-120 dB SPL")
    if not 0.0 <= peak_margin_db <= 60.0:
        raise InvalidParameter(f"peak margin {peak_margin_db} dB is outside 0-60 dB")
    z = headphone.impedance_ohm
    if z is None:
        reason = headphone.missing_reason.get("impedance_ohm", "not known")
        hint = "" if "--impedance" in reason else "; pass --impedance OHMS"
        raise InvalidParameter(f"{headphone.model}: impedance is missing ({reason}){hint}")
    sens_v = headphone.sensitivity_in(UNIT_PER_V, measured=use_measured)
    if sens_v is None:
        what = "measured sensitivity" if use_measured else "sensitivity"
        reason = headphone.missing_reason.get("sensitivity", "not known")
        hint = "" if "--sensitivity" in reason else "; pass --sensitivity DB --unit UNIT"
        raise InvalidParameter(f"{headphone.model}: {what} is missing ({reason}){hint}")
    target = listening_spl_db + peak_margin_db
    v_max = max_voltage_at_load_vrms(amp, impedance_ohm=z)
    max_spl = headroom = power = None
    limited_by = "unknown"
    if v_max is not None:
        max_spl = spl_at_voltage_db(v_max, sens_db_per_v=sens_v.value_db)
        limited_by = "amplifier output"
        power = power_mw(v_max, impedance_ohm=z)
        sens_mw = headphone.sensitivity_in(UNIT_PER_MW, measured=use_measured)
        if headphone.max_input_mw is not None and sens_mw is not None:
            rated = spl_at_power_db(headphone.max_input_mw, sens_db_per_mw=sens_mw.value_db)
            if rated < max_spl:
                max_spl, limited_by = rated, "headphone's rated max input"
                power = headphone.max_input_mw
        headroom = max_spl - target
    spl_range = _spl_range(amp, z, sens_v.value_db) if v_max is not None else None
    zout = amp.zout_ohm
    df = damping_factor(z, zout_ohm=zout) if zout is not None else None
    ok = meets_one_eighth_rule(z, zout_ohm=zout) if zout is not None else None
    check = DriveCheck(
        model=headphone.model,
        amp_name=amp.name,
        amp_kind=amp.kind,
        impedance_ohm=z,
        sens_db_per_v=sens_v.value_db,
        sens_derived=sens_v.derived,
        listening_spl_db=listening_spl_db,
        peak_margin_db=peak_margin_db,
        target_peak_spl_db=target,
        max_voltage_vrms=v_max,
        max_spl_db=max_spl,
        limited_by=limited_by,
        max_spl_range_db=spl_range,
        headroom_db=headroom,
        power_at_max_mw=power,
        zout_ohm=zout,
        damping_factor=df,
        one_eighth_ok=ok,
        verdict=(),
    )
    return _with_verdict(check, amp, planar=headphone.driver == "planar")


def _spl_range(amp: AmpPreset, z: float, sens_db_per_v: float) -> tuple[float, float] | None:
    """SPL at the preset's worst (low V, high Z_out) and best (high V, low Z_out) corners, if it gives ranges."""
    if amp.vout_range_vrms is None and amp.zout_range_ohm is None:
        return None
    v_lo, v_hi = amp.vout_range_vrms or (amp.vout_vrms, amp.vout_vrms)
    z_lo, z_hi = amp.zout_range_ohm or (amp.zout_ohm, amp.zout_ohm)
    worst = max_voltage_at_load_vrms(amp, impedance_ohm=z, vout_vrms=v_lo, zout_ohm=z_hi)
    best = max_voltage_at_load_vrms(amp, impedance_ohm=z, vout_vrms=v_hi, zout_ohm=z_lo)
    if worst is None or best is None:
        return None
    return (spl_at_voltage_db(worst, sens_db_per_v=sens_db_per_v), spl_at_voltage_db(best, sens_db_per_v=sens_db_per_v))


_ADVICE = {
    "laptop": "use an interface or a headphone amp",
    "phone": "use an interface or a headphone amp",
    "interface": "use a dedicated headphone amp",
    "headphone-amp": "use a more powerful amp or a more sensitive headphone",
    "custom": "use a more powerful output or a more sensitive headphone",
}


def _with_verdict(check: DriveCheck, amp: AmpPreset, *, planar: bool) -> DriveCheck:
    lines: list[str] = []
    level = (
        f"your level ({check.listening_spl_db:.0f} dB SPL average + {check.peak_margin_db:.0f} dB peaks"
        f" = {check.target_peak_spl_db:.0f} dB SPL)"
    )
    if check.max_spl_db is None or check.headroom_db is None:
        reason = amp.missing_reason.get("vout_vrms", "no maximum output figure")
        hint = "" if "--vout" in reason else " Measure it or pass --vout VRMS --zout OHMS."
        lines.append(f"Cannot say how loud {amp.name} gets on the {check.model}: {reason}.{hint}")
    else:
        head = f"{amp.name} reaches {check.max_spl_db:.1f} dB SPL on the {check.model}"
        if check.limited_by != "amplifier output":
            head += f" (limited by the {check.limited_by})"
        if check.headroom_db >= 0:
            margin = " (little margin)" if check.headroom_db < 3.0 else ""
            lines.append(f"{head}: {check.headroom_db:.1f} dB above clean peaks at {level}{margin}.")
        else:
            advice = (
                "the headphone's rating is the limit: listen lower"
                if check.limited_by != "amplifier output"
                else _ADVICE.get(amp.kind, _ADVICE["custom"])
            )
            lines.append(f"{head}: {-check.headroom_db:.1f} dB short of clean peaks at {level}; {advice}.")
        if check.max_spl_range_db is not None:
            lo, hi = check.max_spl_range_db
            lines.append(f"Across the preset's stated range ({_range_text(amp)}) that is {lo:.1f} to {hi:.1f} dB SPL.")
    lines.append(_zout_line(check, planar=planar))
    return replace(check, verdict=tuple(lines))


def _range_text(amp: AmpPreset) -> str:
    parts = []
    if amp.vout_range_vrms is not None:
        parts.append(f"{amp.vout_range_vrms[0]:g}-{amp.vout_range_vrms[1]:g} Vrms")
    if amp.zout_range_ohm is not None:
        parts.append(f"{amp.zout_range_ohm[0]:g}-{amp.zout_range_ohm[1]:g} ohm")
    return ", ".join(parts)


def _zout_line(check: DriveCheck, *, planar: bool) -> str:
    z = check.impedance_ohm
    if check.zout_ohm is None or check.damping_factor is None:
        return "Output impedance unknown: the 1/8 rule cannot be checked."
    zout = check.zout_ohm
    df = "infinite" if math.isinf(check.damping_factor) else f"{check.damping_factor:.1f}"
    if check.one_eighth_ok:
        return f"Output impedance {zout:g} ohm is within 1/8 of {z:g} ohm (damping factor {df}): no audible change."
    loss = gain_to_db(z / (z + zout))
    if planar:
        return (
            f"Output impedance {zout:g} ohm is above 1/8 of {z:g} ohm (damping factor {df}); this planar's impedance "
            f"is nearly flat, so expect a level loss ({loss:.1f} dB) rather than a tonal change."
        )
    return (
        f"Output impedance {zout:g} ohm is above 1/8 of {z:g} ohm (damping factor {df}): expect audible bass and "
        f"treble shifts where this headphone's impedance rises; prefer an output below {z / 8:.1f} ohm."
    )


__all__ = [
    "DEFAULT_LISTENING_SPL_DB",
    "DEFAULT_PEAK_MARGIN_DB",
    "DriveCheck",
    "check_drive",
    "damping_factor",
    "limit_vrms_at",
    "load_voltage_vrms",
    "max_voltage_at_load_vrms",
    "meets_one_eighth_rule",
    "power_mw",
    "spl_at_power_db",
    "spl_at_voltage_db",
    "spl_per_mw_to_per_v",
    "spl_per_v_to_per_mw",
    "voltage_for_spl_vrms",
]
