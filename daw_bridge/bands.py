"""The seven listening bands, in Hz: the only place their edges live.

sub 20-100, bass 100-300, low-mid 300-1k, mid 1-3k, high-mid 3-5k, low-highs 5-10k, highs 10-20k.
Analysis, band solo, JSFX parameter maps and reports all read them from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import InvalidParameter


@dataclass(frozen=True)
class Band:
    """A named frequency band, ``low_hz`` <= f < ``high_hz``."""

    name: str
    low_hz: float
    high_hz: float

    @property
    def centre_hz(self) -> float:
        """Geometric centre in Hz."""
        return float((self.low_hz * self.high_hz) ** 0.5)


BANDS: tuple[Band, ...] = (
    Band("sub", 20.0, 100.0),
    Band("bass", 100.0, 300.0),
    Band("low-mid", 300.0, 1000.0),
    Band("mid", 1000.0, 3000.0),
    Band("high-mid", 3000.0, 5000.0),
    Band("low-highs", 5000.0, 10000.0),
    Band("highs", 10000.0, 20000.0),
)

#: Band used by the "midrange" level-matching mode and as the reference of the highs ratio (Hz).
MIDRANGE_HZ: tuple[float, float] = (300.0, 3000.0)
#: The "air/presence" range whose ratio to the midrange is the highs figure (Hz).
HIGHS_HZ: tuple[float, float] = (5000.0, 20000.0)
#: Side energy below this is a mono-compatibility concern (Hz).
MONO_BASS_HZ: float = 100.0

BAND_NAMES: tuple[str, ...] = tuple(b.name for b in BANDS)


def band_by_name(name: str) -> Band:
    """The band called ``name`` (case-insensitive; ``lowmid``/``low_mid`` accepted)."""
    key = name.strip().lower().replace("_", "-")
    for band in BANDS:
        if band.name == key or band.name.replace("-", "") == key.replace("-", ""):
            return band
    raise InvalidParameter(f"unknown band {name!r}: choose one of {', '.join(BAND_NAMES)}")
