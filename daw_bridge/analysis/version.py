"""The analysis version, in a module of its own so ``daw-bridge --version`` reads it without the analysis stack."""

from __future__ import annotations

#: Bumped whenever figures change meaning; part of the cache key and stored in reference profiles.
ANALYSIS_VERSION = 6  # 4: stereo-field ambience; 5: mono as dual mono (+3.01 dB); 6: song roles, dynamics
