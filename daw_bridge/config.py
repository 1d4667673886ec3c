"""User configuration: a TOML file in the platform's config dir, overridable with ``--config``.

Defaults work with REAPER's defaults (REAPER listens for OSC on 8000 and sends feedback to 9000)::

    [daw]
    backend = "reaper"            # or "ardour"

    [reaper]
    host = "127.0.0.1"            # where REAPER runs
    send_port = 8000              # REAPER's "Listen port"
    receive_port = 9000           # REAPER's "Device port" (where we listen for feedback)
    listen_host = "127.0.0.1"     # interface we bind; keep loopback unless REAPER is on another machine
    pattern_file = ""             # empty: our shipped daw-bridge.ReaperOSC
    bridge_command = "_RSdawbridge_bridge"
    timeout_s = 2.0

    [tracks]
    mix = "MIX"                   # the mix bus (or folder) track
    references = []               # reference track names; empty: every track whose name starts with "REF"
    reference_prefix = "REF"

    [paths]
    bridge_dir = ""               # mailbox folder; empty: <user data dir>/daw-bridge/bridge
    bounce_dir = ""               # empty: <user data dir>/daw-bridge/bounces
    journal = ""                  # listening journal (SQLite); empty: <user data dir>/daw-bridge/journal.sqlite
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import platformdirs

from .errors import ConfigError

APP_NAME = "daw-bridge"


def default_config_path() -> Path:
    """``config.toml`` in the platform's user config dir."""
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def default_data_dir() -> Path:
    """The platform's user data dir for daw-bridge."""
    return Path(platformdirs.user_data_dir(APP_NAME))


@dataclass(frozen=True)
class Config:
    """Everything the controller needs to find and drive the DAW."""

    backend: str = "reaper"
    host: str = "127.0.0.1"
    send_port: int = 8000
    receive_port: int = 9000
    listen_host: str = "127.0.0.1"
    pattern_file: Path | None = None
    bridge_command: str = "_RSdawbridge_bridge"
    timeout_s: float = 2.0
    mix_track: str = "MIX"
    reference_tracks: tuple[str, ...] = ()
    reference_prefix: str = "REF"
    bridge_dir: Path = field(default_factory=lambda: default_data_dir() / "bridge")
    bounce_dir: Path = field(default_factory=lambda: default_data_dir() / "bounces")
    ardour_port: int = 3819
    journal_path: Path = field(default_factory=lambda: default_data_dir() / "journal.sqlite")

    def with_overrides(self, **changes: Any) -> Config:
        """A copy with ``changes`` applied (None values ignored)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


_SCHEMA: dict[str, dict[str, tuple[str, type]]] = {
    "daw": {"backend": ("backend", str)},
    "reaper": {
        "host": ("host", str),
        "send_port": ("send_port", int),
        "receive_port": ("receive_port", int),
        "listen_host": ("listen_host", str),
        "pattern_file": ("pattern_file", Path),
        "bridge_command": ("bridge_command", str),
        "timeout_s": ("timeout_s", float),
    },
    "ardour": {"port": ("ardour_port", int)},
    "tracks": {
        "mix": ("mix_track", str),
        "references": ("reference_tracks", tuple),
        "reference_prefix": ("reference_prefix", str),
    },
    "paths": {"bridge_dir": ("bridge_dir", Path), "bounce_dir": ("bounce_dir", Path),
              "journal": ("journal_path", Path)},
}

BACKENDS = ("reaper", "ardour")


def load_config(path: str | Path | None = None) -> Config:
    """Read ``path`` (or the default location; a missing default file gives the defaults).

    An explicitly given file that is missing, unreadable or holds a bad value raises ConfigError naming it.
    """
    explicit = path is not None
    cfg_path = Path(path) if path is not None else default_config_path()
    if not cfg_path.exists():
        if explicit:
            raise ConfigError(f"{cfg_path}: config file not found")
        return Config()
    try:
        data = tomllib.loads(cfg_path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{cfg_path}: not valid TOML ({exc})") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{cfg_path}: cannot read config ({exc})") from exc
    return config_from_mapping(data, source=str(cfg_path))


def config_from_mapping(data: dict[str, Any], *, source: str = "<config>") -> Config:
    """Build a Config from parsed TOML ``data``, validating every key."""
    values: dict[str, Any] = {}
    for section, body in data.items():
        if section not in _SCHEMA:
            raise ConfigError(f"{source}: unknown section [{section}] (known: {', '.join(_SCHEMA)})")
        if not isinstance(body, dict):
            raise ConfigError(f"{source}: [{section}] must be a table")
        for key, value in body.items():
            if key not in _SCHEMA[section]:
                raise ConfigError(f"{source}: unknown key {section}.{key}")
            attr, kind = _SCHEMA[section][key]
            values[attr] = _coerce(value, kind, f"{source}: {section}.{key}")
    cfg = Config(**{k: v for k, v in values.items() if v is not None})
    _validate(cfg, source)
    return cfg


def _coerce(value: Any, kind: type, where: str) -> Any:
    if kind is Path:
        if not isinstance(value, str):
            raise ConfigError(f"{where} must be a path string")
        return Path(value).expanduser() if value else None
    if kind is tuple:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where} must be a list of strings")
        return tuple(value)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, bool) or not isinstance(value, kind):
        raise ConfigError(f"{where} must be {kind.__name__}, not {type(value).__name__}")
    return value


def _validate(cfg: Config, source: str) -> None:
    if cfg.backend not in BACKENDS:
        raise ConfigError(f"{source}: daw.backend {cfg.backend!r} is not one of {', '.join(BACKENDS)}")
    for name in ("send_port", "receive_port", "ardour_port"):
        port = getattr(cfg, name)
        if not 1 <= port <= 65535:
            raise ConfigError(f"{source}: {name} {port} is not a UDP port (1-65535)")
    if cfg.timeout_s <= 0:
        raise ConfigError(f"{source}: reaper.timeout_s must be > 0 seconds")


def config_to_toml(cfg: Config) -> str:
    """The TOML text of ``cfg`` (for ``daw-bridge config show``)."""
    import tomli_w

    out: dict[str, dict[str, Any]] = {}
    for section, keys in _SCHEMA.items():
        for key, (attr, _kind) in keys.items():
            value = getattr(cfg, attr)
            if isinstance(value, Path):
                value = str(value)
            elif isinstance(value, tuple):
                value = list(value)
            elif value is None:
                value = ""
            out.setdefault(section, {})[key] = value
    return tomli_w.dumps(out)


__all__ = [
    "Config",
    "load_config",
    "config_from_mapping",
    "config_to_toml",
    "default_config_path",
]
