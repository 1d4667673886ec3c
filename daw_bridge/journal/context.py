"""What the DAW and the saved state say about the listening right now: the reference, the output, the level.

Used to file notes without asking: the A/B loop's selected reference (by track name), and, when the listening
level profile has a calibrated current output (``daw-bridge level setup``) and the mix's loudness is known from
level matching, the estimated average SPL (:func:`daw_bridge.headphones.level.estimate_spl_db`; references are
matched to the mix, so the mix's loudness stands for theirs).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from ..daw import Daw
from ..errors import ConfigError


def _ab_state(daw: Daw) -> dict[str, Any]:
    raw = daw.get_project_state("ab_state")
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def current_reference(daw: Daw) -> str | None:
    """The reference the A/B loop has selected (the audible one, else the last one heard), by track name."""
    data = _ab_state(daw)
    current = data.get("current")
    if isinstance(current, str) and current and current != "mix":
        return current
    selected = data.get("selected")
    return selected if isinstance(selected, str) and selected else None


@dataclass(frozen=True)
class Listening:
    """The active output's name (None when no profile) and the estimated level in dB SPL (None when unknown)."""

    output: str | None = None
    level_db: float | None = None


def listening_now(daw: Daw | None) -> Listening:
    """The current output and level estimate, when the level profile and the project know them."""
    from ..headphones.level import estimate_spl_db, load_profile

    try:
        profile = load_profile()
    except ConfigError:
        return Listening()
    if profile.current is None or profile.outputs[profile.current].kind != "headphones":
        return Listening()
    output = profile.outputs[profile.current]
    loudness = _ab_state(daw).get("mix_loudness") if daw is not None else None
    if not isinstance(loudness, int | float) or isinstance(loudness, bool) or not math.isfinite(loudness):
        return Listening(output.name)
    return Listening(output.name, round(estimate_spl_db(output, loudness_lufs=float(loudness)), 1))
