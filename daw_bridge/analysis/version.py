"""The analysis version, in a module of its own so ``daw-bridge --version`` reads it without the analysis stack."""

from __future__ import annotations

#: Bumped whenever figures change meaning; part of the cache key and stored in reference profiles.
ANALYSIS_VERSION = 4
