"""daw_bridge.audio: reading, block iteration, writing; every failure names the file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from daw_bridge.audio import audio_info, iter_blocks, read_audio, write_audio
from daw_bridge.errors import InvalidAudio
from tests.support.signals import sine


def test_write_then_read_round_trip(tmp_path: Path) -> None:
    x = sine(440.0, 0.5, 44100, level_dbfs=-6.0, channels=2)
    path = write_audio(tmp_path / "a.wav", x, 44100, subtype="FLOAT")
    y, rate = read_audio(path)
    assert rate == 44100 and y.shape == x.shape
    np.testing.assert_allclose(y, x, atol=1e-7)
    info = audio_info(path)
    assert (info.rate, info.channels, info.frames) == (44100, 2, x.shape[0])
    assert info.duration_s == pytest.approx(0.5, abs=1e-4)


def test_mono_reads_as_one_column(tmp_path: Path) -> None:
    path = write_audio(tmp_path / "m.wav", np.zeros(1000), 48000)
    y, _ = read_audio(path)
    assert y.shape == (1000, 1)


def test_write_refuses_to_overwrite(tmp_path: Path) -> None:
    path = write_audio(tmp_path / "a.wav", np.zeros((100, 2)), 48000)
    with pytest.raises(InvalidAudio, match="already exists"):
        write_audio(path, np.ones((100, 2)) * 0.1, 48000)
    write_audio(path, np.ones((100, 2)) * 0.5, 48000, overwrite=True)
    assert read_audio(path)[0][0, 0] == pytest.approx(0.5, abs=1e-6)


def test_iter_blocks_concatenate_to_the_whole_file(tmp_path: Path) -> None:
    x = sine(1000.0, 1.0, 48000, level_dbfs=-3.0, channels=2)
    path = write_audio(tmp_path / "b.wav", x, 48000, subtype="FLOAT")
    blocks = list(iter_blocks(path, 7000))
    assert [b.shape[0] for b in blocks[:-1]] == [7000] * (len(blocks) - 1)
    np.testing.assert_allclose(np.concatenate(blocks), read_audio(path)[0])


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "not found"),
        (b"", "not a readable audio file"),
        (b"this is text, not audio" * 10, "not a readable audio file"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(8), "not a readable audio file"),
    ],
)
def test_bad_files_raise_invalid_audio_naming_the_file(tmp_path: Path, content: bytes | None, problem: str) -> None:
    path = tmp_path / "bad.wav"
    if content is not None:
        path.write_bytes(content)
    for call in (audio_info, read_audio, lambda p: list(iter_blocks(p, 1024))):
        with pytest.raises(InvalidAudio, match=problem) as info:
            call(path)
        assert str(path) in str(info.value)


def test_folder_is_not_audio(tmp_path: Path) -> None:
    with pytest.raises(InvalidAudio, match="folder"):
        audio_info(tmp_path)


def test_bad_block_size(tmp_path: Path) -> None:
    path = write_audio(tmp_path / "a.wav", np.zeros((100, 1)), 48000)
    with pytest.raises(ValueError, match="block_frames"):
        list(iter_blocks(path, 0))
