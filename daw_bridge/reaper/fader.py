"""REAPER's track-fader curve: normalized OSC ``n`` volume <-> dB. APPROXIMATE — read this first.

REAPER converts with ``SLIDER2DB(n * 1000)`` / ``DB2SLIDER(dB) / 1000``, functions that depend on the user's
fader-range preference and have no published closed form. Only these points are known (helgoboss/reaper-rs
``VolumeSliderValue``, with REAPER's default fader range):

* ``n = 0``     -> -inf dB
* ``n = 0.716`` -> 0 dB
* ``n = 1.0``   -> +12 dB
* near the bottom the slider behaves like amplitude^(1/3).

**Between those points this module guesses**: below 0 dB it uses ``n = 0.716 * gain^(1/3)`` (the cube-root law
through the 0 dB point), above 0 dB it is linear in dB up to +12 dB. The guess is exact at the three known points
and monotonic, nothing more. daw-bridge therefore drives and reads volume in dB (``f/track/@/volume/db``) and treats
``n`` as opaque; only the emulator uses this curve, to answer ``n`` messages the way REAPER roughly would.
"""

from __future__ import annotations

import math

from ..units import db_to_gain, gain_to_db

#: Normalized fader position of 0 dB (known point).
UNITY_POSITION = 0.716
#: Gain in dB at the top of the fader, n = 1 (known point, REAPER's default range).
TOP_DB = 12.0
#: Below this REAPER reports -inf; we report -150 dB over OSC for silence, as REAPER's VAL2DB floor does.
FLOOR_DB = -150.0


def slider_to_db(position: float) -> float:
    """Gain in dB for a normalized fader ``position`` 0..1 (clamped); APPROXIMATE between known points."""
    n = min(1.0, max(0.0, float(position)))
    if n <= 0.0:
        return -math.inf
    if n <= UNITY_POSITION:
        gain_db = gain_to_db((n / UNITY_POSITION) ** 3)
        return -math.inf if gain_db < FLOOR_DB else gain_db
    return TOP_DB * (n - UNITY_POSITION) / (1.0 - UNITY_POSITION)


def db_to_slider(gain_db: float) -> float:
    """Normalized fader position 0..1 for ``gain_db`` (above +12 dB clamps to 1); APPROXIMATE between points."""
    if math.isnan(gain_db):
        raise ValueError("gain_db is NaN")
    if gain_db <= FLOOR_DB:
        return 0.0
    if gain_db <= 0.0:
        return UNITY_POSITION * db_to_gain(gain_db) ** (1.0 / 3.0)
    return min(1.0, UNITY_POSITION + (1.0 - UNITY_POSITION) * gain_db / TOP_DB)
