"""Apply designed filters block by block with carried state: chunked output equals whole-buffer output.

Audio is float ``(frames, channels)``; a 1-D block is one channel (``(frames,)``).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ..errors import InvalidAudio, InvalidParameter

Audio = npt.NDArray[np.float64]


def as_stereo(block: npt.ArrayLike) -> Audio:
    """``block`` as float64 ``(frames, 2)``: mono ``(frames,)`` or ``(frames, 1)`` is copied to both channels.

    Raises InvalidAudio for more than two channels, non-numeric or non-finite samples.
    """
    arr = np.asarray(block)
    if arr.dtype.kind not in "fiu":
        raise InvalidAudio(f"audio block must hold numbers, not {arr.dtype}")
    arr = arr.astype(np.float64, copy=False)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[1] not in (1, 2):
        raise InvalidAudio(f"audio block must be (frames, 1|2), got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise InvalidAudio("audio block holds NaN or infinite samples")
    if arr.shape[1] == 1:
        arr = np.repeat(arr, 2, axis=1)
    return arr


class SosFilter:
    """A fixed ``(n, 6)`` sos cascade applied to ``channels`` channels, carrying ``zi`` between blocks."""

    def __init__(self, sos: npt.ArrayLike, *, channels: int = 2) -> None:
        arr = np.atleast_2d(np.asarray(sos, dtype=np.float64))
        if arr.ndim != 2 or arr.shape[1] != 6 or arr.shape[0] < 1:
            raise InvalidParameter(f"sos must have shape (n, 6), got {arr.shape}")
        if channels < 1:
            raise InvalidParameter(f"channels {channels} must be >= 1")
        self.sos = arr
        self.channels = channels
        self._zi = np.zeros((arr.shape[0], 2, channels))

    def reset(self) -> None:
        """Forget the carried state (silence before the next block)."""
        self._zi[:] = 0.0

    def process(self, block: Audio) -> Audio:
        """Filter ``block`` ``(frames, channels)``; returns a new array of the same shape."""
        if block.ndim != 2 or block.shape[1] != self.channels:
            raise InvalidAudio(f"block shape {block.shape} does not match {self.channels} channels")
        if block.shape[0] == 0:
            return block.copy()
        from scipy import signal  # on first use, not at import: commands that never filter start faster

        out, self._zi = signal.sosfilt(self.sos, block, axis=0, zi=self._zi)
        return np.asarray(out, dtype=np.float64)


def iter_blocks(audio: Audio, block_frames: int) -> list[Audio]:
    """``audio`` cut into consecutive blocks of ``block_frames`` (the last one shorter)."""
    if block_frames < 1:
        raise InvalidParameter(f"block_frames {block_frames} must be >= 1")
    return [audio[i : i + block_frames] for i in range(0, audio.shape[0], block_frames)]
