"""Blockwise filtering carries state: any chunking gives the whole-buffer result."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from daw_bridge.dsp.biquad import Biquad, design_chain
from daw_bridge.dsp.blocks import SosFilter, as_stereo, iter_blocks
from daw_bridge.dsp.chain import make_processor
from daw_bridge.errors import InvalidAudio

from .signals import stereo_pink


def test_chunked_equals_whole_buffer() -> None:
    sos = design_chain([Biquad("peak", 100.0, 9.0, 4.0), Biquad("highpass", 30.0)], sample_rate=48000)
    audio = stereo_pink(20000, correlation=0.3)
    whole = signal.sosfilt(sos, audio, axis=0)
    filt = SosFilter(sos)
    chunked = np.concatenate([filt.process(b) for b in iter_blocks(audio, 777)])
    np.testing.assert_allclose(chunked, whole, atol=1e-12)


@pytest.mark.parametrize("kind,params", [
    ("correction", {"band1_type": "peak", "band1_freq": 80.0, "band1_gain": 6.0, "band1_q": 3.0, "preamp_db": -6.0}),
    ("crossfeed", {"on": "on"}),
    ("bandsolo", {"low_hz": 100.0, "high_hz": 300.0}),
    ("simulation", {"width": 0.0, "band1_type": "highpass", "band1_freq": 500.0}),
])  # fmt: skip
def test_every_processor_is_chunk_invariant_and_resets(kind: str, params: dict[str, float | str]) -> None:
    audio = stereo_pink(12000, correlation=0.5, seed=3)
    proc = make_processor(kind, params, 48000)
    whole = proc.process(audio)
    proc.reset()
    chunked = np.concatenate([proc.process(b) for b in iter_blocks(audio, 1000)])
    np.testing.assert_allclose(chunked, whole, atol=1e-10)
    assert not np.allclose(whole, audio)


def test_mono_is_used_on_both_channels_and_bad_audio_is_refused() -> None:
    mono = np.linspace(-1, 1, 10)
    assert as_stereo(mono).shape == (10, 2) and np.array_equal(as_stereo(mono[:, None])[:, 1], mono)
    with pytest.raises(InvalidAudio, match="shape"):
        as_stereo(np.zeros((4, 3)))
    with pytest.raises(InvalidAudio, match="NaN"):
        as_stereo(np.array([0.0, np.nan]))
