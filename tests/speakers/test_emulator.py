"""The emulator hears the virtual speakers: its monitoring FX ``JS: daw-bridge/speakers`` runs the Python stage."""

from __future__ import annotations

import numpy as np
import pytest

from daw_bridge.emulator.fx import make_fx_processor
from daw_bridge.emulator.project import Fx
from daw_bridge.errors import RenderError
from daw_bridge.speakers.convolve import BLOCK_FRAMES
from tests.speakers.support import needs_kemar


@needs_kemar
def test_the_emulator_runs_the_speakers_effect() -> None:
    proc = make_fx_processor(Fx("JS: daw-bridge/speakers", params={"room": "control-room", "gain_db": 0.0}), 48000)
    x = np.zeros((4 * BLOCK_FRAMES, 2))
    x[0, 0] = 1.0  # a click from the left speaker
    y = proc.process(x)
    np.testing.assert_array_equal(y[:BLOCK_FRAMES], 0.0)  # one partition of latency
    assert np.sum(y[:, 0] ** 2) > 2 * np.sum(y[:, 1] ** 2) > 0  # louder at the left ear, present at both


def test_an_unknown_room_is_refused_with_the_effect_named() -> None:
    with pytest.raises(RenderError, match="JS: daw-bridge/speakers"):
        make_fx_processor(Fx("JS: daw-bridge/speakers", params={"room": "attic"}), 48000)
