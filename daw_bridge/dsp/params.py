"""The parameter map of every monitoring effect: the one source of truth for Python DSP and the JSFX sliders.

For each kind (``correction``, ``crossfeed``, ``bandsolo``, ``simulation``, ``ceiling``) :data:`PARAMS` holds the
ordered slider list. The JSFX file ``daw_bridge/data/reaper/daw-bridge/daw-bridge_<kind>.jsfx`` declares exactly
these sliders, in this order, as ``sliderN:name=default<min,max,step{choices}>Label (unit)`` (a test
parses and compares them).
Values travel in real units (Hz, dB, Q, ratio); enum values travel as their choice name.

Effects whose response depends on data (band edges, playback-system curves, headphone filters) are generic
here: Python fills the numbers (band edges from :mod:`daw_bridge.bands`, curves from
:mod:`daw_bridge.dsp.simulation`) so no curve or edge is typed twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..errors import InvalidParameter

#: Filter types of an EQ band slider, in slider-value order (0 = off).
FILTER_TYPES: tuple[str, ...] = ("off", "peak", "lowshelf", "highshelf", "lowpass", "highpass")
#: Correction EQ bands: enough for any AutoEq file (they ship 10; the "GraphicEQ" style is not parametric).
CORRECTION_BANDS = 20
#: Simulation EQ bands (playback-system curves use at most this many sections).
SIMULATION_BANDS = 8
#: Virtual rooms of the ``speakers`` effect, in slider-value order (parameters in daw_bridge/data/speakers/).
SPEAKER_ROOMS: tuple[str, ...] = ("direct", "control-room", "living-room", "car", "cube", "laptop", "phone")
#: Choices of an on/off slider, in slider-value order.
ON_OFF: tuple[str, ...] = ("off", "on")
#: JSFX name prefix as REAPER lists our effects (``desc:`` lines are ``daw-bridge/<kind>``).
JSFX_PREFIX = "JS: daw-bridge/"


@dataclass(frozen=True)
class Slider:
    """One effect parameter: ``name``, ``unit`` (``Hz``, ``dB``, ``Q``, ``ratio`` or ``""``), range and default.

    For an enum, ``choices`` lists the names in slider-value order and min/max are 0..len-1.
    """

    name: str
    unit: str
    minimum: float
    maximum: float
    default: float
    choices: tuple[str, ...] = ()
    step: float = 0.0
    label: str = ""
    meter: bool = False  # written by the effect (a display), never set from outside

    @property
    def is_enum(self) -> bool:
        """Whether the slider selects one of ``choices``."""
        return bool(self.choices)

    @property
    def description(self) -> str:
        """The JSFX slider's description, ``Label (unit)``: what REAPER reports as the parameter's name
        (``TrackFX_GetParamName``), since a slider's variable name is not visible through the API."""
        return f"{self.label} ({self.unit})" if self.unit else self.label


def _eq_bands(count: int, prefix: str = "band") -> list[Slider]:
    out: list[Slider] = []
    n_types = float(len(FILTER_TYPES) - 1)
    for i in range(1, count + 1):
        out += [
            Slider(f"{prefix}{i}_type", "", 0.0, n_types, 0.0, FILTER_TYPES, 1.0, f"Band {i} type"),
            Slider(f"{prefix}{i}_freq", "Hz", 10.0, 24000.0, 1000.0, label=f"Band {i} frequency"),
            Slider(f"{prefix}{i}_gain", "dB", -30.0, 30.0, 0.0, label=f"Band {i} gain"),
            Slider(f"{prefix}{i}_q", "Q", 0.05, 20.0, 0.7071, label=f"Band {i} Q"),
        ]
    return out


def _output() -> Slider:
    return Slider("gain_db", "dB", -30.0, 30.0, 0.0, label="Output gain (loudness compensation)")


PARAMS: dict[str, tuple[Slider, ...]] = {
    "correction": (
        Slider("preamp_db", "dB", -40.0, 12.0, 0.0, label="Preamp"),
        *_eq_bands(CORRECTION_BANDS),
        _output(),
        Slider("design_hz", "Hz", 0.0, 384000.0, 0.0, step=1.0, label="Design rate of the bands, 0 = the running rate"),
    ),
    "crossfeed": (
        Slider("cut_hz", "Hz", 300.0, 2000.0, 700.0, label="Crossfeed cut frequency"),
        Slider("feed_db", "dB", 1.0, 15.0, 4.5, label="Crossfeed level"),
        Slider("centre_db", "dB", -6.0, 3.0, 0.0, label="Centre level"),
        _output(),
        Slider("on", "", 0.0, 1.0, 0.0, ON_OFF, 1.0, "Crossfeed on, off = pass-through"),
    ),
    "bandsolo": (
        Slider("low_hz", "Hz", 0.0, 24000.0, 0.0, label="Band low edge, 0 = none"),
        Slider("high_hz", "Hz", 0.0, 24000.0, 0.0, label="Band high edge, 0 = none"),
        Slider("order", "", 2.0, 16.0, 12.0, step=2.0, label="Butterworth order per edge"),
        _output(),
    ),
    "simulation": (
        Slider("width", "ratio", 0.0, 1.0, 1.0, label="Stereo width, 0 = mono sum"),
        *_eq_bands(SIMULATION_BANDS),
        _output(),
    ),
    "speakers": (
        Slider("room", "", 0.0, float(len(SPEAKER_ROOMS) - 1), 0.0, SPEAKER_ROOMS, 1.0, "Virtual room"),
        _output(),
    ),
    "ceiling": (
        Slider("ceiling_db", "dB", -20.0, 0.0, -1.0, label="Ceiling, true peak"),
        Slider("reduction_db", "dB", 0.0, 60.0, 0.0, label="Gain reduction, meter", meter=True),
    ),
}

