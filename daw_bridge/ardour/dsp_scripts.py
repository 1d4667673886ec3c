"""Our monitoring effects as Ardour Lua DSP processors, one script per kind, written into Ardour's script folder.

Each script is the ``ardour { type = "dsp" }`` header, the effect's slider list from
:data:`daw_bridge.dsp.params.PARAMS` (names, ranges, defaults, choices: the one source of truth, so the Ardour
parameters are the JSFX sliders) and the shared body ``daw_bridge/data/ardour/daw-bridge/monitor_dsp.lua``.
Ardour lists them as ``daw-bridge <kind>``; the bridge hook puts them into the monitor section by that name.

Headless, :class:`~daw_bridge.ardour.process.ArdourProcess` installs them into its own config folder; for the
GUI, run ``python -m daw_bridge.ardour.dsp_scripts`` once (it writes into ``~/.config/ardour7/scripts``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .. import shipped
from ..dsp.params import sliders

#: Name prefix of our Lua DSP processors as Ardour lists them.
PLUGIN_PREFIX = "daw-bridge "
BODY = "monitor_dsp.lua"


def plugin_name(kind: str) -> str:
    """The processor's name in Ardour, e.g. ``daw-bridge crossfeed``."""
    sliders(kind)
    return PLUGIN_PREFIX + kind


def file_name(kind: str) -> str:
    """The script's file name in Ardour's script folder."""
    return f"daw-bridge_{kind}_dsp.lua"


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def script_text(kind: str) -> str:
    """The complete Lua DSP script for ``kind``."""
    body = shipped.path(f"{shipped.ARDOUR_SCRIPTS}/{BODY}").read_text(encoding="utf-8")
    rows = []
    for s in sliders(kind):
        choices = ", choices = {" + ", ".join(_lua_string(c) for c in s.choices) + "}" if s.choices else ""
        rows.append(f"  {{ name = {_lua_string(s.name)}, label = {_lua_string(s.description)}, "
                    f"min = {s.minimum!r}, max = {s.maximum!r}, default = {s.default!r}{choices} }},")
    header = (
        "ardour {\n"
        '  ["type"]    = "dsp",\n'
        f"  name        = {_lua_string(plugin_name(kind))},\n"
        '  category    = "daw-bridge",\n'
        '  license     = "MIT",\n'
        '  author      = "daw-bridge",\n'
        f"  description = [[daw-bridge {kind} for the monitor section (written by daw_bridge.ardour.dsp_scripts; "
        "parameters as daw_bridge/dsp/params.py)]],\n"
        "}\n\n"
        f"local KIND = {_lua_string(kind)}\n"
        "local PARAMS = {\n" + "\n".join(rows) + "\n}\n\n"
    )
    return header + body


#: Our effects that run in Ardour's monitor section as Lua DSP processors. Virtual speakers (a partitioned
#: convolution) and the safety ceiling (a look-ahead true-peak limiter) are REAPER/emulator only for now.
ARDOUR_KINDS: tuple[str, ...] = ("correction", "crossfeed", "simulation", "bandsolo")


def install(scripts_dir: Path) -> list[Path]:
    """Write every kind's script into ``scripts_dir`` (created); returns the files."""
    scripts_dir.mkdir(parents=True, exist_ok=True)
    out = []
    for kind in ARDOUR_KINDS:
        target = scripts_dir / file_name(kind)
        target.write_text(script_text(kind), encoding="utf-8")
        out.append(target)
    return out


def default_scripts_dir() -> Path:
    """Ardour 7's user script folder: ``$XDG_CONFIG_HOME/ardour7/scripts`` (default ``~/.config``)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "ardour7" / "scripts"


def main() -> None:
    """Install the scripts for the Ardour GUI (``python -m daw_bridge.ardour.dsp_scripts [FOLDER]``)."""
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else default_scripts_dir()
    for path in install(folder):
        print(path)


if __name__ == "__main__":  # pragma: no cover
    main()
