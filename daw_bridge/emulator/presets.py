"""FX presets as the emulator models them: a small named list per effect, stepped by ``preset+``/``preset-``.

REAPER keeps a preset list per plug-in (factory presets plus the user's ``.rpl`` files) and csurf_osc steps it with
``TrackFX_NavigatePresets(track, fx, +1/-1)`` and loads one by name with ``TrackFX_SetPreset`` (``csurf_osc.cpp``,
``ProcessFXAction``); the loaded name is what ``TrackFX_GetPreset`` reports (empty when none is loaded).

Lists here (the emulator's choice, not REAPER's data):

* ``JS: daw-bridge/correction``: our shipped headphone presets (``daw_bridge/data/presets/headphones``), by name;
  loading one sets the name only (the EQ sliders are written by the bridge, as with the real JSFX).
* ``JS: daw-bridge/crossfeed``: the bs2b levels of :data:`daw_bridge.dsp.crossfeed.PRESETS`; loading one sets
  ``cut_hz``/``feed_db``.
* ``trim``: a few gains; loading one sets ``gain_db``.
* Any other effect: the ``presets`` list given in the project file (stock effects' factory lists are not
  published, so none are invented), else none.

Stepping past either end wraps around, and ``preset+`` with nothing loaded loads the first (inferred: REAPER's
own wrap-around behaviour is not in the public source).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from .project import JSFX_PREFIX, TRIM_NAME, Fx

#: Presets of the built-in ``trim``: name -> gain_db.
TRIM_PRESETS: dict[str, float] = {"0 dB": 0.0, "-6 dB": -6.0, "-12 dB": -12.0, "+6 dB": 6.0}


@lru_cache(maxsize=1)
def _headphone_names() -> tuple[str, ...]:
    from ..presets.catalog import shipped_dir  # lazy: the catalog pulls in the DSP designs

    folder = shipped_dir()
    return tuple(sorted((p.stem for p in folder.glob("*.toml")), key=str.lower)) if folder.is_dir() else ()


def _crossfeed() -> Mapping[str, tuple[float, float]]:
    from ..dsp.crossfeed import PRESETS

    return PRESETS


def preset_names(fx: Fx) -> list[str]:
    """The preset list of ``fx``, in stepping order."""
    if fx.presets is not None:
        return list(fx.presets)
    if fx.name == TRIM_NAME:
        return list(TRIM_PRESETS)
    if fx.name == f"{JSFX_PREFIX}correction":
        return list(_headphone_names())
    if fx.name == f"{JSFX_PREFIX}crossfeed":
        return list(_crossfeed())
    return []


def load_preset(fx: Fx, name: str) -> bool:
    """Load preset ``name`` into ``fx`` (its parameters where we know them); False when ``fx`` has no such preset."""
    if name not in preset_names(fx):
        return False
    fx.preset = name
    if fx.name == TRIM_NAME and fx.presets is None:
        fx.params["gain_db"] = TRIM_PRESETS[name]
    elif fx.name == f"{JSFX_PREFIX}crossfeed" and fx.presets is None:
        cut_hz, feed_db = _crossfeed()[name]
        fx.params.update(cut_hz=cut_hz, feed_db=feed_db)
    return True


def step_preset(fx: Fx, direction: int) -> bool:
    """Load the next (``direction`` > 0) or previous preset, wrapping around; False when ``fx`` has none."""
    names = preset_names(fx)
    if not names:
        return False
    if fx.preset in names:
        index = (names.index(fx.preset) + (1 if direction > 0 else -1)) % len(names)
    else:
        index = 0 if direction > 0 else len(names) - 1
    return load_preset(fx, names[index])
