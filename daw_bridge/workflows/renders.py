"""Renders the workflows need: versioned bounces that never overwrite, and solo renders of one source.

A "source render" makes exactly one thing audible (the mix bus, or one reference) with the same one-bundle switch
the A/B loop uses, renders the master, and puts the previous mute state back, whatever happens.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import replace
from pathlib import Path

from ..daw import Daw, Progress, RenderRequest, RenderResult, TrackChange
from ..errors import DawBridgeError
from .roles import ABState, audible_changes

_VERSION = re.compile(r"-(\d{3,})\.wav$")


def next_version_path(directory: Path, stem: str) -> Path:
    """``directory/<stem>-NNN.wav`` with NNN one above the highest existing version (never an existing file)."""
    directory.mkdir(parents=True, exist_ok=True)
    highest = 0
    for path in directory.glob(f"{stem}-*.wav"):
        m = _VERSION.search(path.name)
        if m and path.name == f"{stem}-{m.group(1)}.wav":
            highest = max(highest, int(m.group(1)))
    candidate = directory / f"{stem}-{highest + 1:03d}.wav"
    while candidate.exists():  # pragma: no cover - only under a concurrent writer
        highest += 1
        candidate = directory / f"{stem}-{highest + 1:03d}.wav"
    return candidate


def previous_version(path: Path) -> Path | None:
    """The highest existing ``<stem>-NNN.wav`` beside ``path`` (itself ``<stem>-MMM.wav``) with NNN < MMM."""
    m = _VERSION.search(path.name)
    if m is None:
        return None
    stem, mine = path.name[: m.start()], int(m.group(1))
    older = [
        (int(v.group(1)), p) for p in path.parent.glob(f"{stem}-*.wav")
        if (v := _VERSION.search(p.name)) and p.name == f"{stem}-{v.group(1)}.wav" and int(v.group(1)) < mine
    ]
    return max(older)[1] if older else None


@contextmanager
def audible(daw: Daw, state: ABState, target: str) -> Iterator[None]:
    """Make ``target`` the only audible source for the duration of the block, then restore the mutes and volumes."""
    before = {t.name: t for t in daw.tracks()}
    names = (state.mix, *state.references)
    restore = [
        TrackChange(name, mute=before[name].mute, volume_db=before[name].volume_db) for name in names if name in before
    ]
    changes = audible_changes(state, target)
    # a render measures the source as it is now: keep each track's current volume, do not apply stored gains
    changes = [replace(c, volume_db=None) for c in changes]
    daw.apply(changes)
    try:
        yield
    except BaseException:
        with suppress(DawBridgeError):  # the DAW may be gone: report the original failure, not this one
            daw.apply(restore)
        raise
    daw.apply(restore)


def render_source(
    daw: Daw,
    state: ABState,
    target: str,
    directory: Path,
    stem: str,
    *,
    start_s: float | None = None,
    end_s: float | None = None,
    progress: Progress | None = None,
    timeout_s: float = 300.0,
) -> RenderResult:
    """Render the master with only ``target`` audible to a new versioned file in ``directory``."""
    path = next_version_path(directory, stem)
    request = RenderRequest(directory=directory, file_name=path.name, start_s=start_s, end_s=end_s)
    with audible(daw, state, target):
        return daw.render(request, progress=progress, timeout_s=timeout_s)


def safe_stem(name: str) -> str:
    """A file-name-safe version of a track name (``REF 1`` -> ``ref-1``)."""
    stem = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower()
    return stem or "track"
