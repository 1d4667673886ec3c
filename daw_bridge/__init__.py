"""daw-bridge: mix on headphones with confidence, from inside the DAW.

The public API is re-exported here; ``__all__`` is checked by ``tests/test_public_api.py``.
"""

from __future__ import annotations

from .bands import BANDS, Band, band_by_name
from .config import Config, load_config
from .daw import Daw, MarkerSpec, MonitorFx, RenderRequest, RenderResult, TrackChange, TrackInfo
from .errors import DawBridgeError

__version__ = "0.1.0"

__all__ = [
    "BANDS",
    "Band",
    "Config",
    "Daw",
    "DawBridgeError",
    "MarkerSpec",
    "MonitorFx",
    "RenderRequest",
    "RenderResult",
    "TrackChange",
    "TrackInfo",
    "band_by_name",
    "load_config",
    "__version__",
]
