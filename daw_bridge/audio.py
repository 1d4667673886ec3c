"""Reading and writing audio files (soundfile); every failure is an :class:`InvalidAudio` naming the file.

Audio is always float ``(frames, channels)``, time on axis 0, mono included as ``(frames, 1)``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import soundfile as sf

from .errors import InvalidAudio, InvalidParameter

#: Highest channel count we accept (7.1 plus one spare); more is almost surely a wrong file.
MAX_CHANNELS = 8


@dataclass(frozen=True)
class AudioInfo:
    """What a file holds: ``rate`` Hz, ``channels``, ``frames``, ``duration_s``, container ``format``, ``subtype``."""

    rate: int
    channels: int
    frames: int
    duration_s: float
    format: str
    subtype: str


def _open_error(path: Path, exc: Exception) -> InvalidAudio:
    if not path.exists():
        return InvalidAudio(f"{path}: file not found")
    if path.is_dir():
        return InvalidAudio(f"{path}: is a folder, not an audio file")
    detail = str(exc).split(":")[-1].strip() or type(exc).__name__
    return InvalidAudio(f"{path}: not a readable audio file or unsupported format ({detail})")


def audio_info(path: str | Path) -> AudioInfo:
    """Header facts of ``path`` without reading samples; raises InvalidAudio if it is not readable audio."""
    p = Path(path)
    try:
        info = sf.info(str(p))
    except (sf.LibsndfileError, RuntimeError, OSError, TypeError) as exc:
        raise _open_error(p, exc) from exc
    if info.frames <= 0 or info.samplerate <= 0:
        raise InvalidAudio(f"{p}: holds no audio frames (empty or truncated file)")
    if not 1 <= info.channels <= MAX_CHANNELS:
        raise InvalidAudio(f"{p}: {info.channels} channels is not supported (1-{MAX_CHANNELS})")
    return AudioInfo(
        rate=int(info.samplerate),
        channels=int(info.channels),
        frames=int(info.frames),
        duration_s=info.frames / float(info.samplerate),
        format=str(info.format),
        subtype=str(info.subtype),
    )


def read_audio(
    path: str | Path, *, dtype: str = "float64"
) -> tuple[npt.NDArray[np.floating], int]:
    """The whole file as ``(frames, channels)`` float audio and its rate in Hz."""
    p = Path(path)
    info = audio_info(p)
    try:
        data, rate = sf.read(str(p), dtype=dtype, always_2d=True)
    except (sf.LibsndfileError, RuntimeError, OSError) as exc:
        raise InvalidAudio(f"{p}: corrupt or truncated audio data ({exc})") from exc
    if data.shape[0] == 0:
        raise InvalidAudio(f"{p}: holds no audio frames (empty or truncated file)")
    if data.shape[0] < info.frames:
        raise InvalidAudio(f"{p}: truncated (header says {info.frames} frames, read {data.shape[0]})")
    _check_finite(data, p)
    return data, int(rate)


def iter_blocks(
    path: str | Path, block_frames: int, *, dtype: str = "float64"
) -> Iterator[npt.NDArray[np.floating]]:
    """Consecutive ``(block_frames, channels)`` blocks of ``path`` (the last one may be shorter)."""
    if block_frames < 1:
        raise InvalidParameter(f"block_frames {block_frames} must be >= 1")
    p = Path(path)
    info = audio_info(p)
    read = 0
    try:
        with sf.SoundFile(str(p)) as f:
            for block in f.blocks(blocksize=block_frames, dtype=dtype, always_2d=True):
                _check_finite(block, p)
                read += block.shape[0]
                yield block
    except (sf.LibsndfileError, RuntimeError, OSError) as exc:
        raise InvalidAudio(f"{p}: corrupt or truncated audio data ({exc})") from exc
    if read < info.frames:
        raise InvalidAudio(f"{p}: truncated (header says {info.frames} frames, read {read})")


def write_audio(
    path: str | Path,
    audio: npt.ArrayLike,
    rate: int,
    *,
    subtype: str = "PCM_24",
    overwrite: bool = False,
) -> Path:
    """Write ``audio`` ``(frames, channels)`` or ``(frames,)`` at ``rate`` Hz; refuses to replace a file."""
    p = Path(path)
    arr = np.asarray(audio, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[0] == 0:
        raise InvalidAudio(f"{p}: audio to write must be (frames, channels) with frames > 0, got {arr.shape}")
    if rate <= 0:
        raise InvalidParameter(f"rate {rate} Hz must be > 0")
    if p.exists() and not overwrite:
        raise InvalidAudio(f"{p}: already exists; pass overwrite=True to replace it")
    try:
        sf.write(str(p), arr, int(rate), subtype=subtype)
    except (sf.LibsndfileError, RuntimeError, OSError, ValueError, TypeError) as exc:
        raise InvalidAudio(f"{p}: cannot write audio ({exc})") from exc
    return p


def _check_finite(data: npt.NDArray[np.floating], path: Path) -> None:
    if not np.isfinite(data).all():
        raise InvalidAudio(f"{path}: contains NaN or infinite samples (corrupt float data)")


__all__ = ["AudioInfo", "MAX_CHANNELS", "audio_info", "iter_blocks", "read_audio", "write_audio"]
