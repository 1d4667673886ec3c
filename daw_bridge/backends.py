"""Pick and open the DAW backend named by the config: the one place that maps ``backend`` to a class."""

from __future__ import annotations

from .config import Config
from .daw import Daw
from .errors import ConfigError


def open_daw(cfg: Config) -> Daw:
    """A connected :class:`~daw_bridge.daw.Daw` for ``cfg.backend`` (caller closes it).

    Raises DawUnreachable within ``cfg.timeout_s`` when the DAW does not answer.
    """
    if cfg.backend == "reaper":
        from .reaper.daw import ReaperDaw

        daw: Daw = ReaperDaw.from_config(cfg)
    elif cfg.backend == "ardour":
        from .ardour.daw import ArdourDaw

        daw = ArdourDaw.from_config(cfg)
    else:
        raise ConfigError(f"unknown DAW backend {cfg.backend!r} (choose reaper or ardour)")
    try:
        daw.connect(timeout_s=cfg.timeout_s)
    except BaseException:
        daw.close()
        raise
    return daw
