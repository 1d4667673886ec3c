"""Helpers for emulator tests: synthesized audio files and an OSC round trip with literal datagrams."""

from __future__ import annotations

import re
import struct
from pathlib import Path

import numpy as np
import numpy.typing as npt
import soundfile as sf

from daw_bridge.emulator.core import Emulator
from daw_bridge.osc.codec import Message, decode_packet
from daw_bridge.osc.patterns import PatternSet, default_pattern_file
from tests.support.paths import REAPER_DEFAULT_OSC

REFERENCE_DEFAULT_OSC = REAPER_DEFAULT_OSC


def default_patterns() -> PatternSet:
    """REAPER's own Default.ReaperOSC, as is (8-track bank, no marker feedback).

    Where the reference copy is absent, our shipped file with REAPER's default settings restored stands in.
    """
    if REFERENCE_DEFAULT_OSC.exists():
        return PatternSet.from_file(REFERENCE_DEFAULT_OSC)
    text = default_pattern_file().read_text(encoding="utf-8")
    for key, value in {"DEVICE_TRACK_COUNT": 8, "DEVICE_FX_PARAM_COUNT": 16, "DEVICE_MARKER_COUNT": 0,
                       "DEVICE_REGION_COUNT": 0}.items():
        text = re.sub(rf"^{key} \d+", f"{key} {value}", text, flags=re.M)
    return PatternSet.from_text(text, source="Default.ReaperOSC (reconstructed)")

RATE = 48000


def sine(freq_hz: float, *, seconds: float = 1.0, rate: int = RATE, amp: float = 0.5,
         channels: int = 2) -> npt.NDArray[np.float64]:
    """A sine (frames, channels); the right channel is phase-shifted so L and R differ."""
    t = np.arange(int(seconds * rate)) / rate
    cols = [amp * np.sin(2 * np.pi * freq_hz * t + c * 0.3) for c in range(channels)]
    return np.stack(cols, axis=1)


def write_wav(path: Path, audio: npt.NDArray[np.float64], rate: int = RATE) -> Path:
    """Write float32 WAV (exact for the tests' gain arithmetic)."""
    sf.write(str(path), audio, rate, subtype="FLOAT")
    return path


def exchange(emu: Emulator, datagram: bytes) -> list[tuple[bytes, list[Message]]]:
    """Send one literal datagram; returns each feedback packet with its decoded messages."""
    packets: list[bytes] = []
    emu.handle_packet(datagram, packets.append)
    return [(p, decode_packet(p)) for p in packets]


def feedback(emu: Emulator, datagram: bytes) -> dict[str, tuple[object, ...]]:
    """Feedback of one datagram as address -> args."""
    return {m.address: m.args for _p, msgs in exchange(emu, datagram) for m in msgs}


def _pad(b: bytes) -> bytes:
    b += b"\0"
    return b + b"\0" * (-len(b) % 4)


def osc(address: str, *args: int | float | str) -> bytes:
    """A literal OSC datagram, byte by byte (independent of the codec under test)."""
    tags, data = ",", b""
    for a in args:
        if isinstance(a, int):
            tags, data = tags + "i", data + a.to_bytes(4, "big", signed=True)
        elif isinstance(a, float):
            tags, data = tags + "f", data + struct.pack(">f", a)
        else:
            tags, data = tags + "s", data + _pad(a.encode())
    return _pad(address.encode()) + _pad(tags.encode()) + data


def bundle(*datagrams: bytes) -> bytes:
    """A literal ``#bundle`` (timetag immediately) of ``datagrams``."""
    body = b"".join(len(d).to_bytes(4, "big") + d for d in datagrams)
    return b"#bundle\0" + (1).to_bytes(8, "big") + body
