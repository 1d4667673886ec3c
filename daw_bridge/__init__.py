"""daw-bridge: mix on headphones with confidence, from inside the DAW.

The library API scripts import; the CLI is a thin shell over it. ``__all__`` is checked by
``tests/test_cli_docs_and_api.py``::

    from daw_bridge import load_config, open_daw, match_levels, ABLoop, bounce_and_check
    cfg = load_config()
    daw = open_daw(cfg)
    try:
        match_levels(daw, cfg)
        result = bounce_and_check(daw, cfg, fail_on=["reverb"])
    finally:
        daw.close()
"""

from __future__ import annotations

from .analysis.compare import Comparison, Finding, Thresholds, compare
from .analysis.engine import analyze_file
from .backends import open_daw
from .bands import BANDS, Band, band_by_name
from .config import Config, load_config
from .daw import Daw, MarkerSpec, MonitorFx, RenderRequest, RenderResult, TrackChange, TrackInfo
from .errors import DawBridgeError
from .monitoring import MonitoringState, apply_monitoring
from .workflows.ab import ABLoop
from .workflows.bounce import CheckResult, bounce_and_check
from .workflows.levels import MatchResult, match_levels

__version__ = "0.1.0"

__all__ = [
    "ABLoop",
    "BANDS",
    "Band",
    "CheckResult",
    "Comparison",
    "Config",
    "Daw",
    "DawBridgeError",
    "Finding",
    "MarkerSpec",
    "MatchResult",
    "MonitorFx",
    "MonitoringState",
    "RenderRequest",
    "RenderResult",
    "Thresholds",
    "TrackChange",
    "TrackInfo",
    "analyze_file",
    "apply_monitoring",
    "band_by_name",
    "bounce_and_check",
    "compare",
    "load_config",
    "match_levels",
    "open_daw",
    "__version__",
]
