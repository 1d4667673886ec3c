"""``daw-bridge demo``: the main job end to end on the embedded REAPER emulator (what ``make demo`` runs)."""

from __future__ import annotations

from pathlib import Path

import click

from ..workflows.demo import run_demo
from ..workflows.renders import next_version_path
from .session import reaper_only


@click.command("demo")
@click.pass_context
@click.option("--dir", "folder", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to put the session, bounces and report (default: ./demo-output/run-NNN).")
def demo_cmd(ctx: click.Context, folder: Path | None) -> None:
    """Build a demo session, start the REAPER emulator, and run correction, level matching, A/B and
    bounce-and-check against it over real loopback OSC, explaining each step."""
    reaper_only(ctx, "`daw-bridge demo` (it runs on the REAPER emulator)")
    if folder is None:
        base = Path("demo-output")
        folder = next_version_path(base, "run").with_suffix("")
    click.echo(f"daw-bridge demo: everything goes into {folder}/")
    run_demo(folder, say=click.echo)


def register(cli: click.Group) -> None:
    cli.add_command(demo_cmd)
