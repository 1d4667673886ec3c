"""Uniformly partitioned FFT convolution (overlap-save, frequency-domain delay line), with a click-free room change.

Designed once (:func:`design`: the response cut into ``block_frames``-long partitions, each transformed at twice
that length) and applied blockwise on ``(frames, channels)`` arrays of any length. Input is gathered into
partitions; each full partition is transformed, pushed into the delay line of past spectra, multiplied with the
partition spectra of the response and summed, and its last half after the inverse transform is the output of
the next partition: the latency is exactly ``block_frames`` (what the JSFX reports as ``pdc_delay``).

A new response (:meth:`SpeakerConvolver.set_response`) takes effect at the next partition boundary and is
crossfaded in over ``CROSSFADE_MS`` (raised cosine; both responses run on the same delay line during the fade,
so the new room's reverberation is already there, nothing bursts in). A change asked for during a fade waits for
it to end. ``daw-bridge_speakers.jsfx`` does exactly this, sample by sample; the tests compare the two.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import fft as sfft

from ..dsp.blocks import Audio
from ..errors import InvalidAudio, InvalidParameter

#: Partition length, frames (the JSFX's ``B``; its FFTs are ``2 * B`` points).
BLOCK_FRAMES = 512
#: Longest response, in partitions (the JSFX's memory holds this many per path): 0.68 s at 96 kHz.
MAX_PARTITIONS = 128
#: From this many partitions in one call, the delay-line sum is done by a transform along the partition axis.
TRANSFORM_SUM_FROM = 8
#: Room-change crossfade, ms.
CROSSFADE_MS = 30.0


@dataclass(frozen=True)
class Design:
    """A response ready to run: ``spectra`` ``(partitions, block_frames + 1, inputs, outputs)`` complex."""

    spectra: npt.NDArray[np.complex128]
    block_frames: int
    taps: int

    @property
    def partitions(self) -> int:
        """Number of partitions."""
        return int(self.spectra.shape[0])

    @property
    def matrix(self) -> npt.NDArray[np.complex128]:
        """The spectra as ``(bins, partitions * inputs, outputs)``, last partition first (it meets the oldest
        input in the delay line), for one matrix product per bin."""
        cached = self.__dict__.get("_matrix")
        if cached is None:
            p, f, i, o = self.spectra.shape  # oldest partition of the delay line meets the last partition
            cached = np.ascontiguousarray(np.transpose(self.spectra[::-1], (1, 0, 2, 3)).reshape(f, p * i, o))
            object.__setattr__(self, "_matrix", cached)
        return np.asarray(cached)

    def along_partitions(self, n: int) -> npt.NDArray[np.complex128]:
        """The spectra transformed along the partition axis at ``n`` points, ``(bins, n, inputs, outputs)``
        (cached per ``n``)."""
        cache: dict[int, npt.NDArray[np.complex128]] = self.__dict__.setdefault("_along", {})
        if n not in cache:
            cache[n] = sfft.fft(np.transpose(self.spectra, (1, 0, 2, 3)), n=n, axis=1)
        return cache[n]


def design(ir: npt.ArrayLike, *, block_frames: int = BLOCK_FRAMES) -> Design:
    """Partition and transform ``ir`` ``(taps, inputs, outputs)`` once.

    Raises InvalidParameter for a response that is not 3-D, not finite, or longer than ``MAX_PARTITIONS``
    partitions, or a block length that is not a power of two in 16..16384.
    """
    h = np.asarray(ir, dtype=np.float64)
    if block_frames < 16 or block_frames > 16384 or block_frames & (block_frames - 1):
        raise InvalidParameter(f"block_frames {block_frames} must be a power of two in 16..16384")
    if h.ndim != 3 or h.shape[0] < 1:
        raise InvalidParameter(f"response must be (taps, inputs, outputs), got shape {h.shape}")
    if not np.all(np.isfinite(h)):
        raise InvalidParameter("response holds NaN or infinite values")
    parts = -(-h.shape[0] // block_frames)
    if parts > MAX_PARTITIONS:
        raise InvalidParameter(f"response of {h.shape[0]} taps needs {parts} partitions of {block_frames}; "
                               f"at most {MAX_PARTITIONS} fit (shorten the room's length_ms)")  # fmt: skip
    padded = np.zeros((parts * block_frames, *h.shape[1:]))
    padded[: h.shape[0]] = h
    blocks = padded.reshape(parts, block_frames, *h.shape[1:])
    spectra = sfft.rfft(blocks, n=2 * block_frames, axis=1)
    return Design(spectra=spectra, block_frames=block_frames, taps=h.shape[0])


class SpeakerConvolver:
    """Partitioned convolution of ``inputs`` channels into ``outputs`` channels, one :class:`Design` at a time.

    ``design`` None passes the input through, delayed by the latency (what the JSFX does without a response).
    """

    def __init__(self, first: Design | None, *, inputs: int = 2, outputs: int = 2, sample_rate: int = 48000,
                 block_frames: int = BLOCK_FRAMES) -> None:  # fmt: skip
        if first is not None and (first.spectra.shape[2:] != (inputs, outputs) or first.block_frames != block_frames):
            raise InvalidParameter(f"response is {first.spectra.shape[2:]} at {first.block_frames} frames; "
                                   f"expected ({inputs}, {outputs}) at {block_frames}")  # fmt: skip
        if inputs != outputs and first is None:
            raise InvalidParameter("a pass-through needs as many outputs as inputs")
        self.inputs, self.outputs, self.block_frames = inputs, outputs, block_frames
        self.fade_frames = max(1, int(np.floor(CROSSFADE_MS / 1000.0 * sample_rate + 0.5)))  # as the JSFX rounds
        self._active = first
        self._pending: tuple[Design | None] | None = None
        self._next: Design | None = None
        self._fade_pos = -1  # -1: no fade running
        self.reset()

    @property
    def latency_frames(self) -> int:
        """Delay of the output, frames (one partition)."""
        return self.block_frames

    @property
    def fading(self) -> bool:
        """Whether a room change is being crossfaded."""
        return self._fade_pos >= 0

    def reset(self) -> None:
        """Silence before the next block: clear the delay line and buffers; a running fade completes."""
        b, f = self.block_frames, self.block_frames + 1
        if self._fade_pos >= 0:
            self._active, self._fade_pos = self._next, -1
        if self._pending is not None:
            self._active, self._pending = self._pending[0], None
        # the delay line, each spectrum stored twice (slot and slot + MAX_PARTITIONS) so the last P partitions are
        # always one contiguous slice, oldest first: (bins, 2 * MAX_PARTITIONS, inputs)
        self._ring = np.zeros((f, 2 * MAX_PARTITIONS, self.inputs), dtype=np.complex128)
        self._head = MAX_PARTITIONS - 1
        self._prev = np.zeros((b, self.inputs))
        self._cur = np.zeros((b, self.inputs))
        self._out = np.zeros((b, self.outputs))
        self._pos = 0

    def set_response(self, new: Design | None) -> None:
        """Change to ``new`` at the next partition boundary, crossfaded (see the module doc)."""
        if new is not None and (new.spectra.shape[2:] != (self.inputs, self.outputs)
                                or new.block_frames != self.block_frames):  # fmt: skip
            raise InvalidParameter("new response does not match the convolver's channels or partition length")
        self._pending = (new,)

    def process(self, block: npt.ArrayLike) -> Audio:
        """Convolve the next ``(frames, inputs)`` block; returns ``(frames, outputs)`` (delayed by the latency)."""
        x = np.asarray(block, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != self.inputs:
            raise InvalidAudio(f"block shape {x.shape} does not match {self.inputs} input channels")
        n, b = x.shape[0], self.block_frames
        out = np.empty((n, self.outputs))
        i = 0
        while i < n:
            if self._pos == 0 and n - i >= 2 * b and self._pending is None and self._fade_pos < 0:
                k = (n - i) // b  # whole partitions at once: outputs lag one partition behind
                chunks = x[i : i + k * b]
                ys = self._compute(chunks.reshape(k, b, self.inputs), self._active)
                out[i : i + b] = self._out
                out[i + b : i + k * b] = ys[:-1].reshape(-1, self.outputs)
                self._out = ys[-1]
                self._prev = chunks[-b:].copy()
                i += k * b
                continue
            take = min(b - self._pos, n - i)
            self._cur[self._pos : self._pos + take] = x[i : i + take]
            out[i : i + take] = self._out[self._pos : self._pos + take]
            self._pos += take
            i += take
            if self._pos == b:
                self._boundary()
                self._pos = 0
        return out

    def _boundary(self) -> None:
        """One full partition in ``_cur``: start a pending change, compute the next partition's output."""
        if self._pending is not None and self._fade_pos < 0:
            new = self._pending[0]
            self._pending = None
            if new is not self._active:
                self._next, self._fade_pos = new, 0
        cur = self._cur.copy()[None]
        slots = self._push(cur)
        y = self._apply(cur, slots, self._active)[0]
        if self._fade_pos >= 0:
            new_y = self._apply(cur, slots, self._next)[0]
            j = self._fade_pos + np.arange(self.block_frames)
            g = 0.5 - 0.5 * np.cos(np.pi * np.minimum(j / self.fade_frames, 1.0))
            y = y * (1.0 - g)[:, None] + new_y * g[:, None]
            self._fade_pos += self.block_frames
            if self._fade_pos >= self.fade_frames:
                self._active, self._next, self._fade_pos = self._next, None, -1
        self._out = y

    def _compute(self, chunks: npt.NDArray[np.float64], d: Design | None) -> npt.NDArray[np.float64]:
        """Outputs ``(k, B, outputs)`` of ``k`` consecutive input partitions through ``d``."""
        k_max = MAX_PARTITIONS - (d.partitions if d is not None else 1) + 1
        if chunks.shape[0] > k_max:
            return np.concatenate([self._compute(chunks[j : j + k_max], d) for j in range(0, chunks.shape[0], k_max)])
        return self._apply(chunks, self._push(chunks), d)

    def _push(self, chunks: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
        """Transform ``k`` partitions (each with the one before it) into the delay line; returns their slots."""
        frames = np.concatenate([self._prev[None], chunks], axis=0)  # (k + 1, B, in)
        windows = np.concatenate([frames[:-1], frames[1:]], axis=1)  # (k, 2B, in): [previous, current]
        slots = (self._head + 1 + np.arange(chunks.shape[0])) % MAX_PARTITIONS
        spectra = np.transpose(sfft.rfft(windows, axis=1), (1, 0, 2))  # (F, k, in)
        start = int(slots[0])
        if start + slots.size <= MAX_PARTITIONS:  # no wrap: two slice copies
            self._ring[:, start : start + slots.size] = spectra
            self._ring[:, start + MAX_PARTITIONS : start + MAX_PARTITIONS + slots.size] = spectra
        else:
            self._ring[:, slots] = spectra
            self._ring[:, slots + MAX_PARTITIONS] = spectra
        self._head = int(slots[-1])
        self._prev = chunks[-1].copy()
        return slots

    def _apply(self, chunks: npt.NDArray[np.float64], slots: npt.NDArray[np.int64],
               d: Design | None) -> npt.NDArray[np.float64]:  # fmt: skip
        """Outputs of the partitions at ``slots``: the delay line times ``d``'s partition spectra, summed."""
        k, b = chunks.shape[0], self.block_frames
        if d is None:
            return chunks.copy() if self.inputs == self.outputs else np.zeros((k, b, self.outputs))
        p = d.partitions
        first = int(slots[0]) + MAX_PARTITIONS - (p - 1)  # the oldest partition the first chunk needs
        seq = self._ring[:, first : first + k + p - 1]  # (F, k + P - 1, in), oldest first
        if k < TRANSFORM_SUM_FROM:
            acc = np.empty((b + 1, k, self.outputs), dtype=np.complex128)
            for j in range(k):
                x = seq[:, j : j + p].reshape(b + 1, 1, p * self.inputs)
                acc[:, j : j + 1] = np.matmul(x, d.matrix)
        else:  # the delay-line sum over many partitions at once is a convolution along the partition axis
            n = sfft.next_fast_len(k + p - 1)
            xf = sfft.fft(seq, n=n, axis=1)  # (F, n, in)
            hf = d.along_partitions(n)  # (F, n, in, out)
            yf = xf[..., 0, None] * hf[:, :, 0, :]
            for i in range(1, self.inputs):
                yf += xf[..., i, None] * hf[:, :, i, :]
            acc = sfft.ifft(yf, axis=1)[:, p - 1 : p - 1 + k]
        return np.asarray(sfft.irfft(np.transpose(acc, (1, 0, 2)), n=2 * b, axis=1)[:, b:])


__all__ = ["BLOCK_FRAMES", "CROSSFADE_MS", "MAX_PARTITIONS", "Design", "SpeakerConvolver", "design"]
