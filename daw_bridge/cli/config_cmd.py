"""``daw-bridge config``: show the effective config and where it is read from."""

from __future__ import annotations

from pathlib import Path

import click

from ..config import config_to_toml, default_config_path
from . import get_config


@click.group("config")
def config_group() -> None:
    """Show the effective configuration."""


@config_group.command("show")
@click.pass_context
def show(ctx: click.Context) -> None:
    """Print the effective config as TOML (defaults plus your file)."""
    cfg = get_config(ctx)
    path = ctx.find_root().obj.get("config_path") or default_config_path()
    if Path(path).is_file():
        click.echo(f"# read from: {path}")
    else:
        click.echo(f"# defaults (no config file at {path})")
    click.echo(config_to_toml(cfg), nl=False)


@config_group.command("path")
def path() -> None:
    """Print where the default config file lives."""
    click.echo(str(default_config_path()))


def register(cli: click.Group) -> None:
    cli.add_command(config_group)
