"""``daw-bridge reaper``: install into REAPER, uninstall, show where things go."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .. import install as installer
from ..reaper.bridge import ensure_mailbox
from . import get_config
from .output import echo_json, json_option
from .session import reaper_only

_RESOURCE_HELP = "REAPER's resource folder (default: this OS's standard one; use it for portable installs)."


def _resource(path: Path | None) -> Path:
    return path if path is not None else installer.default_resource_path()


@click.group("reaper")
@click.pass_context
def reaper_group(ctx: click.Context) -> None:
    """Install daw-bridge's scripts, effects and OSC pattern file into REAPER."""
    reaper_only(ctx, "`daw-bridge reaper`")


@reaper_group.command("install")
@click.option("--resource-path", type=click.Path(file_okay=False, path_type=Path), default=None, help=_RESOURCE_HELP)
@click.option("--config-only", is_flag=True, help="Only write daw-bridge.config.json (after a ReaPack install).")
@click.option("--no-register", is_flag=True, help="Do not add the actions to reaper-kb.ini.")
@json_option
@click.pass_context
def install_cmd(
    ctx: click.Context, resource_path: Path | None, config_only: bool, no_register: bool, as_json: bool
) -> None:
    """Copy scripts, JSFX and the .ReaperOSC file into REAPER and register the actions.

    Quit REAPER first: it reads reaper-kb.ini at start-up. A file you changed is backed up before it is
    replaced; `daw-bridge reaper uninstall` removes exactly what this installed.
    """
    cfg = get_config(ctx)
    ensure_mailbox(cfg.bridge_dir)
    Path(cfg.bounce_dir).mkdir(parents=True, exist_ok=True, mode=0o700)
    report = installer.install(_resource(resource_path), cfg, config_only=config_only, register=not no_register)
    if as_json:
        echo_json(report)
        return
    click.echo(f"Installed into {report.resource_path}: {len(report.written)} written, "
               f"{len(report.unchanged)} already up to date.")
    for target, backup in report.backups.items():
        click.echo(f"  your changed {target} was kept as {backup}")
    if report.registered:
        click.echo(f"Registered {len(report.registered)} actions in reaper-kb.ini "
                   f"(backup: {report.kb_backup or 'none needed, the file was new'}).")
    if not config_only and not any(p.suffix == ".jsfx" for p in [*report.written, *report.unchanged]):
        click.echo("Warning: no JSFX were found to install; monitoring effects will be missing.", err=True)
    click.echo("")
    click.echo(installer.osc_settings(cfg))
    click.echo("")
    click.echo("Then bind keys: Actions > Show action list, filter 'daw-bridge', select an action, 'Add...' shortcut.")


@reaper_group.command("uninstall")
@click.option("--resource-path", type=click.Path(file_okay=False, path_type=Path), default=None, help=_RESOURCE_HELP)
@json_option
def uninstall_cmd(resource_path: Path | None, as_json: bool) -> None:
    """Remove exactly what `daw-bridge reaper install` put into REAPER, restoring files it had backed up."""
    report = installer.uninstall(_resource(resource_path))
    if as_json:
        echo_json(report)
        return
    click.echo(f"Removed {len(report.removed)} files from {report.resource_path}; "
               f"unregistered {len(report.unregistered)} actions.")
    for path in report.restored:
        click.echo(f"  restored your earlier {path}")
    for path in report.kept_changed:
        click.echo(f"  kept {path}: you changed it after installing")


@reaper_group.command("paths")
@click.option("--resource-path", type=click.Path(file_okay=False, path_type=Path), default=None, help=_RESOURCE_HELP)
@json_option
@click.pass_context
def paths_cmd(ctx: click.Context, resource_path: Path | None, as_json: bool) -> None:
    """Show REAPER's resource folder, where each part goes, and the mailbox and bounce folders."""
    cfg = get_config(ctx)
    root = _resource(resource_path)
    info: dict[str, Any] = {
        "resource_path": root,
        "scripts": root / installer.SCRIPTS_DIR,
        "effects": root / installer.EFFECTS_DIR,
        "osc_pattern_file": root / installer.OSC_FILE,
        "lua_config": root / installer.CONFIG_FILE,
        "manifest": root / installer.MANIFEST_FILE,
        "bridge_dir": cfg.bridge_dir,
        "bounce_dir": cfg.bounce_dir,
        "installed": (root / installer.MANIFEST_FILE).exists(),
    }
    if as_json:
        echo_json(info)
        return
    for key, value in info.items():
        click.echo(f"{key:17s} {value}")


def register(cli: click.Group) -> None:
    cli.add_command(reaper_group)
