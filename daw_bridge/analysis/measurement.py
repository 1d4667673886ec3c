"""The result of analysing one file: a frozen :class:`Measurement`, and its round trip through JSON."""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from dataclasses import dataclass
from typing import Any

from .balance import Balance
from .dynamics import Dynamics
from .loudness import LoudnessStats
from .reverb import Reverb
from .sections import Section
from .structure import SongSection
from .width import Width


@dataclass(frozen=True)
class Measurement:
    """Everything measured on one file: ``rate`` Hz, ``duration_s``; ``width`` is None for non-stereo files;
    ``structure`` the song's sections found from the audio (empty when too short, too long or not asked for);
    ``dynamics`` crest factor, PLR, loudness range and the short-term loudness curve (:mod:`.dynamics`)."""

    name: str
    path: str | None
    rate: int
    channels: int
    duration_s: float
    loudness: LoudnessStats
    balance: Balance
    width: Width | None
    reverb: Reverb
    sections: tuple[Section, ...]
    notes: tuple[str, ...] = ()
    structure: tuple[SongSection, ...] = ()
    dynamics: Dynamics | None = None


def to_plain(value: Any) -> Any:
    """Dataclasses to dicts, tuples to lists; floats kept as they are (inf/NaN included)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    return value


def from_plain(kind: Any, value: Any) -> Any:
    """Rebuild a value of type ``kind`` (dataclass, tuple[...], X | None, float ...) from :func:`to_plain` data."""
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(kind) if a is not type(None)]
        return None if value is None else from_plain(args[0], value)
    if origin is tuple:
        item = typing.get_args(kind)[0]
        return tuple(from_plain(item, v) for v in value)
    if dataclasses.is_dataclass(kind) and isinstance(kind, type):
        hints = typing.get_type_hints(kind)
        return kind(**{f.name: from_plain(hints[f.name], value[f.name]) for f in dataclasses.fields(kind)})
    if kind is float:
        return math.nan if value is None else float(value)
    return value


def measurement_from_plain(data: dict[str, Any]) -> Measurement:
    """Inverse of ``to_plain(measurement)``."""
    result = from_plain(Measurement, data)
    assert isinstance(result, Measurement)
    return result


__all__ = ["Measurement", "from_plain", "measurement_from_plain", "to_plain"]
