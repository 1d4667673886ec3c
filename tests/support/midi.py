"""A Standard MIDI File writer (format 0, one track), enough to score test songs for a General MIDI synth.

Notes are ``(start_beat, length_beats, channel, key, velocity)``; programs are set per channel; tempo changes are
``(beat, bpm)``. Times are written at :data:`PPQ` ticks per quarter note.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

PPQ = 480
DRUMS = 9  # General MIDI's percussion channel (channel 10, counted from 1)


@dataclass
class Score:
    """What a song plays: notes, programs by channel, tempo map (``(beat, bpm)``, the first at beat 0)."""

    notes: list[tuple[float, float, int, int, int]] = field(default_factory=list)
    programs: dict[int, int] = field(default_factory=dict)
    tempos: list[tuple[float, float]] = field(default_factory=lambda: [(0.0, 120.0)])

    def note(self, beat: float, length: float, channel: int, key: int, velocity: int = 96) -> None:
        self.notes.append((beat, length, channel, key, velocity))

    def seconds_at(self, beat: float) -> float:
        """Time in seconds of ``beat`` under the tempo map."""
        t, prev_beat, bpm = 0.0, 0.0, self.tempos[0][1]
        for at, new_bpm in sorted(self.tempos)[1:]:
            if at >= beat:
                break
            t += (at - prev_beat) * 60.0 / bpm
            prev_beat, bpm = at, new_bpm
        return t + (beat - prev_beat) * 60.0 / bpm


def _varlen(value: int) -> bytes:
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))


def _events(score: Score) -> Iterable[tuple[int, int, bytes]]:
    """(tick, order, bytes): tempo and programs first at a tick, note-offs before note-ons."""
    for beat, bpm in score.tempos:
        yield round(beat * PPQ), 0, b"\xff\x51\x03" + struct.pack(">I", round(60_000_000 / bpm))[1:]
    for channel, program in score.programs.items():
        yield 0, 1, bytes([0xC0 | channel, program])
    for beat, length, channel, key, velocity in score.notes:
        start = round(beat * PPQ)
        yield start, 3, bytes([0x90 | channel, key, velocity])
        yield max(start + 1, round((beat + length) * PPQ)), 2, bytes([0x80 | channel, key, 0])


def write_midi(path: Path, score: Score) -> Path:
    """Write ``score`` as a format-0 SMF at ``path``."""
    track = bytearray()
    last = 0
    for tick, _order, data in sorted(_events(score), key=lambda e: (e[0], e[1])):
        track += _varlen(tick - last) + data
        last = tick
    track += b"\x00\xff\x2f\x00"
    header = b"MThd" + struct.pack(">IHHH", 6, 0, 1, PPQ)
    path.write_bytes(header + b"MTrk" + struct.pack(">I", len(track)) + bytes(track))
    return path
