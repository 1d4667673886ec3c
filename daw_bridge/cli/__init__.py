"""The ``daw-bridge`` command: a thin click shell over the library.

Each command group lives in its own module (``cli/<group>.py``) exposing ``register(cli)``; this module holds the
root group, the shared options and the one place where a :class:`~daw_bridge.errors.DawBridgeError` becomes a
clean ``Error: ...`` message with a non-zero exit status (never a traceback).
"""

from __future__ import annotations

import importlib
from pathlib import Path

import click

from ..config import Config, load_config
from ..errors import DawBridgeError

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


class DawBridgeGroup(click.Group):
    """Root group that turns library errors into ``Error: ...`` and exit status 1."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except DawBridgeError as exc:
            raise click.ClickException(f"{type(exc).__name__}: {exc}") from exc
        except KeyboardInterrupt as exc:
            click.echo("Interrupted.", err=True)
            raise click.exceptions.Exit(130) from exc


@click.group(cls=DawBridgeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Config file (TOML). Default: config.toml in the platform's config dir.",
)
@click.option("--daw", type=click.Choice(["reaper", "ardour"]), default=None, help="Which DAW to drive.")
@click.version_option(package_name="daw-bridge")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None, daw: str | None) -> None:
    """Mix on headphones with confidence: correction, level-matched reference A/B, bounce-and-check."""
    ctx.ensure_object(dict)
    ctx.obj["config_path"] = config_path
    ctx.obj["daw"] = daw


def get_config(ctx: click.Context) -> Config:
    """The loaded config for this invocation (``--config`` and ``--daw`` applied), loaded once."""
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


for _name in COMMAND_MODULES:
    importlib.import_module(f"{__name__}.{_name}").register(cli)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="daw-bridge")


if __name__ == "__main__":  # pragma: no cover
    main()
