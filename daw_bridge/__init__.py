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

The names are imported on first use (PEP 562 ``__getattr__``), so ``import daw_bridge`` (and so every
``daw-bridge`` command) does not pay for numpy, scipy and matplotlib until something needs them.
"""

from __future__ import annotations

#: The package version: the one place it is written (pyproject.toml reads it from here).
__version__ = "0.1.0"

# Nothing imported at run time, not even typing: this runs before the console script can catch a Ctrl-C.
TYPE_CHECKING = False
if TYPE_CHECKING:  # what type checkers and IDEs see; at run time __getattr__ imports on first use
    from typing import Any

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
del TYPE_CHECKING  # capitalised names here count as public API

#: Public name -> the module that defines it.
_LAZY: dict[str, str] = {
    **dict.fromkeys(("Comparison", "Finding", "Thresholds", "compare"), ".analysis.compare"),
    "analyze_file": ".analysis.engine",
    "open_daw": ".backends",
    **dict.fromkeys(("BANDS", "Band", "band_by_name"), ".bands"),
    **dict.fromkeys(("Config", "load_config"), ".config"),
    **dict.fromkeys(
        ("Daw", "MarkerSpec", "MonitorFx", "RenderRequest", "RenderResult", "TrackChange", "TrackInfo"), ".daw"
    ),
    "DawBridgeError": ".errors",
    **dict.fromkeys(("MonitoringState", "apply_monitoring"), ".monitoring"),
    "ABLoop": ".workflows.ab",
    **dict.fromkeys(("CheckResult", "bounce_and_check"), ".workflows.bounce"),
    **dict.fromkeys(("MatchResult", "match_levels"), ".workflows.levels"),
}

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


def __getattr__(name: str) -> Any:
    """Import a public name's module on first access and keep the name here (PEP 562)."""
    import importlib

    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'daw_bridge' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
