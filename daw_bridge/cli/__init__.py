"""The ``daw-bridge`` command: a thin click shell over the library.

Each command group lives in its own module (``cli/<group>.py``) exposing ``register(cli)``; this module holds the
root group, the shared options and the one place where a :class:`~daw_bridge.errors.DawBridgeError` becomes a
clean ``Error: ...`` message with a non-zero exit status (never a traceback), and Ctrl-C becomes ``Interrupted.``
with exit status 130.

Command modules load lazily: ``--version`` and ``--help`` import none of them (their names and one-line help are
in :data:`COMMAND_INDEX`), and ``daw-bridge analyze`` imports only ``cli/analyze.py``. A command module keeps its
heavy imports (numpy, scipy, soundfile, matplotlib, the analysis and report stack) inside the functions that use
them; ``tests/packaging/test_startup.py`` checks that the light commands stay light.
"""

from __future__ import annotations

import importlib
import os
import signal
import threading
from collections.abc import Iterable, MutableMapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .. import __version__
from ..errors import DawBridgeError

if TYPE_CHECKING:
    from ..config import Config

#: Command-group modules, in help order. Each defines ``register(group: click.Group) -> None``.
COMMAND_MODULES: tuple[str, ...] = (
    "config_cmd",
    "demo",
    "emulate",
    "osc",
    "headphones",
    "headphones_drive",
    "level",
    "ab",
    "check",
    "serve",
    "analyze",
    "profile",
    "compare",
    "reaper_cmd",
    "journal",
    "speakers",
)


#: Root command -> (the command modules that define it, its help's first paragraph). Lets ``--help`` list the
#: commands and ``daw-bridge NAME`` import only NAME's modules. A module in COMMAND_MODULES that no entry names is
#: imported whenever the command list is needed (correct, only slower); ``tests/packaging/test_startup.py`` checks
#: the entries against the commands' own help.
COMMAND_INDEX: dict[str, tuple[tuple[str, ...], str]] = {
    "ab": (("ab",), "Switch between the mix and level-matched references (one atomic step each)."),
    "action": (("osc",), "Run a REAPER action by id (40044) or named command id (_RS...), over OSC (REAPER only)."),
    "analyze": (
        ("analyze",),
        "Measure MIX (loudness, band balance, width, reverb over time) and compare it with references.",
    ),
    "band": (("monitor",), "Solo one listening band on the monitoring path (steep edges, level-compensated), or off."),
    "ceiling": (
        ("monitor",),
        "The safety ceiling at the end of the monitoring chain (true peak, default -1 dBFS; -20..0), or off.",
    ),
    "check": (
        ("check",),
        "Render the mix, analyze it against the references, mark deviations in the DAW, write a report.",
    ),
    "clear-markers": (("osc",), "Delete daw-bridge's markers and regions from the project (yours stay)."),
    "compare": (("compare",), "What changed from BEFORE to NOW, two bounces of the same song, section by section."),
    "config": (("config_cmd",), "Show the effective configuration."),
    "crossfeed": (
        ("monitor",),
        "bs2b crossfeed on the monitoring path: default (700 Hz/4.5 dB), cmoy, jmeier, custom, or off.",
    ),
    "demo": (
        ("demo",),
        "Build a demo session, start the REAPER emulator, and run correction, level matching, A/B and "
        "bounce-and-check against it over real loopback OSC, explaining each step.",
    ),
    "emulate": (("emulate",), "Run a stand-in REAPER that speaks REAPER's OSC, runs the bridge and renders for real."),
    "headphones": (("headphones", "headphones_drive"), "Headphone presets, facts, drive check and role guidance."),
    "journal": (
        ("journal",),
        "Learn your headphones: notes on familiar references, and the patterns they show across songs.",
    ),
    "level": (
        ("level",),
        "Estimate listening SPL from the mix's loudness; keep headphones and speakers at the same perceived level.",
    ),
    "match": (("check",), "Set every reference track's volume so it sounds as loud as the mix."),
    "process": (
        ("process",),
        "Run the monitoring chain on IN and write OUT (32-bit float WAV): audition a bounce, preview a simulation, "
        "or render what you heard while switching (--at 5.0 band=sub --at 9 crossfeed=off).",
    ),
    "profile": (
        ("profile",),
        "Reference profiles: a set of references kept as numbers (build once, compare with --profile).",
    ),
    "reaper": (("reaper_cmd",), "Install daw-bridge's scripts, effects and OSC pattern file into REAPER."),
    "serve": (
        ("serve",),
        "Answer REAPER's daw-bridge shortcuts (level-match, bounce-and-check, next preset/band/simulation).",
    ),
    "simulate": (
        ("monitor",),
        "Hear the mix as on a playback system (approximate curves; docs/monitoring.md), or off.",
    ),
    "speakers": (
        ("speakers",),
        "Virtual speakers on headphones: a stereo pair (or a mono cube) in a room, from measured head responses.",
    ),
    "status": (
        ("osc",),
        "Connect to the DAW and print its tracks, transport and markers (REAPER: OSC sync, action 41743).",
    ),
}


