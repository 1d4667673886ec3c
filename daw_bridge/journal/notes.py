"""What a note may say: aspect, band, direction, strength and position, read from what people (and forms) type.

One function, :func:`parse_note`, checks a note before it reaches the journal; its errors name the value and list
the choices, so the CLI, the guided session and the REAPER form all reject the same things the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..bands import BAND_NAMES, band_by_name
from ..errors import InvalidParameter
from .schema import ASPECTS, DIRECTIONS

#: Other words people use for the aspects (lower case).
ASPECT_ALIASES: dict[str, str] = {
    "low end": "bass", "lows": "bass", "kick": "bass",
    "mid": "mids", "midrange": "mids", "vocal": "mids", "vocals": "mids",
    "treble": "highs", "high": "highs", "cymbals": "highs", "air": "highs",
    "reverb": "ambience", "room": "ambience", "space": "ambience",
    "stereo": "stereo image", "image": "stereo image", "width": "stereo image", "panning": "stereo image",
    "nearness": "depth", "depth/nearness": "depth", "distance": "depth",
    "level": "overall level", "loudness": "overall level", "volume": "overall level",
}
#: Other ways of saying the direction.
DIRECTION_ALIASES: dict[str, int] = {
    "-": -1, "-1": -1, "<": -1, "weaker": -1, "lower": -1, "quieter": -1,
    "=": 0, "0": 0, "same": 0, "expected": 0, "ok": 0, "as-expected": 0, "as_expected": 0,
    "+": 1, "+1": 1, "1": 1, ">": 1, "stronger": 1, "higher": 1, "louder": 1,
}


@dataclass(frozen=True)
class NoteInput:
    """A checked note: ``direction`` -1/0/+1, ``strength`` 1-3, ``position_s`` >= 0 or None."""

    aspect: str
    direction: int
    strength: int
    band: str | None = None
    position_s: float | None = None
    text: str = ""


def parse_aspect(value: str) -> str:
    key = " ".join(str(value).strip().lower().replace("_", " ").split())
    if key in ASPECTS:
        return key
    if key in ASPECT_ALIASES:
        return ASPECT_ALIASES[key]
    raise InvalidParameter(f"unknown aspect {value!r}: choose one of {', '.join(ASPECTS)}")


def parse_direction(value: str | int) -> int:
    key = str(value).strip().lower()
    if key in DIRECTIONS:
        return DIRECTIONS[key]
    if key in DIRECTION_ALIASES:
        return DIRECTION_ALIASES[key]
    raise InvalidParameter(f"unknown direction {value!r}: say less, as expected or more (or -, =, +)")


def parse_strength(value: str | int) -> int:
    try:
        strength = int(str(value).strip())
    except ValueError:
        strength = 0
    if strength not in (1, 2, 3):
        raise InvalidParameter(f"strength {value!r} must be 1 (slight), 2 (clear) or 3 (strong)")
    return strength


def parse_band(value: str | None) -> str | None:
    if value is None or not str(value).strip() or str(value).strip().lower() in ("none", "-"):
        return None
    return band_by_name(str(value)).name


def parse_note(*, aspect: str, direction: str | int, strength: str | int = 2, band: str | None = None,
               position_s: float | str | None = None, text: str = "") -> NoteInput:
    """A :class:`NoteInput` from loose input; raises InvalidParameter naming the bad value and the choices.

    A note about a band with no aspect that fits it takes the band's natural aspect (sub/bass -> bass,
    low-mid/mid -> mids, the rest -> highs) when ``aspect`` is empty.
    """
    checked_band = parse_band(band)
    if not str(aspect).strip() and checked_band is not None:
        checked_aspect = band_aspect(checked_band)
    else:
        checked_aspect = parse_aspect(aspect)
    position: float | None = None
    if position_s is not None and str(position_s).strip() != "":
        try:
            position = float(position_s)
        except ValueError:
            position = -1.0
        if not position >= 0.0:
            raise InvalidParameter(f"position {position_s!r} must be seconds from the song's start (>= 0)")
    return NoteInput(checked_aspect, parse_direction(direction), parse_strength(strength), checked_band, position,
                     " ".join(str(text).split()))


def band_aspect(band: str) -> str:
    """The aspect a listening band belongs to: sub/bass -> bass, low-mid/mid -> mids, higher -> highs."""
    index = BAND_NAMES.index(band)
    return "bass" if index < 2 else "mids" if index < 4 else "highs"