#: The effect kinds, in monitoring-chain order (virtual speakers after the listening effects, the safety ceiling
#: last).
KINDS: tuple[str, ...] = ("correction", "crossfeed", "simulation", "bandsolo", "speakers", "ceiling")


#: Effects switched off by neutral parameters, never by REAPER's bypass: they stay enabled on the monitoring chain
#: and "off" is a pass-through state reached by their own crossfade (:mod:`daw_bridge.dsp.switching`). The
#: correction's off is flat (it still carries the monitoring headroom); band solo and simulation pass audio through
#: at their defaults; the crossfeed has its ``on`` slider (off by default, so adding the effect is inaudible).
SWITCHED_BY_PARAMS: tuple[str, ...] = ("correction", "crossfeed", "simulation", "bandsolo")
#: The parameters (over the defaults) that switch each of :data:`SWITCHED_BY_PARAMS` off.
NEUTRAL: dict[str, dict[str, float | str]] = {
    "correction": {},
    "crossfeed": {"on": "off"},
    "simulation": {},
    "bandsolo": {},
}


def is_pass_through(kind: str, params: Mapping[str, float | str]) -> bool:
    """Whether ``kind`` with ``params`` (over the defaults) is switched off by its parameters (see
    :data:`NEUTRAL`): a crossfeed whose ``on`` is off, a band solo with no edges and no gain, a simulation with no
    band, full width and no gain. The correction never is (it carries the monitoring headroom)."""
    p = resolve(kind, params)
    if kind == "crossfeed":
        return p["on"] == "off"
    if kind == "bandsolo":
        return p["low_hz"] == 0.0 and p["high_hz"] == 0.0 and p["gain_db"] == 0.0
    if kind == "simulation":
        bands = all(p[f"band{i}_type"] == "off" for i in range(1, SIMULATION_BANDS + 1))
        return bands and p["width"] == 1.0 and p["gain_db"] == 0.0
    return False


def sliders(kind: str) -> tuple[Slider, ...]:
    """The ordered sliders of ``kind``; raise InvalidParameter for an unknown kind."""
    try:
        return PARAMS[kind]
    except KeyError:
        raise InvalidParameter(f"unknown monitoring effect kind {kind!r}: choose one of {', '.join(PARAMS)}") from None


def slider_descriptions(kind: str, names: Iterable[str] | None = None) -> dict[str, str]:
    """Variable name -> description (see :attr:`Slider.description`) of ``kind``'s sliders (or just ``names``)."""
    known = {s.name: s.description for s in sliders(kind)}
    return known if names is None else {n: known[n] for n in names if n in known}


def jsfx_name(kind: str) -> str:
    """The effect's name as REAPER lists it, e.g. ``JS: daw-bridge/correction``."""
    sliders(kind)
    return f"{JSFX_PREFIX}{kind}"


def resolve(kind: str, params: Mapping[str, float | str]) -> dict[str, float | str]:
    """Every slider of ``kind`` with ``params`` applied over the defaults, validated.

    Numbers must lie in the slider's range; an enum takes a choice name (or its index). Unknown names raise
    InvalidParameter naming the parameter and the known ones. Meters (sliders the effect writes, such as the
    ceiling's gain reduction) are not parameters: a value for one (read back from the DAW) is ignored.
    """
    table = {s.name: s for s in sliders(kind) if not s.meter}
    meters = {s.name for s in sliders(kind) if s.meter}
    for name in params:
        if name not in table and name not in meters:
            raise InvalidParameter(f"{kind}: unknown parameter {name!r} (known: {', '.join(table)})")
    out: dict[str, float | str] = {}
    for name, slider in table.items():
        value = params.get(name, slider.choices[int(slider.default)] if slider.is_enum else slider.default)
        out[name] = _check(kind, slider, value)
    return out


def _check(kind: str, slider: Slider, value: float | str) -> float | str:
    if slider.is_enum:
        if isinstance(value, str):
            key = value.strip().lower()
            if key not in slider.choices:
                raise InvalidParameter(f"{kind}.{slider.name}: {value!r} is not one of {', '.join(slider.choices)}")
            return key
        index = int(value)
        if index != value or not 0 <= index < len(slider.choices):
            raise InvalidParameter(f"{kind}.{slider.name}: {value!r} is not a choice index 0-{len(slider.choices) - 1}")
        return slider.choices[index]
    if isinstance(value, str):
        raise InvalidParameter(f"{kind}.{slider.name}: expected a number in {slider.unit or 'units'}, got {value!r}")
    number = float(value)
    if not slider.minimum <= number <= slider.maximum:
        raise InvalidParameter(
            f"{kind}.{slider.name}: {number:g} {slider.unit} is outside {slider.minimum:g}..{slider.maximum:g}"
        )
    return number


def slider_value(kind: str, name: str, value: float | str) -> float:
    """The numeric slider value REAPER receives for ``value`` (an enum's index, a number as is)."""
    slider = {s.name: s for s in sliders(kind)}[name]
    checked = _check(kind, slider, value)
    return float(slider.choices.index(checked)) if isinstance(checked, str) else checked
