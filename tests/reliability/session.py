"""A small emulated REAPER project and the checks that a client's mirror is sane and matches it."""

from __future__ import annotations

import math

from daw_bridge.emulator.core import Emulator
from daw_bridge.emulator.project import Marker, Project, Track
from daw_bridge.reaper.client import ReaperClient
from daw_bridge.reaper.mirror import ProjectMirror
from daw_bridge.reaper.transport import MockTransport


def small_project(tracks: int = 6) -> Project:
    """``tracks`` tracks with distinct names, levels, pans, mutes and solos, and two markers (no audio)."""
    out = [
        Track(f"Track-{i} {'vox' if i % 2 else 'gtr'}", volume_db=-1.5 * i, pan=((i % 5) - 2) / 2.0,
              mute=i % 3 == 0, solo=i == 2)
        for i in range(1, tracks + 1)
    ]
    return Project(tracks=out, markers=[Marker(1, 1.0, "Verse"), Marker(2, 9.5, "Chorus")])


def mock_client(emu: Emulator, *, timeout_s: float = 1.0) -> tuple[ReaperClient, MockTransport]:
    """A real ReaperClient whose transport hands every packet to ``emu`` and delivers its feedback at once."""

    def handler(packet: bytes) -> list[bytes]:
        replies: list[bytes] = []
        emu.handle_packet(packet, replies.append)
        return replies

    transport = MockTransport(handler)
    return ReaperClient(transport, emu.patterns, timeout_s=timeout_s, settle_s=0.0), transport


def invariant_violations(mirror: ProjectMirror, *, finite: bool = True) -> list[str]:
    """What is wrong with the mirror's shape (types, ranges, keys); empty when sane.

    ``finite=False`` skips the checks that values are finite (the mirror takes NaN/inf feedback verbatim: a known
    bug, pinned by ``test_mirror_refuses_non_finite_feedback``)."""
    bad: list[str] = []
    for info in [*mirror.tracks(), mirror.master_info()]:
        where = f"track {info.index}"
        if not isinstance(info.name, str):
            bad.append(f"{where}: name {info.name!r} is not a string")
        if not isinstance(info.volume_db, float):
            bad.append(f"{where}: volume {info.volume_db!r} is not a float")
        elif finite and (math.isnan(info.volume_db) or info.volume_db == math.inf):
            bad.append(f"{where}: volume {info.volume_db!r} dB is not a level")
        if not isinstance(info.pan, float) or not -1.0 <= info.pan <= 1.0:
            bad.append(f"{where}: pan {info.pan!r} outside -1..+1")
        for flag in (info.mute, info.solo, info.selected):
            if not isinstance(flag, bool):
                bad.append(f"{where}: flag {flag!r} is not a bool")
        if info.index < 0:
            bad.append(f"{where}: negative track number")
    if mirror.bank_start < 0:
        bad.append(f"bank start {mirror.bank_start} < 0")
    transport = mirror.transport()
    if finite and not math.isfinite(transport.position_s):
        bad.append(f"play position {transport.position_s!r} s is not finite")
    return bad


def mismatches(client: ReaperClient, project: Project) -> list[str]:
    """Where the client's view differs from the emulator's true project (empty when converged)."""
    tracks = client.tracks()
    out: list[str] = []
    if len(tracks) != len(project.tracks):
        out.append(f"{len(tracks)} tracks mirrored, project has {len(project.tracks)}")
    for info, truth in zip(tracks, project.tracks, strict=False):
        where = f"track {info.index}"
        if info.name != truth.name:
            out.append(f"{where}: name {info.name!r} != {truth.name!r}")
        if not math.isclose(info.volume_db, truth.volume_db, abs_tol=0.01):
            out.append(f"{where}: volume {info.volume_db} != {truth.volume_db} dB")
        if not math.isclose(info.pan, truth.pan, abs_tol=0.01):
            out.append(f"{where}: pan {info.pan} != {truth.pan}")
        if (info.mute, info.solo) != (truth.mute, truth.solo):
            out.append(f"{where}: mute/solo {(info.mute, info.solo)} != {(truth.mute, truth.solo)}")
    return out
