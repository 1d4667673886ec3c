"""Findings -> coloured, tagged markers. Only our own markers are ever replaced (the DAW side enforces it too)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from ..daw import Daw, MarkerSpec


class Finding(Protocol):
    """What a marker is made from: :class:`daw_bridge.analysis.compare.Finding`, or a script's own object with
    these attributes (area name, start and end in seconds, a mixer-readable message)."""

    @property
    def area(self) -> str: ...
    @property
    def start_s(self) -> float: ...
    @property
    def end_s(self) -> float: ...
    @property
    def message(self) -> str: ...

#: Marker colour per finding area (``#rrggbb``), so a glance at the timeline tells what deviates.
AREA_COLORS: dict[str, str] = {
    "reverb": "#3399ff",  # blue
    "width": "#aa66ff",  # purple
    "highs": "#ffcc00",  # yellow
    "level": "#ff4444",  # red
    "dynamics": "#33cc66",  # green
}
DEFAULT_COLOR = "#ff8000"


def findings_to_markers(findings: Iterable[Finding]) -> list[MarkerSpec]:
    """One region per finding, coloured by area, named with the finding's message, in time order."""
    specs = [
        MarkerSpec(
            time_s=float(f.start_s),
            end_s=float(f.end_s) if f.end_s > f.start_s else None,
            name=f.message,
            color=AREA_COLORS.get(f.area, DEFAULT_COLOR),
        )
        for f in findings
    ]
    return sorted(specs, key=lambda m: (m.time_s, m.name))


def publish_findings(daw: Daw, findings: Sequence[Finding]) -> list[MarkerSpec]:
    """Replace our previous findings markers with these, in one undo point; returns what was written."""
    markers = findings_to_markers(findings)
    daw.replace_markers(markers)
    return markers
