"""``daw-bridge config``: show the effective config and where it is read from."""

from __future__ import annotations

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
    click.echo(f"# read from: {ctx.find_root().obj.get('config_path') or default_config_path()}")
    click.echo(config_to_toml(get_config(ctx)), nl=False)


@config_group.command("path")
def path() -> None:
    """Print where the default config file lives."""
    click.echo(str(default_config_path()))


def register(cli: click.Group) -> None:
    cli.add_command(config_group)
