"""Which markers and regions daw-bridge wrote, known by ID as the Lua bridge knows them (lib/tracks.lua).

The IDs live in the project's ext state (section ``daw_bridge``, key ``our_markers``, a JSON list of
``{"guid", "number", "region"}``), so they are saved with the project. A marker is ours when its GUID is recorded,
or, for an entry written by a REAPER older than 7.62 (no marker GUIDs), when its region-ness and displayed number
match. Names never decide: a user's marker called "[daw-bridge] ..." is left alone, and one of ours the user
renamed is still found.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from .project import Marker, Project

SECTION = "daw_bridge"
OWNED_KEY = "our_markers"
#: How many IDs are remembered (GUIDs of deleted markers stay: an undo may bring those markers back).
OWNED_KEPT = 2000


@dataclass(frozen=True)
class OwnedId:
    """One recorded ID: the marker's ``guid``, or (before 7.62) its displayed ``number`` and ``region``-ness."""

    guid: str | None
    number: int | None
    region: bool


def owned(project: Project) -> list[OwnedId]:
    """The recorded IDs (junk entries dropped)."""
    try:
        raw = json.loads(project.get_ext_state(SECTION, OWNED_KEY) or "[]")
    except ValueError:
        return []
    out = []
    for e in raw if isinstance(raw, list) else []:
        if not isinstance(e, dict):
            continue
        guid = e.get("guid") if isinstance(e.get("guid"), str) else None
        number = e.get("number") if isinstance(e.get("number"), int) and not isinstance(e.get("number"), bool) else None
        if guid is not None or number is not None:
            out.append(OwnedId(guid, number, e.get("region") is True))
    return out


def save_owned(project: Project, ids: Sequence[OwnedId]) -> None:
    kept = list(ids)[-OWNED_KEPT:]
    if not kept:
        project.ext_state.get(SECTION, {}).pop(OWNED_KEY, None)
        return
    project.set_ext_state(SECTION, OWNED_KEY, json.dumps(
        [{"guid": e.guid, "number": e.number, "region": e.region} for e in kept], separators=(",", ":")))


def is_ours(marker: Marker, ids: Sequence[OwnedId]) -> bool:
    """Whether ``marker`` is recorded: by GUID, or by region-ness and number for an entry without one."""
    for e in ids:
        if e.guid is not None:
            if marker.guid == e.guid:
                return True
        elif e.number == marker.number and e.region == marker.is_region:
            return True
    return False


def delete_ours(project: Project) -> int:
    """Delete every recorded marker/region; GUIDs stay recorded, numbers go (REAPER reuses free numbers).
    Returns how many were deleted."""
    ids = owned(project)
    before = len(project.markers)
    project.markers = [m for m in project.markers if not is_ours(m, ids)]
    save_owned(project, [e for e in ids if e.guid is not None])
    return before - len(project.markers)


def add_ours(project: Project, marker: Marker) -> None:
    """Add ``marker`` to the project and record its GUID."""
    project.markers.append(marker)
    save_owned(project, [*owned(project), OwnedId(marker.guid, None, marker.is_region)])