class DawBridgeGroup(click.Group):
    """Root group: loads command modules on demand, turns library errors into ``Error: ...`` (exit 1) and
    Ctrl-C into ``Interrupted.`` (exit 130).

    ``.commands`` stays the complete mapping for code that walks the tree (docs/gen_cli.py, tests): reading it
    loads every command module. The command line itself goes through :meth:`get_command` and
    :meth:`list_commands`, which load only what they need.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._commands: MutableMapping[str, click.Command] = {}
        self._loaded: set[str] = set()
        self._registering = 0
        super().__init__(*args, **kwargs)

    @property
    def commands(self) -> MutableMapping[str, click.Command]:
        if not self._registering:
            self._load(COMMAND_MODULES)
        return self._commands

    @commands.setter
    def commands(self, value: MutableMapping[str, click.Command]) -> None:
        self._commands = value

    def _load(self, modules: Iterable[str]) -> None:
        """Import each command module not yet loaded and let it register its commands on this group."""
        for name in modules:
            if name in self._loaded:
                continue
            self._loaded.add(name)
            self._registering += 1
            try:
                importlib.import_module(f"{__name__}.{name}").register(self)
            finally:
                self._registering -= 1

    def _unindexed(self) -> list[str]:
        indexed = {module for modules, _ in COMMAND_INDEX.values() for module in modules}
        return [name for name in COMMAND_MODULES if name not in indexed]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMAND_INDEX.get(cmd_name)
        self._load(entry[0] if entry else self._unindexed())
        return self._commands.get(cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load(self._unindexed())
        return sorted(set(COMMAND_INDEX) | set(self._commands))

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of ``--help``, from :data:`COMMAND_INDEX` for commands not loaded (nothing imported)."""
        rows: list[tuple[str, click.Command]] = []
        for name in self.list_commands(ctx):
            cmd = self._commands.get(name)
            if cmd is None:
                cmd = click.Command(name, help=COMMAND_INDEX[name][1])
            if not cmd.hidden:
                rows.append((name, cmd))
        if rows:
            limit = formatter.width - 6 - max(len(name) for name, _ in rows)
            with formatter.section("Commands"):
                formatter.write_dl([(name, cmd.get_short_help_str(limit)) for name, cmd in rows])

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except KeyboardInterrupt as exc:  # while parsing: eager options (--help) may load modules
            raise _interrupted() from exc

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except DawBridgeError as exc:
            raise click.ClickException(f"{type(exc).__name__}: {exc}") from exc
        except KeyboardInterrupt as exc:
            raise _interrupted() from exc


_INTERRUPTED = threading.Event()  # "Interrupted." was said


def _interrupted() -> click.exceptions.Exit:
    """Say ``Interrupted.`` and give the exit to raise (status 130, as a shell reports SIGINT)."""
    if not _INTERRUPTED.is_set():
        _INTERRUPTED.set()
        click.echo("Interrupted.", err=True)
    return click.exceptions.Exit(130)


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """``--version``: the package version and the analysis version (cached figures and profiles carry it)."""
    if not value or ctx.resilient_parsing:
        return
    from ..analysis.version import ANALYSIS_VERSION

    click.echo(f"daw-bridge {__version__} (analysis version {ANALYSIS_VERSION})")
    ctx.exit()


@click.group(cls=DawBridgeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Config file (TOML). Default: config.toml in the platform's config dir.",
)
@click.option("--daw", type=click.Choice(["reaper", "ardour"]), default=None, help="Which DAW to drive.")
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version (and the analysis version) and exit.",
)
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None, daw: str | None) -> None:
    """Mix on headphones with confidence: correction, level-matched reference A/B, bounce-and-check."""
    ctx.ensure_object(dict)
    ctx.obj["config_path"] = config_path
    ctx.obj["daw"] = daw


def get_config(ctx: click.Context) -> Config:
    """The loaded config for this invocation (``--config`` and ``--daw`` applied), loaded once."""
    from ..config import Config, load_config

    root = ctx.find_root()
    obj = root.obj if isinstance(root.obj, dict) else {}
    cached = obj.get("config")
    if isinstance(cached, Config):
        return cached
    try:
        cfg = load_config(obj.get("config_path"))
    except DawBridgeError as exc:
        raise click.ClickException(f"{type(exc).__name__}: {exc}") from exc
    cfg = cfg.with_overrides(backend=obj.get("daw"))
    obj["config"] = cfg
    return cfg


def main() -> None:
    """Run the command line (``daw_bridge.__main__.main`` is the console script, which calls this)."""
    try:
        cli(prog_name="daw-bridge")
    except KeyboardInterrupt:  # outside click's own handling (rare: between parsing and invoking)
        _interrupted()
        raise SystemExit(130) from None
    finally:
        # shutting down (finalizers stop a headless Ardour, remove temporary folders) is not interrupted
        # with a traceback: a Ctrl-C from here on ends the process at once, status 130
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, _interrupted_at_exit)


def _interrupted_at_exit(_signum: int, _frame: object) -> None:
    if not _INTERRUPTED.is_set():
        os.write(2, b"Interrupted.\n")
    os._exit(130)


if __name__ == "__main__":  # pragma: no cover
    main()
