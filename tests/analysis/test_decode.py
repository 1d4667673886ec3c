"""The numpy WAV decoder in daw_bridge.audio.iter_blocks gives libsndfile's samples bit for bit."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from daw_bridge.audio import _wav_data_offset, audio_info, iter_blocks


def _noise(frames: int, channels: int) -> np.ndarray:
    x = np.clip(np.random.default_rng(7).standard_normal((frames, channels)) * 0.3, -1.0, 1.0)
    x[:3] = 1.0
    x[3:6] = -1.0
    return x


@pytest.mark.parametrize(
    ("fmt", "subtype", "raw"),
    [("WAV", "PCM_16", True), ("WAV", "PCM_24", True), ("WAV", "FLOAT", True), ("WAVEX", "PCM_24", True),
     ("WAV", "PCM_32", False), ("RF64", "PCM_24", False), ("AIFF", "PCM_24", False)],
)
@pytest.mark.parametrize("channels", [1, 2, 3])
def test_blocks_equal_libsndfile(tmp_path: Path, fmt: str, subtype: str, raw: bool, channels: int) -> None:
    path = tmp_path / "x.wav"
    sf.write(str(path), _noise(20011, channels), 44100, subtype=subtype, format=fmt)
    assert (_wav_data_offset(path, audio_info(path)) is not None) == raw
    for dtype in ("float32", "float64"):
        ours = np.concatenate(list(iter_blocks(path, 4096, dtype=dtype)))
        ref = sf.read(str(path), dtype=dtype, always_2d=True)[0]
        assert ours.dtype == ref.dtype
        np.testing.assert_array_equal(ours, ref)


def test_chunks_before_data_and_truncation(tmp_path: Path) -> None:
    path = tmp_path / "x.wav"
    sf.write(str(path), _noise(5000, 2), 48000, subtype="PCM_24")
    data = path.read_bytes()
    fmt_end = 20 + struct.unpack("<I", data[16:20])[0]
    listed = data[:fmt_end] + b"LIST" + struct.pack("<I", 5) + b"abcde\0" + data[fmt_end:]
    for content in (listed[:4] + struct.pack("<I", len(listed) - 8) + listed[8:], data[:20001], data[:20003]):
        path.write_bytes(content)
        assert _wav_data_offset(path, audio_info(path)) is not None
        ours = np.concatenate(list(iter_blocks(path, 1000, dtype="float32")))
        np.testing.assert_array_equal(ours, sf.read(str(path), dtype="float32", always_2d=True)[0])
