"""Parse AutoEq / EqualizerAPO ``ParametricEQ.txt`` files; every error names ``file:line`` and the reason.

Grammar (one statement per line; blank lines and ``#`` comments ignored)::

    Preamp: -6.1 dB
    Filter 1: ON LSC Fc 105 Hz Gain 6.4 dB Q 0.70
    Filter: ON PK Fc 8800 Hz Gain 5.1 dB Q 1.42
    Filter 3: OFF PK Fc 40 Hz Gain 1 dB Q 1      (kept out of the chain)
    Filter 4: ON HP Fc 20 Hz                     (LP/HP/LPQ/HPQ: Q optional, 0.7071)

Types: PK/PEQ -> peak; LSC/LS/LSQ -> lowshelf; HSC/HS/HSQ -> highshelf; LP/LPQ -> lowpass; HP/HPQ -> highpass.
EqualizerAPO's ``LS``/``HS`` (corner-frequency shelves) are read as the centre-frequency ``LSC``/``HSC`` with the
given (or default 0.7071) Q: an approximation, as AutoEq itself only writes ``LSC``/``HSC``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..dsp.biquad import BUTTERWORTH_Q, Biquad
from ..errors import PresetError

#: File-type token -> biquad kind.
TYPE_NAMES: dict[str, str] = {
    "PK": "peak", "PEQ": "peak", "LSC": "lowshelf", "LS": "lowshelf", "LSQ": "lowshelf",
    "HSC": "highshelf", "HS": "highshelf", "HSQ": "highshelf",
    "LP": "lowpass", "LPQ": "lowpass", "HP": "highpass", "HPQ": "highpass",
}  # fmt: skip
#: Rate the AutoEq files are designed at (Hz).
AUTOEQ_RATE_HZ = 44100
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_PREAMP = re.compile(rf"^preamp\s*:\s*({_NUMBER})\s*db$", re.IGNORECASE)
_FILTER = re.compile(r"^filter(?:\s*\d+)?\s*:\s*(on|off)\s+([a-z]+)\s*(.*)$", re.IGNORECASE)
_FIELD = re.compile(rf"(fc|gain|q)\s+({_NUMBER})\s*(hz|db)?", re.IGNORECASE)


@dataclass(frozen=True)
class ParametricEq:
    """A parsed file: ``preamp_db`` (0 when absent), active ``filters`` in file order, ``design_rate_hz``."""

    preamp_db: float
    filters: tuple[Biquad, ...]
    design_rate_hz: int = AUTOEQ_RATE_HZ


def parse_text(text: str, *, source: str = "<text>") -> ParametricEq:
    """Parse ParametricEQ ``text``; ``source`` names it in errors (``source:line: reason``)."""
    preamp: float | None = None
    filters: list[Biquad] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        where = f"{source}:{number}"
        pre = _PREAMP.match(line)
        if pre:
            if preamp is not None:
                raise PresetError(f"{where}: second Preamp line (only one allowed)")
            preamp = float(pre.group(1))
            if not -60.0 <= preamp <= 30.0:
                raise PresetError(f"{where}: preamp {preamp:g} dB is outside -60..30 dB")
            continue
        filt = _FILTER.match(line)
        if not filt:
            raise PresetError(
                f"{where}: expected 'Preamp: <dB> dB' or 'Filter N: ON <type> Fc ...', got {raw.strip()!r}"
            )
        parsed = _parse_filter(filt.group(2), filt.group(3), where)
        if filt.group(1).upper() == "ON":
            filters.append(parsed)
    if not filters:
        raise PresetError(f"{source}: no active filter found (is this a ParametricEQ.txt?)")
    return ParametricEq(preamp_db=0.0 if preamp is None else preamp, filters=tuple(filters))


def _parse_filter(type_token: str, rest: str, where: str) -> Biquad:
    kind = TYPE_NAMES.get(type_token.upper())
    if kind is None:
        raise PresetError(f"{where}: unknown filter type {type_token!r} (known: {', '.join(TYPE_NAMES)})")
    fields: dict[str, float] = {}
    consumed = _FIELD.sub("", rest).strip()
    if consumed:
        raise PresetError(f"{where}: cannot read {consumed!r} (expected 'Fc <Hz> Hz Gain <dB> dB Q <Q>')")
    for match in _FIELD.finditer(rest):
        name = match.group(1).lower()
        if name in fields:
            raise PresetError(f"{where}: {name} given twice")
        fields[name] = float(match.group(2))
    if "fc" not in fields:
        raise PresetError(f"{where}: {type_token} filter lacks 'Fc <Hz> Hz'")
    freq = fields["fc"]
    if not 1.0 <= freq <= 22000.0:
        raise PresetError(f"{where}: Fc {freq:g} Hz is outside 1..22000 Hz")
    gain = fields.get("gain", 0.0)
    if kind in ("peak", "lowshelf", "highshelf") and "gain" not in fields:
        raise PresetError(f"{where}: {type_token} filter lacks 'Gain <dB> dB'")
    if not -30.0 <= gain <= 30.0:
        raise PresetError(f"{where}: gain {gain:g} dB is outside -30..30 dB")
    if kind == "peak" and "q" not in fields:
        raise PresetError(f"{where}: PK filter lacks 'Q <value>'")
    q = fields.get("q", BUTTERWORTH_Q)
    if not 0.02 <= q <= 40.0:
        raise PresetError(f"{where}: Q {q:g} is outside 0.02..40")
    return Biquad(kind, freq, gain if kind in ("peak", "lowshelf", "highshelf") else 0.0, q)


def parse_file(path: str | Path) -> ParametricEq:
    """Read and parse a ParametricEQ.txt file; unreadable files raise PresetError naming them."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise PresetError(f"{p}: cannot read AutoEq file ({exc})") from exc
    return parse_text(text, source=str(p))
