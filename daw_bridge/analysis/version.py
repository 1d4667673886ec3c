"""The analysis version, in a module of its own so ``daw-bridge --version`` reads it without the analysis stack."""

from __future__ import annotations

#: Bumped whenever figures change meaning; part of the cache key and stored in reference profiles.
ANALYSIS_VERSION = 5  # 4: stereo-field ambience (issue 13); 5: mono files measured as dual mono (+3.01 dB)
