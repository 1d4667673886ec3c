"""Where the files daw-bridge ships live: presets, REAPER scripts and JSFX, the pattern file, Ardour scripts.

Everything sits under ``daw_bridge/data/`` in the package, so a source checkout, an editable install and an
installed wheel find the same files the same way (through :mod:`importlib.resources`).

    >>> shipped.reaper_scripts_dir() / "daw-bridge_Bridge.lua"
    >>> shipped.path("presets/headphones/Sennheiser HD 650.toml")
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from .errors import ConfigError

#: Folders under the data root, by what they hold.
PRESETS = "presets/headphones"
FACTS = "presets/facts"
AUTOEQ_SOURCE = "presets/autoeq-source"
AUTOEQ_LICENSE = "presets/LICENSE-AutoEq.txt"
REAPER_SCRIPTS = "reaper/daw-bridge"
PATTERN_FILE = "reaper/daw-bridge/daw-bridge.ReaperOSC"
ARDOUR_SCRIPTS = "ardour/daw-bridge"


class ShippedFileMissing(ConfigError, FileNotFoundError):
    """A file daw-bridge ships is not where the package keeps it (a broken or partial install)."""


def data_root() -> Path:
    """The package's ``data`` folder (a real folder: daw-bridge is never imported from a zip)."""
    return Path(str(resources.files("daw_bridge") / "data"))


def path(relative: str, *, must_exist: bool = True) -> Path:
    """The shipped file or folder ``relative`` (POSIX form, under ``daw_bridge/data``).

    Raises :class:`ShippedFileMissing` naming the path when ``must_exist`` and it is not there.
    """
    target = data_root().joinpath(*relative.split("/"))
    if must_exist and not target.exists():
        raise ShippedFileMissing(
            f"daw-bridge's shipped file {relative!r} is missing (looked at {target}); reinstall daw-bridge"
        )
    return target


def presets_dir() -> Path:
    """The shipped headphone presets (TOML, one per model)."""
    return path(PRESETS)


def facts_dir() -> Path:
    """The shipped headphone and amplifier facts (``headphones.toml``, ``amplifiers.toml``)."""
    return path(FACTS)


def autoeq_source_dir() -> Path:
    """The AutoEq ``ParametricEQ.txt`` files the presets are built from (MIT; notice in ``SOURCES.md``)."""
    return path(AUTOEQ_SOURCE)


def reaper_scripts_dir() -> Path:
    """Our REAPER scripts, JSFX and pattern file (installed into REAPER's resource folder)."""
    return path(REAPER_SCRIPTS)


def pattern_file() -> Path:
    """Our ``daw-bridge.ReaperOSC`` (REAPER's default pattern file with marked extensions)."""
    return path(PATTERN_FILE)


def ardour_scripts_dir() -> Path:
    """Our Ardour Lua scripts (headless session loop, editor hook)."""
    return path(ARDOUR_SCRIPTS)
